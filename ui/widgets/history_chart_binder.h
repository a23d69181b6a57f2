#pragma once
// Draws columns of a HistoryModel as line series of one chart and keeps them in step with
// the model (reset, rows added, values changed). Rows without a value (NaN) leave a gap
// rather than a fake zero. Hovering a line reports the round and the value under the mouse.
#include <QList>
#include <QObject>
#include <QString>

#include <functional>

QT_BEGIN_NAMESPACE
class QChart;
class QLineSeries;
class QValueAxis;
QT_END_NAMESPACE

namespace fmc::ui {

class HistoryModel;

class HistoryChartBinder : public QObject {
    Q_OBJECT
public:
    enum class Unit { Percent, Plain, Kilobytes };
    struct Curve {
        int column = 0;
        QString name;
    };
    using CurveProvider = std::function<QList<Curve>(const HistoryModel&)>;

    HistoryChartBinder(HistoryModel* model, QChart* chart, Unit unit, CurveProvider curves, QObject* parent = nullptr);

    QList<QLineSeries*> series() const { return series_; }
    // The value a point of a series shows for a model value (percent x100, bytes /1024).
    double chartValue(double modelValue) const;
    QString formatValue(double modelValue) const;

signals:
    // E.g. "Round 7 · Accuracy: 81.2 %"; empty when the mouse leaves the line.
    void hoverTextChanged(const QString& text);

private:
    void rebuild();
    void refill();

    HistoryModel* model_;
    QChart* chart_;
    Unit unit_;
    CurveProvider curves_;
    QList<Curve> current_;
    QList<QLineSeries*> series_;
    QValueAxis* xAxis_;
    QValueAxis* yAxis_;
};

}  // namespace fmc::ui
