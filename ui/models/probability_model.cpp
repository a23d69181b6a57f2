#include "models/probability_model.h"

#include <QFont>
#include <QLocale>

#include <algorithm>
#include <numeric>

namespace fmc::ui {

ProbabilityModel::ProbabilityModel(QObject* parent) : QAbstractTableModel(parent) {}

void ProbabilityModel::setResult(const ClassificationResult& result) {
    beginResetModel();
    result_ = result;
    if (!hasView(view_)) view_ = View::Ensemble;
    sortRows();
    endResetModel();
}

void ProbabilityModel::clear() { setResult({}); }

void ProbabilityModel::setView(View view) {
    if (view == view_) return;
    beginResetModel();
    view_ = view;
    sortRows();
    endResetModel();
}

bool ProbabilityModel::hasView(View view) const {
    switch (view) {
    case View::Ensemble: return !result_.ensemble.isEmpty();
    case View::FamOnly: return !result_.famOnly.isEmpty();
    case View::MlpOnly: return !result_.mlpOnly.isEmpty();
    }
    return false;
}

QVector<double> ProbabilityModel::probabilities() const {
    switch (view_) {
    case View::Ensemble: return result_.ensemble;
    case View::FamOnly: return result_.famOnly;
    case View::MlpOnly: return result_.mlpOnly;
    }
    return {};
}

QVector<int> ProbabilityModel::predictionSet() const {
    switch (view_) {
    case View::Ensemble: return result_.ensembleSet;
    case View::FamOnly: return result_.famOnlySet;
    case View::MlpOnly: return result_.mlpOnlySet;
    }
    return {};
}

void ProbabilityModel::setCaution(bool caution) {
    if (caution == caution_ || order_.isEmpty()) {
        caution_ = caution;
        return;
    }
    caution_ = caution;
    emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1), {CautionRole});
}

void ProbabilityModel::sortRows() {
    const auto values = probabilities();
    order_.resize(values.size());
    std::iota(order_.begin(), order_.end(), 0);
    // Stable: equal probabilities keep the class order.
    std::stable_sort(order_.begin(), order_.end(), [&](int a, int b) { return values[a] > values[b]; });
}

int ProbabilityModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : order_.size(); }
int ProbabilityModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QString ProbabilityModel::formatPercent(double probability) {
    return QLocale().toString(100.0 * probability, 'f', 1) + QStringLiteral("\u00a0%");
}

QVariant ProbabilityModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const int classIndex = order_.at(index.row());
    const double probability = probabilities().at(classIndex);
    switch (role) {
    case Qt::DisplayRole:
        return index.column() == ClassColumn ? result_.classNames.value(classIndex) : formatPercent(probability);
    case Qt::ToolTipRole:
        return tr("%1: %2").arg(result_.classNames.value(classIndex), formatPercent(probability));
    case ProbabilityRole: return probability;
    case TopClassRole: return index.row() == 0;
    case ClassIndexRole: return classIndex;
    case CautionRole: return caution_;
    case InPredictionSetRole: return predictionSet().contains(classIndex);
    case Qt::FontRole:
        if (index.row() == 0) {
            QFont font;
            font.setBold(true);
            return font;
        }
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == ProbabilityColumn) return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    }
    return {};
}

QVariant ProbabilityModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return QAbstractTableModel::headerData(section, orientation, role);
    if (section == ClassColumn) return tr("Class");
    return result_.ensemble.isEmpty() || result_.calibrated ? tr("Probability") : tr("Raw score (not calibrated)");
}

}  // namespace fmc::ui
