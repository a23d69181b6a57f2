#include "models/thumbnail_cache.h"

#include "shell/app_settings.h"
#include "workspace/import_scanner.h"

#include <QImageReader>
#include <QPainter>
#include <QtConcurrent/QtConcurrentRun>

namespace fmc::ui {
namespace {

constexpr int kCacheKilobytes = 64 * 1024;

QImage placeholder(int edge) {
    QImage image(edge, edge, QImage::Format_RGB32);
    image.fill(QColor(0xe0, 0xe0, 0xe0));
    QPainter painter(&image);
    painter.setPen(QColor(0x90, 0x20, 0x20));
    QFont font = painter.font();
    font.setPixelSize(edge / 2);
    font.setBold(true);
    painter.setFont(font);
    painter.drawText(image.rect(), Qt::AlignCenter, QStringLiteral("!"));
    return image;
}

QImage fromRgb(const RgbImage& rgb) {
    QImage image(rgb.pixels.data(), rgb.width, rgb.height, rgb.width * 3, QImage::Format_RGB888);
    return image.copy();  // owns its pixels once `rgb` is gone
}

}  // namespace

ThumbnailCache::ThumbnailCache(int edge, QObject* parent) : QObject(parent), edge_(edge), cache_(kCacheKilobytes) {
    pool_.setMaxThreadCount(1);
}

ThumbnailCache::~ThumbnailCache() {
    pool_.clear();
    pool_.waitForDone();
}

QImage ThumbnailCache::makeThumbnail(const QString& path, int edge) {
    try {
        if (isDicomFile(path)) {
            return fromRgb(loadAnyImage(path, AppSettings::imageLimits()))
                .scaled(edge, edge, Qt::KeepAspectRatio, Qt::SmoothTransformation);
        }
        QImageReader reader(path);
        reader.setAutoTransform(true);
        const auto size = reader.size();
        if (size.isValid()) reader.setScaledSize(size.scaled(edge, edge, Qt::KeepAspectRatio));
        auto image = reader.read();
        if (!image.isNull()) return image.convertToFormat(QImage::Format_RGB32);
        // Formats QImageReader lacks (e.g. some TIFFs) go through the app's own decoder.
        return fromRgb(loadAnyImage(path, AppSettings::imageLimits()))
            .scaled(edge, edge, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    } catch (const std::exception&) {
        return placeholder(edge);
    }
}

QImage ThumbnailCache::thumbnail(const QString& path) {
    if (const auto* cached = cache_.object(path)) return *cached;
    if (pending_.contains(path)) return {};
    pending_.insert(path);
    const int edge = edge_;
    // The result arrives through store(); the future is not needed.
    (void)QtConcurrent::run(&pool_, [this, path, edge] {
        const auto image = makeThumbnail(path, edge);
        QMetaObject::invokeMethod(this, [this, path, image] { store(path, image); }, Qt::QueuedConnection);
    });
    return {};
}

void ThumbnailCache::store(const QString& path, const QImage& image) {
    pending_.remove(path);
    cache_.insert(path, new QImage(image), qMax<qsizetype>(1, image.sizeInBytes() / 1024));
    emit thumbnailReady(path);
}

void ThumbnailCache::clearPending() {
    pool_.clear();
    pending_.clear();
}

void ThumbnailCache::waitForDone() { pool_.waitForDone(); }

}  // namespace fmc::ui
