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
class QColor;
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
    QValueAxis* roundAxis() const { return xAxis_; }
    // Twelve colours from Paul Tol's colour-blind-safe schemes, each at least 70 apart from
    // every other (RGB distance); curves take them in order.
    static const QList<QColor>& palette();
    // Ticks on whole rounds only: every round up to 12, else every 2, 5, 10, 20, 50... rounds.
    static int roundTickInterval(int lastRound);
    // The value a point of a series shows for a model value (percent x100, bytes /1024).
    double chartValue(double modelValue) const;
    QString formatValue(double modelValue) const;

signals:
    // E.g. "Round 7 · Accuracy: 81.2 %"; empty when the mouse leaves the line.
    void hoverTextChanged(const QString& text);
    // The curves were made anew (names, colours): legends follow.
    void curvesChanged();

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
