#include "models/image_table_model.h"

#include "models/thumbnail_cache.h"

#include <QColor>
#include <QFileInfo>

namespace fmc::ui {

ImageTableModel::ImageTableModel(ThumbnailCache* thumbnails, QObject* parent)
    : QAbstractTableModel(parent), thumbnails_(thumbnails) {
    if (thumbnails_) connect(thumbnails_, &ThumbnailCache::thumbnailReady, this, &ImageTableModel::onThumbnailReady);
}

void ImageTableModel::setImages(const QList<ImageEntry>& images) {
    beginResetModel();
    images_ = images;
    rowOfPath_.clear();
    for (int row = 0; row < images_.size(); ++row) rowOfPath_.insert(images_.at(row).path, row);
    if (thumbnails_) thumbnails_->clearPending();
    endResetModel();
}

int ImageTableModel::rowOfImage(qint64 imageId) const {
    for (int row = 0; row < images_.size(); ++row)
        if (images_.at(row).id == imageId) return row;
    return -1;
}

int ImageTableModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : images_.size(); }
int ImageTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QString ImageTableModel::splitDisplayName(const QString& split) {
    if (split == kSplitTrain) return tr("training");
    if (split == kSplitValidation) return tr("validation");
    if (split == kSplitTest) return tr("test");
    return split;
}

QVariant ImageTableModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const auto& image = images_.at(index.row());
    switch (role) {
    case ImageIdRole: return image.id;
    case PathRole: return image.path;
    case LabelRole: return image.label;
    case ModalityRole: return image.modality;
    case SplitRole: return image.split;
    case SiteRole: return image.site;
    case Qt::ToolTipRole: return image.path;
    case Qt::DecorationRole:
        if ((index.column() == FileColumn || index.column() == CaptionColumn) && thumbnails_) {
            const auto thumbnail = thumbnails_->thumbnail(image.path);
            if (!thumbnail.isNull()) return thumbnail;
        }
        return {};
    case Qt::EditRole:
        if (index.column() == LabelColumn) return image.label;
        break;
    case Qt::DisplayRole:
        switch (index.column()) {
        case FileColumn: return QFileInfo(image.path).fileName();
        case LabelColumn: return image.label.isEmpty() ? tr("(unlabelled)") : image.label;
        case ModalityColumn: return image.modality == kModalityPhoto ? tr("photo") : image.modality;
        case SplitColumn: return splitDisplayName(image.split);
        case SiteColumn: return image.site;
        case SizeColumn: return image.width > 0 ? tr("%1 × %2").arg(image.width).arg(image.height) : QString();
        case CaptionColumn:
            return (image.label.isEmpty() ? tr("(unlabelled)") : image.label) + QLatin1Char('\n') +
                   QFileInfo(image.path).fileName();
        }
        break;
    case Qt::ForegroundRole:
        if (index.column() == LabelColumn && image.label.isEmpty()) return QColor(Qt::gray);
        break;
    }
    return {};
}

QVariant ImageTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case FileColumn: return tr("File");
    case LabelColumn: return tr("Label");
    case ModalityColumn: return tr("Modality");
    case SplitColumn: return tr("Split");
    case SiteColumn: return tr("Site");
    case SizeColumn: return tr("Size");
    case CaptionColumn: return tr("Image");
    }
    return {};
}

Qt::ItemFlags ImageTableModel::flags(const QModelIndex& index) const {
    auto flags = QAbstractTableModel::flags(index);
    if (index.isValid() && index.column() == LabelColumn) flags |= Qt::ItemIsEditable;
    return flags;
}

bool ImageTableModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    if (role != Qt::EditRole || !index.isValid() || index.column() != LabelColumn) return false;
    auto& image = images_[index.row()];
    const auto label = value.toString().trimmed();
    if (label == image.label) return true;
    try {
        if (labelWriter_) labelWriter_(image.id, label);
    } catch (const std::exception& error) {
        emit labelWriteFailed(QString::fromStdString(error.what()));
        return false;
    }
    image.label = label;
    emit dataChanged(index, index, {Qt::DisplayRole, Qt::EditRole, LabelRole, Qt::ForegroundRole});
    return true;
}

void ImageTableModel::onThumbnailReady(const QString& path) {
    const auto it = rowOfPath_.constFind(path);
    if (it == rowOfPath_.constEnd()) return;
    emit dataChanged(index(*it, FileColumn), index(*it, FileColumn), {Qt::DecorationRole});
    emit dataChanged(index(*it, CaptionColumn), index(*it, CaptionColumn), {Qt::DecorationRole});
}

}  // namespace fmc::ui
