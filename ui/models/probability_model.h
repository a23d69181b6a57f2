#pragma once
// One classification as bars: every class with its probability in the chosen view
// (ensemble, FAM only, MLP only), most likely first; the first row is the top class.
#include "workspace/classifier_engine.h"

#include <QAbstractTableModel>

namespace fmc::ui {

class ProbabilityModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum class View { Ensemble, FamOnly, MlpOnly };
    enum Column { ClassColumn, ProbabilityColumn, ColumnCount };
    // ProbabilityRole: 0..1 as double; TopClassRole: true on the most likely class.
    // CautionRole: true when the result must not be relied on (the top bar is then not green);
    // InPredictionSetRole: the class is in the view's conformal prediction set.
    enum Role { ProbabilityRole = Qt::UserRole + 1, TopClassRole, ClassIndexRole, CautionRole, InPredictionSetRole };

    explicit ProbabilityModel(QObject* parent = nullptr);

    void setResult(const ClassificationResult& result);
    void clear();
    const ClassificationResult& result() const { return result_; }

    // A view the result does not have (MLP only, before training) shows no rows.
    void setView(View view);
    View view() const { return view_; }
    bool hasView(View view) const;
    // The probabilities of the current view, in class order.
    QVector<double> probabilities() const;
    // The current view's prediction set (class indices, most probable first; empty: none).
    QVector<int> predictionSet() const;

    void setCaution(bool caution);
    bool caution() const { return caution_; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // "87.3 %" in the user's locale.
    static QString formatPercent(double probability);

private:
    void sortRows();

    ClassificationResult result_;
    View view_ = View::Ensemble;
    bool caution_ = false;
    QVector<int> order_;  // row -> class index, by descending probability
};

}  // namespace fmc::ui
