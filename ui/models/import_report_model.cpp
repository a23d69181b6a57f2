#include "models/import_report_model.h"

#include <QFileInfo>

namespace fmc::ui {

ImportReportModel::ImportReportModel(QObject* parent) : QAbstractTableModel(parent) {}

void ImportReportModel::setReport(const ImportReport& report) {
    beginResetModel();
    report_ = report;
    endResetModel();
}

QString ImportReportModel::summary() const {
    QStringList parts;
    parts << tr("%n image(s) imported", nullptr, report_.imported);
    if (report_.duplicates > 0) parts << tr("%n duplicate(s) skipped", nullptr, report_.duplicates);
    parts << tr("%n file(s) could not be used", nullptr, report_.failures.size());
    auto text = parts.join(QStringLiteral(", ")) + QLatin1Char('.');
    if (report_.cancelled) text += QLatin1Char(' ') + tr("The import was cancelled; the files before it stay imported.");
    return text;
}

int ImportReportModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : report_.failures.size(); }
int ImportReportModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant ImportReportModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const auto& failure = report_.failures.at(index.row());
    if (role == Qt::ToolTipRole) return failure.path;
    if (role != Qt::DisplayRole) return {};
    return index.column() == FileColumn ? QFileInfo(failure.path).fileName() : failure.reason;
}

QVariant ImportReportModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return QAbstractTableModel::headerData(section, orientation, role);
    return section == FileColumn ? tr("File") : tr("Why it could not be used");
}

}  // namespace fmc::ui
