#include "widgets/chart_legend.h"

#include "widgets/history_chart_binder.h"

#include <QGridLayout>
#include <QLabel>
#include <QLineSeries>
#include <QPainter>
#include <QPixmap>

#include <algorithm>

namespace fmc::ui {
namespace {

constexpr int kColumns = 3;
constexpr int kSampleWidth = 28;

QPixmap lineSample(const QPen& seriesPen, qreal devicePixelRatio) {
    QPixmap pixmap(QSize(kSampleWidth, 12) * devicePixelRatio);
    pixmap.setDevicePixelRatio(devicePixelRatio);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    QPen pen = seriesPen;
    pen.setWidthF(3);
    painter.setPen(pen);
    painter.drawLine(QPointF(1, 6), QPointF(27, 6));
    painter.setBrush(pen.color());
    painter.drawEllipse(QPointF(14, 6), 2.5, 2.5);
    return pixmap;
}

}  // namespace

ChartLegend::ChartLegend(HistoryChartBinder* binder, QWidget* parent)
    : QWidget(parent), binder_(binder), grid_(new QGridLayout(this)) {
    setObjectName(QStringLiteral("chartLegend"));
    grid_->setContentsMargins(8, 0, 8, 4);
    grid_->setHorizontalSpacing(6);
    grid_->setVerticalSpacing(2);
    connect(binder_, &HistoryChartBinder::curvesChanged, this, &ChartLegend::rebuild);
    rebuild();
}

QList<QColor> ChartLegend::colours() const {
    QList<QColor> result;
    for (auto* series : binder_->series()) result.append(series->pen().color());
    return result;
}

void ChartLegend::rebuild() {
    qDeleteAll(names_);
    qDeleteAll(samples_);
    names_.clear();
    samples_.clear();
    for (int row = 0; row < grid_->rowCount(); ++row) grid_->setRowMinimumHeight(row, 0);
    const auto series = binder_->series();
    for (int i = 0; i < series.size(); ++i) {
        auto* sample = new QLabel(this);
        sample->setPixmap(lineSample(series[i]->pen(), devicePixelRatioF()));
        auto* name = new QLabel(series[i]->name(), this);
        name->setObjectName(QStringLiteral("legendEntry"));
        name->setWordWrap(true);
        name->setAlignment(Qt::AlignLeft | Qt::AlignTop);
        name->setToolTip(series[i]->name());
        name->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
        const int row = i / kColumns, column = 2 * (i % kColumns);
        grid_->addWidget(sample, row, column, Qt::AlignTop);
        grid_->addWidget(name, row, column + 1);
        samples_.append(sample);
        names_.append(name);
    }
    for (int c = 0; c < kColumns; ++c) grid_->setColumnStretch(2 * c + 1, 1);
    setVisible(!series.isEmpty());
    fitHeight();
}

void ChartLegend::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    fitHeight();
}

void ChartLegend::fitHeight() {
    const auto margins = grid_->contentsMargins();
    const int spacing = grid_->horizontalSpacing();
    const int nameWidth = std::max(
        40, (width() - margins.left() - margins.right() - kColumns * kSampleWidth - (2 * kColumns - 1) * spacing) / kColumns);
    int height = margins.top() + margins.bottom();
    for (int first = 0; first < names_.size(); first += kColumns) {
        int row = 12;
        for (int i = first; i < std::min<int>(first + kColumns, names_.size()); ++i)
            row = std::max(row, names_[i]->heightForWidth(nameWidth));
        grid_->setRowMinimumHeight(first / kColumns, row);
        height += row + (first > 0 ? grid_->verticalSpacing() : 0);
    }
    if (minimumHeight() != height) setMinimumHeight(height);
}

}  // namespace fmc::ui
