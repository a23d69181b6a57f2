#include "models/class_mapping_model.h"

#include <QColor>

namespace fmc::ui {

ClassMappingModel::ClassMappingModel(QObject* parent) : QAbstractTableModel(parent) {}

void ClassMappingModel::setLabels(const QMap<QString, int>& counts, const QStringList& federationClasses,
                                const QMap<QString, QString>& previousMapping) {
    beginResetModel();
    classes_ = federationClasses;
    rows_.clear();
    for (auto it = counts.begin(); it != counts.end(); ++it) {
        Row row{it.key(), it.value(), {}};
        if (previousMapping.contains(row.label) &&
            (previousMapping.value(row.label).isEmpty() || classes_.contains(previousMapping.value(row.label)))) {
            row.federationClass = previousMapping.value(row.label);
        } else {
            for (const auto& name : classes_)
                if (name.compare(row.label, Qt::CaseInsensitive) == 0) row.federationClass = name;
        }
        rows_.append(row);
    }
    endResetModel();
    emit mappingChanged();
}

QMap<QString, QString> ClassMappingModel::mapping() const {
    QMap<QString, QString> mapping;
    for (const auto& row : rows_) mapping.insert(row.label, row.federationClass);
    return mapping;
}

QStringList ClassMappingModel::coveredClasses() const {
    QStringList covered;
    for (const auto& name : classes_)
        for (const auto& row : rows_)
            if (row.federationClass == name) {
                covered << name;
                break;
            }
    return covered;
}

QMap<QString, int> ClassMappingModel::imagesPerClass() const {
    QMap<QString, int> counts;
    for (const auto& row : rows_)
        if (!row.federationClass.isEmpty()) counts[row.federationClass] += row.images;
    return counts;
}

int ClassMappingModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : rows_.size(); }
int ClassMappingModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant ClassMappingModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const auto& row = rows_.at(index.row());
    switch (index.column()) {
    case LocalLabelColumn:
        if (role == Qt::DisplayRole) return row.label;
        break;
    case ImagesColumn:
        if (role == Qt::DisplayRole) return row.images;
        if (role == Qt::TextAlignmentRole) return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case FederationClassColumn:
        if (role == Qt::DisplayRole) return row.federationClass.isEmpty() ? tr("(not used)") : row.federationClass;
        if (role == Qt::EditRole) return row.federationClass;
        if (role == ChoicesRole) return classes_;
        if (role == Qt::ForegroundRole && row.federationClass.isEmpty()) return QColor(Qt::gray);
        break;
    }
    return {};
}

QVariant ClassMappingModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case LocalLabelColumn: return tr("Your label");
    case ImagesColumn: return tr("Images");
    case FederationClassColumn: return tr("Federation class");
    }
    return {};
}

Qt::ItemFlags ClassMappingModel::flags(const QModelIndex& index) const {
    auto flags = QAbstractTableModel::flags(index);
    if (index.isValid() && index.column() == FederationClassColumn) flags |= Qt::ItemIsEditable;
    return flags;
}

bool ClassMappingModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    if (role != Qt::EditRole || !index.isValid() || index.column() != FederationClassColumn) return false;
    const auto choice = value.toString();
    if (!choice.isEmpty() && !classes_.contains(choice)) return false;
    rows_[index.row()].federationClass = choice;
    emit dataChanged(index, index, {Qt::DisplayRole, Qt::EditRole, Qt::ForegroundRole});
    emit mappingChanged();
    return true;
}

}  // namespace fmc::ui
