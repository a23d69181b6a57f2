// Tests for fmc::loadImageFile / decodeImageBytes / imageToTensor.
// Test images are either real files from ../shared/data or built here byte by byte (PNG,
// TIFF, EXIF segments), so the decoder is checked against files its own encoder did not write.
#include <QtTest>

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>

#include <array>
#include <cmath>

#include "imaging/image_loader.h"

using namespace fmc;

namespace {

QString dataDir() { return QStringLiteral(FMC_SHARED_DATA_DIR); }

std::vector<std::uint8_t> toVec(const QByteArray& a) {
    return std::vector<std::uint8_t>(reinterpret_cast<const std::uint8_t*>(a.constData()),
                                     reinterpret_cast<const std::uint8_t*>(a.constData()) + a.size());
}
QByteArray toBytes(const std::vector<std::uint8_t>& v) {
    return QByteArray(reinterpret_cast<const char*>(v.data()), static_cast<int>(v.size()));
}

void writeFile(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    QVERIFY2(f.open(QIODevice::WriteOnly), qPrintable(path));
    QCOMPARE(f.write(bytes), bytes.size());
}

void put16be(QByteArray& a, quint16 v) {
    a.append(char(v >> 8));
    a.append(char(v & 0xFF));
}
void put32be(QByteArray& a, quint32 v) {
    put16be(a, quint16(v >> 16));
    put16be(a, quint16(v & 0xFFFF));
}
void put16(QByteArray& a, quint16 v, bool be) {
    if (be) put16be(a, v);
    else { a.append(char(v & 0xFF)); a.append(char(v >> 8)); }
}
void put32(QByteArray& a, quint32 v, bool be) {
    if (be) put32be(a, v);
    else { put16(a, quint16(v & 0xFFFF), false); put16(a, quint16(v >> 16), false); }
}

quint32 crc32(const QByteArray& data) {
    static quint32 table[256];
    static bool init = false;
    if (!init) {
        for (quint32 n = 0; n < 256; ++n) {
            quint32 c = n;
            for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        init = true;
    }
    quint32 c = 0xFFFFFFFFu;
    for (char ch : data) c = table[(c ^ quint8(ch)) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

QByteArray pngChunk(const char* type, const QByteArray& data) {
    QByteArray out;
    put32be(out, quint32(data.size()));
    QByteArray body(type, 4);
    body += data;
    out += body;
    put32be(out, crc32(body));
    return out;
}

// A PNG built by hand: `rows` holds the packed scanlines without filter bytes.
QByteArray makePng(int w, int h, int bitDepth, int colorType, const QByteArray& rows, const QByteArray& plte = {},
                   const QByteArray& trns = {}) {
    QByteArray png("\x89PNG\r\n\x1a\n", 8);
    QByteArray ihdr;
    put32be(ihdr, quint32(w));
    put32be(ihdr, quint32(h));
    ihdr.append(char(bitDepth));
    ihdr.append(char(colorType));
    ihdr.append(3, '\0');  // compression, filter, interlace
    png += pngChunk("IHDR", ihdr);
    if (!plte.isEmpty()) png += pngChunk("PLTE", plte);
    if (!trns.isEmpty()) png += pngChunk("tRNS", trns);
    const int stride = rows.size() / h;
    QByteArray raw;
    for (int y = 0; y < h; ++y) {
        raw.append('\0');  // filter type None
        raw += rows.mid(y * stride, stride);
    }
    png += pngChunk("IDAT", qCompress(raw, 9).mid(4));  // qCompress: 4-byte size + zlib stream
    png += pngChunk("IEND", {});
    return png;
}

// A PNG whose header declares w x h pixels but whose data is a few bytes.
QByteArray pngBomb(quint32 w, quint32 h) {
    QByteArray png("\x89PNG\r\n\x1a\n", 8);
    QByteArray ihdr;
    put32be(ihdr, w);
    put32be(ihdr, h);
    ihdr.append(char(8));
    ihdr.append(3, '\0');
    ihdr.append('\0');
    png += pngChunk("IHDR", ihdr);
    png += pngChunk("IDAT", qCompress(QByteArray(64, '\0'), 9).mid(4));
    png += pngChunk("IEND", {});
    return png;
}

QByteArray bytesOf(std::initializer_list<int> v) {
    QByteArray a;
    for (int x : v) a.append(char(x));
    return a;
}
QByteArray samples16be(std::initializer_list<int> v) {
    QByteArray a;
    for (int x : v) put16be(a, quint16(x));
    return a;
}

// An uncompressed, single-strip TIFF built by hand (grey or RGB, 8 or 16 bit).
QByteArray makeTiff(int w, int h, int spp, int bps, const std::vector<int>& samples, bool be) {
    QByteArray data;
    for (int s : samples) {
        if (bps == 8) data.append(char(s));
        else put16(data, quint16(s), be);
    }
    const int nEntries = 9;
    const quint32 ifdOffset = 8;
    const quint32 bpsOffset = ifdOffset + 2 + 12 * nEntries + 4;  // BitsPerSample array (RGB)
    const quint32 dataOffset = bpsOffset + 8;
    QByteArray t;
    t += be ? QByteArray("MM\0\x2a", 4) : QByteArray("II\x2a\0", 4);
    put32(t, ifdOffset, be);
    put16(t, nEntries, be);
    auto entry = [&](quint16 tag, quint16 type, quint32 count, quint32 value) {
        put16(t, tag, be);
        put16(t, type, be);
        put32(t, count, be);
        if (type == 3 && count == 1) {
            put16(t, quint16(value), be);
            put16(t, 0, be);
        } else {
            put32(t, value, be);
        }
    };
    entry(256, 3, 1, quint32(w));
    entry(257, 3, 1, quint32(h));
    if (spp == 1) entry(258, 3, 1, quint32(bps));
    else entry(258, 3, 3, bpsOffset);
    entry(259, 3, 1, 1);                        // no compression
    entry(262, 3, 1, spp == 1 ? 1u : 2u);       // BlackIsZero / RGB
    entry(273, 4, 1, dataOffset);               // StripOffsets
    entry(277, 3, 1, quint32(spp));             // SamplesPerPixel
    entry(278, 3, 1, quint32(h));               // RowsPerStrip
    entry(279, 4, 1, quint32(data.size()));     // StripByteCounts
    put32(t, 0, be);                            // no next IFD
    for (int i = 0; i < 3; ++i) put16(t, quint16(bps), be);
    put16(t, 0, be);
    t += data;
    return t;
}

// Inserts an APP1 Exif segment holding only the Orientation tag right after SOI.
QByteArray withExifOrientation(const QByteArray& jpeg, int orientation, bool be) {
    QByteArray tiff = be ? QByteArray("MM\0\x2a", 4) : QByteArray("II\x2a\0", 4);
    put32(tiff, 8, be);
    put16(tiff, 1, be);           // one entry
    put16(tiff, 0x0112, be);      // Orientation
    put16(tiff, 3, be);           // SHORT
    put32(tiff, 1, be);           // count
    put16(tiff, quint16(orientation), be);
    put16(tiff, 0, be);
    put32(tiff, 0, be);           // no next IFD
    QByteArray payload = QByteArray("Exif\0\0", 6) + tiff;
    QByteArray seg("\xFF\xE1", 2);
    put16be(seg, quint16(payload.size() + 2));
    seg += payload;
    return jpeg.left(2) + seg + jpeg.mid(2);
}

RgbImage patternImage(int w, int h) {
    RgbImage im;
    im.width = w;
    im.height = h;
    im.pixels.resize(static_cast<size_t>(w) * h * 3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            std::uint8_t* p = &im.pixels[(static_cast<size_t>(y) * w + x) * 3];
            p[0] = std::uint8_t((x * 37 + y * 91) % 256);
            p[1] = std::uint8_t((x * x * 13 + y * 7) % 256);
            p[2] = std::uint8_t((x * y * 29 + 50) % 256);
        }
    return im;
}

RgbImage noiseImage(int w, int h, unsigned seed) {
    RgbImage im;
    im.width = w;
    im.height = h;
    im.pixels.resize(static_cast<size_t>(w) * h * 3);
    unsigned s = seed;
    for (auto& v : im.pixels) {
        s = s * 1664525u + 1013904223u;
        v = std::uint8_t(s >> 24);
    }
    return im;
}

std::array<int, 3> pixelAt(const RgbImage& im, int x, int y) {
    const std::uint8_t* p = &im.pixels[(static_cast<size_t>(y) * im.width + x) * 3];
    return {p[0], p[1], p[2]};
}

QVector<int> allPixels(const RgbImage& im) {
    QVector<int> v;
    for (auto p : im.pixels) v.append(p);
    return v;
}

// Undoes the normalisation of a CHW tensor block: back to the 8-bit HWC values.
QVector<int> tensorToBytes(const float* t, int S, const Preprocessing& prep) {
    QVector<int> out(S * S * 3);
    for (int c = 0; c < 3; ++c)
        for (int i = 0; i < S * S; ++i)
            out[i * 3 + c] = int(std::lround((t[c * S * S + i] * prep.std[c] + prep.mean[c]) * 255.0f));
    return out;
}

float normalised(int v, int c, const Preprocessing& prep) { return (float(v) / 255.0f - prep.mean[c]) / prep.std[c]; }

}  // namespace

class TestImageLoader : public QObject {
    Q_OBJECT

private slots:
    void realDermoscopyJpegs();
    void realBrainMriJpegs_data();
    void realBrainMriJpegs();
    void pngVariants_data();
    void pngVariants();
    void bmpTiffJpegFiles_data();
    void bmpTiffJpegFiles();
    void exifOrientation_data();
    void exifOrientation();
    void errors_data();
    void errors();
    void decodeBytesErrorsUseName();
    void tensorStretchByHand();
    void tensorCenterCropByHand_data();
    void tensorCenterCropByHand();
    void tensorMatchesPillow_data();
    void tensorMatchesPillow();
    void tensorAppendsAndValidates();
    void tensorFromRealImage();
    void extensions_data();
    void extensions();
    void saveImageFileErrors();
};

void TestImageLoader::realDermoscopyJpegs() {
    const QDir dir(dataDir() + "/dermoscopy-isic9/Train/melanoma");
    if (!QDir(dataDir()).exists()) QSKIP("shared data folder absent (FMC_SHARED_DATA_DIR)");
    const QStringList files = dir.entryList({"*.jpg"}, QDir::Files, QDir::Name);
    QVERIFY2(files.size() >= 5, qPrintable("expected JPEGs in " + dir.path()));
    for (int i = 0; i < 5; ++i) {
        const RgbImage im = loadImageFile(dir.filePath(files[i]).toStdString());
        QCOMPARE(im.width, 180);
        QCOMPARE(im.height, 180);
        QCOMPARE(im.pixels.size(), size_t(180 * 180 * 3));
        bool colour = false;
        for (size_t p = 0; p < im.pixels.size() && !colour; p += 3)
            colour = std::abs(int(im.pixels[p]) - int(im.pixels[p + 2])) > 20;
        QVERIFY2(colour, qPrintable(files[i] + " should be a colour image"));
    }
}

void TestImageLoader::realBrainMriJpegs_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::newRow("portrait 205x249") << "notumor/Te-no_0010.jpg" << 205 << 249;
    QTest::newRow("portrait 236x270") << "notumor/Te-no_0013.jpg" << 236 << 270;
    QTest::newRow("landscape 236x218") << "notumor/Te-no_0016.jpg" << 236 << 218;
    QTest::newRow("square 512") << "glioma/Te-gl_0010.jpg" << 512 << 512;
}

void TestImageLoader::realBrainMriJpegs() {
    QFETCH(QString, file);
    QFETCH(int, width);
    QFETCH(int, height);
    if (!QDir(dataDir()).exists()) QSKIP("shared data folder absent (FMC_SHARED_DATA_DIR)");
    const QString path = dataDir() + "/brain-mri/" + file;
    QVERIFY2(QFileInfo::exists(path), qPrintable(path));
    const RgbImage im = loadImageFile(path.toStdString());
    QCOMPARE(im.width, width);
    QCOMPARE(im.height, height);
    // A greyscale JPEG comes back as RGB with three equal channels.
    int maxValue = 0;
    for (size_t p = 0; p < im.pixels.size(); p += 3) {
        QCOMPARE(im.pixels[p], im.pixels[p + 1]);
        QCOMPARE(im.pixels[p], im.pixels[p + 2]);
        maxValue = std::max(maxValue, int(im.pixels[p]));
    }
    QVERIFY(maxValue > 100);
}

void TestImageLoader::pngVariants_data() {
    QTest::addColumn<QByteArray>("png");
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::addColumn<QVector<int>>("expected");  // RGB of every pixel

    QTest::newRow("grey 8-bit") << makePng(3, 1, 8, 0, bytesOf({0, 128, 255})) << 3 << 1
                                << QVector<int>{0, 0, 0, 128, 128, 128, 255, 255, 255};
    // Full-range scaling, not truncation: 65280 -> 254 (a plain >> 8 would give 255).
    QTest::newRow("grey 16-bit") << makePng(5, 1, 16, 0, samples16be({65535, 32768, 65280, 25700, 0})) << 5 << 1
                                 << QVector<int>{255, 255, 255, 128, 128, 128, 254, 254, 254, 100, 100, 100, 0, 0, 0};
    QTest::newRow("grey 1-bit") << makePng(8, 1, 1, 0, bytesOf({0xB0})) << 8 << 1
                                << QVector<int>{255, 255, 255, 0, 0, 0, 255, 255, 255, 255, 255, 255,
                                                0,   0,   0,   0, 0, 0, 0,   0,   0,   0,   0,   0};
    QTest::newRow("grey+alpha 8-bit (alpha dropped)") << makePng(2, 1, 8, 4, bytesOf({100, 0, 200, 128})) << 2 << 1
                                                      << QVector<int>{100, 100, 100, 200, 200, 200};
    QTest::newRow("RGB 8-bit") << makePng(2, 1, 8, 2, bytesOf({1, 2, 3, 250, 128, 7})) << 2 << 1
                               << QVector<int>{1, 2, 3, 250, 128, 7};
    QTest::newRow("RGB 16-bit") << makePng(1, 1, 16, 2, samples16be({65535, 32768, 257})) << 1 << 1
                                << QVector<int>{255, 128, 1};
    QTest::newRow("RGBA 8-bit (alpha dropped)") << makePng(2, 1, 8, 6, bytesOf({200, 100, 50, 0, 10, 20, 30, 128})) << 2 << 1
                                                << QVector<int>{200, 100, 50, 10, 20, 30};
    QTest::newRow("RGBA 16-bit") << makePng(1, 1, 16, 6, samples16be({32768, 65535, 0, 1000})) << 1 << 1
                                 << QVector<int>{128, 255, 0};
    const QByteArray plte = bytesOf({10, 20, 30, 200, 100, 50, 0, 0, 255});
    const QVector<int> palettePixels{10, 20, 30, 200, 100, 50, 0, 0, 255, 200, 100, 50,
                                     0,  0,  255, 200, 100, 50, 10, 20, 30, 10, 20, 30};
    QTest::newRow("palette 8-bit") << makePng(4, 2, 8, 3, bytesOf({0, 1, 2, 1, 2, 1, 0, 0}), plte) << 4 << 2
                                   << palettePixels;
    QTest::newRow("palette 8-bit with tRNS (transparency dropped)")
        << makePng(4, 2, 8, 3, bytesOf({0, 1, 2, 1, 2, 1, 0, 0}), plte, bytesOf({255, 0, 128})) << 4 << 2
        << palettePixels;
    QTest::newRow("palette 4-bit") << makePng(4, 2, 4, 3, bytesOf({0x01, 0x21, 0x21, 0x00}), plte) << 4 << 2
                                   << palettePixels;
    const RgbImage pattern = patternImage(7, 5);
    QTest::newRow("RGB written by encodeImage") << toBytes(encodeImage(pattern, ".png")) << 7 << 5
                                                << allPixels(pattern);
}

void TestImageLoader::pngVariants() {
    QFETCH(QByteArray, png);
    QFETCH(int, width);
    QFETCH(int, height);
    QFETCH(QVector<int>, expected);
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString path = tmp.filePath("variant.png");
    writeFile(path, png);
    const RgbImage im = loadImageFile(path.toStdString());
    QCOMPARE(im.width, width);
    QCOMPARE(im.height, height);
    QCOMPARE(allPixels(im), expected);
}

void TestImageLoader::bmpTiffJpegFiles_data() {
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::addColumn<QVector<int>>("expected");
    QTest::addColumn<int>("tolerance");

    const RgbImage pattern = patternImage(7, 5);
    QTest::newRow("BMP 24-bit") << "p.bmp" << toBytes(encodeImage(pattern, ".bmp")) << 7 << 5 << allPixels(pattern) << 0;
    QTest::newRow("TIFF 8-bit RGB (OpenCV writer)") << "p.tif" << toBytes(encodeImage(pattern, ".tiff")) << 7 << 5
                                                    << allPixels(pattern) << 0;
    QTest::newRow("TIFF 8-bit RGB big-endian") << "rgb.tiff" << makeTiff(2, 1, 3, 8, {9, 8, 7, 255, 0, 128}, true) << 2
                                               << 1 << QVector<int>{9, 8, 7, 255, 0, 128} << 0;
    QTest::newRow("TIFF 16-bit grey little-endian")
        << "g16le.tif" << makeTiff(4, 1, 1, 16, {65535, 32768, 0, 65280}, false) << 4 << 1
        << QVector<int>{255, 255, 255, 128, 128, 128, 0, 0, 0, 254, 254, 254} << 0;
    QTest::newRow("TIFF 16-bit grey big-endian")
        << "g16be.tif" << makeTiff(4, 1, 1, 16, {65535, 32768, 0, 65280}, true) << 4 << 1
        << QVector<int>{255, 255, 255, 128, 128, 128, 0, 0, 0, 254, 254, 254} << 0;
    QTest::newRow("TIFF 16-bit RGB") << "rgb16.tif" << makeTiff(1, 1, 3, 16, {32768, 65535, 257}, false) << 1 << 1
                                     << QVector<int>{128, 255, 1} << 0;
    // JPEG is lossy: flat 8x8-aligned blocks of colour come back within a small tolerance.
    // (16x16 blocks: colour is subsampled 2x2, so one MCU covers 16x16 pixels.)
    RgbImage blocks;
    blocks.width = 32;
    blocks.height = 32;
    blocks.pixels.resize(32 * 32 * 3);
    QVector<int> expected;
    for (int y = 0; y < 32; ++y)
        for (int x = 0; x < 32; ++x) {
            const bool a = (x < 16) == (y < 16);
            const std::array<int, 3> c = a ? std::array<int, 3>{200, 60, 40} : std::array<int, 3>{40, 90, 180};
            for (int k = 0; k < 3; ++k) {
                blocks.pixels[(y * 32 + x) * 3 + k] = std::uint8_t(c[k]);
                expected.append(c[k]);
            }
        }
    QTest::newRow("JPEG quality 100") << "b.jpg" << toBytes(encodeImage(blocks, ".jpg", 100)) << 32 << 32 << expected << 12;
}

void TestImageLoader::bmpTiffJpegFiles() {
    QFETCH(QString, fileName);
    QFETCH(QByteArray, bytes);
    QFETCH(int, width);
    QFETCH(int, height);
    QFETCH(QVector<int>, expected);
    QFETCH(int, tolerance);
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString path = tmp.filePath(fileName);
    writeFile(path, bytes);
    const RgbImage im = loadImageFile(path.toStdString());
    QCOMPARE(im.width, width);
    QCOMPARE(im.height, height);
    const QVector<int> got = allPixels(im);
    QCOMPARE(got.size(), expected.size());
    if (tolerance == 0) {
        QCOMPARE(got, expected);
    } else {
        // Lossy: compare away from the colour edges (chroma is interpolated across them).
        for (int i = 0; i < got.size(); ++i) {
            const int x = (i / 3) % width, y = (i / 3) / width;
            if (x % 16 < 2 || x % 16 > 13 || y % 16 < 2 || y % 16 > 13) continue;
            QVERIFY2(std::abs(got[i] - expected[i]) <= tolerance,
                     qPrintable(QString("sample %1: got %2, expected %3").arg(i).arg(got[i]).arg(expected[i])));
        }
    }
}

void TestImageLoader::exifOrientation_data() {
    QTest::addColumn<int>("orientation");
    QTest::addColumn<bool>("bigEndian");
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::addColumn<QPoint>("red");    // where the red marker (stored top-left) must appear
    QTest::addColumn<QPoint>("green");  // where the green marker (stored top-right) must appear
    // Stored image: 40 x 20, red 10x10 block top-left, green 10x10 block top-right.
    struct Row { int o; int w, h; QPoint red, green; };
    const Row rows[] = {
        {1, 40, 20, {4, 4}, {35, 4}},   {2, 40, 20, {35, 4}, {4, 4}},   {3, 40, 20, {35, 15}, {4, 15}},
        {4, 40, 20, {4, 15}, {35, 15}}, {5, 20, 40, {4, 4}, {4, 35}},   {6, 20, 40, {15, 4}, {15, 35}},
        {7, 20, 40, {15, 35}, {15, 4}}, {8, 20, 40, {4, 35}, {4, 4}},
    };
    for (const Row& r : rows)
        for (bool be : {false, true})
            QTest::addRow("orientation %d %s", r.o, be ? "MM" : "II") << r.o << be << r.w << r.h << r.red << r.green;
}

void TestImageLoader::exifOrientation() {
    QFETCH(int, orientation);
    QFETCH(bool, bigEndian);
    QFETCH(int, width);
    QFETCH(int, height);
    QFETCH(QPoint, red);
    QFETCH(QPoint, green);
    RgbImage stored;
    stored.width = 40;
    stored.height = 20;
    stored.pixels.assign(40 * 20 * 3, 128);
    for (int y = 0; y < 10; ++y)
        for (int x = 0; x < 10; ++x) {
            std::uint8_t* r = &stored.pixels[(y * 40 + x) * 3];
            r[0] = 255, r[1] = 0, r[2] = 0;
            std::uint8_t* g = &stored.pixels[(y * 40 + 39 - x) * 3];
            g[0] = 0, g[1] = 255, g[2] = 0;
        }
    const QByteArray jpeg = withExifOrientation(toBytes(encodeImage(stored, ".jpg", 95)), orientation, bigEndian);
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString path = tmp.filePath("rotated.jpg");
    writeFile(path, jpeg);
    const RgbImage im = loadImageFile(path.toStdString());
    QCOMPARE(im.width, width);
    QCOMPARE(im.height, height);
    const auto r = pixelAt(im, red.x(), red.y());
    const auto g = pixelAt(im, green.x(), green.y());
    QVERIFY2(r[0] > 200 && r[1] < 60 && r[2] < 60, "red marker not where expected");
    QVERIFY2(g[1] > 200 && g[0] < 60 && g[2] < 60, "green marker not where expected");
    const auto centre = pixelAt(im, width / 2, height / 2);
    QVERIFY(std::abs(centre[0] - 128) < 10 && std::abs(centre[1] - 128) < 10);
}

void TestImageLoader::errors_data() {
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("kind");  // 0: write bytes, 1: do not create, 2: create a folder
    QTest::addColumn<qulonglong>("maxFileBytes");
    QTest::addColumn<qulonglong>("maxPixels");
    QTest::addColumn<QString>("fragment");

    const ImageLimits def;
    const qulonglong mfb = def.maxFileBytes, mp = def.maxPixels;
    const QByteArray smallPng = toBytes(encodeImage(patternImage(8, 8), ".png"));
    const QByteArray noiseJpeg = toBytes(encodeImage(noiseImage(64, 64, 3), ".jpg", 90));

    QTest::newRow("missing file") << "does_not_exist.png" << QByteArray() << 1 << mfb << mp << "not found";
    QTest::newRow("folder") << "a_folder.png" << QByteArray() << 2 << mfb << mp << "not a regular file";
    QTest::newRow("zero bytes") << "empty.jpg" << QByteArray() << 0 << mfb << mp << "empty";
    QTest::newRow("over maxFileBytes") << "too_big.png" << smallPng << 0 << qulonglong(smallPng.size() - 1) << mp
                                       << "over the limit";
    QTest::newRow("text, not an image") << "notes.jpg" << QByteArray("hello, I am not a picture\n") << 0 << mfb << mp
                                        << "not a supported image";
    QTest::newRow("PNG signature then garbage") << "garbage.png" << QByteArray("\x89PNG\r\n\x1a\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 40)
                                                << 0 << mfb << mp << "corrupt PNG";
    QTest::newRow("truncated PNG") << "cut.png" << smallPng.left(smallPng.size() - 20) << 0 << mfb << mp
                                   << "cannot decode";
    // 100000 x 100000 pixels declared in IHDR, tiny data: refused from the header.
    QTest::newRow("PNG decompression bomb") << "bomb.png" << pngBomb(100000, 100000) << 0 << mfb << mp
                                            << "before decoding";
    QTest::newRow("JPEG over maxPixels") << "big.jpg" << noiseJpeg << 0 << mfb << qulonglong(64 * 64 - 1) << "4096 pixels";
    QTest::newRow("BMP over maxPixels") << "big.bmp" << toBytes(encodeImage(patternImage(8, 8), ".bmp")) << 0 << mfb
                                        << qulonglong(63) << "64 pixels";
    QTest::newRow("TIFF over maxPixels") << "big.tif" << makeTiff(4, 4, 1, 8, std::vector<int>(16, 5), false) << 0 << mfb
                                         << qulonglong(15) << "16 pixels";
    QTest::newRow("PNG over maxPixels") << "big.png" << smallPng << 0 << mfb << qulonglong(63) << "64 pixels";
    QTest::newRow("truncated JPEG (60%)") << "cut60.jpg" << noiseJpeg.left(noiseJpeg.size() * 6 / 10) << 0 << mfb << mp
                                          << "truncated JPEG";
    QTest::newRow("truncated JPEG (no EOI)") << "cut_eoi.jpg" << noiseJpeg.left(noiseJpeg.size() - 2) << 0 << mfb << mp
                                             << "truncated JPEG";
    QTest::newRow("JPEG header only") << "header.jpg" << noiseJpeg.left(30) << 0 << mfb << mp << "JPEG";
}

void TestImageLoader::errors() {
    QFETCH(QString, fileName);
    QFETCH(QByteArray, bytes);
    QFETCH(int, kind);
    QFETCH(qulonglong, maxFileBytes);
    QFETCH(qulonglong, maxPixels);
    QFETCH(QString, fragment);
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString path = tmp.filePath(fileName);
    if (kind == 0) writeFile(path, bytes);
    if (kind == 2) QVERIFY(QDir(tmp.path()).mkdir(fileName));
    ImageLimits limits;
    limits.maxFileBytes = maxFileBytes;
    limits.maxPixels = maxPixels;
    try {
        loadImageFile(path.toStdString(), limits);
        QFAIL("expected fmc::Error");
    } catch (const Error& e) {
        const QString msg = QString::fromStdString(e.what());
        QVERIFY2(msg.contains(fileName), qPrintable("message does not name the file: " + msg));
        QVERIFY2(msg.contains(fragment, Qt::CaseInsensitive), qPrintable("unexpected message: " + msg));
    }
}

void TestImageLoader::decodeBytesErrorsUseName() {
    try {
        decodeImageBytes({}, "upload #3");
        QFAIL("expected fmc::Error");
    } catch (const Error& e) {
        QVERIFY(QString(e.what()).contains("upload #3"));
    }
    try {
        decodeImageBytes(toVec(QByteArray("GIF89a....")), "anim.gif");
        QFAIL("expected fmc::Error");
    } catch (const Error& e) {
        QVERIFY(QString(e.what()).contains("anim.gif"));
    }
    // And a good one decodes from memory.
    const RgbImage im = decodeImageBytes(encodeImage(patternImage(3, 2), ".png"), "mem.png");
    QCOMPARE(allPixels(im), allPixels(patternImage(3, 2)));
}

void TestImageLoader::tensorStretchByHand() {
    // 4 x 2 image, red ramp 0,70,140,210 along x, green 128, blue 7. Stretch to 2 x 2 with
    // Pillow's bilinear (antialiased when shrinking, support 2 source pixels at scale 2):
    // output x=0 weights 3/7,3/7,1/7 on source 0,1,2 -> (0*3 + 70*3 + 140) / 7 = 50,
    // output x=1 weights 1/7,3/7,3/7 on source 1,2,3 -> (70 + 140*3 + 210*3) / 7 = 160.
    RgbImage im;
    im.width = 4;
    im.height = 2;
    for (int y = 0; y < 2; ++y)
        for (int x = 0; x < 4; ++x) im.pixels.insert(im.pixels.end(), {std::uint8_t(70 * x), 128, 7});
    Preprocessing prep;
    prep.inputSize = 2;
    prep.mode = ResizeMode::Stretch;
    std::vector<float> t;
    imageToTensor(im, prep, t);
    QCOMPARE(t.size(), size_t(12));
    // (50/255 - 0.48145466) / 0.26862954 = -1.06228...
    QVERIFY(std::fabs(t[0] - (50.0f / 255.0f - 0.48145466f) / 0.26862954f) < 1e-6f);
    QVERIFY(std::fabs(t[0] - (-1.0623f)) < 1e-3f);
    QVERIFY(std::fabs(t[1] - (160.0f / 255.0f - 0.48145466f) / 0.26862954f) < 1e-6f);
    QCOMPARE(t[2], t[0]);  // second row identical
    QCOMPARE(t[3], t[1]);
    for (int i = 4; i < 8; ++i) QVERIFY(std::fabs(t[i] - (128.0f / 255.0f - 0.4578275f) / 0.26130258f) < 1e-6f);
    for (int i = 8; i < 12; ++i) QVERIFY(std::fabs(t[i] - (7.0f / 255.0f - 0.40821073f) / 0.27577711f) < 1e-6f);
}

void TestImageLoader::tensorCenterCropByHand_data() {
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::addColumn<int>("left");
    QTest::addColumn<int>("top");
    // Shorter side already equals S = 2, so only the centre crop acts; torchvision uses
    // int(round((size - S) / 2)) with Python's round-half-to-even.
    QTest::newRow("5x2: round(1.5) = 2") << 5 << 2 << 2 << 0;
    QTest::newRow("7x2: round(2.5) = 2") << 7 << 2 << 2 << 0;
    QTest::newRow("6x2: round(2.0) = 2") << 6 << 2 << 2 << 0;
    QTest::newRow("2x5 tall") << 2 << 5 << 0 << 2;
    QTest::newRow("2x2 no-op") << 2 << 2 << 0 << 0;
}

void TestImageLoader::tensorCenterCropByHand() {
    QFETCH(int, width);
    QFETCH(int, height);
    QFETCH(int, left);
    QFETCH(int, top);
    const RgbImage im = patternImage(width, height);
    Preprocessing prep;
    prep.inputSize = 2;
    std::vector<float> t;
    imageToTensor(im, prep, t);
    QCOMPARE(t.size(), size_t(12));
    for (int c = 0; c < 3; ++c)
        for (int y = 0; y < 2; ++y)
            for (int x = 0; x < 2; ++x)
                QCOMPARE(t[c * 4 + y * 2 + x], normalised(pixelAt(im, left + x, top + y)[c], c, prep));
}

void TestImageLoader::tensorMatchesPillow_data() {
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::addColumn<int>("size");
    QTest::addColumn<int>("mode");
    QTest::addColumn<QVector<int>>("expected");
    // Reference: Pillow 9.4 on the same pattern image (patternImage), CLIP's steps done by
    // hand: im.resize((new_w, new_h), BICUBIC) then crop with int(round(...)); Stretch is
    // im.resize((S, S), BILINEAR) as torchvision.transforms.Resize([S, S]) does.
    QTest::newRow("clip 9x6 -> 4 (shrink)") << 9 << 6 << 4 << int(ResizeMode::ShorterSideCenterCrop) << QVector<int>{
        98, 41, 64, 165, 153, 83, 153, 132, 102, 111, 175, 120, 101, 51, 147, 107, 163, 154, 108, 142, 116, 125, 185, 194,
        114, 62, 153, 131, 174, 87, 132, 153, 146, 138, 196, 129, 128, 72, 116, 86, 184, 147, 74, 163, 59, 141, 206, 130};
    QTest::newRow("stretch 9x6 -> 4 (shrink)") << 9 << 6 << 4 << int(ResizeMode::Stretch) << QVector<int>{
        65, 19, 59, 138, 114, 81, 141, 146, 106, 76, 123, 92, 135, 28, 93, 105, 123, 144, 115, 155, 138, 148, 132, 136,
        91, 39, 110, 124, 134, 116, 134, 166, 137, 104, 143, 158, 163, 48, 110, 99, 143, 129, 102, 175, 95, 174, 152, 135};
    QTest::newRow("clip 3x5 -> 7 (enlarge)") << 3 << 5 << 7 << int(ResizeMode::ShorterSideCenterCrop) << QVector<int>{
        49,  3,   48,  55,  5,   51,  69,  9,   58,  89,  17,  67,  116, 35,  75,  139, 52,  82,  148, 60,  85,
        96,  7,   47,  103, 9,   52,  119, 13,  65,  137, 21,  82,  149, 39,  98,  157, 56,  111, 162, 64,  117,
        154, 10,  45,  162, 12,  54,  187, 16,  72,  195, 24,  95,  143, 42,  117, 84,  59,  136, 74,  67,  144,
        178, 13,  44,  187, 15,  55,  217, 19,  79,  219, 27,  108, 125, 45,  137, 21,  62,  161, 0,   70,  172,
        106, 16,  43,  114, 18,  56,  138, 22,  84,  147, 30,  121, 95,  48,  163, 36,  65,  200, 26,  73,  215,
        19,  19,  42,  26,  21,  57,  42,  25,  91,  60,  33,  134, 72,  51,  181, 80,  68,  221, 86,  76,  237,
        34,  23,  41,  41,  25,  59,  55,  29,  105, 75,  37,  149, 102, 55,  159, 125, 72,  157, 134, 80,  158};
    QTest::newRow("stretch 3x5 -> 7 (enlarge)") << 3 << 5 << 7 << int(ResizeMode::Stretch) << QVector<int>{
        0,   0,  50,  5,   2,  50,  21,  7,  50,  37,  13, 50,  53,  30, 50,  69,  46, 50,  74,  52, 50,
        52,  4,  50,  57,  6,  52,  73,  11, 60,  89,  17, 67,  105, 34, 73,  121, 50, 81,  126, 56, 83,
        117, 9,  50,  122, 11, 55,  138, 16, 72,  154, 22, 87,  139, 39, 103, 123, 55, 119, 118, 61, 125,
        182, 14, 50,  187, 16, 58,  203, 21, 83,  219, 27, 108, 125, 44, 133, 31,  60, 158, 0,   66, 166,
        64,  19, 50,  69,  21, 61,  85,  26, 95,  101, 32, 129, 86,  49, 162, 70,  65, 197, 65,  71, 207,
        56,  24, 50,  61,  26, 64,  77,  31, 107, 93,  37, 149, 109, 54, 145, 125, 70, 141, 130, 76, 139,
        108, 28, 50,  113, 30, 67,  129, 35, 116, 145, 41, 166, 161, 58, 106, 177, 74, 46,  182, 80, 26};
}

void TestImageLoader::tensorMatchesPillow() {
    QFETCH(int, width);
    QFETCH(int, height);
    QFETCH(int, size);
    QFETCH(int, mode);
    QFETCH(QVector<int>, expected);
    Preprocessing prep;
    prep.inputSize = size;
    prep.mode = ResizeMode(mode);
    std::vector<float> t;
    imageToTensor(patternImage(width, height), prep, t);
    QCOMPARE(t.size(), size_t(3 * size * size));
    QCOMPARE(tensorToBytes(t.data(), size, prep), expected);
}

void TestImageLoader::tensorAppendsAndValidates() {
    Preprocessing prep;
    prep.inputSize = 8;
    std::vector<float> batch{1.f, 2.f, 3.f};
    imageToTensor(patternImage(10, 12), prep, batch);
    QCOMPARE(batch.size(), size_t(3 + 3 * 64));
    QCOMPARE(batch[0], 1.f);
    QCOMPARE(batch[2], 3.f);
    std::vector<float> single;
    imageToTensor(patternImage(10, 12), prep, single);
    QVERIFY(std::equal(single.begin(), single.end(), batch.begin() + 3));

    RgbImage broken;
    broken.width = 2;
    broken.height = 2;
    broken.pixels.resize(5);
    QVERIFY_THROWS_EXCEPTION(Error, imageToTensor(broken, prep, single));
    Preprocessing bad;
    bad.inputSize = 0;
    try {
        imageToTensor(patternImage(4, 4), bad, single);
        QFAIL("expected fmc::Error");
    } catch (const Error& e) {
        QVERIFY(QString(e.what()).contains("Preprocessing.inputSize"));
    }
    bad.inputSize = 4;
    bad.std[1] = 0.f;
    QVERIFY_THROWS_EXCEPTION(Error, imageToTensor(patternImage(4, 4), bad, single));
}

void TestImageLoader::tensorFromRealImage() {
    if (!QDir(dataDir()).exists()) QSKIP("shared data folder absent (FMC_SHARED_DATA_DIR)");
    const QString path = dataDir() + "/brain-mri/notumor/Te-no_0010.jpg";  // 205 x 249 grey
    const RgbImage im = loadImageFile(path.toStdString());
    for (ResizeMode mode : {ResizeMode::ShorterSideCenterCrop, ResizeMode::Stretch}) {
        Preprocessing prep;
        prep.mode = mode;
        std::vector<float> t;
        imageToTensor(im, prep, t);
        QCOMPARE(t.size(), size_t(3 * 224 * 224));
        const float lo = normalised(0, 0, prep) - 1e-5f, hi = normalised(255, 0, prep) + 1e-5f;
        for (int i = 0; i < 224 * 224; ++i) QVERIFY(t[i] >= lo && t[i] <= hi);
        // Grey in, grey out: the three planes hold the same 8-bit values.
        const QVector<int> bytes = tensorToBytes(t.data(), 224, prep);
        for (int i = 0; i < 224 * 224; ++i) QVERIFY(bytes[i * 3] == bytes[i * 3 + 1] && bytes[i * 3] == bytes[i * 3 + 2]);
    }
}

void TestImageLoader::extensions_data() {
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("image");
    QTest::newRow("jpg") << "a/b/ISIC_0001.jpg" << true;
    QTest::newRow("upper case JPEG") << "C:\\data\\SCAN.JPEG" << true;
    QTest::newRow("png") << "x.png" << true;
    QTest::newRow("tiff") << "x.TIFF" << true;
    QTest::newRow("tif") << "x.tif" << true;
    QTest::newRow("bmp") << "x.bmp" << true;
    QTest::newRow("text") << "notes.txt" << false;
    QTest::newRow("csv") << "labels.csv" << false;
    QTest::newRow("no extension") << "README" << false;
    QTest::newRow("AppleDouble") << "site/._ISIC_0001.jpg" << false;
    QTest::newRow("only an extension") << "dir/.png" << false;
    QTest::newRow("folder named .jpg") << "x.jpg/file" << false;
    QTest::newRow("gif unsupported") << "anim.gif" << false;
}

void TestImageLoader::extensions() {
    QFETCH(QString, path);
    QFETCH(bool, image);
    QCOMPARE(looksLikeImageFile(path.toStdString()), image);
    const auto exts = supportedImageExtensions();
    for (const auto& e : {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff"})
        QVERIFY(std::find(exts.begin(), exts.end(), e) != exts.end());
    for (const auto& e : exts) {
        QVERIFY(e.size() > 1 && e[0] == '.');
        QCOMPARE(QString::fromStdString(e), QString::fromStdString(e).toLower());
    }
}

void TestImageLoader::saveImageFileErrors() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const RgbImage im = patternImage(5, 4);
    const QString good = tmp.filePath("out.png");
    saveImageFile(good.toStdString(), im);
    QCOMPARE(allPixels(loadImageFile(good.toStdString())), allPixels(im));
    // Same input, same bytes.
    QCOMPARE(encodeImage(im, ".png"), encodeImage(im, ".png"));
    try {
        saveImageFile(tmp.filePath("out.gif").toStdString(), im);
        QFAIL("expected fmc::Error");
    } catch (const Error& e) {
        QVERIFY(QString(e.what()).contains("out.gif"));
    }
    try {
        saveImageFile(tmp.filePath("no_such_dir/out.png").toStdString(), im);
        QFAIL("expected fmc::Error");
    } catch (const Error& e) {
        QVERIFY(QString(e.what()).contains("out.png"));
    }
}

QTEST_GUILESS_MAIN(TestImageLoader)
#include "tst_imageloader.moc"
