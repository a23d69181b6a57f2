#include "widgets/history_chart_binder.h"

#include "models/history_model.h"

#include <QChart>
#include <QColor>
#include <QLineSeries>
#include <QLocale>
#include <QPen>
#include <QValueAxis>

#include <cmath>

namespace fmc::ui {

HistoryChartBinder::HistoryChartBinder(HistoryModel* model, QChart* chart, Unit unit, CurveProvider curves,
                                       QObject* parent)
    : QObject(parent),
      model_(model),
      chart_(chart),
      unit_(unit),
      curves_(std::move(curves)),
      xAxis_(new QValueAxis(chart)),
      yAxis_(new QValueAxis(chart)) {
    xAxis_->setTitleText(tr("Round"));
    xAxis_->setLabelFormat(QStringLiteral("%d"));
    chart_->addAxis(xAxis_, Qt::AlignBottom);
    chart_->addAxis(yAxis_, Qt::AlignLeft);
    switch (unit_) {
    case Unit::Percent: yAxis_->setTitleText(tr("%")); break;
    case Unit::Kilobytes: yAxis_->setTitleText(tr("KiB")); break;
    case Unit::Plain: break;
    }
    connect(model_, &QAbstractItemModel::modelReset, this, &HistoryChartBinder::rebuild);
    // New rows may bring a curve the run did not have yet (e.g. the federation's accuracy).
    auto update = [this] {
        const auto wanted = curves_(*model_);
        bool same = wanted.size() == current_.size();
        for (int i = 0; same && i < wanted.size(); ++i) same = wanted[i].column == current_[i].column;
        if (same) refill();
        else rebuild();
    };
    connect(model_, &QAbstractItemModel::rowsInserted, this, update);
    connect(model_, &QAbstractItemModel::dataChanged, this, update);
    rebuild();
}

const QList<QColor>& HistoryChartBinder::palette() {
    static const QList<QColor> colours{
        QColor(0x33, 0x22, 0x88), QColor(0xEE, 0x77, 0x33), QColor(0x11, 0x77, 0x33), QColor(0xCC, 0x33, 0x11),
        QColor(0x88, 0xCC, 0xEE), QColor(0xAA, 0x33, 0x77), QColor(0x99, 0x99, 0x33), QColor(0x44, 0xAA, 0x99),
        QColor(0x00, 0x00, 0x00), QColor(0xDD, 0xCC, 0x77), QColor(0xBB, 0xBB, 0xBB), QColor(0xEE, 0x66, 0x77)};
    return colours;
}

int HistoryChartBinder::roundTickInterval(int lastRound) {
    if (lastRound <= 12) return 1;
    for (int step : {2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000})
        if ((lastRound - 1) / step <= 10) return step;
    return 1000 * ((lastRound + 9999) / 10000);
}

double HistoryChartBinder::chartValue(double modelValue) const {
    switch (unit_) {
    case Unit::Percent: return 100.0 * modelValue;
    case Unit::Kilobytes: return modelValue / 1024.0;
    case Unit::Plain: break;
    }
    return modelValue;
}

QString HistoryChartBinder::formatValue(double modelValue) const {
    const QLocale locale;
    switch (unit_) {
    case Unit::Percent: return locale.toString(chartValue(modelValue), 'f', 1) + QStringLiteral(" %");
    case Unit::Kilobytes: return locale.formattedDataSize(static_cast<qint64>(modelValue));
    case Unit::Plain: break;
    }
    return locale.toString(modelValue, 'f', 4);
}

void HistoryChartBinder::rebuild() {
    for (auto* series : series_) {
        chart_->removeSeries(series);
        delete series;
    }
    series_.clear();
    current_ = curves_(*model_);
    for (const auto& curve : current_) {
        auto* series = new QLineSeries(chart_);
        series->setName(curve.name);
        series->setPointsVisible(true);
        chart_->addSeries(series);
        // Every other line dashed, so lines that coincide (e.g. bytes sent = received) both show.
        QPen pen = series->pen();
        pen.setColor(palette().at(series_.size() % palette().size()));
        pen.setWidthF(2.0);
        if (series_.size() % 2 == 1) pen.setStyle(Qt::DashLine);
        series->setPen(pen);
        series->attachAxis(xAxis_);
        series->attachAxis(yAxis_);
        const int column = curve.column;
        const QString name = curve.name;
        connect(series, &QLineSeries::hovered, this, [this, column, name](const QPointF& point, bool entered) {
            if (!entered) {
                emit hoverTextChanged({});
                return;
            }
            // The nearest round to the mouse along the line.
            int best = -1;
            for (int row = 0; row < model_->rowCount(); ++row)
                if (best < 0 || std::abs(model_->value(row, HistoryModel::RoundColumn) - point.x()) <
                                    std::abs(model_->value(best, HistoryModel::RoundColumn) - point.x()))
                    best = row;
            if (best < 0) return;
            emit hoverTextChanged(tr("Round %1 · %2: %3")
                                      .arg(static_cast<int>(model_->value(best, HistoryModel::RoundColumn)))
                                      .arg(name, formatValue(model_->value(best, column))));
        });
        series_.append(series);
    }
    refill();
    emit curvesChanged();
}

void HistoryChartBinder::refill() {
    double maxRound = 1, minY = 0, maxY = unit_ == Unit::Percent ? 100 : 0;
    for (int i = 0; i < series_.size(); ++i) {
        QList<QPointF> points;
        for (int row = 0; row < model_->rowCount(); ++row) {
            const double value = model_->value(row, current_.at(i).column);
            if (std::isnan(value)) continue;
            const double round = model_->value(row, HistoryModel::RoundColumn);
            const double y = chartValue(value);
            points.append({round, y});
            maxRound = std::max(maxRound, round);
            maxY = std::max(maxY, y);
            minY = std::min(minY, y);
        }
        series_.at(i)->replace(points);
    }
    // Rounds are whole numbers: ticks on whole rounds, anchored so that 1 (or a multiple of
    // the step) carries a label.
    const int lastRound = static_cast<int>(std::ceil(std::max(2.0, maxRound)));
    const int step = roundTickInterval(lastRound);
    xAxis_->setRange(1, lastRound);
    xAxis_->setTickType(QValueAxis::TicksDynamic);
    xAxis_->setTickAnchor(step == 1 ? 1 : 0);
    xAxis_->setTickInterval(step);
    xAxis_->setMinorTickCount(0);
    if (unit_ == Unit::Percent) {
        yAxis_->setRange(0, 100);
    } else {
        yAxis_->setRange(minY, maxY > minY ? maxY * 1.05 : minY + 1);
        yAxis_->applyNiceNumbers();
    }
}

}  // namespace fmc::ui
