#pragma once
// The predictions saved in a workspace, newest first: when, which image, the most likely
// class with its probability (or its raw score, said to be one, when the model was not
// calibrated), what was checked (the prediction set, out of distribution, the branches
// disagreeing), and the model that made it in words (a model version, or the zero-shot
// shared FAM of a site that has not trained yet). The tooltip of a row gives the file's full
// path, the model, every class's probability and the out-of-distribution reasons.
#include "workspace/workspace_types.h"

#include <QAbstractTableModel>

namespace fmc::ui {

class PredictionListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { SavedColumn, ImageColumn, PredictionColumn, ChecksColumn, ModelColumn, ColumnCount };

    explicit PredictionListModel(QObject* parent = nullptr);

    // Oldest first, as WorkspaceService::predictions() returns them.
    void setPredictions(const QList<PredictionRecord>& predictions);
    const PredictionRecord& prediction(int row) const { return predictions_.at(row); }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<PredictionRecord> predictions_;  // newest first
};

}  // namespace fmc::ui
