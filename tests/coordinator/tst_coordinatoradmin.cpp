// readBundleIdentity: the coordinator reads a bundle's manifest.json with the engine's own
// parser (common/bundle_manifest.h), so both accept and refuse the same manifests.
#include "common/bundle_manifest.h"
#include "coordinator/coordinator_admin.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace fmc;

class TestCoordinatorAdmin : public QObject {
    Q_OBJECT

private slots:
    void identityIsTheManifests();
    void badManifestIsRefusedAsTheEngineRefusesIt_data();
    void badManifestIsRefusedAsTheEngineRefusesIt();

private:
    static BundleManifest sampleManifest();
    QString write(const QString& name, const std::string& text);
    QTemporaryDir dir_;
};

BundleManifest TestCoordinatorAdmin::sampleManifest() {
    BundleManifest manifest;
    manifest.name = "clip-vit-b32";
    manifest.version = "1";
    manifest.embeddingDim = 512;
    manifest.inputSize = 224;
    manifest.mean = {0.48, 0.46, 0.41};
    manifest.std = {0.27, 0.26, 0.28};
    manifest.imageEncoder = {"image_encoder.pt", std::string(64, 'a')};
    manifest.textEncoder = {"text_encoder.pt", std::string(64, 'b')};
    manifest.vocabulary = {"bpe_simple_vocab_16e6.txt.gz", std::string(64, 'c')};
    manifest.bundleHash = computeBundleHash(manifest);
    return manifest;
}

QString TestCoordinatorAdmin::write(const QString& name, const std::string& text) {
    const auto path = dir_.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly)) qFatal("cannot write %s", qPrintable(path));
    file.write(text.data(), static_cast<qint64>(text.size()));
    return path;
}

void TestCoordinatorAdmin::identityIsTheManifests() {
    const auto manifest = sampleManifest();
    const auto identity = federation::readBundleIdentity(write("manifest.json", manifestToJson(manifest)));
    QCOMPARE(identity.name, manifest.name);
    QCOMPARE(identity.bundleHash, manifest.bundleHash);
    QCOMPARE(identity.embeddingDim, 512);
}

void TestCoordinatorAdmin::badManifestIsRefusedAsTheEngineRefusesIt_data() {
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("to");
    QTest::addColumn<QString>("field");
    QTest::newRow("dimension as text") << "\"embedding_dim\": 512" << "\"embedding_dim\": \"512\"" << "embedding_dim";
    QTest::newRow("short hash") << "\"bundle_hash\": \"" << "\"bundle_hash\": \"ab" << "bundle_hash";
    QTest::newRow("no name") << "\"name\": \"clip-vit-b32\"," << "" << "name";
}

void TestCoordinatorAdmin::badManifestIsRefusedAsTheEngineRefusesIt() {
    QFETCH(QString, from);
    QFETCH(QString, to);
    QFETCH(QString, field);
    auto text = QString::fromStdString(manifestToJson(sampleManifest()));
    QVERIFY(text.contains(from));
    text.replace(from, to);
    const auto path = write(QStringLiteral("bad.json"), text.toStdString());
    QString engineError, coordinatorError;
    try {
        readManifestFile(path.toStdString());
    } catch (const Error& error) {
        engineError = QString::fromUtf8(error.what());
    }
    try {
        federation::readBundleIdentity(path);
    } catch (const Error& error) {
        coordinatorError = QString::fromUtf8(error.what());
    }
    QVERIFY2(coordinatorError.startsWith(path) && coordinatorError.contains("'" + field + "'"),
             qPrintable(coordinatorError));
    QCOMPARE(coordinatorError, engineError);
}

QTEST_APPLESS_MAIN(TestCoordinatorAdmin)
#include "tst_coordinatoradmin.moc"
