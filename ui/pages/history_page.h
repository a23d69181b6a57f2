#pragma once
// History: the rounds of a training run as line charts (loss; accuracy, balanced accuracy,
// macro F1 and the federation's accuracy; bytes sent and received; recall per class) and as
// a table, all fed by one HistoryModel. Hover a line for its values; export the charts as
// PNG and the rounds as CSV. A run's interruptions (cancelled, failed, stopped with the app)
// are marked on it, in its name and above the charts.
#include <QWidget>

QT_BEGIN_NAMESPACE
class QChartView;
class QComboBox;
class QLabel;
class QTableView;
QT_END_NAMESPACE

namespace fmc::ui {

class ChartLegend;
class HistoryChartBinder;
class HistoryModel;
class WorkspaceService;
struct TrainingRun;

class HistoryPage : public QWidget {
    Q_OBJECT
public:
    explicit HistoryPage(QWidget* parent = nullptr);

    void setWorkspace(WorkspaceService* workspace);
    // Shows a run (the newest when runId is empty).
    void showRun(const QString& runId = {});

    HistoryModel* model() const { return model_; }
    QTableView* table() const { return table_; }
    QList<HistoryChartBinder*> charts() const { return binders_; }
    QList<ChartLegend*> legends() const { return legends_; }
    QString interruptionText() const;
    QString runChoiceText(int index) const;
    QWidget* chartArea() const { return chartArea_; }

    // Throw fmc::Error naming the path when it cannot be written.
    void exportCsv(const QString& path);
    void exportPng(const QString& path);

public slots:
    void chooseCsvExport();
    void choosePngExport();

protected:
    void changeEvent(QEvent* event) override;

private:
    void reloadRuns();
    void showInterruptions(const TrainingRun& run);
    void retranslate();
    QChartView* addChart(const QString& objectName);

    WorkspaceService* workspace_ = nullptr;
    HistoryModel* model_;
    QList<HistoryChartBinder*> binders_;
    QList<QChartView*> chartViews_;
    QList<ChartLegend*> legends_;
    QLabel* interruptions_;
    QLabel* title_;
    QLabel* hover_;
    QLabel* empty_;
    QComboBox* runChoice_;
    QWidget* chartArea_;
    QTableView* table_;
};

}  // namespace fmc::ui
