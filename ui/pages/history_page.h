#pragma once
// History: the rounds of a training run as line charts (loss; accuracy, balanced accuracy,
// macro F1 and the federation's accuracy; bytes sent and received; recall per class) and as
// a table, all fed by one HistoryModel. Hover a line for its values; export the charts as
// PNG and the rounds as CSV.
#include <QWidget>

QT_BEGIN_NAMESPACE
class QChartView;
class QComboBox;
class QLabel;
class QTableView;
QT_END_NAMESPACE

namespace fmc::ui {

class HistoryChartBinder;
class HistoryModel;
class WorkspaceService;

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
    void retranslate();
    QChartView* addChart(const QString& objectName);

    WorkspaceService* workspace_ = nullptr;
    HistoryModel* model_;
    QList<HistoryChartBinder*> binders_;
    QList<QChartView*> chartViews_;
    QLabel* title_;
    QLabel* hover_;
    QLabel* empty_;
    QComboBox* runChoice_;
    QWidget* chartArea_;
    QTableView* table_;
};

}  // namespace fmc::ui
