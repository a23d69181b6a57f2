#pragma once
// A chart's legend as widgets under the chart: a line sample in each curve's colour and dash
// and the curve's full name, wrapped over lines rather than cut (QtCharts' own legend elides
// long names, e.g. nine class names), with the name as tooltip. Follows the binder's curves.
#include <QWidget>

QT_BEGIN_NAMESPACE
class QGridLayout;
class QLabel;
QT_END_NAMESPACE

namespace fmc::ui {

class HistoryChartBinder;

class ChartLegend : public QWidget {
    Q_OBJECT
public:
    explicit ChartLegend(HistoryChartBinder* binder, QWidget* parent = nullptr);

    QList<QLabel*> nameLabels() const { return names_; }
    // The colour each entry's sample is drawn in, in curve order.
    QList<QColor> colours() const;

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void rebuild();
    // Layouts give word-wrapped labels one line unless told: room for every wrapped name.
    void fitHeight();

    HistoryChartBinder* binder_;
    QGridLayout* grid_;
    QList<QLabel*> names_;
    QList<QLabel*> samples_;
};

}  // namespace fmc::ui
