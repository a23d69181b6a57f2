// End-to-end simulated federations on real images: learning must happen.
#include "engine/demo_bundle.h"
#include "imaging/image_loader.h"
#include "sim/simulator.h"

#include <QtTest>

#include "shared_data.h"

#include <filesystem>
#include <fstream>

using namespace fmc;

class TestSimulator : public QObject {
    Q_OBJECT

    QTemporaryDir work_;
    std::string bundleDir_;
    const QString data_ = QStringLiteral(FMC_SHARED_DATA_DIR);

    SimulationConfig baseConfig() const {
        SimulationConfig config;
        config.bundleDir = bundleDir_;
        config.cacheDir = work_.filePath("cache").toStdString();
        config.rounds = 15;
        config.seed = 3;
        return config;
    }

    static void expectLearning(const SimulationResult& result, int classes) {
        const double chance = 1.0 / classes;
        double untrained = 0;
        for (const auto& site : result.sites) untrained += site.untrained.accuracy / result.sites.size();
        qInfo("mean test accuracy %.3f (untrained %.3f, chance %.3f), balanced %.3f", result.meanTestAccuracy,
              untrained, chance, result.meanTestBalancedAccuracy);
        QVERIFY(result.meanTestAccuracy > 2 * chance);
        QVERIFY(result.meanTestAccuracy > untrained + 0.15);
        QVERIFY(result.meanTestBalancedAccuracy > 1.5 * chance);
    }

private slots:
    void initTestCase() {
        QVERIFY(work_.isValid());
        bundleDir_ = work_.filePath("bundle").toStdString();
        createDemoBundle(bundleDir_, DemoBundleShape::Tiny,
                         FMC_SOURCE_DIR "/resources/clip/bpe_simple_vocab_16e6.txt.gz", 11);
    }

    void dermoscopyNaturalCentres() {
        FMC_REQUIRE_SHARED_DATA(data_ + "/" + "dermoscopy-isic9/sites.csv");
        auto config = baseConfig();
        config.layout = SimulationConfig::Layout::Csv;
        config.dataPath = (data_ + "/dermoscopy-isic9/sites.csv").toStdString();
        config.csvColumns = {"path", "label", "center"};
        config.sites = {"HAM_rosendahl", "HAM_vidir_modern", "HAM_vidir_molemax"};
        config.heldOutSite = "<unknown>";
        config.maxImagesPerSite = 300;
        const auto result = runSimulation(config);
        QCOMPARE(result.sites.size(), size_t(3));
        QVERIFY(result.hasHeldOut);
        QVERIFY(result.heldOut.testImages > 0);
        // Melanoma and seborrheic keratosis exist only in the centre-less archive images, and
        // the archive has byte-identical copies.
        int classNotes = 0, duplicateNotes = 0;
        for (const auto& note : result.notes) {
            classNotes += note.find("has no images at any training site") != std::string::npos;
            duplicateNotes += note.find("duplicate") != std::string::npos;
        }
        QCOMPARE(classNotes, 2);
        QCOMPARE(duplicateNotes, 1);
        QCOMPARE(int(result.classNames.size()), 7);
        QCOMPARE(int(result.rounds.size()), config.rounds);
        QVERIFY(result.bestRound >= 1);
        for (const auto& round : result.rounds) QVERIFY(round.uploadBytesPerSite > 0);
        expectLearning(result, 7);
    }

    void brainMriDirichletSplit() {
        FMC_REQUIRE_SHARED_DATA(data_ + "/" + "brain-mri");
        auto config = baseConfig();
        config.layout = SimulationConfig::Layout::ClassFoldersDirichlet;
        config.dataPath = (data_ + "/brain-mri").toStdString();
        config.dirichletSites = 3;
        config.dirichletAlpha = 1.0;
        config.maxImagesPerSite = 300;
        const auto result = runSimulation(config);
        QCOMPARE(result.sites.size(), size_t(3));
        QCOMPARE(result.classNames, (std::vector<std::string>{"glioma", "meningioma", "notumor", "pituitary"}));
        expectLearning(result, 4);
        // The second run of the same data is served from the feature cache.
        config.rounds = 1;
        const auto again = runSimulation(config);
        QCOMPARE(again.imagesEncoded, 0);
        QVERIFY(again.imagesFromCache > 0);
    }

    void sameSeedSameResult() {
        FMC_REQUIRE_SHARED_DATA(data_ + "/" + "brain-mri");
        auto config = baseConfig();
        config.layout = SimulationConfig::Layout::ClassFoldersDirichlet;
        config.dataPath = (data_ + "/brain-mri").toStdString();
        config.maxImagesPerSite = 60;
        config.rounds = 3;
        const auto a = runSimulation(config);
        const auto b = runSimulation(config);
        QCOMPARE(a.meanTestAccuracy, b.meanTestAccuracy);
        QCOMPARE(a.rounds.back().meanTrainingLoss, b.rounds.back().meanTrainingLoss);
    }

    SimulationConfig brainConfig(int imagesPerSite, int rounds) const {
        auto config = baseConfig();
        config.layout = SimulationConfig::Layout::ClassFoldersDirichlet;
        config.dataPath = (data_ + "/brain-mri").toStdString();
        config.maxImagesPerSite = imagesPerSite;
        config.rounds = rounds;
        return config;
    }

    void maskAwareCodecLeavesTrainingUnchanged() {
        // With mask-aware aggregation a pruned row is ignored wherever it travels, so leaving it
        // out (mask-fp16-zlib) trains exactly as sending it (fp16-zlib), in fewer bytes.
        FMC_REQUIRE_SHARED_DATA(data_ + "/" + "brain-mri");
        auto config = brainConfig(80, 6);
        config.options.maskSparsityWeight = 0.5;  // prune within a few rounds
        const auto fp16 = runSimulation(config);
        config.codec = CodecKind::MaskAwareFp16Zlib;
        const auto mask = runSimulation(config);
        QCOMPARE(mask.meanTestAccuracy, fp16.meanTestAccuracy);
        for (size_t r = 0; r < fp16.rounds.size(); ++r) {
            QCOMPARE(mask.rounds[r].meanTrainingLoss, fp16.rounds[r].meanTrainingLoss);
            QCOMPARE(mask.rounds[r].famKeepRatios, fp16.rounds[r].famKeepRatios);
        }
        const auto& last = mask.rounds.back();
        qInfo("FAM keep %.3f / %.3f, upload %zu bytes (mask) vs %zu (fp16)", last.famKeepRatios[0],
              last.famKeepRatios[1], last.uploadBytesPerSite, fp16.rounds.back().uploadBytesPerSite);
        QVERIFY(last.famKeepRatios[0] < 1.0 && last.famKeepRatios[1] < 1.0);
        QVERIFY(last.uploadBytesPerSite < fp16.rounds.back().uploadBytesPerSite);
        // Every codec's size of site 1's upload is recorded each round, the run's own codec included.
        for (const auto& [codec, bytes] : last.uploadBytesByCodec)
            if (codec == "mask-fp16-zlib") QVERIFY(bytes <= last.uploadBytesPerSite);
        QCOMPARE(last.uploadBytesByCodec.size(), size_t(5));  // the delta codec against the round's global too
        const auto table = formatResultTable(mask);
        QVERIFY(table.find("FAM keep ratios at the best round") != std::string::npos);
        QVERIFY(table.find("mask-fp16-zlib") != std::string::npos);
    }

    void lossyCodecsAggregateTheDecodedUploads() {
        // Round 1 trains from the same initial FAM under every codec; from round 2 on a site
        // trains from the global built from decoded uploads, so a lossy codec's loss shows.
        FMC_REQUIRE_SHARED_DATA(data_ + "/" + "brain-mri");
        auto config = brainConfig(60, 3);
        config.codec = CodecKind::Fp32Raw;
        const auto fp32 = runSimulation(config);
        config.codec = CodecKind::MaskAwareInt8DeltaZlib;
        const auto delta = runSimulation(config);
        QCOMPARE(delta.codec, std::string("mask-int8-delta-zlib"));
        QCOMPARE(delta.rounds[0].meanTrainingLoss, fp32.rounds[0].meanTrainingLoss);
        QVERIFY(delta.rounds[1].meanTrainingLoss != fp32.rounds[1].meanTrainingLoss);
        for (const auto& round : delta.rounds) {
            QVERIFY(round.uploadBytesAllSites >= round.uploadBytesPerSite);
            QVERIFY(round.uploadBytesPerSite < fp32.rounds[0].uploadBytesPerSite / 3);
        }
        qInfo("delta upload %zu bytes (largest site, round 3) vs fp32 %zu", delta.rounds[2].uploadBytesPerSite,
              fp32.rounds[2].uploadBytesPerSite);
    }

    void deltaErrorFeedbackStartsWithTheSecondUpload() {
        // The first upload has no residual: with feedback the run matches the same coarse step
        // without it, bytes included, until round 2's uploads carry round 1's error; round 2
        // still trains from the same global, round 3 no longer does.
        FMC_REQUIRE_SHARED_DATA(data_ + "/" + "brain-mri");
        auto config = brainConfig(60, 3);
        config.codec = CodecKind::MaskAwareInt8DeltaZlib;
        config.deltaStepPerRms = kDeltaStepPerRms;
        const auto plain = runSimulation(config);
        config.deltaErrorFeedback = true;
        config.deltaStepPerRms = -1;  // the switch's own step
        const auto fed = runSimulation(config);
        QCOMPARE(plain.deltaErrorFeedback, std::optional<bool>(false));
        QCOMPARE(fed.deltaErrorFeedback, std::optional<bool>(true));
        QCOMPARE(fed.deltaStepPerRms, kDeltaStepPerRms);
        QCOMPARE(fed.rounds[0].uploadBytesAllSites, plain.rounds[0].uploadBytesAllSites);
        QCOMPARE(fed.rounds[1].meanTrainingLoss, plain.rounds[1].meanTrainingLoss);
        QVERIFY(fed.rounds[1].uploadBytesAllSites != plain.rounds[1].uploadBytesAllSites);
        QVERIFY(fed.rounds[2].meanTrainingLoss != plain.rounds[2].meanTrainingLoss);
    }

    // A byte budget bounds every upload of every round: the near-lossless uploads are about
    // twice the budget, so each site coarsens its step (reported per round).
    void deltaBudgetBoundsEveryUpload() {
        FMC_REQUIRE_SHARED_DATA(data_ + "/" + "brain-mri");
        auto config = brainConfig(60, 3);
        config.codec = CodecKind::MaskAwareInt8DeltaZlib;
        const auto plain = runSimulation(config);
        std::size_t smallest = plain.rounds[0].uploadBytesPerSite;
        for (const auto& round : plain.rounds) smallest = std::min(smallest, round.uploadBytesPerSite);
        config.deltaBudgetBytes = smallest / 2;
        const auto budgeted = runSimulation(config);
        QCOMPARE(budgeted.deltaBudgetBytes, smallest / 2);
        for (const auto& round : budgeted.rounds) {
            QVERIFY2(round.uploadBytesPerSite <= smallest / 2, qPrintable(QString::number(round.uploadBytesPerSite)));
            QVERIFY(round.largestDeltaStepPerRms > 0);
        }
        for (const auto& round : plain.rounds) QCOMPARE(round.largestDeltaStepPerRms, 0.0);
    }

    void bestValidationRoundIsRestored() {
        // The kept model is the one after the best validation round: a run stopped at that
        // round tests exactly the same.
        FMC_REQUIRE_SHARED_DATA(data_ + "/" + "brain-mri");
        for (std::uint64_t seed : {3, 4, 5, 6, 7}) {
            auto config = brainConfig(60, 8);
            config.seed = seed;
            config.options.famLearningRate = 5e-3;  // noisy validation, so the best round is not the last
            const auto full = runSimulation(config);
            double bestValidation = -1;
            for (const auto& round : full.rounds) bestValidation = std::max(bestValidation, round.meanValidationAccuracy);
            QCOMPARE(full.rounds[size_t(full.bestRound - 1)].meanValidationAccuracy, bestValidation);
            if (full.bestRound == config.rounds) continue;
            config.rounds = full.bestRound;
            const auto stopped = runSimulation(config);
            QCOMPARE(full.meanTestAccuracy, stopped.meanTestAccuracy);
            for (size_t s = 0; s < full.sites.size(); ++s)
                QCOMPARE(full.sites[s].test.confusion, stopped.sites[s].test.confusion);
            return;
        }
        QFAIL("every seed had its best validation in the last round");
    }

    void aggregationWeightsAreTheSampleCounts() {
        // Sites of 40 and 8 images: the sample-count average differs from the uniform one, so
        // the second round starts from a different FAM.
        const QString root = work_.filePath("unequal-sites");
        for (const auto& [site, count] : {std::pair<const char*, int>{"big", 20}, {"small", 4}})
            for (const char* label : {"dark", "light"}) {
                const QString dir = root + "/" + site + "/" + label;
                QDir().mkpath(dir);
                for (int i = 0; i < count; ++i) {
                    std::vector<std::uint8_t> pixels(16 * 16 * 3);
                    for (size_t p = 0; p < pixels.size(); ++p)
                        pixels[p] = std::uint8_t((label[0] == 'd' ? 30 : 200) + (p * 7 + i * 13 + site[0]) % 40);
                    saveImageFile((dir + QString("/%1.png").arg(i)).toStdString(), RgbImage{16, 16, pixels});
                }
            }
        auto config = baseConfig();
        config.dataPath = root.toStdString();
        config.rounds = 2;
        const auto weighted = runSimulation(config);
        config.sampleWeightedAggregation = false;
        const auto uniform = runSimulation(config);
        QCOMPARE(weighted.rounds[0].meanTrainingLoss, uniform.rounds[0].meanTrainingLoss);
        QVERIFY(weighted.rounds[1].meanTrainingLoss != uniform.rounds[1].meanTrainingLoss);
    }

    void unreadableFilesAreListedNotFatal() {
        // Two sites, two classes of generated images, plus a corrupt JPEG and a text file.
        const QString root = work_.filePath("broken-sites");
        for (const char* site : {"a", "b"})
            for (const char* label : {"dark", "light"}) {
                const QString dir = root + "/" + site + "/" + label;
                QDir().mkpath(dir);
                for (int i = 0; i < 12; ++i) {
                    const int shift = site[0] == 'a' ? 0 : 20;  // no byte-identical copies across sites
                    RgbImage image{32, 32, std::vector<std::uint8_t>(32 * 32 * 3,
                                                                     std::uint8_t(label[0] == 'd' ? 20 + i + shift : 220 - i - shift))};
                    saveImageFile((dir + QString("/%1.png").arg(i)).toStdString(), image);
                }
            }
        std::ofstream(root.toStdString() + "/a/dark/corrupt.jpg") << "\xff\xd8\xff not really a jpeg";
        std::ofstream(root.toStdString() + "/a/light/notes.txt") << "not an image";
        auto config = baseConfig();
        config.dataPath = root.toStdString();
        config.rounds = 2;
        const auto result = runSimulation(config);
        QCOMPARE(result.skippedFiles.size(), size_t(2));
        bool corruptListed = false;
        for (const auto& line : result.skippedFiles) corruptListed |= line.find("corrupt.jpg") != std::string::npos;
        QVERIFY(corruptListed);
        QCOMPARE(result.sites.size(), size_t(2));
    }

    void emptyClassOrSiteIsAClearError_data() {
        QTest::addColumn<QString>("layoutProblem");
        QTest::addColumn<QString>("expectedMessage");
        QTest::newRow("empty class") << "empty-class" << "class 'empty' has no images";
        QTest::newRow("unknown site") << "missing-site" << "site 'nowhere' has no images";
    }

    void emptyClassOrSiteIsAClearError() {
        QFETCH(QString, layoutProblem);
        QFETCH(QString, expectedMessage);
        const QString root = work_.filePath(layoutProblem);
        for (const char* label : {"full", "other"}) {
            QDir().mkpath(root + "/s1/" + label);
            for (int i = 0; i < 4; ++i)
                saveImageFile((root + "/s1/" + label + QString("/%1.png").arg(i)).toStdString(),
                              RgbImage{8, 8, std::vector<std::uint8_t>(8 * 8 * 3, std::uint8_t(40 * i))});
        }
        auto config = baseConfig();
        config.dataPath = root.toStdString();
        if (layoutProblem == "empty-class") QDir().mkpath(root + "/s1/empty");
        else config.sites = {"s1", "nowhere"};
        try {
            runSimulation(config);
            QFAIL("expected an error");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains(expectedMessage), error.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestSimulator)
#include "tst_simulator.moc"
