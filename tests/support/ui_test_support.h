#pragma once
// Shared fixtures of the UI tests: a tiny demo bundle made once per test run, images on
// disk, and a small labelled workspace.
#include "engine/demo_bundle.h"
#include "workspace/site_store_workspace.h"
#include "imaging/image_loader.h"

#include <QDir>
#include <QFile>
#include <QStandardPaths>
#include <QString>
#include <QTest>

#include <memory>

namespace fmc::ui::test {

inline QString vocabularyFile() {
    return QStringLiteral(FMC_SOURCE_DIR "/resources/clip/bpe_simple_vocab_16e6.txt.gz");
}

// The tiny random-weight bundle (64 px input, 128-d features), written into `dir`.
inline QString makeTinyBundle(const QString& dir, std::uint64_t seed = 2026) {
    createDemoBundle(dir.toStdString(), DemoBundleShape::Tiny, vocabularyFile().toStdString(), seed);
    return dir;
}

// A w x h image of one colour with a stripe whose position depends on `variant`; images of
// different variants have different content (and hashes).
inline RgbImage patternImage(int variant, int width = 48, int height = 40) {
    RgbImage image{width, height, std::vector<std::uint8_t>(static_cast<size_t>(width * height * 3))};
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            auto* p = &image.pixels[static_cast<size_t>((y * width + x) * 3)];
            const bool stripe = (x + variant * 7) % 16 < 4;
            p[0] = static_cast<std::uint8_t>(stripe ? 250 : 40 + 50 * (variant % 4));
            p[1] = static_cast<std::uint8_t>(stripe ? 240 : 90 + 30 * ((variant / 4) % 4));
            p[2] = static_cast<std::uint8_t>(stripe ? 20 : 160 - 40 * (variant % 3));
        }
    // The variant itself in the first pixel: different variants never share content.
    image.pixels[0] = static_cast<std::uint8_t>(variant & 0xff);
    image.pixels[1] = static_cast<std::uint8_t>((variant >> 8) & 0xff);
    return image;
}

inline QString writeImage(const QString& path, const RgbImage& image) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    saveImageFile(path.toStdString(), image);
    return path;
}

inline void writeBytes(const QString& path, const QByteArray& bytes) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(bytes);
}

// <root>/<class>/<n>.png for each class, `perClass` images each; colours differ by class.
inline void writeClassFolders(const QString& root, const QStringList& classes, int perClass) {
    for (int c = 0; c < classes.size(); ++c)
        for (int i = 0; i < perClass; ++i)
            writeImage(QDir(root).filePath(classes[c] + QStringLiteral("/%1.png").arg(i)), patternImage(c * 100 + i));
}

}  // namespace fmc::ui::test
