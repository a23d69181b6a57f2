#include "chart_legend.h"

#include "history_chart_binder.h"

#include <QGridLayout>
#include <QLabel>
#include <QLineSeries>
#include <QPainter>
#include <QPixmap>

namespace fmc::ui {
namespace {

constexpr int kColumns = 3;

QPixmap lineSample(const QPen& seriesPen, qreal devicePixelRatio) {
    QPixmap pixmap(QSize(28, 12) * devicePixelRatio);
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
    const auto series = binder_->series();
    for (int i = 0; i < series.size(); ++i) {
        auto* sample = new QLabel(this);
        sample->setPixmap(lineSample(series[i]->pen(), devicePixelRatioF()));
        auto* name = new QLabel(series[i]->name(), this);
        name->setObjectName(QStringLiteral("legendEntry"));
        name->setWordWrap(true);
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
}

}  // namespace fmc::ui
