// The feature cache: persistence, crash tolerance and keying by bundle.
#include "features/feature_cache.h"

#include <QtTest>

#include <filesystem>

using namespace fmc;

namespace {
const std::string bundleA(64, 'a');
const std::string bundleB(64, 'b');
std::string hashOf(char c) { return std::string(64, c); }
}  // namespace

class TestFeatureCache : public QObject {
    Q_OBJECT
private slots:
    void storesAndReloads() {
        QTemporaryDir dir;
        const float feature[3] = {1.5f, -2.0f, 0.25f};
        {
            FeatureCache cache(dir.path().toStdString(), bundleA, 3);
            QVERIFY(!cache.find(hashOf('1')));
            cache.insert(hashOf('1'), feature);
            cache.insert(hashOf('1'), feature);  // idempotent
            QCOMPARE(cache.size(), size_t(1));
        }
        FeatureCache reopened(dir.path().toStdString(), bundleA, 3);
        QCOMPARE(reopened.size(), size_t(1));
        QCOMPARE(*reopened.find(hashOf('1')), (std::vector<float>{1.5f, -2.0f, 0.25f}));
    }

    void anotherBundleStartsEmpty() {
        QTemporaryDir dir;
        const float feature[2] = {1, 2};
        FeatureCache(dir.path().toStdString(), bundleA, 2).insert(hashOf('1'), feature);
        FeatureCache other(dir.path().toStdString(), bundleB, 2);
        QCOMPARE(other.size(), size_t(0));
        QVERIFY(other.path() != FeatureCache(dir.path().toStdString(), bundleA, 2).path());
    }

    void tornLastRecordIsDropped() {
        QTemporaryDir dir;
        const float feature[4] = {1, 2, 3, 4};
        std::string path;
        {
            FeatureCache cache(dir.path().toStdString(), bundleA, 4);
            cache.insert(hashOf('1'), feature);
            cache.insert(hashOf('2'), feature);
            path = cache.path();
        }
        // A crash in the middle of the second append.
        std::filesystem::resize_file(path, std::filesystem::file_size(path) - 5);
        FeatureCache reopened(dir.path().toStdString(), bundleA, 4);
        QCOMPARE(reopened.size(), size_t(1));
        QVERIFY(reopened.find(hashOf('1')));
        reopened.insert(hashOf('2'), feature);
        QCOMPARE(FeatureCache(dir.path().toStdString(), bundleA, 4).size(), size_t(2));
    }

    void mismatchedFileIsAClearError() {
        QTemporaryDir dir;
        const std::string path = FeatureCache(dir.path().toStdString(), bundleA, 4).path();
        try {
            FeatureCache(dir.path().toStdString(), bundleA, 8);
            QFAIL("expected an error");
        } catch (const Error& error) {
            QVERIFY(QString(error.what()).contains(QString::fromStdString(path)));
        }
        QVERIFY_THROWS_EXCEPTION(Error, FeatureCache(dir.path().toStdString(), "short", 4));
    }
};

QTEST_GUILESS_MAIN(TestFeatureCache)
#include "tst_featurecache.moc"
