#include "models/prediction_list_model.h"

#include "models/probability_model.h"

#include <QFileInfo>
#include <QLocale>

#include <algorithm>

namespace fmc::ui {
namespace {

int topClass(const PredictionRecord& prediction) {
    const auto& p = prediction.probabilities;
    return p.isEmpty() ? -1 : static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin());
}

}  // namespace

PredictionListModel::PredictionListModel(QObject* parent) : QAbstractTableModel(parent) {}

void PredictionListModel::setPredictions(const QList<PredictionRecord>& predictions) {
    beginResetModel();
    predictions_ = predictions;
    std::reverse(predictions_.begin(), predictions_.end());
    endResetModel();
}

int PredictionListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : predictions_.size();
}
int PredictionListModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant PredictionListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const auto& prediction = predictions_.at(index.row());
    const int top = topClass(prediction);
    if (role == Qt::ToolTipRole) {
        QStringList lines{prediction.imagePath, tr("Model: %1").arg(prediction.modelDescription)};
        for (int c = 0; c < prediction.classNames.size() && c < prediction.probabilities.size(); ++c)
            lines << QStringLiteral("%1: %2").arg(prediction.classNames.at(c),
                                                  ProbabilityModel::formatPercent(prediction.probabilities.at(c)));
        if (!prediction.calibrated) lines << tr("Raw scores, not calibrated.");
        for (const auto& reason : prediction.outOfDistributionReasons) lines << tr("Out of distribution: %1").arg(reason);
        return lines.join(QLatin1Char('\n'));
    }
    if (role != Qt::DisplayRole) return {};
    switch (index.column()) {
    case SavedColumn: return QLocale().toString(prediction.madeAt.toLocalTime(), QLocale::ShortFormat);
    case ImageColumn: return QFileInfo(prediction.imagePath).fileName();
    case PredictionColumn:
        if (top < 0) return QString();
        return prediction.calibrated
                   ? tr("%1 (%2)").arg(prediction.classNames.value(top),
                                       ProbabilityModel::formatPercent(prediction.probabilities.at(top)))
                   : tr("%1 (raw score %2, not calibrated)")
                         .arg(prediction.classNames.value(top),
                              ProbabilityModel::formatPercent(prediction.probabilities.at(top)));
    case ChecksColumn: {
        if (top < 0) return QString();
        QStringList checks;
        if (prediction.outOfDistribution) checks << tr("not like the training images");
        if (prediction.noBetterThanChance) checks << tr("model no better than chance");
        if (!prediction.predictionSet.isEmpty())
            checks << tr("%1 set: %2")
                          .arg(ProbabilityModel::formatPercent(prediction.coverage),
                               prediction.predictionSet.join(QStringLiteral(", ")));
        else if (!prediction.calibrated)
            checks << tr("no prediction set");
        if (prediction.branchDisagreement) checks << tr("FAM and MLP disagree");
        return checks.join(QStringLiteral("; "));
    }
    case ModelColumn: return prediction.modelDescription;
    }
    return {};
}

QVariant PredictionListModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case SavedColumn: return tr("Saved");
    case ImageColumn: return tr("Image");
    case PredictionColumn: return tr("Prediction");
    case ChecksColumn: return tr("Checks");
    case ModelColumn: return tr("Model");
    }
    return {};
}

}  // namespace fmc::ui
