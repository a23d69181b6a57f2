#include "models/history_model.h"

#include <QLocale>

#include <cmath>
#include <limits>

namespace fmc::ui {

HistoryModel::HistoryModel(QObject* parent) : QAbstractTableModel(parent) {}

void HistoryModel::setRun(const TrainingRun& run, const QList<HistoryRow>& rows) {
    beginResetModel();
    run_ = run;
    rows_ = rows;
    endResetModel();
}

void HistoryModel::clear() { setRun({}, {}); }

void HistoryModel::appendRow(const HistoryRow& row) {
    if (row.runId != run_.id) return;
    beginInsertRows({}, rows_.size(), rows_.size());
    rows_.append(row);
    endInsertRows();
}

double HistoryModel::value(int row, int column) const {
    constexpr double none = std::numeric_limits<double>::quiet_NaN();
    const auto& r = rows_.at(row);
    switch (column) {
    case RoundColumn: return r.round;
    case LossColumn: return r.loss;
    case AccuracyColumn: return r.accuracy;
    case BalancedAccuracyColumn: return r.balancedAccuracy;
    case MacroF1Column: return r.macroF1;
    case FederationAccuracyColumn: return r.federationAccuracy < 0 ? none : r.federationAccuracy;
    case BytesSentColumn: return static_cast<double>(r.bytesSent);
    case BytesReceivedColumn: return static_cast<double>(r.bytesReceived);
    case SecondsColumn: return r.seconds;
    default: {
        const int classIndex = column - FirstRecallColumn;
        return classIndex >= 0 && classIndex < r.perClassRecall.size() ? r.perClassRecall.at(classIndex) : none;
    }
    }
}

QString HistoryModel::csvHeader(int column, const QStringList& classNames) {
    switch (column) {
    case RoundColumn: return QStringLiteral("round");
    case LossColumn: return QStringLiteral("loss");
    case AccuracyColumn: return QStringLiteral("accuracy");
    case BalancedAccuracyColumn: return QStringLiteral("balanced_accuracy");
    case MacroF1Column: return QStringLiteral("macro_f1");
    case FederationAccuracyColumn: return QStringLiteral("federation_accuracy");
    case BytesSentColumn: return QStringLiteral("bytes_sent");
    case BytesReceivedColumn: return QStringLiteral("bytes_received");
    case SecondsColumn: return QStringLiteral("seconds");
    default: return QStringLiteral("recall_") + classNames.value(column - FirstRecallColumn);
    }
}

int HistoryModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : rows_.size(); }

int HistoryModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : FirstRecallColumn + run_.classNames.size();
}

QVariant HistoryModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const double v = value(index.row(), index.column());
    if (role == ValueRole) return v;
    if (role == Qt::TextAlignmentRole) return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole) return {};
    if (std::isnan(v)) return QStringLiteral("–");
    const QLocale locale;
    switch (index.column()) {
    case RoundColumn: return static_cast<int>(v);
    case LossColumn: return locale.toString(v, 'f', 4);
    case BytesSentColumn:
    case BytesReceivedColumn: return locale.formattedDataSize(static_cast<qint64>(v));
    case SecondsColumn: return locale.toString(v, 'f', 2);
    default: return locale.toString(100.0 * v, 'f', 1) + QStringLiteral(" %");
    }
}

QVariant HistoryModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case RoundColumn: return tr("Round");
    case LossColumn: return tr("Loss");
    case AccuracyColumn: return tr("Accuracy");
    case BalancedAccuracyColumn: return tr("Balanced accuracy");
    case MacroF1Column: return tr("Macro F1");
    case FederationAccuracyColumn: return tr("Federation accuracy");
    case BytesSentColumn: return tr("Sent");
    case BytesReceivedColumn: return tr("Received");
    case SecondsColumn: return tr("Seconds");
    default: return tr("Recall: %1").arg(run_.classNames.value(section - FirstRecallColumn));
    }
}

}  // namespace fmc::ui
