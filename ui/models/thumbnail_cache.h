#pragma once
// Thumbnails for the image grid and table, made on demand on a worker thread: the view asks
// for a thumbnail, gets a null image at first and a thumbnailReady() signal once it exists.
// Only the rows a view paints are ever asked for, so a folder of 10,000 images opens at once.
#include <QCache>
#include <QImage>
#include <QObject>
#include <QSet>
#include <QThreadPool>

namespace fmc::ui {

class ThumbnailCache : public QObject {
    Q_OBJECT
public:
    explicit ThumbnailCache(int edge = 96, QObject* parent = nullptr);
    ~ThumbnailCache() override;

    int edge() const { return edge_; }

    // The cached thumbnail, or a null image while it is being made. A file that cannot be
    // read gets a placeholder, so it is not tried again.
    QImage thumbnail(const QString& path);
    bool contains(const QString& path) const { return cache_.contains(path); }

    // Forgets queued requests that have not started (e.g. after the list changed).
    void clearPending();
    void waitForDone();

    // The thumbnail itself, made on the calling thread (photos via QImageReader at the
    // thumbnail size, DICOM via the DICOM component).
    static QImage makeThumbnail(const QString& path, int edge);

signals:
    void thumbnailReady(const QString& path);

private:
    void store(const QString& path, const QImage& image);

    int edge_;
    QCache<QString, QImage> cache_;
    QSet<QString> pending_;
    QThreadPool pool_;
};

}  // namespace fmc::ui
