#pragma once
// The rounds of one training run, one row per round. The same model feeds the History
// table and every History chart (through HistoryChartBinder), so what the table shows is
// what the charts draw. ValueRole gives the raw number (NaN where there is none), which is
// also what the CSV export writes.
#include "workspace/workspace_types.h"

#include <QAbstractTableModel>

namespace fmc::ui {

class HistoryModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        RoundColumn,
        LossColumn,
        AccuracyColumn,
        BalancedAccuracyColumn,
        MacroF1Column,
        FederationAccuracyColumn,
        BytesSentColumn,
        BytesReceivedColumn,
        SecondsColumn,
        FirstRecallColumn  // then one column per class
    };
    enum Role { ValueRole = Qt::UserRole + 1 };

    explicit HistoryModel(QObject* parent = nullptr);

    void setRun(const TrainingRun& run, const QList<HistoryRow>& rows);
    void clear();
    // Adds a round as it finishes (live training).
    void appendRow(const HistoryRow& row);

    const TrainingRun& run() const { return run_; }
    const QList<HistoryRow>& rows() const { return rows_; }
    QStringList classNames() const { return run_.classNames; }
    int recallColumn(int classIndex) const { return FirstRecallColumn + classIndex; }

    // NaN where the row has no value (no federation figure, a class without validation images).
    double value(int row, int column) const;
    // Column titles without the unit decoration the table shows, for the CSV header.
    static QString csvHeader(int column, const QStringList& classNames);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    TrainingRun run_;
    QList<HistoryRow> rows_;
};

}  // namespace fmc::ui
