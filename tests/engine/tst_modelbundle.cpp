// Tests for fmc::ModelBundle (loading, verification, encoding) and fmc::createDemoBundle.
//
// Extra, opt-in modes (skipped unless the environment variable is set):
//   FMC_EXTERNAL_BUNDLE=<dir> [FMC_EXTERNAL_EXPECTED=<json>]  loadExternalBundle: loads a
//       bundle written elsewhere (tools/export_bundle.py) and compares its features with
//       the ones Python computed (probe images, tokens, prompts, real image files decoded
//       and preprocessed here); used by tests/tools/test_export_bundle.py.
//   FMC_WRITE_TINY_BUNDLE=<dir>  writeTinyBundle: writes a Tiny demo bundle (seed 42) there,
//       so Python can compare the TorchScript demo encoders with a reference CLIP.
//   FMC_TIME_VITB32=<dir>  createVitB32: creates, loads and times a ViT-B/32 demo bundle
//       (~600 MB) in <dir>.
#include "common/sha256.h"
#include "common/types.h"
#include "engine/demo_bundle.h"
#include "engine/model_bundle.h"
#ifdef FMC_TEST_WITH_IMAGE_FILES
#include "features/bundle_inputs.h"
#include "imaging/image_loader.h"
#endif

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <chrono>
#include <filesystem>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <random>

namespace {

constexpr const char* kVocabName = "bpe_simple_vocab_16e6.txt.gz";

std::string vocabularyPath() {
    const QString shipped = QStringLiteral(FMC_SOURCE_DIR "/resources/clip/") + kVocabName;
    if (QFileInfo::exists(shipped)) return shipped.toStdString();
    return (QStringLiteral(FMC_SHARED_DATA_DIR "/clip-tokenizer/") + kVocabName).toStdString();
}

std::vector<float> randomImages(std::int64_t count, std::int64_t size, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    std::vector<float> data(static_cast<size_t>(count * 3 * size * size));
    for (auto& v : data) v = dist(rng);
    return data;
}

bool allFinite(const fmc::FloatMatrix& m) {
    for (float v : m.data)
        if (!std::isfinite(v)) return false;
    return true;
}

double rowDistance(const fmc::FloatMatrix& a, std::int64_t ra, const fmc::FloatMatrix& b, std::int64_t rb) {
    double s = 0;
    for (std::int64_t c = 0; c < a.cols; ++c) {
        const double d = double(a.at(ra, c)) - double(b.at(rb, c));
        s += d * d;
    }
    return std::sqrt(s);
}

double maxAbsDiff(const fmc::FloatMatrix& a, const fmc::FloatMatrix& b) {
    double m = 0;
    for (size_t i = 0; i < a.data.size(); ++i) m = std::max(m, double(std::fabs(a.data[i] - b.data[i])));
    return m;
}

bool copyDir(const QString& from, const QString& to) {
    QDir().mkpath(to);
    for (const QFileInfo& fi : QDir(from).entryInfoList(QDir::Files)) {
        if (!QFile::copy(fi.absoluteFilePath(), to + "/" + fi.fileName())) return false;
    }
    return true;
}

QJsonObject readJson(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

void writeBytes(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(f.write(bytes), bytes.size());
}

void writeJson(const QString& path, const QJsonObject& o) { writeBytes(path, QJsonDocument(o).toJson()); }

// Sets or removes (value undefined) a dotted key such as "files.image_encoder.sha256".
QJsonObject editJson(QJsonObject root, const QStringList& keys, const QJsonValue& value) {
    if (keys.size() == 1) {
        if (value.isUndefined())
            root.remove(keys[0]);
        else
            root[keys[0]] = value;
        return root;
    }
    root[keys[0]] = editJson(root[keys[0]].toObject(), keys.mid(1), value);
    return root;
}

// Recomputes every file hash and bundle_hash after a test replaced a file on purpose.
void rehash(const QString& dir) {
    const QString manifest = dir + "/manifest.json";
    QJsonObject root = readJson(manifest);
    QJsonObject files = root["files"].toObject();
    std::string hashes[3];
    int i = 0;
    for (const char* key : {"image_encoder", "text_encoder", "vocabulary"}) {
        QJsonObject f = files[key].toObject();
        hashes[i] = fmc::sha256FileHex((dir + "/" + f["path"].toString()).toStdString());
        f["sha256"] = QString::fromStdString(hashes[i++]);
        files[key] = f;
    }
    root["files"] = files;
    root["bundle_hash"] = QString::fromStdString(fmc::computeBundleHash(hashes[0], hashes[1], hashes[2]));
    writeJson(manifest, root);
}

}  // namespace

class TestModelBundle : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void manifestContents();
    void manifestRoundTrip();
    void encodeImages();
    void batchingMatchesSingleImages();
    void encodeTexts();
    void seedDeterminism();
    void moveAndThreads();
    void brokenBundle_data();
    void brokenBundle();
    void tinyThroughput();
    void loadExternalBundle();
    void verificationIsRememberedUntilAFileChanges_data();
    void verificationIsRememberedUntilAFileChanges();
    void tamperedFileIsCaughtDespiteItsRecord();
    void textFeaturesAreKeptAndChecked_data();
    void textFeaturesAreKeptAndChecked();
    void writeTinyBundle();
    void createVitB32();

private:
#ifdef FMC_TEST_WITH_IMAGE_FILES
    void compareImageFiles(fmc::ModelBundle& bundle, const QJsonObject& expected, double tolerance);
#endif
    QTemporaryDir tmp_;
    QString tinyDir_;
    fmc::BundleManifest tinyManifest_;
    std::unique_ptr<fmc::ModelBundle> tiny_;
};

void TestModelBundle::initTestCase() {
    QVERIFY(tmp_.isValid());
    // Verification records go to $XDG_CACHE_HOME: keep them out of the real home.
    qputenv("XDG_CACHE_HOME", tmp_.filePath("cache").toUtf8());
    QVERIFY2(QFileInfo::exists(QString::fromStdString(vocabularyPath())), vocabularyPath().c_str());
    tinyDir_ = tmp_.filePath("tiny");
    QElapsedTimer timer;
    timer.start();
    tinyManifest_ = fmc::createDemoBundle(tinyDir_.toStdString(), fmc::DemoBundleShape::Tiny, vocabularyPath(), 42);
    const qint64 createMs = timer.restart();
    tiny_ = std::make_unique<fmc::ModelBundle>(fmc::ModelBundle::load(tinyDir_.toStdString()));
    const qint64 loadMs = timer.elapsed();
    qint64 bytes = 0;
    for (const QFileInfo& fi : QDir(tinyDir_).entryInfoList(QDir::Files)) bytes += fi.size();
    qInfo("tiny demo bundle: created in %lld ms, loaded+verified+probed in %lld ms, %.1f MB, bundle_hash %s", createMs,
          loadMs, bytes / 1e6, tinyManifest_.bundleHash.c_str());
}

void TestModelBundle::manifestContents() {
    const fmc::BundleManifest& m = tiny_->manifest();
    QCOMPARE(m.formatVersion, 1);
    QCOMPARE(QString::fromStdString(m.name), QStringLiteral("fedmedclip-demo-tiny"));
    QVERIFY(m.demo);
    QVERIFY(QString::fromStdString(m.description).contains("RANDOM WEIGHTS, DEMO ONLY, NOT FOR CLINICAL USE"));
    QCOMPARE(m.embeddingDim, 128);
    QCOMPARE(m.inputSize, 64);
    QCOMPARE(m.contextLength, 77);
    QCOMPARE(m.logitScale, 100.0);
    QCOMPARE(QString::fromStdString(m.resizeMode), QStringLiteral("shorter-side-center-crop"));
    QCOMPARE(QString::fromStdString(m.tokenizer), QStringLiteral("clip-bpe"));
    QCOMPARE(m.mean[0], 0.48145466);
    QCOMPARE(m.std[2], 0.27577711);
    QCOMPARE(QString::fromStdString(m.vocabulary.path), QString(kVocabName));
    QCOMPARE(m.vocabulary.sha256, fmc::sha256FileHex(vocabularyPath()));
    QCOMPARE(m.imageEncoder.sha256, fmc::sha256FileHex((tinyDir_ + "/image_encoder.pt").toStdString()));
    QCOMPARE(m.bundleHash, fmc::sha256Hex(m.imageEncoder.sha256 + m.textEncoder.sha256 + m.vocabulary.sha256));
    QCOMPARE(m.bundleHash, tinyManifest_.bundleHash);

    // The JSON on disk uses the documented field names.
    const QJsonObject root = readJson(tinyDir_ + "/manifest.json");
    for (const char* key : {"format_version", "name", "version", "description", "demo", "embedding_dim", "input_size",
                            "mean", "std", "resize_mode", "tokenizer", "context_length", "logit_scale", "files",
                            "bundle_hash"})
        QVERIFY2(root.contains(key), key);
    QCOMPARE(root["logit_scale"].toDouble(), 100.0);
    QCOMPARE(root["files"].toObject()["text_encoder"].toObject()["path"].toString(), QStringLiteral("text_encoder.pt"));
}

void TestModelBundle::manifestRoundTrip() {
    const fmc::BundleManifest& m = tiny_->manifest();
    const fmc::BundleManifest back = fmc::parseManifest(fmc::manifestToJson(m));
    QCOMPARE(fmc::manifestToJson(back), fmc::manifestToJson(m));
    QCOMPARE(back.mean, m.mean);
    QCOMPARE(back.std, m.std);
    QCOMPARE(back.bundleHash, m.bundleHash);
}

void TestModelBundle::encodeImages() {
    const auto images = randomImages(2, 64, 1);
    QElapsedTimer timer;
    timer.start();
    const fmc::FloatMatrix a = tiny_->encodeImages(images.data(), 2);
    qInfo("first 2-image encode: %lld ms", timer.elapsed());
    QCOMPARE(a.rows, 2);
    QCOMPARE(a.cols, 128);
    QCOMPARE(a.data.size(), size_t(256));
    QVERIFY(allFinite(a));
    const fmc::FloatMatrix b = tiny_->encodeImages(images.data(), 2);
    QCOMPARE(maxAbsDiff(a, b), 0.0);  // deterministic across calls
    QVERIFY2(rowDistance(a, 0, a, 1) > 1e-3, "different images must give different features");
    double norm = 0;
    for (std::int64_t c = 0; c < a.cols; ++c) norm += double(a.at(0, c)) * a.at(0, c);
    QVERIFY(norm > 1e-6);  // raw features, not all zero

    const fmc::FloatMatrix none = tiny_->encodeImages(nullptr, 0);
    QCOMPARE(none.rows, 0);
    QCOMPARE(none.cols, 128);
    QVERIFY_THROWS_EXCEPTION(fmc::Error, tiny_->encodeImages(nullptr, 3));
}

void TestModelBundle::batchingMatchesSingleImages() {
    fmc::ModelBundle bundle = fmc::ModelBundle::load(tinyDir_.toStdString());
    const auto images = randomImages(5, 64, 2);
    const fmc::FloatMatrix together = bundle.encodeImages(images.data(), 5);
    bundle.setBatchSize(2);  // 2 + 2 + 1
    QCOMPARE(bundle.batchSize(), 2);
    const fmc::FloatMatrix batched = bundle.encodeImages(images.data(), 5);
    QVERIFY2(maxAbsDiff(together, batched) < 1e-4, "batching must not change features");
    QCOMPARE(maxAbsDiff(together, tiny_->encodeImages(images.data(), 5)), 0.0);  // same weights, other instance
    QVERIFY_THROWS_EXCEPTION(fmc::Error, bundle.setBatchSize(0));
}

void TestModelBundle::encodeTexts() {
    const std::vector<std::string> texts = {"a dermoscopy image of a melanoma", "a dermoscopy image of a benign nevus",
                                            "a brain MRI showing a glioma"};
    const fmc::FloatMatrix a = tiny_->encodeTexts(texts);
    QCOMPARE(a.rows, 3);
    QCOMPARE(a.cols, 128);
    QVERIFY(allFinite(a));
    QCOMPARE(maxAbsDiff(a, tiny_->encodeTexts(texts)), 0.0);
    QVERIFY(rowDistance(a, 0, a, 1) > 1e-3);
    QVERIFY(rowDistance(a, 0, a, 2) > 1e-3);
    // Each text alone gives the same row as in the batch.
    const fmc::FloatMatrix single = tiny_->encodeTexts({texts[2]});
    QVERIFY(rowDistance(a, 2, single, 0) < 1e-4);

    const auto ids = tiny_->tokenize(texts[0]);
    QCOMPARE(std::int64_t(ids.size()), 77);
    const fmc::FloatMatrix viaTokens = tiny_->encodeTokens(ids, 1);
    QVERIFY(rowDistance(a, 0, viaTokens, 0) < 1e-4);
    QVERIFY_THROWS_EXCEPTION(fmc::Error, tiny_->encodeTokens(ids, 2));
    QCOMPARE(tiny_->encodeTexts({}).rows, 0);
}

void TestModelBundle::seedDeterminism() {
    const std::string again = tmp_.filePath("tiny-again").toStdString();
    const std::string other = tmp_.filePath("tiny-seed7").toStdString();
    const auto m1 = fmc::createDemoBundle(again, fmc::DemoBundleShape::Tiny, vocabularyPath(), 42);
    const auto m2 = fmc::createDemoBundle(other, fmc::DemoBundleShape::Tiny, vocabularyPath(), 7);
    QCOMPARE(m1.bundleHash, tinyManifest_.bundleHash);
    QCOMPARE(m1.imageEncoder.sha256, tinyManifest_.imageEncoder.sha256);
    QCOMPARE(m1.textEncoder.sha256, tinyManifest_.textEncoder.sha256);
    QVERIFY(m2.bundleHash != tinyManifest_.bundleHash);
    QVERIFY(m2.imageEncoder.sha256 != tinyManifest_.imageEncoder.sha256);
    QVERIFY(m2.textEncoder.sha256 != tinyManifest_.textEncoder.sha256);
    QCOMPARE(m2.vocabulary.sha256, tinyManifest_.vocabulary.sha256);

    // Re-creating into an existing bundle folder overwrites it consistently.
    const auto m3 = fmc::createDemoBundle(other, fmc::DemoBundleShape::Tiny, vocabularyPath(), 42);
    QCOMPARE(m3.bundleHash, tinyManifest_.bundleHash);
    fmc::ModelBundle reloaded = fmc::ModelBundle::load(other);
    const auto images = randomImages(1, 64, 3);
    QCOMPARE(maxAbsDiff(reloaded.encodeImages(images.data(), 1), tiny_->encodeImages(images.data(), 1)), 0.0);
}

void TestModelBundle::moveAndThreads() {
    fmc::ModelBundle a = fmc::ModelBundle::load(tinyDir_.toStdString());
    fmc::ModelBundle b = std::move(a);
    QCOMPARE(b.manifest().bundleHash, tinyManifest_.bundleHash);
    QCOMPARE(QString::fromStdString(b.directory()), tinyDir_);
    b.setThreads(1);
    const auto images = randomImages(1, 64, 4);
    const auto one = b.encodeImages(images.data(), 1);
    b.setThreads(2);
    QVERIFY(maxAbsDiff(one, b.encodeImages(images.data(), 1)) < 1e-5);
    QVERIFY_THROWS_EXCEPTION(fmc::Error, b.setThreads(0));
    QVERIFY_THROWS_EXCEPTION(fmc::Error, fmc::ModelBundle::load(tinyDir_.toStdString(), "no-such-device"));
}

void TestModelBundle::brokenBundle_data() {
    QTest::addColumn<QString>("mutation");
    QTest::addColumn<QStringList>("expected");  // substrings of the error message

    QTest::newRow("missing folder") << "missing-folder" << QStringList{"does-not-exist", "does not exist"};
    QTest::newRow("folder is a file") << "folder-is-file" << QStringList{"manifest.json", "not a folder"};
    QTest::newRow("missing manifest") << "rm:manifest.json" << QStringList{"manifest.json", "missing"};
    QTest::newRow("manifest bad json") << "raw:{ \"format_version\": 1, " << QStringList{"manifest.json", "invalid JSON"};
    // A number too large for a double is nlohmann's out_of_range, not a parse error (fuzzing found it).
    QTest::newRow("manifest number overflow") << "raw:{ \"format_version\": 66E666 }" << QStringList{"manifest.json", "invalid JSON", "number overflow"};
    QTest::newRow("manifest not object") << "raw:[1, 2, 3]" << QStringList{"manifest.json", "JSON object"};
    QTest::newRow("missing embedding_dim") << "del:embedding_dim" << QStringList{"manifest.json", "'embedding_dim'", "missing"};
    QTest::newRow("missing files.text_encoder.sha256")
        << "del:files.text_encoder.sha256" << QStringList{"'files.text_encoder.sha256'", "missing"};
    QTest::newRow("missing files.vocabulary") << "del:files.vocabulary" << QStringList{"'files.vocabulary'"};
    QTest::newRow("input_size wrong type") << "set:input_size=\"64\"" << QStringList{"'input_size'", "integer"};
    QTest::newRow("embedding_dim float") << "set:embedding_dim=128.5" << QStringList{"'embedding_dim'", "integer"};
    QTest::newRow("embedding_dim zero") << "set:embedding_dim=0" << QStringList{"'embedding_dim'", "positive"};
    QTest::newRow("demo wrong type") << "set:demo=\"yes\"" << QStringList{"'demo'", "true or false"};
    QTest::newRow("name wrong type") << "set:name=5" << QStringList{"'name'", "string"};
    QTest::newRow("format_version 2") << "set:format_version=2" << QStringList{"'format_version'", "2"};
    QTest::newRow("format_version string") << "set:format_version=\"1\"" << QStringList{"'format_version'", "integer"};
    QTest::newRow("mean two values") << "set:mean=[0.5,0.5]" << QStringList{"'mean'", "3 numbers"};
    QTest::newRow("std zero") << "set:std=[0.2,0,0.2]" << QStringList{"'std'", "positive"};
    QTest::newRow("logit_scale negative") << "set:logit_scale=-1" << QStringList{"'logit_scale'"};
    QTest::newRow("resize_mode unknown") << "set:resize_mode=\"squash\"" << QStringList{"'resize_mode'", "squash"};
    QTest::newRow("tokenizer unsupported")
        << "set:tokenizer=\"hf-wordpiece\"" << QStringList{"'tokenizer'", "hf-wordpiece", "not support"};
    QTest::newRow("path escapes bundle")
        << "set:files.vocabulary.path=\"../bpe.txt.gz\"" << QStringList{"'files.vocabulary.path'", "inside"};
    QTest::newRow("sha256 malformed")
        << "set:files.image_encoder.sha256=\"abc\"" << QStringList{"'files.image_encoder.sha256'", "64"};
    QTest::newRow("bundle_hash mismatch")
        << "set:bundle_hash=\"0000000000000000000000000000000000000000000000000000000000000000\""
        << QStringList{"'bundle_hash'", "file hashes"};
    QTest::newRow("missing image encoder") << "rm:image_encoder.pt" << QStringList{"image_encoder.pt", "missing"};
    QTest::newRow("missing vocabulary") << "rm:bpe_simple_vocab_16e6.txt.gz" << QStringList{kVocabName, "missing"};
    QTest::newRow("text encoder hash mismatch")
        << "append:text_encoder.pt" << QStringList{"text_encoder.pt", "SHA-256 mismatch", "files.text_encoder.sha256"};
    QTest::newRow("vocabulary hash mismatch") << "append:bpe_simple_vocab_16e6.txt.gz"
                                              << QStringList{kVocabName, "SHA-256 mismatch"};
    QTest::newRow("image encoder not torchscript")
        << "garbage:image_encoder.pt" << QStringList{"image_encoder.pt", "TorchScript"};
    QTest::newRow("text encoder not torchscript")
        << "garbage:text_encoder.pt" << QStringList{"text_encoder.pt", "TorchScript"};
    QTest::newRow("image encoder wrong shape")
        << "script:image_encoder.pt:def forward(self, x: Tensor) -> Tensor:\n    return x.mean(1)\n"
        << QStringList{"image_encoder.pt", "image encoder", "[1, 64, 64]", "[1, 128]"};
    QTest::newRow("image encoder returns tuple")
        << "script:image_encoder.pt:def forward(self, x: Tensor) -> Tuple[Tensor, Tensor]:\n    return (x, x)\n"
        << QStringList{"image_encoder.pt", "image encoder", "Tuple"};
    QTest::newRow("text encoder wrong embedding")
        << "script:text_encoder.pt:def forward(self, t: Tensor) -> Tensor:\n"
           "    return torch.zeros([t.size(0), 96])\n"
        << QStringList{"text_encoder.pt", "text encoder", "[1, 96]", "embedding_dim is 128"};
    QTest::newRow("text encoder fails on probe")
        << "script:text_encoder.pt:def forward(self, t: Tensor) -> Tensor:\n"
           "    return torch.matmul(t.float(), torch.ones([3, 128]))\n"
        << QStringList{"text_encoder.pt", "text encoder failed", "[1, 77]"};
    QTest::newRow("encoders swapped") << "swap" << QStringList{"image_encoder.pt", "image encoder failed"};
    QTest::newRow("manifest embedding_dim wrong")
        << "set:embedding_dim=64" << QStringList{"image_encoder.pt", "[1, 128]", "embedding_dim is 64"};
}

void TestModelBundle::brokenBundle() {
    QFETCH(QString, mutation);
    QFETCH(QStringList, expected);

    static int counter = 0;
    QString dir = tmp_.filePath(QStringLiteral("broken-%1").arg(++counter));
    if (mutation == "missing-folder") {
        dir = tmp_.filePath("does-not-exist");
    } else if (mutation == "folder-is-file") {
        writeBytes(dir, "not a folder");
        expected = QStringList{dir, "not a folder"};
    } else {
        QVERIFY(copyDir(tinyDir_, dir));
        const QString manifest = dir + "/manifest.json";
        const int colon = mutation.indexOf(':');
        const QString op = mutation.left(colon);
        const QString arg = mutation.mid(colon + 1);
        if (op == "rm") {
            QVERIFY(QFile::remove(dir + "/" + arg));
        } else if (op == "raw") {
            writeBytes(manifest, arg.toUtf8());
        } else if (op == "del") {
            writeJson(manifest, editJson(readJson(manifest), arg.split('.'), QJsonValue::Undefined));
        } else if (op == "set") {
            const int eq = arg.indexOf('=');
            const QByteArray valueJson = "[" + arg.mid(eq + 1).toUtf8() + "]";
            const QJsonValue value = QJsonDocument::fromJson(valueJson).array().at(0);
            QVERIFY2(!value.isUndefined(), valueJson.constData());
            writeJson(manifest, editJson(readJson(manifest), arg.left(eq).split('.'), value));
        } else if (op == "append") {
            QFile f(dir + "/" + arg);
            QVERIFY(f.open(QIODevice::Append));
            f.write("x");
        } else if (op == "garbage") {
            writeBytes(dir + "/" + arg, "this is not a TorchScript archive\n");
            rehash(dir);
        } else if (op == "script") {
            const int sep = arg.indexOf(':');
            fmc::writeScriptModule((dir + "/" + arg.left(sep)).toStdString(), "BrokenEncoder",
                                   arg.mid(sep + 1).toStdString());
            rehash(dir);
        } else if (op == "swap") {
            QVERIFY(QFile::remove(dir + "/image_encoder.pt"));
            QVERIFY(QFile::copy(dir + "/text_encoder.pt", dir + "/image_encoder.pt"));
            rehash(dir);
        } else {
            QFAIL(qPrintable("unknown mutation " + mutation));
        }
    }

    try {
        fmc::ModelBundle::load(dir.toStdString());
        QFAIL("expected fmc::Error");
    } catch (const fmc::Error& e) {
        const QString message = QString::fromUtf8(e.what());
        qInfo("%s", e.what());
        for (const QString& part : expected)
            QVERIFY2(message.contains(part), qPrintable("'" + part + "' not in: " + message));
    } catch (const std::exception& e) {
        QFAIL(qPrintable(QString("expected fmc::Error, got another exception: ") + e.what()));
    }
}

void TestModelBundle::tinyThroughput() {
    const std::int64_t count = 256;
    const auto images = randomImages(count, 64, 5);
    tiny_->encodeImages(images.data(), 32);  // warm-up (profiling executor)
    QElapsedTimer timer;
    timer.start();
    const auto features = tiny_->encodeImages(images.data(), count);
    const double seconds = std::max<qint64>(timer.nsecsElapsed(), 1) / 1e9;
    QCOMPARE(features.rows, count);
    qInfo("tiny image encoder: %.0f images/s (%lld images, batch %lld)", count / seconds, (long long)count,
          (long long)tiny_->batchSize());

    std::vector<std::string> texts(64, "a dermoscopy image of a melanoma");
    timer.restart();
    tiny_->encodeTexts(texts);
    qInfo("tiny text encoder: %.0f texts/s", texts.size() / (timer.nsecsElapsed() / 1e9));
}

void TestModelBundle::loadExternalBundle() {
    const QString dir = qEnvironmentVariable("FMC_EXTERNAL_BUNDLE");
    if (dir.isEmpty()) QSKIP("FMC_EXTERNAL_BUNDLE not set");
    std::unique_ptr<fmc::ModelBundle> loaded;
    try {
        loaded = std::make_unique<fmc::ModelBundle>(fmc::ModelBundle::load(dir.toStdString()));
    } catch (const fmc::Error& e) {
        QFAIL(e.what());
    }
    fmc::ModelBundle& bundle = *loaded;
    const fmc::BundleManifest& m = bundle.manifest();
    const auto s = m.inputSize;
    const QString expectedPath = qEnvironmentVariable("FMC_EXTERNAL_EXPECTED");
    if (expectedPath.isEmpty()) {
        const auto images = randomImages(2, s, 6);
        const auto f = bundle.encodeImages(images.data(), 2);
        QCOMPARE(f.cols, m.embeddingDim);
        QCOMPARE(bundle.encodeTexts({"a photo", "an x-ray"}).cols, m.embeddingDim);
        return;
    }
    const QJsonObject expected = readJson(expectedPath);
    QVERIFY2(!expected.isEmpty(), qPrintable(expectedPath));
    const double tolerance = expected["tolerance"].toDouble(1e-4);
    if (expected.contains("image_files")) {
#ifdef FMC_TEST_WITH_IMAGE_FILES
        compareImageFiles(bundle, expected, tolerance);
        if (QTest::currentTestFailed()) return;
#else
        qWarning("image_files not compared: an engine-only build decodes no image files (the full build does)");
#endif
    }
    if (!expected.contains("image_features")) return;
    // Same pattern as tests/tools/test_export_bundle.py: x[i] = ((i * 7919) % 1000) / 1000 - 0.5
    const QJsonArray imageRows = expected["image_features"].toArray();
    const std::int64_t count = imageRows.size();
    std::vector<float> images(static_cast<size_t>(count * 3 * s * s));
    for (size_t i = 0; i < images.size(); ++i) images[i] = float((i * 7919) % 1000) / 1000.0f - 0.5f;
    const auto imageFeatures = bundle.encodeImages(images.data(), count);
    QCOMPARE(imageFeatures.cols, m.embeddingDim);
    for (std::int64_t r = 0; r < count; ++r)
        for (std::int64_t c = 0; c < m.embeddingDim; ++c)
            QVERIFY2(std::fabs(imageFeatures.at(r, c) - imageRows[int(r)].toArray()[int(c)].toDouble()) < tolerance,
                     qPrintable(QString("image feature [%1,%2] differs from Python").arg(r).arg(c)));

    const QJsonArray tokenRows = expected["tokens"].toArray();
    const QJsonArray textRows = expected["text_features"].toArray();
    std::vector<std::int64_t> ids;
    for (const auto& row : tokenRows)
        for (const auto& id : row.toArray()) ids.push_back(id.toInteger());
    const auto textFeatures = bundle.encodeTokens(ids, tokenRows.size());
    for (int r = 0; r < textRows.size(); ++r)
        for (std::int64_t c = 0; c < m.embeddingDim; ++c)
            QVERIFY2(std::fabs(textFeatures.at(r, c) - textRows[r].toArray()[int(c)].toDouble()) < tolerance,
                     qPrintable(QString("text feature [%1,%2] differs from Python").arg(r).arg(c)));
    QCOMPARE(bundle.encodeTexts({"a photo of a mole"}).cols, m.embeddingDim);

    // Prompts through this project's tokenizer and the bundle's text encoder, against the
    // features Python computed with its own tokenizer (e.g. open_clip's).
    const QJsonArray prompts = expected["prompts"].toArray();
    const QJsonArray promptRows = expected["prompt_features"].toArray();
    std::vector<std::string> promptTexts;
    for (const auto& prompt : prompts) promptTexts.push_back(prompt.toString().toStdString());
    if (promptTexts.empty()) return;
    const auto promptFeatures = bundle.encodeTexts(promptTexts);
    QCOMPARE(int(promptFeatures.rows), promptRows.size());
    for (int r = 0; r < promptRows.size(); ++r)
        for (std::int64_t c = 0; c < m.embeddingDim; ++c)
            QVERIFY2(std::fabs(promptFeatures.at(r, c) - promptRows[r].toArray()[int(c)].toDouble()) < tolerance,
                     qPrintable(QString("prompt '%1' feature %2 differs from Python").arg(prompts[r].toString()).arg(c)));
}

#ifdef FMC_TEST_WITH_IMAGE_FILES
// Real image files: decoded and preprocessed here (the bundle's preprocessing), encoded,
// against the features Python computed from its own decoding and preprocessing
// ("image_file_features"). "image_file_inputs" names Python's preprocessed tensors (raw
// float32, the files in order, 3 x S x S each): the inputs are compared too, and Python's
// inputs are encoded here as well, so a difference is placed in preprocessing or encoder.
void TestModelBundle::compareImageFiles(fmc::ModelBundle& bundle, const QJsonObject& expected, double tolerance) {
    const auto& m = bundle.manifest();
    const QJsonArray files = expected["image_files"].toArray();
    const QJsonArray rows = expected["image_file_features"].toArray();
    QCOMPARE(rows.size(), files.size());
    const auto count = static_cast<std::int64_t>(files.size());
    const auto plane = static_cast<std::size_t>(3 * m.inputSize * m.inputSize);
    std::vector<float> inputs;
    for (const auto& file : files)
        fmc::imageToTensor(fmc::loadImageFile(file.toString().toStdString()), fmc::preprocessingFor(m), inputs);
    QFile pythonFile(expected["image_file_inputs"].toString());
    QVERIFY2(pythonFile.open(QIODevice::ReadOnly), qPrintable(pythonFile.fileName()));
    const QByteArray raw = pythonFile.readAll();
    QCOMPARE(static_cast<std::size_t>(raw.size()), inputs.size() * sizeof(float));
    std::vector<float> pythonInputs(inputs.size());
    std::memcpy(pythonInputs.data(), raw.constData(), static_cast<std::size_t>(raw.size()));
    const auto ours = bundle.encodeImages(inputs.data(), count);
    const auto theirs = bundle.encodeImages(pythonInputs.data(), count);
    bool inputsEqual = true;
    for (std::int64_t r = 0; r < count; ++r) {
        double largestInput = 0;
        int differing = 0;
        for (std::size_t i = r * plane; i < (r + 1) * plane; ++i) {
            const double d = std::fabs(double(inputs[i]) - double(pythonInputs[i]));
            largestInput = std::max(largestInput, d);
            differing += d > 1e-6;
        }
        double largestOurs = 0, largestTheirs = 0;
        for (std::int64_t c = 0; c < m.embeddingDim; ++c) {
            const double reference = rows[int(r)].toArray()[int(c)].toDouble();
            largestOurs = std::max(largestOurs, std::fabs(ours.at(r, c) - reference));
            largestTheirs = std::max(largestTheirs, std::fabs(theirs.at(r, c) - reference));
        }
        qInfo("%s: preprocessed input max |C++ - Python| %.3g (%d of %zu values differ); features max |diff| %.3g, "
              "from Python's input %.3g",
              qPrintable(files[int(r)].toString()), largestInput, differing, plane, largestOurs, largestTheirs);
        QVERIFY2(largestTheirs < tolerance, qPrintable(files[int(r)].toString() + ": the encoder differs from Python's"));
        QVERIFY2(largestOurs < tolerance, qPrintable(files[int(r)].toString() + ": features differ from Python's"));
        inputsEqual = inputsEqual && differing == 0;
    }
    QVERIFY2(inputsEqual, "decoding or preprocessing differs from Python's (see the lines above)");
}
#endif

void TestModelBundle::verificationIsRememberedUntilAFileChanges_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("change");
    for (const char* file : {"image_encoder.pt", "text_encoder.pt", "bpe_simple_vocab_16e6.txt.gz", "manifest.json"}) {
        QTest::addRow("%s: modification time", file) << file << "mtime";
        QTest::addRow("%s: size", file) << file << "size";
    }
    QTest::newRow("on request") << "" << "reverify";
}

void TestModelBundle::verificationIsRememberedUntilAFileChanges() {
    QFETCH(QString, file);
    QFETCH(QString, change);
    static int counter = 0;
    const QString dir = tmp_.filePath(QStringLiteral("remembered-%1").arg(++counter));
    QVERIFY(copyDir(tinyDir_, dir));
    fmc::BundleLoadOptions options;
    options.verificationRecordDir = tmp_.filePath("records").toStdString();
    QVERIFY(!fmc::ModelBundle::load(dir.toStdString(), "cpu", options).verifiedFromRecord());
    QVERIFY(fmc::ModelBundle::load(dir.toStdString(), "cpu", options).verifiedFromRecord());

    const auto path = std::filesystem::path((dir + "/" + file).toStdString());
    if (change == "mtime") {
        std::filesystem::last_write_time(path, std::filesystem::last_write_time(path) + std::chrono::seconds(5));
    } else if (change == "size") {
        // Same content, one more byte: JSON takes trailing whitespace, gzip and TorchScript
        // (zip) archives trailing bytes; the manifest's hash then no longer fits, so rehash.
        QFile f(dir + "/" + file);
        QVERIFY(f.open(QIODevice::Append));
        f.write(file == "manifest.json" ? "\n" : "\0", 1);
        f.close();
        if (file != "manifest.json") rehash(dir);
    } else {
        options.reverify = true;
    }
    const auto again = fmc::ModelBundle::load(dir.toStdString(), "cpu", options);
    QVERIFY2(!again.verifiedFromRecord(), "a changed file (or a request) must be hashed and probed again");
    options.reverify = false;
    QVERIFY(fmc::ModelBundle::load(dir.toStdString(), "cpu", options).verifiedFromRecord());
}

void TestModelBundle::tamperedFileIsCaughtDespiteItsRecord() {
    const QString dir = tmp_.filePath("tampered");
    QVERIFY(copyDir(tinyDir_, dir));
    fmc::BundleLoadOptions options;
    options.verificationRecordDir = tmp_.filePath("records").toStdString();
    (void)fmc::ModelBundle::load(dir.toStdString(), "cpu", options);
    QVERIFY(fmc::ModelBundle::load(dir.toStdString(), "cpu", options).verifiedFromRecord());
    // One byte rewritten in place, size kept and the modification time set back.
    const auto path = std::filesystem::path((dir + "/text_encoder.pt").toStdString());
    const auto mtime = std::filesystem::last_write_time(path);
    {
        QFile f(dir + "/text_encoder.pt");
        QVERIFY(f.open(QIODevice::ReadWrite));
        QVERIFY(f.seek(f.size() / 2));
        const char byte = f.peek(1).at(0);
        const char flipped = static_cast<char>(byte ^ 0x5a);
        QVERIFY(f.write(&flipped, 1) == 1);
    }
    std::filesystem::last_write_time(path, mtime);
    try {
        fmc::ModelBundle::load(dir.toStdString(), "cpu", options);
        QFAIL("expected fmc::Error");
    } catch (const fmc::Error& e) {
        QVERIFY2(QString(e.what()).contains("text_encoder.pt: SHA-256 mismatch"), e.what());
    }
}

void TestModelBundle::textFeaturesAreKeptAndChecked_data() {
    QTest::addColumn<QString>("damage");
    QTest::newRow("one float flipped") << "flip";
    QTest::newRow("cut short") << "truncate";
    QTest::newRow("another shape in the header") << "shape";
}

// A prompt list encoded once comes back from disk bit for bit without the text encoder; a
// kept file that does not pass its checks is encoded again.
void TestModelBundle::textFeaturesAreKeptAndChecked() {
    QFETCH(QString, damage);
    static int counter = 0;
    const QString dir = tmp_.filePath(QStringLiteral("text-kept-%1").arg(++counter));
    QVERIFY(copyDir(tinyDir_, dir));
    fmc::BundleLoadOptions options;
    options.verificationRecordDir = tmp_.filePath("records").toStdString();
    const QString keptDir = tmp_.filePath(QStringLiteral("text-features-%1").arg(counter));
    options.textFeatureCacheDir = keptDir.toStdString();
    // Another bundle loaded in between, so that a load of `dir` cannot reuse its encoders.
    const auto freshLoad = [&] {
        (void)fmc::ModelBundle::load(tinyDir_.toStdString(), "cpu", options);
        return fmc::ModelBundle::load(dir.toStdString(), "cpu", options);
    };
    const std::vector<std::string> prompts = {"a dermoscopy image of a melanoma", "a brain MRI showing a glioma"};

    const auto verified = fmc::ModelBundle::load(dir.toStdString(), "cpu", options);
    QVERIFY(!verified.verifiedFromRecord());
    QVERIFY(verified.textEncoderLoaded());
    const auto encoded = verified.encodeTexts(prompts);
    const QStringList keptFiles = QDir(keptDir).entryList({"*.f32"}, QDir::Files);
    QCOMPARE(keptFiles.size(), 1);

    {
        const auto remembered = freshLoad();
        QVERIFY(remembered.verifiedFromRecord());
        QVERIFY2(!remembered.textEncoderLoaded(), "a remembered bundle loads its text encoder only when needed");
        QCOMPARE(maxAbsDiff(remembered.encodeTexts(prompts), encoded), 0.0);
        QVERIFY2(!remembered.textEncoderLoaded(), "kept features must not need the text encoder");
        // Another list (same length, same first text) is encoded, as the encoder gives it.
        const std::vector<std::string> other = {prompts[0], "a brain MRI showing a meningioma"};
        const auto otherFeatures = remembered.encodeTexts(other);
        QVERIFY(remembered.textEncoderLoaded());
        auto ids = verified.tokenize(other[0]);
        const auto second = verified.tokenize(other[1]);
        ids.insert(ids.end(), second.begin(), second.end());
        QCOMPARE(maxAbsDiff(otherFeatures, verified.encodeTokens(ids, 2)), 0.0);
        QCOMPARE(QDir(keptDir).entryList({"*.f32"}, QDir::Files).size(), 2);
    }

    const QString keptPath = keptDir + "/" + keptFiles.front();
    QFile file(keptPath);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QByteArray bytes = file.readAll();
    file.close();
    const auto headerEnd = bytes.indexOf('\n');
    QVERIFY(headerEnd > 0);
    if (damage == "flip") bytes[headerEnd + 5] = static_cast<char>(bytes[headerEnd + 5] ^ 0x40);
    else if (damage == "truncate") bytes.chop(4);
    else bytes.replace(bytes.indexOf(" 2 "), 3, " 1 ");
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(bytes), bytes.size());
    file.close();

    const auto damaged = freshLoad();
    QCOMPARE(maxAbsDiff(damaged.encodeTexts(prompts), encoded), 0.0);
    QVERIFY2(damaged.textEncoderLoaded(), "a damaged kept file must be encoded again");
    // ... and is written again whole.
    QVERIFY(!freshLoad().textEncoderLoaded());
    const auto rewritten = freshLoad();
    QCOMPARE(maxAbsDiff(rewritten.encodeTexts(prompts), encoded), 0.0);
    QVERIFY(!rewritten.textEncoderLoaded());
}

void TestModelBundle::writeTinyBundle() {
    const QString dir = qEnvironmentVariable("FMC_WRITE_TINY_BUNDLE");
    if (dir.isEmpty()) QSKIP("FMC_WRITE_TINY_BUNDLE not set");
    const auto m = fmc::createDemoBundle(dir.toStdString(), fmc::DemoBundleShape::Tiny, vocabularyPath(), 42);
    QCOMPARE(m.bundleHash, tinyManifest_.bundleHash);
}

void TestModelBundle::createVitB32() {
    const QString dir = qEnvironmentVariable("FMC_TIME_VITB32");
    if (dir.isEmpty()) QSKIP("FMC_TIME_VITB32 not set (creates a ~600 MB bundle)");
    QElapsedTimer timer;
    timer.start();
    const auto m = fmc::createDemoBundle(dir.toStdString(), fmc::DemoBundleShape::VitB32, vocabularyPath(), 1);
    const qint64 createMs = timer.restart();
    fmc::ModelBundle bundle = fmc::ModelBundle::load(dir.toStdString());
    const qint64 loadMs = timer.restart();
    qint64 bytes = 0;
    for (const QFileInfo& fi : QDir(dir).entryInfoList(QDir::Files)) bytes += fi.size();
    QCOMPARE(QString::fromStdString(m.name), QStringLiteral("fedmedclip-demo-vitb32-random"));
    QCOMPARE(bundle.manifest().embeddingDim, 512);
    const auto images = randomImages(8, 224, 7);
    bundle.encodeImages(images.data(), 8);
    timer.restart();
    const auto f = bundle.encodeImages(images.data(), 8);
    const double seconds = timer.nsecsElapsed() / 1e9;
    QCOMPARE(f.cols, 512);
    QVERIFY(allFinite(f));
    const auto t = bundle.encodeTexts({"a photo", "a dermoscopy image of a melanoma"});
    QVERIFY(allFinite(t));
    qInfo("ViT-B/32 demo bundle: created in %lld ms, loaded+verified+probed in %lld ms, %.1f MB, %.1f images/s",
          createMs, loadMs, bytes / 1e6, 8 / seconds);
    qInfo("bundle_hash %s", m.bundleHash.c_str());
}

QTEST_GUILESS_MAIN(TestModelBundle)
#include "tst_modelbundle.moc"
