#include "widgets/history_chart_binder.h"

#include "models/history_model.h"

#include <QChart>
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
        QPen pen = series->pen();  // the theme's colour, set by addSeries
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
    xAxis_->setRange(1, std::max(2.0, maxRound));
    xAxis_->setTickCount(std::min(11, static_cast<int>(std::max(2.0, maxRound))));
    if (unit_ == Unit::Percent) {
        yAxis_->setRange(0, 100);
    } else {
        yAxis_->setRange(minY, maxY > minY ? maxY * 1.05 : minY + 1);
        yAxis_->applyNiceNumbers();
    }
}

}  // namespace fmc::ui
