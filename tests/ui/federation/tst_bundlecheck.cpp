// verifyBundleFiles: a bundle folder is checked file by file against its manifest.
#include "federation/bundle_check.h"
#include "ui_test_support.h"

#include <QTemporaryDir>
#include <QTest>

using namespace fmc::ui;
using namespace fmc::ui::test;

class TestBundleCheck : public QObject {
    Q_OBJECT
private slots:
    void aGoodBundlePassesAndAChangedFileIsNamed();
};

void TestBundleCheck::aGoodBundlePassesAndAChangedFileIsNamed() {
    QTemporaryDir dir;
    const auto bundle = makeTinyBundle(dir.filePath(QStringLiteral("bundle")));
    const auto manifest = verifyBundleFiles(bundle);
    QCOMPARE(manifest.bundleHash, fmc::computeBundleHash(manifest));
    QVERIFY(manifest.demo);

    QFile vocabulary(QDir(bundle).filePath(QString::fromStdString(manifest.vocabulary.path)));
    QVERIFY(vocabulary.open(QIODevice::Append));
    vocabulary.write("x");
    vocabulary.close();
    try {
        verifyBundleFiles(bundle);
        QFAIL("a changed file was accepted");
    } catch (const fmc::Error& error) {
        QVERIFY2(QString::fromUtf8(error.what()).contains(QString::fromStdString(manifest.vocabulary.path)), error.what());
    }
    QFile::remove(vocabulary.fileName());
    QVERIFY_THROWS_EXCEPTION(fmc::Error, verifyBundleFiles(bundle));
    QVERIFY_THROWS_EXCEPTION(fmc::Error, verifyBundleFiles(dir.filePath(QStringLiteral("no-bundle-here"))));
}

QTEST_GUILESS_MAIN(TestBundleCheck)
#include "tst_bundlecheck.moc"
