#include "models/image_filter_model.h"

#include "models/image_table_model.h"

#include <QFileInfo>

namespace fmc::ui {

ImageFilterModel::ImageFilterModel(QObject* parent) : QSortFilterProxyModel(parent) {
    setSortCaseSensitivity(Qt::CaseInsensitive);
}

void ImageFilterModel::update(QString& field, const QString& value) {
    if (field == value) return;
    field = value;
    invalidateFilter();
}

void ImageFilterModel::setLabelFilter(const QString& label) { update(label_, label); }
void ImageFilterModel::setModalityFilter(const QString& modality) { update(modality_, modality); }
void ImageFilterModel::setSplitFilter(const QString& split) { update(split_, split); }
void ImageFilterModel::setSiteFilter(const QString& site) { update(site_, site); }
void ImageFilterModel::setNameFilter(const QString& text) { update(name_, text.trimmed()); }

bool ImageFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
    const auto index = sourceModel()->index(sourceRow, 0, sourceParent);
    auto matches = [&](const QString& filter, int role) {
        return filter.isEmpty() || index.data(role).toString() == filter;
    };
    if (label_ == kUnlabelled) {
        if (!index.data(ImageTableModel::LabelRole).toString().isEmpty()) return false;
    } else if (!matches(label_, ImageTableModel::LabelRole)) {
        return false;
    }
    if (!matches(modality_, ImageTableModel::ModalityRole) || !matches(split_, ImageTableModel::SplitRole) ||
        !matches(site_, ImageTableModel::SiteRole))
        return false;
    return name_.isEmpty() ||
           QFileInfo(index.data(ImageTableModel::PathRole).toString()).fileName().contains(name_, Qt::CaseInsensitive);
}

}  // namespace fmc::ui
