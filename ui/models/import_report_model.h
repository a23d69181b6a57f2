#pragma once
// The files an import could not use, each with its reason, for the import report dialog.
#include "workspace/workspace_types.h"

#include <QAbstractTableModel>

namespace fmc::ui {

class ImportReportModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { FileColumn, ReasonColumn, ColumnCount };

    explicit ImportReportModel(QObject* parent = nullptr);

    void setReport(const ImportReport& report);
    const ImportReport& report() const { return report_; }
    // One sentence: "120 images imported, 3 duplicates skipped, 2 files could not be used."
    QString summary() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    ImportReport report_;
};

}  // namespace fmc::ui
