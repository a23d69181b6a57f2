// The site store: migrations, WAL, foreign keys, transactions, and each table's round trip.
// Every check opens real database files in a temporary folder; a second, independent
// connection looks at what really reached the file.
#include "site/migrations.h"
#include "site/site_store.h"
#include "site/site_workspace.h"
#include "site/sqlite.h"

#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <limits>

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

using namespace fmc;

namespace {

std::string hashOf(char digit) { return std::string(64, digit); }

NewImage sampleImage(const std::string& path, char pixelDigit, const std::optional<std::string>& label = "nevus") {
    NewImage image;
    image.sourcePath = path;
    image.contentHash = hashOf('c');
    image.pixelHash = hashOf(pixelDigit);
    image.width = 4;
    image.height = 3;
    image.label = label;
    return image;
}

const std::vector<sqlite::Migration> kTestMigrations{
    {1, "people", "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"},
    {2, "ages", "ALTER TABLE people ADD COLUMN age INTEGER NOT NULL DEFAULT 0"},
    {3, "index", "CREATE INDEX people_by_name ON people (name)"},
};

}  // namespace

class TestSiteStore : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::string path(const char* name) const { return dir_.filePath(name).toStdString(); }

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(dir_.isValid());
    }

    void freshStoreIsAtTheNewestSchemaWithWalAndForeignKeys() {
        auto store = SiteStore::open(path("fresh.sqlite"));
        QCOMPARE(store.schemaVersion(), siteStoreMigrations().back().version);
        QCOMPARE(store.journalMode(), std::string("wal"));
        QVERIFY(store.foreignKeysEnabled());
        QCOMPARE(store.integrityCheck(), std::string("ok"));
        QCOMPARE(store.database().queryInt("PRAGMA user_version"), std::int64_t(siteStoreMigrations().back().version));
        // WAL is a property of the file: an independent connection sees it too.
        auto other = sqlite::Database::open(path("fresh.sqlite"), sqlite::Database::Access::ReadOnly);
        QCOMPARE(other.queryText("PRAGMA journal_mode"), std::string("wal"));
        store.setSetting("bundle.dir", "/x");
        QVERIFY(QFileInfo::exists(dir_.filePath("fresh.sqlite-wal")));
    }

    void reopeningAppliesNothingTwice() {
        { SiteStore::open(path("reopen.sqlite")); }
        auto db = sqlite::Database::open(path("reopen.sqlite"));
        QCOMPARE(sqlite::migrate(db, siteStoreMigrations()), 0);
        QCOMPARE(db.queryInt("SELECT COUNT(*) FROM schema_migrations"), std::int64_t(siteStoreMigrations().size()));
    }

    void migrationsRunForwardInOrderAndKeepData() {
        auto db = sqlite::Database::open(path("migrate.sqlite"));
        QCOMPARE(sqlite::schemaVersion(db), 0);
        QCOMPARE(sqlite::migrate(db, {kTestMigrations[0]}), 1);
        db.prepare("INSERT INTO people (name) VALUES (?1)").bindAll(std::string("Ada")).run();
        QCOMPARE(sqlite::schemaVersion(db), 1);

        QCOMPARE(sqlite::migrate(db, kTestMigrations), 2);
        QCOMPARE(sqlite::schemaVersion(db), 3);
        QCOMPARE(db.queryInt("PRAGMA user_version"), std::int64_t(3));
        QCOMPARE(db.queryText("SELECT name || ':' || age FROM people"), std::string("Ada:0"));
        auto names = db.prepare("SELECT name FROM schema_migrations ORDER BY version");
        std::vector<std::string> applied;
        while (names.step()) applied.push_back(names.columnText(0));
        QCOMPARE(applied, (std::vector<std::string>{"people", "ages", "index"}));
    }

    void aFailingMigrationLeavesTheDatabaseAsItWas() {
        auto db = sqlite::Database::open(path("failing.sqlite"));
        sqlite::migrate(db, {kTestMigrations[0]});
        auto broken = kTestMigrations;
        broken[2].sql = "CREATE INDEX people_by_name ON no_such_table (name)";
        try {
            sqlite::migrate(db, broken);
            QFAIL("a broken migration was accepted");
        } catch (const Error& error) {
            const QString message = error.what();
            QVERIFY2(message.contains("migration 3 'index'") && message.contains("failing.sqlite"), error.what());
        }
        // Migration 2 ran inside the same transaction and was rolled back with 3.
        QCOMPARE(sqlite::schemaVersion(db), 1);
        QCOMPARE(db.queryInt("SELECT COUNT(*) FROM pragma_table_info('people') WHERE name = 'age'"), std::int64_t(0));
    }

    void aNewerDatabaseIsRefused() {
        auto db = sqlite::Database::open(path("newer.sqlite"));
        sqlite::migrate(db, kTestMigrations);
        try {
            sqlite::migrate(db, {kTestMigrations[0]});
            QFAIL("a newer schema was accepted");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains("schema version 3 is newer"), error.what());
        }
    }

    void migrationsMustBeStrictlyIncreasing() {
        auto db = sqlite::Database::open(path("order.sqlite"));
        QVERIFY_THROWS_EXCEPTION(Error, sqlite::migrate(db, {kTestMigrations[1], kTestMigrations[0]}));
        QCOMPARE(sqlite::schemaVersion(db), 0);
        const auto& real = siteStoreMigrations();
        for (size_t i = 1; i < real.size(); ++i) QVERIFY(real[i].version > real[i - 1].version);
    }

    void aFileThatIsNotADatabaseIsNamedInTheError() {
        QFile junk(dir_.filePath("junk.sqlite"));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write(QByteArray(4096, 'x'));
        junk.close();
        try {
            SiteStore::open(path("junk.sqlite"));
            QFAIL("junk opened as a store");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains("junk.sqlite"), error.what());
        }
    }

    void foreignKeysAreEnforced() {
        auto store = SiteStore::open(path("fk.sqlite"));
        QVERIFY_THROWS_EXCEPTION(Error, store.addImages(999, {sampleImage("/a.jpg", '1')}));
        QCOMPARE(store.imageCount(), 0);

        const auto run = store.beginImportRun("none");
        auto image = sampleImage("/b.dcm", '2');
        image.kind = ImageFileKind::Dicom;
        image.identifying = {{"PatientName", "Doe^Jane"}, {"PatientID", "12345"}};
        const auto id = store.addImages(run, {image}).front();
        QCOMPARE(store.identifyingAttributes(id).size(), size_t(2));
        // Deleting an image takes its identifying attributes with it (ON DELETE CASCADE).
        store.database().prepare("DELETE FROM images WHERE id = ?1").bindAll(id).run();
        QCOMPARE(store.database().queryInt("SELECT COUNT(*) FROM image_identifiers"), std::int64_t(0));
        QVERIFY(store.foreignKeyViolations().empty());
    }

    void aPredictionKeepsItsModelVersion() {
        auto store = SiteStore::open(path("predictions.sqlite"));
        ModelVersion version;
        version.fileName = "local.fmcp";
        version.sha256 = hashOf('a');
        version.bytes = 10;
        version.bundleHash = hashOf('b');
        version.classes = {"benign", "malignant"};
        version.promptTemplate = "a picture of a {}";
        version.source = "train-local";
        const auto versionId = store.addModelVersion(version);
        StoredPrediction prediction;
        prediction.sourcePath = "/scan.jpg";
        prediction.contentHash = hashOf('c');
        prediction.modelVersionId = versionId;
        prediction.predictedClass = "benign";
        prediction.probabilitiesJson = R"({"ensemble":[0.75,0.25]})";
        prediction.ensembleEntropy = 0.56;
        store.addPrediction(prediction);
        QVERIFY_THROWS_EXCEPTION(
            Error, store.database().prepare("DELETE FROM model_versions WHERE id = ?1").bindAll(versionId).run());
        QCOMPARE(store.modelVersions().size(), size_t(1));
        const auto stored = store.predictions().front();
        QCOMPARE(stored.predictedClass, std::string("benign"));
        QVERIFY(stored.modelVersionId == versionId);
        QVERIFY(!stored.imageId);
        QCOMPARE(nlohmann::json::parse(stored.probabilitiesJson)["ensemble"][0].get<double>(), 0.75);
        const auto latest = store.latestModelVersion(ModelVersionKind::LocalCheckpoint);
        QVERIFY(latest);
        QCOMPARE(latest->classes, version.classes);
        QVERIFY(!store.latestModelVersion(ModelVersionKind::GlobalFam));
    }

    void aFailedMultiRowChangeLeavesNothing() {
        auto store = SiteStore::open(path("atomic.sqlite"));
        const auto run = store.beginImportRun("none");
        store.addImages(run, {sampleImage("/first.jpg", '1')});
        // Three frames of one file, the last with pixels the store already has: the whole
        // file is refused, not its first two frames.
        auto frame0 = sampleImage("/multi.dcm", '2'), frame1 = sampleImage("/multi.dcm", '3'),
             frame2 = sampleImage("/multi.dcm", '1');
        frame1.frame = 1;
        frame2.frame = 2;
        QVERIFY_THROWS_EXCEPTION(Error, store.addImages(run, {frame0, frame1, frame2}));
        QCOMPARE(store.imageCount(), 1);
        QVERIFY(!store.database().inTransaction());
        // The same for a replacement: the old rows stay when the new ones fail.
        QVERIFY_THROWS_EXCEPTION(Error, store.replaceImagesOfFile(run, "/first.jpg", {frame0, frame0}));
        QCOMPARE(store.imagesOfFile("/first.jpg").size(), size_t(1));
        QVERIFY_THROWS_EXCEPTION(Error, store.saveLabelSet("classes", {"a", "b", "a"}));
        QVERIFY(!store.labelSet("classes"));
    }

    void transactionRollsBackUnlessCommitted() {
        auto store = SiteStore::open(path("transaction.sqlite"));
        auto& db = store.database();
        {
            sqlite::Transaction transaction(db);
            store.setSetting("federation.coordinator", "https://coordinator.example");
            QVERIFY(db.inTransaction());
        }
        QVERIFY(!store.setting("federation.coordinator"));
        {
            sqlite::Transaction transaction(db);
            store.setSetting("federation.coordinator", "https://coordinator.example");
            // Uncommitted changes are invisible to another connection (another process).
            auto reader = sqlite::Database::open(path("transaction.sqlite"));
            QCOMPARE(reader.queryInt("SELECT COUNT(*) FROM settings"), std::int64_t(0));
            transaction.commit();
            QCOMPARE(reader.queryInt("SELECT COUNT(*) FROM settings"), std::int64_t(1));
        }
        QCOMPARE(store.setting("federation.coordinator").value_or(""), std::string("https://coordinator.example"));
    }

    void aSecondWriterWaitsForTheBusyTimeoutThenFailsNamingTheFile() {
        auto store = SiteStore::open(path("busy.sqlite"));
        sqlite::Transaction holding(store.database());
        auto other = sqlite::Database::open(path("busy.sqlite"), sqlite::Database::Access::ReadWrite, 200);
        QElapsedTimer timer;
        timer.start();
        try {
            sqlite::Transaction blocked(other);
            QFAIL("two writers at once");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains("busy.sqlite") && QString(error.what()).contains("locked"),
                     error.what());
        }
        QVERIFY2(timer.elapsed() >= 150, "the busy timeout was not waited for");
    }

    void errorsNameTheStatementNotTheValues() {
        auto store = SiteStore::open(path("values.sqlite"));
        const auto run = store.beginImportRun("none");
        store.addImages(run, {sampleImage("/scans/Doe_Jane.jpg", '1')});
        try {
            store.addImages(run, {sampleImage("/scans/Doe_Jane.jpg", '2')});
            QFAIL("the same path and frame were stored twice");
        } catch (const Error& error) {
            const QString message = error.what();
            QVERIFY2(message.contains("UNIQUE constraint failed: images.source_path"), error.what());
            QVERIFY2(!message.contains("Doe_Jane"), error.what());
        }
    }

    void splitNames_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("expected");  // -1: not a split
        QTest::newRow("Train") << "Train" << int(Split::Train);
        QTest::newRow("training") << "training" << int(Split::Train);
        QTest::newRow("VAL") << "VAL" << int(Split::Validation);
        QTest::newRow("valid") << "valid" << int(Split::Validation);
        QTest::newRow("validation") << "validation" << int(Split::Validation);
        QTest::newRow("Test") << "Test" << int(Split::Test);
        QTest::newRow("testing") << "testing" << int(Split::Test);
        QTest::newRow("melanoma") << "melanoma" << -1;
        QTest::newRow("empty") << "" << -1;
    }
    void splitNames() {
        QFETCH(QString, text);
        QFETCH(int, expected);
        const auto split = parseSplit(text.toStdString());
        QCOMPARE(split ? int(*split) : -1, expected);
        if (split) QCOMPARE(parseSplit(splitName(*split)), split);
    }

    void imagesRoundTripAndFilter() {
        auto store = SiteStore::open(path("images.sqlite"));
        const auto run = store.beginImportRun("folder");
        auto train = sampleImage("/data/Train/nevus/1.jpg", '1');
        auto test = sampleImage("/data/Test/nevus/2.jpg", '2');
        test.split = Split::Test;
        test.site = "HAM_rosendahl";
        auto unlabelled = sampleImage("/data/3.jpg", '3', std::nullopt);
        store.addImages(run, {train});
        store.addImages(run, {test});
        store.addImages(run, {unlabelled});

        const auto all = store.images();
        QCOMPARE(all.size(), size_t(3));
        QCOMPARE(all[1].sourcePath, test.sourcePath);
        QCOMPARE(all[1].site, std::string("HAM_rosendahl"));
        QCOMPARE(all[1].split, Split::Test);
        QCOMPARE(all[1].width, 4);
        QCOMPARE(all[1].importRunId, run);
        QVERIFY(!all[1].importedAt.empty());
        QVERIFY(!all[2].label);

        ImageFilter labelledTrain;
        labelledTrain.split = Split::Train;
        labelledTrain.labelledOnly = true;
        QCOMPARE(store.images(labelledTrain).size(), size_t(1));
        QCOMPARE(store.imageByPixelHash(hashOf('2'))->id, all[1].id);

        store.markImageUnreadable(all[0].id, "/data/Train/nevus/1.jpg: file vanished");
        QCOMPARE(store.images().size(), size_t(2));
        ImageFilter everything;
        everything.readableOnly = false;
        QCOMPARE(store.images(everything).size(), size_t(3));
        QCOMPARE(store.relabelFile(test.sourcePath, std::string("melanoma"), Split::Validation, ""), 1);
        QCOMPARE(store.relabelFile(test.sourcePath, std::string("melanoma"), Split::Validation, ""), 0);
        QCOMPARE(store.imageBySource(test.sourcePath, 0)->label.value_or(""), std::string("melanoma"));

        store.finishImportRun(run, {3, 3, 0, 0, 0, 0, 3}, false);
        const auto summary = store.summary();
        QCOMPARE(summary.images, 3);
        QCOMPARE(summary.labelled, 2);
        QCOMPARE(summary.unreadable, 1);
        QCOMPARE(summary.perLabel.at(""), 1);
        QCOMPARE(summary.perSplit.at("validation"), 1);
        QCOMPARE(summary.interruptedImportRuns, 0);
    }

    void labelSetsAndMappings() {
        auto store = SiteStore::open(path("labels.sqlite"));
        store.saveLabelSet("isic", {"melanoma", "nevus"});
        store.saveLabelSet("isic", {"nevus", "melanoma", "dermatofibroma"});
        QCOMPARE(store.labelSet("isic").value(), (std::vector<std::string>{"nevus", "melanoma", "dermatofibroma"}));
        QVERIFY(!store.labelSet("other"));
        store.setLabelMappings({{"mel", "melanoma"}, {"nv", "nevus"}});
        store.setLabelMappings({{"nv", "melanocytic nevus"}});
        QCOMPARE(store.federationClassOf("nv"), std::string("melanocytic nevus"));
        QCOMPARE(store.federationClassOf("mel"), std::string("melanoma"));
        QCOMPARE(store.federationClassOf("bcc"), std::string("bcc"));
        QVERIFY_THROWS_EXCEPTION(Error, store.setLabelMappings({{"x", ""}}));
    }

    // Half precision, checked against the compiler's own _Float16 conversion (round to nearest
    // even) over normal, subnormal, overflowing and special values; 2 bytes a value on disk.
    void featuresAreStoredAsHalfPrecision() {
        std::vector<float> values{1.0f, -2.0f, 0.1f, 65504.0f, 65520.0f, 70000.0f, 1e-8f, 3e-8f, 6.1e-5f, -0.0f,
                                  std::numeric_limits<float>::infinity(), 0.33333334f, 1.0009766f, 1.0004883f};
        std::uint32_t state = 12345;
        for (int i = 0; i < 500; ++i) {
            state = state * 1664525u + 1013904223u;
            const float unit = float(state >> 8) / float(1u << 24) - 0.5f;
            values.push_back(unit * std::pow(2.0f, float(int(state % 40) - 28)));  // 2^-28 .. 2^11
        }
        FloatMatrix features(1, static_cast<std::int64_t>(values.size()));
        features.data = values;
        auto store = SiteStore::open(path("half.sqlite"));
        store.storeFeatures(hashOf('b'), {{hashOf('1'), 0}}, features);
        const auto stored = store.feature({hashOf('1'), 0}, hashOf('b')).value();
        FloatMatrix rounded = features;
        roundToStoredFeaturePrecision(rounded);
        for (std::size_t i = 0; i < values.size(); ++i) {
            const float expected = static_cast<float>(static_cast<_Float16>(values[i]));
            QVERIFY2(std::memcmp(&stored[i], &expected, 4) == 0,
                     qPrintable(QStringLiteral("%1 -> %2, want %3").arg(values[i], 0, 'g', 9).arg(stored[i], 0, 'g', 9)
                                    .arg(expected, 0, 'g', 9)));
            QVERIFY(std::memcmp(&rounded.data[i], &expected, 4) == 0);
        }
        QCOMPARE(store.database().queryInt("SELECT length(vector) FROM feature_vectors"),
                 std::int64_t(2 * values.size()));
    }

    // A workspace cached before the half-precision schema keeps its float32 vectors exactly.
    void featuresCachedBeforeTheHalfPrecisionSchemaStayReadable() {
        {
            auto db = sqlite::Database::open(path("old-features.sqlite"));
            const auto& all = siteStoreMigrations();
            std::vector<sqlite::Migration> before;
            for (const auto& migration : all)
                if (migration.version < 3) before.push_back(migration);
            sqlite::migrate(db, before);
            const std::vector<float> vector{0.1f, -7.25f, 3.0e-9f};
            db.prepare("INSERT INTO features (content_hash, frame, bundle_hash, dim, vector) VALUES (?1, 0, ?2, 3, ?3)")
                .bindAll(hashOf('1'), hashOf('b'))
                .bind(3, vector.data(), vector.size())
                .run();
        }
        auto store = SiteStore::open(path("old-features.sqlite"));
        QCOMPARE(store.feature({hashOf('1'), 0}, hashOf('b')).value(), (std::vector<float>{0.1f, -7.25f, 3.0e-9f}));
        QCOMPARE(store.summary().featuresPerBundle.at(hashOf('b')), 1);
        QCOMPARE(store.database().queryInt("SELECT COUNT(*) FROM sqlite_master WHERE name = 'features'"), std::int64_t(0));
    }

    void featuresAreCachedPerBundle() {
        auto store = SiteStore::open(path("features.sqlite"));
        FloatMatrix features(2, 3);
        features.data = {1, 2, 3, 4, 5, 6};
        store.storeFeatures(hashOf('b'), {{hashOf('1'), 0}, {hashOf('1'), 1}}, features);
        QCOMPARE(store.feature({hashOf('1'), 1}, hashOf('b')).value(), (std::vector<float>{4, 5, 6}));
        QVERIFY(!store.feature({hashOf('1'), 1}, hashOf('d')));
        QVERIFY(!store.feature({hashOf('2'), 0}, hashOf('b')));
        // Storing a key again keeps the first vector: features of a frozen encoder never change.
        features.data = {9, 9, 9, 9, 9, 9};
        store.storeFeatures(hashOf('b'), {{hashOf('1'), 0}, {hashOf('3'), 0}}, features);
        QCOMPARE(store.feature({hashOf('1'), 0}, hashOf('b')).value(), (std::vector<float>{1, 2, 3}));
        QCOMPARE(store.summary().featuresPerBundle.at(hashOf('b')), 3);
    }

    void trainingRunsRecordEveryRound() {
        auto store = SiteStore::open(path("training.sqlite"));
        TrainingRunInfo info;
        info.bundleHash = hashOf('b');
        info.classes = {"nevus", "melanoma"};
        info.trainImages = 40;
        info.evaluationImages = 10;
        info.evaluationSplit = "test";
        const auto run = store.beginTrainingRun(info);
        RoundMetrics first;
        first.round = 1;
        first.loss = 1.5;
        first.accuracy = 0.6;
        first.balancedAccuracy = 0.55;
        first.macroF1 = 0.5;
        first.seconds = 0.25;
        first.perClassRecall = {0.75, std::nullopt};
        store.recordRound(run, first);
        RoundMetrics second = first;
        second.round = 2;
        second.accuracy.reset();
        second.bytesSent = 1000;
        second.bytesReceived = 2000;
        store.recordRound(run, second);
        QVERIFY_THROWS_EXCEPTION(Error, store.recordRound(run, second));  // a round is recorded once

        auto stored = store.trainingRun(run).value();
        QCOMPARE(stored.status, std::string("running"));
        QVERIFY(!stored.finishedAt);
        store.finishTrainingRun(run, "finished");
        stored = store.trainingRun(run).value();
        QCOMPARE(stored.status, std::string("finished"));
        QVERIFY(stored.finishedAt);
        QCOMPARE(stored.info.classes, info.classes);
        QCOMPARE(stored.rounds.size(), size_t(2));
        QCOMPARE(stored.rounds[0].balancedAccuracy.value(), 0.55);
        QVERIFY(!stored.rounds[1].accuracy);
        QCOMPARE(stored.rounds[1].bytesReceived, std::int64_t(2000));
        QVERIFY(stored.rounds[0].perClassRecall == first.perClassRecall);
        QVERIFY_THROWS_EXCEPTION(Error, store.finishTrainingRun(run, "exploded"));
    }

    // A federation is one run: cancelled, resumed, left running by a process that died
    // (found on the next resume), each interruption after the last recorded round.
    void aRunKeepsItsInterruptions() {
        auto store = SiteStore::open(path("interruptions.sqlite"));
        TrainingRunInfo info;
        info.kind = "federated";
        info.classes = {"a", "b"};
        const auto run = store.beginTrainingRun(info);
        RoundMetrics metrics;
        for (int round = 1; round <= 2; ++round) {
            metrics.round = round;
            store.recordRound(run, metrics);
        }
        store.interruptTrainingRun(run, "cancelled");
        auto stored = store.trainingRun(run).value();
        QCOMPARE(stored.status, std::string("cancelled"));  // not "finished"
        QCOMPARE(stored.interruptions.size(), size_t(1));
        QCOMPARE(stored.interruptions[0].reason, std::string("cancelled"));
        QCOMPARE(stored.interruptions[0].afterRound, 2);
        QVERIFY(!stored.interruptions[0].at.empty());

        store.resumeTrainingRun(run);  // after a cancel: nothing more to record
        stored = store.trainingRun(run).value();
        QCOMPARE(stored.status, std::string("running"));
        QVERIFY(!stored.finishedAt);
        QCOMPARE(stored.interruptions.size(), size_t(1));
        metrics.round = 3;
        store.recordRound(run, metrics);
        // The process died while it ran: the next resume finds it running and marks it.
        store.resumeTrainingRun(run);
        stored = store.trainingRun(run).value();
        QCOMPARE(stored.interruptions.size(), size_t(2));
        QCOMPARE(stored.interruptions[1].reason, std::string("stopped"));
        QCOMPARE(stored.interruptions[1].afterRound, 3);
        QCOMPARE(stored.status, std::string("running"));

        store.interruptTrainingRun(run, "failed");
        QCOMPARE(store.trainingRun(run)->status, std::string("failed"));
        store.interruptTrainingRun(run, "stopped");
        QCOMPARE(store.trainingRun(run)->status, std::string("cancelled"));
        QCOMPARE(store.trainingRun(run)->interruptions.size(), size_t(4));
        QVERIFY_THROWS_EXCEPTION(Error, store.interruptTrainingRun(run, "paused"));
        QVERIFY_THROWS_EXCEPTION(Error, store.interruptTrainingRun(run + 100, "cancelled"));
        store.resumeTrainingRun(run);
        store.finishTrainingRun(run, "finished");
        QVERIFY_THROWS_EXCEPTION(Error, store.interruptTrainingRun(run, "cancelled"));  // it is over
        QCOMPARE(store.trainingRun(run)->interruptions.size(), size_t(4));
    }

    // The InstanceNumber of a DICOM image round-trips; a photo has none.
    void imagesKeepTheirInstanceNumber() {
        auto store = SiteStore::open(path("instances.sqlite"));
        const auto importRun = store.beginImportRun("none");
        auto dicom = sampleImage("/data/ct/IM2", '1');
        dicom.kind = ImageFileKind::Dicom;
        dicom.instanceNumber = 12;
        store.addImages(importRun, {dicom, sampleImage("/data/photo.jpg", '2')});
        QCOMPARE(store.imageBySource("/data/ct/IM2", 0)->instanceNumber.value_or(-1), 12);
        QVERIFY(!store.imageBySource("/data/photo.jpg", 0)->instanceNumber);
    }

    void aPredictionWithoutModelVersionSaysWhichModelMadeIt() {
        auto store = SiteStore::open(path("zero-shot.sqlite"));
        StoredPrediction prediction;
        prediction.sourcePath = "/lesion.jpg";
        prediction.contentHash = hashOf('d');
        prediction.modelDescription = "zero-shot FAM, bundle " + hashOf('b').substr(0, 12);
        prediction.predictedClass = "nevus";
        prediction.probabilitiesJson = R"({"ensemble":[0.6,0.4]})";
        store.addPrediction(prediction);
        const auto stored = store.predictions().front();
        QVERIFY(!stored.modelVersionId);
        QCOMPARE(stored.modelDescription, prediction.modelDescription);
    }

    // The calibration of a model version round-trips exactly, the novelty reference as a
    // BLOB of whole rows; setting it again replaces it; an unknown version has none.
    void aModelVersionKeepsItsCalibration() {
        auto store = SiteStore::open(path("calibration.sqlite"));
        ModelVersion version;
        version.fileName = "local.fmcp";
        version.sha256 = hashOf('a');
        version.bytes = 10;
        version.bundleHash = hashOf('b');
        version.classes = {"benign", "malignant"};
        const auto id = store.addModelVersion(version);
        QVERIFY(!store.modelCalibration(id));

        ModelCalibration calibration;
        calibration.classes = version.classes;
        calibration.ensemble.fitted = true;
        calibration.ensemble.temperature = {1.75, 0.61, 0.52};
        calibration.ensemble.conformal = {0.9, 0.8125, 40};
        calibration.ensemble.testImages = 30;
        calibration.ensemble.testEceBefore = 0.2;
        calibration.ensemble.testEceAfter = 0.05;
        calibration.ensemble.testNllBefore = 0.7;
        calibration.ensemble.testNllAfter = 0.6;
        calibration.ensemble.testCoverage = {30, 28, 28.0 / 30, 1.4};
        calibration.famOnly.fitted = true;
        calibration.famOnly.conformal.threshold = std::numeric_limits<double>::infinity();
        calibration.hasNovelty = true;
        calibration.novelty.k = 3;
        calibration.novelty.percentile = 95;
        calibration.novelty.threshold = 0.125;
        calibration.novelty.reference = FloatMatrix(2, 3);
        calibration.novelty.reference.data = {1, 0, 0, 0, 0.6f, 0.8f};
        calibration.domain = {{"photo"}, {}, {"colour"}, false};
        calibration.trainImagesPerClass = {12, 30};
        calibration.validation = SplitFigures{40, 0.8, 0.75, 0.7};
        calibration.noBetterThanChance = true;
        calibration.bundleName = "tiny";
        calibration.demoBundle = true;
        calibration.createdAt = "2026-12-01T00:00:00Z";
        calibration.notes = {"a note"};
        store.setModelCalibration(id, calibration);

        const auto back = SiteStore::open(path("calibration.sqlite")).modelCalibration(id).value();
        QCOMPARE(back.classes, calibration.classes);
        QCOMPARE(back.ensemble.temperature.temperature, 1.75);
        QCOMPARE(back.ensemble.temperature.nllAfter, 0.52);
        QCOMPARE(back.ensemble.conformal.threshold, 0.8125);
        QCOMPARE(back.ensemble.conformal.calibrationImages, 40);
        QCOMPARE(back.ensemble.testCoverage.covered, 28);
        QCOMPARE(back.ensemble.testCoverage.meanSetSize, 1.4);
        QCOMPARE(back.ensemble.testEceAfter, 0.05);
        QVERIFY(back.famOnly.fitted && std::isinf(back.famOnly.conformal.threshold));
        QVERIFY(!back.mlpOnly.fitted);
        QVERIFY(back.hasNovelty);
        QCOMPARE(back.novelty.k, 3);
        QCOMPARE(back.novelty.threshold, 0.125);
        QCOMPARE(back.novelty.reference.rows, std::int64_t(2));
        QCOMPARE(back.novelty.reference.cols, std::int64_t(3));
        QCOMPARE(back.novelty.reference.data, calibration.novelty.reference.data);
        QCOMPARE(back.domain.modalities, std::vector<std::string>{"photo"});
        QCOMPARE(back.domain.photometric, std::vector<std::string>{"colour"});
        QVERIFY(!back.domain.declared);
        QCOMPARE(back.trainImagesPerClass, (std::vector<int>{12, 30}));
        QCOMPARE(back.validation->balancedAccuracy, 0.75);
        QVERIFY(!back.test);
        QVERIFY(back.noBetterThanChance && back.demoBundle);
        QCOMPARE(back.createdAt, calibration.createdAt);
        QCOMPARE(back.notes, calibration.notes);

        calibration.ensemble.temperature.temperature = 0.5;
        calibration.hasNovelty = false;
        store.setModelCalibration(id, calibration);
        const auto replaced = store.modelCalibration(id).value();
        QCOMPARE(replaced.ensemble.temperature.temperature, 0.5);
        QVERIFY(!replaced.hasNovelty);
        QCOMPARE(store.database().queryInt("SELECT COUNT(*) FROM model_calibrations"), std::int64_t(1));

        // A damaged reference (not whole rows) is named, not read as something else.
        calibration.hasNovelty = true;
        store.setModelCalibration(id, calibration);
        store.database().execute("UPDATE model_calibrations SET novelty_dim = 4");
        try {
            store.modelCalibration(id);
            QFAIL("a reference of 6 values read as rows of 4");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains("calibration of model version " + QString::number(id)), error.what());
        }
        QVERIFY_THROWS_EXCEPTION(Error, store.setModelCalibration(id + 100, calibration));  // no such version
    }

    // A workspace written by the first release (schema 1) keeps its predictions and rounds.
    // Every option of the engine, each set to a value other than its default: written to a
    // model version and a local run, read back, rebuilt, written again, unchanged.
    void everyTrainingOptionRoundTrips_data() {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value");  // JSON, never the default
        QTest::newRow("use_mlp") << "use_mlp" << "false";
        QTest::newRow("use_distillation") << "use_distillation" << "false";
        QTest::newRow("adaptive_weighting") << "adaptive_weighting" << "false";
        QTest::newRow("use_masks") << "use_masks" << "false";
        QTest::newRow("prune_fam") << "prune_fam" << "false";
        QTest::newRow("mask_sparsity_weight") << "mask_sparsity_weight" << "0.125";
        QTest::newRow("fam_keep_target") << "fam_keep_target" << "0.25";
        QTest::newRow("mask_aware_aggregation") << "mask_aware_aggregation" << "false";
        QTest::newRow("mask_gradient") << "mask_gradient" << "\"reversed-window\"";
        QTest::newRow("share_thresholds") << "share_thresholds" << "false";
        QTest::newRow("reset_thresholds_each_round") << "reset_thresholds_each_round" << "true";
        QTest::newRow("entropy_on_softmax_twice") << "entropy_on_softmax_twice" << "true";
        QTest::newRow("keep_optimizer_state") << "keep_optimizer_state" << "false";
        QTest::newRow("drop_last_batch") << "drop_last_batch" << "true";
        QTest::newRow("detach_teacher") << "detach_teacher" << "false";
        QTest::newRow("normalise_fam_input") << "normalise_fam_input" << "false";
        QTest::newRow("mask_forward_cutoff") << "mask_forward_cutoff" << "0.01";
        QTest::newRow("shuffle") << "shuffle" << "false";
        QTest::newRow("fam_learning_rate") << "fam_learning_rate" << "0.003";
        QTest::newRow("mlp_learning_rate") << "mlp_learning_rate" << "0.002";
        QTest::newRow("learning_rate_decay") << "learning_rate_decay" << "0.5";
        QTest::newRow("weight_decay") << "weight_decay" << "0.125";
        QTest::newRow("batch_size") << "batch_size" << "7";
        QTest::newRow("local_epochs") << "local_epochs" << "3";
        QTest::newRow("distillation_weight") << "distillation_weight" << "0.5";
        QTest::newRow("distillation_temperature") << "distillation_temperature" << "4.5";
        QTest::newRow("mlp_hidden_size") << "mlp_hidden_size" << "48";
        QTest::newRow("minimum_keep_ratio") << "minimum_keep_ratio" << "0.2";
    }

    void everyTrainingOptionRoundTrips() {
        QFETCH(QString, key);
        QFETCH(QString, value);
        const auto defaults = nlohmann::json::parse(fedMedClipOptionsJson(FedMedClipOptions{}));
        QVERIFY2(defaults.contains(key.toStdString()), qPrintable(key + " is not written"));
        auto changed = defaults;
        changed[key.toStdString()] = nlohmann::json::parse(value.toStdString());
        QVERIFY(changed != defaults);

        auto store = SiteStore::open(path("options.sqlite"));
        TrainingRunInfo run;
        run.bundleHash = hashOf('b');
        run.classes = {"a", "b"};
        run.optionsJson = fedMedClipOptionsJson(fedMedClipOptionsFromJson(changed.dump(), "test"));
        const auto runId = store.beginTrainingRun(run);
        ModelVersion version;
        version.fileName = "options-" + key.toStdString() + ".fmcp";
        version.sha256 = hashOf('a');
        version.bytes = 1;
        version.bundleHash = hashOf('b');
        version.classes = {"a", "b"};
        version.optionsJson = run.optionsJson;
        version.source = "train-local";
        const auto versionId = store.addModelVersion(version);
        for (const auto& stored : {store.trainingRun(runId)->info.optionsJson, store.modelVersion(versionId)->optionsJson}) {
            const auto rebuilt = fedMedClipOptionsFromJson(stored, "stored");
            QCOMPARE(QString::fromStdString(nlohmann::json::parse(fedMedClipOptionsJson(rebuilt)).dump()),
                     QString::fromStdString(changed.dump()));
        }
    }

    // The rows above cover every key the options are written with.
    void everyWrittenOptionHasARoundTripRow() {
        const auto defaults = nlohmann::json::parse(fedMedClipOptionsJson(FedMedClipOptions{}));
        QCOMPARE(static_cast<int>(defaults.size()), 28);
    }

    void badOptionsAreNamed_data() {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("message");
        QTest::newRow("not JSON") << "{" << "version 9: options are not valid JSON";
        QTest::newRow("not an object") << "[1]" << "version 9: options must be a JSON object";
        QTest::newRow("unknown key") << R"({"prune_everything":true})" << "version 9: unknown option 'prune_everything'";
        QTest::newRow("boolean as text") << R"({"prune_fam":"yes"})" << "version 9: option 'prune_fam' must be true or false";
        QTest::newRow("number as text") << R"({"fam_keep_target":"half"})" << "option 'fam_keep_target' must be a finite number";
        QTest::newRow("fractional integer") << R"({"batch_size":3.5})" << "option 'batch_size' must be an integer";
        QTest::newRow("unknown gradient") << R"({"mask_gradient":"sideways"})" << "option 'mask_gradient' must be";
    }

    void badOptionsAreNamed() {
        QFETCH(QString, json);
        QFETCH(QString, message);
        try {
            fedMedClipOptionsFromJson(json.toStdString(), "version 9");
            QFAIL("bad options were accepted");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains(message), error.what());
        }
    }

    // A workspace from before every option was stored: its local runs and model versions get
    // the keys they lacked at the defaults and keep their own; a federated run's description
    // (not training options) stays as it was.
    void optionsOfAVersionFourWorkspaceAreSpelledOut() {
        const auto file = path("version-four.sqlite");
        const std::string old = R"({"use_mlp":false,"batch_size":8,"mask_sparsity_weight":0.001})";
        {
            auto db = sqlite::Database::open(file);
            std::vector<sqlite::Migration> before;
            for (const auto& migration : siteStoreMigrations())
                if (migration.version < 5) before.push_back(migration);
            sqlite::migrate(db, before);
            const auto insertRun = [&](const std::string& kind, const std::string& options) {
                db.prepare("INSERT INTO training_runs (kind, bundle_hash, classes, options, train_images, "
                           "evaluation_images, evaluation_split) VALUES (?1, 'b', '[\"a\",\"b\"]', ?2, 4, 2, 'test')")
                    .bindAll(kind, options)
                    .run();
            };
            insertRun("local", old);
            insertRun("federated", R"({"federation_id":"fed_1","share_thresholds":true})");
            int file = 0;
            for (const auto& [kind, options] : {std::pair<std::string, std::string>{"local-checkpoint", old}, {"global-fam", "{}"}})
                db.prepare("INSERT INTO model_versions (kind, file_name, sha256, bytes, bundle_hash, classes, "
                           "prompt_template, options, source) VALUES (?1, ?2, ?3, 10, 'b', '[\"a\"]', 'a {}', ?4, 'x')")
                    .bindAll(kind, "m" + std::to_string(++file) + ".fmcp", hashOf('a'), options)
                    .run();
        }
        auto store = SiteStore::open(file);
        QCOMPARE(store.schemaVersion(), siteStoreMigrations().back().version);
        const auto defaults = nlohmann::json::parse(fedMedClipOptionsJson(FedMedClipOptions{}));
        auto expectedOld = defaults;
        expectedOld["use_mlp"] = false;
        expectedOld["batch_size"] = 8;
        expectedOld["mask_sparsity_weight"] = 0.001;
        QCOMPARE(QString::fromStdString(nlohmann::json::parse(store.trainingRun(1)->info.optionsJson).dump()),
                 QString::fromStdString(expectedOld.dump()));
        QCOMPARE(QString::fromStdString(nlohmann::json::parse(store.modelVersion(1)->optionsJson).dump()),
                 QString::fromStdString(expectedOld.dump()));
        QCOMPARE(QString::fromStdString(nlohmann::json::parse(store.modelVersion(2)->optionsJson).dump()),
                 QString::fromStdString(defaults.dump()));
        QCOMPARE(store.trainingRun(2)->info.optionsJson, std::string(R"({"federation_id":"fed_1","share_thresholds":true})"));
        const auto rebuilt = fedMedClipOptionsFromJson(store.modelVersion(1)->optionsJson, "version 1");
        QVERIFY(!rebuilt.useMlp);
        QCOMPARE(rebuilt.batchSize, 8);
        QVERIFY(rebuilt.pruneFam && rebuilt.maskAwareAggregation && rebuilt.normaliseFamInput && !rebuilt.dropLastBatch);
    }

    void aVersionOneWorkspaceMigratesWithItsData() {
        const auto file = path("version-one.sqlite");
        {
            auto db = sqlite::Database::open(file);
            sqlite::migrate(db, {siteStoreMigrations().front()});
            db.execute("INSERT INTO training_runs (kind, bundle_hash, classes, options, train_images, evaluation_images, "
                    "evaluation_split) VALUES ('local', 'b', '[\"a\",\"b\"]', '{}', 4, 2, 'test')");
            db.execute("INSERT INTO training_rounds (run_id, round, loss, seconds) VALUES (1, 1, 0.5, 1)");
            db.execute("INSERT INTO import_runs (label_source) VALUES ('none')");
            db.execute("INSERT INTO images (source_path, content_hash, pixel_hash, file_kind, width, height, split, "
                       "import_run_id) VALUES ('/old/IM1', '" + hashOf('c') + "', '" + hashOf('d') +
                       "', 'dicom', 4, 4, 'train', 1)");
            db.execute("INSERT INTO model_versions (kind, file_name, sha256, bytes, bundle_hash, classes, prompt_template, "
                    "options, source) VALUES ('local-checkpoint', 'm.fmcp', '" + hashOf('a') +
                    "', 10, 'b', '[\"a\",\"b\"]', 'a {}', '{}', 'train-local')");
            db.execute("INSERT INTO predictions (source_path, content_hash, model_version_id, predicted_class, "
                    "probabilities, ensemble_entropy) VALUES ('/x.jpg', '" + hashOf('c') + "', 1, 'a', '{}', 0.1)");
        }
        auto store = SiteStore::open(file);
        QCOMPARE(store.schemaVersion(), siteStoreMigrations().back().version);
        const auto predictions = store.predictions();
        QCOMPARE(predictions.size(), size_t(1));
        QVERIFY(predictions[0].modelVersionId == std::int64_t(1));
        QCOMPARE(predictions[0].modelDescription, std::string("model version 1"));
        const auto run = store.trainingRun(1).value();
        QCOMPARE(run.rounds.size(), size_t(1));
        QVERIFY(run.rounds[0].perClassRecall.empty());
        QVERIFY(run.interruptions.empty());
        // Imported before the store kept instance numbers: none (the browser lists it last).
        QVERIFY(!store.imageBySource("/old/IM1", 0).value().instanceNumber);
        QCOMPARE(store.integrityCheck(), std::string("ok"));
        QVERIFY(store.foreignKeyViolations().empty());
    }
};

QTEST_GUILESS_MAIN(TestSiteStore)
#include "tst_sitestore.moc"
