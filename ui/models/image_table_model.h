#pragma once
// The workspace's images for the table and the thumbnail grid (both views share it through
// ImageFilterModel). Thumbnails load lazily through ThumbnailCache; the label column is
// editable and writes through to the workspace.
#include "workspace/workspace_types.h"

#include <QAbstractTableModel>
#include <QHash>

#include <functional>

namespace fmc::ui {

class ThumbnailCache;

class ImageTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    // CaptionColumn is what the thumbnail grid shows (label and file name under the thumbnail);
    // the table hides it.
    enum Column { FileColumn, LabelColumn, ModalityColumn, SplitColumn, SiteColumn, SizeColumn, CaptionColumn, ColumnCount };
    enum Role { ImageIdRole = Qt::UserRole + 1, PathRole, LabelRole, ModalityRole, SplitRole, SiteRole };

    // Saves a label; throws on failure (the model then keeps the old label).
    using LabelWriter = std::function<void(qint64 imageId, const QString& label)>;

    explicit ImageTableModel(ThumbnailCache* thumbnails, QObject* parent = nullptr);

    void setImages(const QList<ImageEntry>& images);
    const QList<ImageEntry>& images() const { return images_; }
    void setLabelWriter(LabelWriter writer) { labelWriter_ = std::move(writer); }
    int rowOfImage(qint64 imageId) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;

    static QString splitDisplayName(const QString& split);

signals:
    void labelWriteFailed(const QString& message);

private:
    void onThumbnailReady(const QString& path);

    ThumbnailCache* thumbnails_;
    QList<ImageEntry> images_;
    QHash<QString, int> rowOfPath_;
    LabelWriter labelWriter_;
};

}  // namespace fmc::ui
