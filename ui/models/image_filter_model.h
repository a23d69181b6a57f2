#pragma once
// Filters the image list by label, modality, split and site (exact values; empty = any) and
// by a piece of the file name.
#include <QSortFilterProxyModel>

namespace fmc::ui {

class ImageFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    // A label filter of kUnlabelled keeps the images without a label.
    static inline const QString kUnlabelled = QStringLiteral("\x01unlabelled");

    explicit ImageFilterModel(QObject* parent = nullptr);

    void setLabelFilter(const QString& label);
    void setModalityFilter(const QString& modality);
    void setSplitFilter(const QString& split);
    void setSiteFilter(const QString& site);
    void setNameFilter(const QString& text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    void update(QString& field, const QString& value);

    QString label_, modality_, split_, site_, name_;
};

}  // namespace fmc::ui
