// Tests for fmc::generateDemoDataset: layout, counts, label skew, determinism, decodability,
// class separability and speed.
#include <QtTest>

#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>

#include "imaging/demo_dataset.h"
#include "imaging/image_loader.h"

using namespace fmc;

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

// Relative path -> file bytes, for every file under root.
std::map<QString, QByteArray> readTree(const QString& root) {
    std::map<QString, QByteArray> files;
    QDirIterator it(root, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile f(path);
        if (f.open(QIODevice::ReadOnly)) files[QDir(root).relativeFilePath(path)] = f.readAll();
    }
    return files;
}

int countPngs(const QString& dir) {
    return QDir(dir).entryList({"*.png"}, QDir::Files).size();
}

// Simple hand-made features of the central region, after a per-image white balance (the
// 90th percentile of each channel, i.e. roughly the skin, becomes 1): lesion size, colour,
// darkness, texture and border length. Enough for a nearest-centroid classifier to tell the
// demo classes apart.
std::vector<double> features(const RgbImage& im) {
    const int n = im.width, a = n / 8, w = n - 2 * a;
    std::vector<std::array<double, 3>> c;
    for (int y = a; y < a + w; ++y)
        for (int x = a; x < a + w; ++x) {
            const std::uint8_t* p = &im.pixels[(static_cast<size_t>(y) * n + x) * 3];
            c.push_back({p[0] / 255.0, p[1] / 255.0, p[2] / 255.0});
        }
    std::array<double, 3> ref{};
    for (int k = 0; k < 3; ++k) {
        std::vector<double> v;
        for (const auto& px : c) v.push_back(px[k]);
        std::sort(v.begin(), v.end());
        ref[k] = v[static_cast<size_t>(0.9 * (v.size() - 1))] + 1e-6;
    }
    std::vector<double> lum(c.size());
    for (size_t i = 0; i < c.size(); ++i) {
        for (int k = 0; k < 3; ++k) c[i][k] /= ref[k];
        lum[i] = 0.299 * c[i][0] + 0.587 * c[i][1] + 0.114 * c[i][2];
    }
    std::vector<char> les(c.size());
    size_t area = 0;
    for (size_t i = 0; i < c.size(); ++i) area += (les[i] = lum[i] < 0.75);
    const double fraction = double(area) / c.size();
    if (area < 5) {
        std::vector<double> sorted = lum;
        std::sort(sorted.begin(), sorted.end());
        const double t = sorted[sorted.size() / 10];
        area = 0;
        for (size_t i = 0; i < c.size(); ++i) area += (les[i] = lum[i] <= t);
    }
    double rs = 0, bs = 0, lm = 0, l2 = 0, grad = 0, gradN = 0;
    std::array<double, 3> m1{}, m2{};
    for (size_t i = 0; i < c.size(); ++i) {
        if (!les[i]) continue;
        const double sum = c[i][0] + c[i][1] + c[i][2] + 1e-6;
        rs += c[i][0] / sum;
        bs += c[i][2] / sum;
        lm += lum[i];
        l2 += lum[i] * lum[i];
        for (int k = 0; k < 3; ++k) m1[k] += c[i][k], m2[k] += c[i][k] * c[i][k];
        if ((i + 1) % w != 0) grad += std::abs(lum[i + 1] - lum[i]), gradN += 1;
    }
    const double na = double(area);
    double colourStd = 0;
    for (int k = 0; k < 3; ++k) colourStd += std::sqrt(std::max(0.0, m2[k] / na - (m1[k] / na) * (m1[k] / na))) / 3;
    int perimeter = 0;
    for (int y = 0; y < w; ++y)
        for (int x = 0; x < w; ++x) {
            const size_t i = static_cast<size_t>(y) * w + x;
            if (x + 1 < w && les[i] != les[i + 1]) ++perimeter;
            if (y + 1 < w && les[i] != les[i + w]) ++perimeter;
        }
    return {fraction, rs / na, bs / na, lm / na, std::sqrt(std::max(0.0, l2 / na - (lm / na) * (lm / na))),
            grad / std::max(1.0, gradN), colourStd, perimeter / std::sqrt(na)};
}

}  // namespace

class TestDemoDataset : public QObject {
    Q_OBJECT

private slots:
    void defaultSpec();
    void sameSeedSameBytes();
    void differentSeedDiffers();
    void labelSkew_data();
    void labelSkew();
    void moreClassesAndSites();
    void invalidSpecs_data();
    void invalidSpecs();
    void refusesNonEmptyFolder();
};

void TestDemoDataset::defaultSpec() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString root = tmp.filePath("demo");
    const DemoDatasetSpec spec;
    QElapsedTimer timer;
    timer.start();
    const DemoDatasetSummary summary = generateDemoDataset(root.toStdString(), spec);
    const qint64 ms = timer.elapsed();
    qInfo("generated the default demo set (3 sites x 120 images, 96 px) in %lld ms", ms);

    QCOMPARE(qs(summary.rootDir), root);
    QCOMPARE(summary.siteNames.size(), size_t(3));
    QCOMPARE(summary.countsPerSiteAndClass.size(), size_t(3));
    QCOMPARE(summary.countsPerSiteAndClass, demoDatasetClassCounts(spec));

    // Counts on disk match the summary; every class at every site with a few images.
    for (size_t s = 0; s < 3; ++s) {
        int total = 0;
        QCOMPARE(summary.countsPerSiteAndClass[s].size(), size_t(4));
        for (size_t c = 0; c < 4; ++c) {
            const int n = summary.countsPerSiteAndClass[s][c];
            QVERIFY2(n >= 3, "every class needs a few images at every site");
            QCOMPARE(countPngs(root + "/" + qs(summary.siteNames[s]) + "/" + qs(spec.classNames[c])), n);
            total += n;
        }
        QCOMPARE(total, 120);
    }
    // Label skew: each site prefers its own class.
    for (size_t s = 0; s < 3; ++s) {
        const auto& row = summary.countsPerSiteAndClass[s];
        QCOMPARE(int(std::max_element(row.begin(), row.end()) - row.begin()), int(s));
    }

    // labels.csv: header plus one row per image, consistent with the folders.
    QFile csv(root + "/labels.csv");
    QVERIFY(csv.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList lines = QString::fromUtf8(csv.readAll()).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 361);
    QCOMPARE(lines[0], QString("path,label,site"));
    for (int i = 1; i < lines.size(); ++i) {
        const QStringList f = lines[i].split(',');
        QCOMPARE(f.size(), 3);
        const QStringList parts = f[0].split('/');
        QCOMPARE(parts.size(), 3);
        QCOMPARE(parts[0], f[2]);
        QCOMPARE(parts[1], f[1]);
        QVERIFY2(QFile::exists(root + "/" + f[0]), qPrintable(f[0]));
    }

    QFile readme(root + "/README.txt");
    QVERIFY(readme.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(readme.readAll());
    QVERIFY(text.contains("SYNTHETIC DEMO DATA"));
    QVERIFY(text.contains("NOT medical images"));

    // Every image decodes at the requested size; within each site (each "dermatoscope") the
    // classes are separable by simple features: nearest centroid, trained on even indices,
    // tested on odd ones.
    struct Sample { int site; int cls; std::vector<double> f; };
    std::vector<Sample> all;
    for (size_t s = 0; s < 3; ++s)
        for (int c = 0; c < 4; ++c)
            for (int i = 0; i < summary.countsPerSiteAndClass[s][c]; ++i) {
                const QString path = QString("%1/%2/%3/%4.png").arg(root, qs(summary.siteNames[s]), qs(spec.classNames[c])).arg(i);
                const RgbImage im = loadImageFile(path.toStdString());
                QCOMPARE(im.width, 96);
                QCOMPARE(im.height, 96);
                all.push_back({int(s), c, features(im)});
            }
    const size_t nf = all[0].f.size();
    std::vector<double> mean(nf, 0), sd(nf, 0);
    for (const auto& a : all) for (size_t k = 0; k < nf; ++k) mean[k] += a.f[k] / all.size();
    for (const auto& a : all) for (size_t k = 0; k < nf; ++k) sd[k] += (a.f[k] - mean[k]) * (a.f[k] - mean[k]) / all.size();
    for (auto& a : all) for (size_t k = 0; k < nf; ++k) a.f[k] = (a.f[k] - mean[k]) / std::sqrt(sd[k] + 1e-12);
    int correct = 0, tested = 0;
    for (int s = 0; s < 3; ++s) {
        std::vector<std::vector<double>> centroid(4, std::vector<double>(nf, 0.0));
        std::vector<int> trainCount(4, 0);
        for (size_t i = 0; i < all.size(); i += 2) {
            if (all[i].site != s) continue;
            for (size_t k = 0; k < nf; ++k) centroid[all[i].cls][k] += all[i].f[k];
            ++trainCount[all[i].cls];
        }
        for (int c = 0; c < 4; ++c) for (auto& v : centroid[c]) v /= std::max(1, trainCount[c]);
        for (size_t i = 1; i < all.size(); i += 2) {
            if (all[i].site != s) continue;
            int best = -1;
            double bestD = std::numeric_limits<double>::max();
            for (int c = 0; c < 4; ++c) {
                double d = 0;
                for (size_t k = 0; k < nf; ++k) d += (all[i].f[k] - centroid[c][k]) * (all[i].f[k] - centroid[c][k]);
                if (d < bestD) bestD = d, best = c;
            }
            correct += best == all[i].cls;
            ++tested;
        }
    }
    const double accuracy = double(correct) / tested;
    qInfo("per-site nearest-centroid accuracy on hand-made features: %.3f (chance 0.25)", accuracy);
    QVERIFY2(accuracy >= 0.85, "demo classes should be easy to tell apart");
}

void TestDemoDataset::sameSeedSameBytes() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    DemoDatasetSpec spec;
    spec.sites = 2;
    spec.imagesPerSite = 16;
    spec.imageSize = 64;
    generateDemoDataset(tmp.filePath("a").toStdString(), spec);
    generateDemoDataset(tmp.filePath("b").toStdString(), spec);
    const auto a = readTree(tmp.filePath("a"));
    const auto b = readTree(tmp.filePath("b"));
    QCOMPARE(a.size(), size_t(16 * 2 + 2));
    QVERIFY(a == b);
}

void TestDemoDataset::differentSeedDiffers() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    DemoDatasetSpec spec;
    spec.sites = 2;
    spec.imagesPerSite = 16;
    spec.imageSize = 64;
    generateDemoDataset(tmp.filePath("a").toStdString(), spec);
    spec.seed = 8;
    generateDemoDataset(tmp.filePath("b").toStdString(), spec);
    const auto a = readTree(tmp.filePath("a"));
    const auto b = readTree(tmp.filePath("b"));
    int pngs = 0, differing = 0;
    for (const auto& [path, bytes] : a) {
        if (!path.endsWith(".png")) continue;
        ++pngs;
        const auto it = b.find(path);
        QVERIFY2(it != b.end(), qPrintable(path));  // same counts: the layout does not depend on the seed
        differing += it->second != bytes;
    }
    QCOMPARE(pngs, 32);
    QCOMPARE(differing, pngs);
}

void TestDemoDataset::labelSkew_data() {
    QTest::addColumn<double>("skew");
    QTest::addColumn<int>("imagesPerSite");
    QTest::newRow("iid") << 0.0 << 40;
    QTest::newRow("default skew") << 0.5 << 40;
    QTest::newRow("full skew") << 1.0 << 40;
    QTest::newRow("full skew, few images") << 1.0 << 6;
    QTest::newRow("one image per class") << 0.7 << 4;
}

void TestDemoDataset::labelSkew() {
    QFETCH(double, skew);
    QFETCH(int, imagesPerSite);
    DemoDatasetSpec spec;
    spec.sites = 4;
    spec.labelSkew = skew;
    spec.imagesPerSite = imagesPerSite;
    const auto counts = demoDatasetClassCounts(spec);
    QCOMPARE(counts.size(), size_t(4));
    const int minPer = std::max(1, std::min(3, imagesPerSite / 4));
    for (const auto& row : counts) {
        int total = 0;
        for (int n : row) {
            QVERIFY(n >= minPer);
            total += n;
        }
        QCOMPARE(total, imagesPerSite);
        const int spreadCounts = *std::max_element(row.begin(), row.end()) - *std::min_element(row.begin(), row.end());
        if (skew == 0.0) QVERIFY(spreadCounts <= 1);
        if (skew == 1.0 && imagesPerSite == 40) QVERIFY(spreadCounts >= 10);
    }
}

void TestDemoDataset::moreClassesAndSites() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    DemoDatasetSpec spec;
    spec.sites = 5;
    spec.imagesPerSite = 12;
    spec.imageSize = 40;
    spec.classNames = {"demo a", "demo b", "demo c", "demo d", "demo e", "demo, with comma"};
    const auto summary = generateDemoDataset(tmp.filePath("demo").toStdString(), spec);
    QCOMPARE(summary.siteNames.size(), size_t(5));
    for (size_t s = 0; s < 5; ++s)
        for (size_t c = 0; c < 6; ++c) {
            QVERIFY(summary.countsPerSiteAndClass[s][c] >= 1);
            const QString dir = tmp.filePath("demo/" + qs(summary.siteNames[s]) + "/" + qs(spec.classNames[c]));
            QCOMPARE(countPngs(dir), summary.countsPerSiteAndClass[s][c]);
            const RgbImage im = loadImageFile((dir + "/0.png").toStdString());
            QCOMPARE(im.width, 40);
        }
    QFile csv(tmp.filePath("demo/labels.csv"));
    QVERIFY(csv.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(csv.readAll());
    QVERIFY(text.contains("\"demo-site-1/demo, with comma/0.png\",\"demo, with comma\",demo-site-1"));
}

void TestDemoDataset::invalidSpecs_data() {
    QTest::addColumn<int>("which");
    QTest::addColumn<QString>("field");
    QTest::newRow("no sites") << 0 << "DemoDatasetSpec.sites";
    QTest::newRow("fewer images than classes") << 1 << "DemoDatasetSpec.imagesPerSite";
    QTest::newRow("tiny images") << 2 << "DemoDatasetSpec.imageSize";
    QTest::newRow("skew above 1") << 3 << "DemoDatasetSpec.labelSkew";
    QTest::newRow("skew NaN") << 4 << "DemoDatasetSpec.labelSkew";
    QTest::newRow("no classes") << 5 << "DemoDatasetSpec.classNames";
    QTest::newRow("duplicate class") << 6 << "DemoDatasetSpec.classNames";
    QTest::newRow("slash in class") << 7 << "DemoDatasetSpec.classNames";
    QTest::newRow("dot-dot class") << 8 << "DemoDatasetSpec.classNames";
}

void TestDemoDataset::invalidSpecs() {
    QFETCH(int, which);
    QFETCH(QString, field);
    DemoDatasetSpec spec;
    switch (which) {
        case 0: spec.sites = 0; break;
        case 1: spec.imagesPerSite = 3; break;
        case 2: spec.imageSize = 8; break;
        case 3: spec.labelSkew = 1.5; break;
        case 4: spec.labelSkew = std::numeric_limits<double>::quiet_NaN(); break;
        case 5: spec.classNames.clear(); break;
        case 6: spec.classNames = {"demo a", "demo a"}; break;
        case 7: spec.classNames = {"demo a", "demo/b"}; break;
        case 8: spec.classNames = {"demo a", ".."}; break;
    }
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    try {
        generateDemoDataset(tmp.filePath("demo").toStdString(), spec);
        QFAIL("expected fmc::Error");
    } catch (const Error& e) {
        QVERIFY2(QString(e.what()).contains(field), e.what());
    }
    QVERIFY(!QDir(tmp.filePath("demo")).exists());  // nothing written for a bad spec
}

void TestDemoDataset::refusesNonEmptyFolder() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    QFile keep(tmp.filePath("my_notes.txt"));
    QVERIFY(keep.open(QIODevice::WriteOnly));
    keep.write("precious");
    keep.close();
    try {
        generateDemoDataset(tmp.path().toStdString());
        QFAIL("expected fmc::Error");
    } catch (const Error& e) {
        QVERIFY2(QString(e.what()).contains(tmp.path()), e.what());
    }
    QCOMPARE(QDir(tmp.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot), QStringList{"my_notes.txt"});
}

QTEST_GUILESS_MAIN(TestDemoDataset)
#include "tst_demodataset.moc"
