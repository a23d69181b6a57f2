// Site operations on a small real subset of the ISIC dermoscopy images with the tiny demo
// bundle (random weights: the numbers mean nothing, the pipeline is what is checked):
// features cached in the store, local training recorded round by round (per-class recall
// included), the best round's model kept (chosen on validation, on test only with a warning)
// and evaluated once on the test split, checkpoints written atomically, predictions stored.
#include "common/metrics.h"
#include "common/sha256.h"
#include "engine/demo_bundle.h"
#include "engine/model_bundle.h"
#include "features/bundle_inputs.h"
#include "site/site_workspace.h"

#include <QDir>
#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

using namespace fmc;

namespace {

QString isicDir() { return QStringLiteral(FMC_SHARED_DATA_DIR) + "/dermoscopy-isic9"; }
QString vocabulary() { return QStringLiteral(FMC_SOURCE_DIR) + "/resources/clip/bpe_simple_vocab_16e6.txt.gz"; }

// The first `count` images of a class folder, in name order.
std::vector<std::string> firstImages(const QString& className, int count) {
    const auto names = QDir(isicDir() + "/Train/" + className).entryList({"*.jpg"}, QDir::Files, QDir::Name);
    std::vector<std::string> paths;
    for (int i = 0; i < count && i < names.size(); ++i)
        paths.push_back((isicDir() + "/Train/" + className + "/" + names[i]).toStdString());
    return paths;
}

double sum(const std::vector<float>& values) { return std::accumulate(values.begin(), values.end(), 0.0); }

}  // namespace

class TestSiteWorkspace : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::string bundleDir_;
    int workspaces_ = 0;

    std::string newWorkspaceFolder() { return dir_.filePath("ws" + QString::number(++workspaces_)).toStdString(); }

    // Three classes, 14 images each, labelled by their folders; the hash split sends some
    // of them to the validation split and some to the test split (none to validation with a
    // validation share of 0).
    SiteWorkspace importedWorkspace(double validationShare = ImportOptions{}.validationShare) {
        auto workspace = SiteWorkspace::open(newWorkspaceFolder());
        std::vector<std::string> paths;
        for (const char* name : {"dermatofibroma", "vascular lesion", "melanoma"})
            for (auto& path : firstImages(name, 14)) paths.push_back(path);
        ImportOptions options;
        options.labelSource = LabelSource::FolderNames;
        options.validationShare = validationShare;
        const auto report = workspace.importPaths(paths, options);
        if (report.count(ImportOutcome::Imported) != 42) qWarning("%s", formatImportReport(report).c_str());
        return workspace;
    }

    // The ensemble's metrics of a stored local checkpoint on the workspace's labelled images
    // of one split, from the cached features, as predict() rebuilds the model.
    ClassificationMetrics evaluateOnSplit(SiteWorkspace& workspace, const ModelVersion& version,
                                          const FedMedClipOptions& options, Split split) {
        const auto bundle = ModelBundle::load(bundleDir_);
        ImageFilter filter;
        filter.split = split;
        filter.labelledOnly = true;
        std::vector<StoredImage> images;
        std::vector<int> labels;
        for (auto& image : workspace.store().images(filter)) {
            const auto name = workspace.store().federationClassOf(*image.label);
            const auto found = std::find(version.classes.begin(), version.classes.end(), name);
            if (found == version.classes.end()) continue;
            labels.push_back(static_cast<int>(found - version.classes.begin()));
            images.push_back(std::move(image));
        }
        FeatureExtractionSummary summary;
        const auto features = workspace.features(bundle, images, summary);
        std::vector<std::string> prompts;
        for (const auto& name : version.classes) prompts.push_back(classPrompt(version.promptTemplate, name));
        FedMedClipSite site(bundle.encodeTexts(prompts), static_cast<float>(bundle.manifest().logitScale), options, 0);
        site.setFullState(workspace.loadModelParameters(version));
        return computeMetrics(labels, site.predict(features).ensemble, static_cast<int>(version.classes.size()));
    }

    // Enough rounds that validation peaks before the last one (the kept round is then not
    // simply the last).
    static constexpr int kRoundsPastTheBest = 12;

    LocalTrainingConfig smallTraining(int rounds = 3) {
        LocalTrainingConfig config;
        config.bundleDir = bundleDir_;
        config.rounds = rounds;
        config.options.batchSize = 8;
        config.options.mlpHiddenSize = 32;
        return config;
    }

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(dir_.isValid());
        if (!QFileInfo::exists(isicDir()))
            QSKIP(qPrintable(isicDir() + " is absent (shared test data, see ../shared/README.md)"));
        bundleDir_ = dir_.filePath("bundle").toStdString();
        createDemoBundle(bundleDir_, DemoBundleShape::Tiny, vocabulary().toStdString(), 7);
    }

    void trainLocalRecordsEveryRoundAndSavesACheckpoint() {
        auto workspace = importedWorkspace();
        QCOMPARE(workspace.store().imageCount(), 42);
        std::vector<std::string> stages;
        const auto result = workspace.trainLocal(smallTraining(), [&](const LocalTrainingProgress& progress) {
            if (stages.empty() || stages.back() != progress.stage) stages.push_back(progress.stage);
        });
        QCOMPARE(stages, (std::vector<std::string>{"features", "rounds"}));
        QCOMPARE(result.classes, (std::vector<std::string>{"dermatofibroma", "melanoma", "vascular lesion"}));
        QVERIFY(result.demoBundle);
        QVERIFY2(result.evaluationImages > 0, "the hash split sent nothing to the validation split");
        QVERIFY2(result.keptModelOnTest, "the hash split sent nothing to the test split");
        QCOMPARE(result.trainImages + result.evaluationImages + int(result.keptModelOnTest->numSamples), 42);
        QCOMPARE(result.evaluationSplit, std::string("validation"));
        QVERIFY(!result.keptRoundChosenOnTestSplit);
        QCOMPARE(result.features.encoded, 42);
        QCOMPARE(result.features.fromCache, 0);

        auto& store = workspace.store();
        const auto run = store.trainingRun(result.trainingRunId).value();
        QCOMPARE(run.status, std::string("finished"));
        QCOMPARE(run.info.kind, std::string("local"));
        QCOMPARE(run.rounds.size(), size_t(3));
        for (const auto& round : run.rounds) {
            QVERIFY(std::isfinite(round.loss) && round.loss > 0);
            QVERIFY(round.accuracy && *round.accuracy >= 0 && *round.accuracy <= 1);
            QVERIFY(round.balancedAccuracy && round.macroF1);
            QVERIFY(round.seconds > 0);
        }
        QCOMPARE(store.summary().featuresPerBundle.at(run.info.bundleHash), 42);

        const auto version = store.modelVersion(result.modelVersionId).value();
        QCOMPARE(version.kind, ModelVersionKind::LocalCheckpoint);
        QCOMPARE(version.trainingRunId.value_or(0), result.trainingRunId);
        QCOMPARE(version.round.value_or(0), result.keptRound);
        QCOMPARE(version.classes, result.classes);
        const auto file = workspace.modelsFolder() + "/" + version.fileName;
        QCOMPARE(sha256FileHex(file), version.sha256);
        QCOMPARE(QDir(QString::fromStdString(workspace.modelsFolder())).entryList(QDir::Files).size(), 1);  // no temp files
        const auto parameters = workspace.loadModelParameters(version);
        QVERIFY(!parameters.empty());
        for (const auto& tensor : parameters)
            QVERIFY2(tensor.name.rfind("fam.", 0) == 0 || tensor.name.rfind("mlp.", 0) == 0, tensor.name.c_str());
        QCOMPARE(nlohmann::json::parse(version.optionsJson)["mlp_hidden_size"].get<int>(), 32);

        // A second run encodes nothing: the features come from the store.
        const auto second = workspace.trainLocal(smallTraining(1));
        QCOMPARE(second.features.fromCache, 42);
        QCOMPARE(second.features.encoded, 0);
        QCOMPARE(store.trainingRuns().size(), size_t(2));
        QCOMPARE(store.latestModelVersion(ModelVersionKind::LocalCheckpoint)->id, second.modelVersionId);
    }

    // Recall per class on the evaluation split, none for a class without evaluation images;
    // the model saved is the round with the best balanced accuracy there. Without a
    // validation split that is the test split, and the result says so.
    void trainLocalKeepsTheBestRoundAndRecordsRecallPerClass_data() {
        QTest::addColumn<double>("validationShare");
        QTest::addColumn<QString>("evaluationSplit");
        QTest::newRow("validation split") << ImportOptions{}.validationShare << "validation";
        QTest::newRow("no validation split: test") << 0.0 << "test";
    }
    void trainLocalKeepsTheBestRoundAndRecordsRecallPerClass() {
        QFETCH(double, validationShare);
        QFETCH(QString, evaluationSplit);
        auto workspace = importedWorkspace(validationShare);
        ImportOptions trainOnly;
        trainOnly.labelSource = LabelSource::FolderNames;
        trainOnly.testShare = 0;
        trainOnly.validationShare = 0;
        const auto extra = workspace.importPaths(firstImages("basal cell carcinoma", 4), trainOnly);
        QCOMPARE(extra.count(ImportOutcome::Imported), 4);
        const auto config = smallTraining(kRoundsPastTheBest);
        const auto result = workspace.trainLocal(config);
        QCOMPARE(result.classes,
                 (std::vector<std::string>{"basal cell carcinoma", "dermatofibroma", "melanoma", "vascular lesion"}));
        QCOMPARE(QString::fromStdString(result.evaluationSplit), evaluationSplit);
        QCOMPARE(result.keptRoundChosenOnTestSplit, evaluationSplit == "test");
        QCOMPARE(result.keptModelOnTest.has_value(), evaluationSplit == "validation");

        // The classes with images in the evaluation split (basal cell carcinoma: train only).
        const auto split = evaluationSplit == "test" ? Split::Test : Split::Validation;
        ImageFilter evaluated;
        evaluated.split = split;
        evaluated.labelledOnly = true;
        std::set<std::string> present;
        for (const auto& image : workspace.store().images(evaluated)) present.insert(*image.label);
        QVERIFY2(present.size() >= 2 && !present.count("basal cell carcinoma"),
                 "the hash split left too few classes to evaluate: change the images");

        int best = 0;
        double bestBalancedAccuracy = -1;
        for (const auto& round : result.rounds) {
            QCOMPARE(round.perClassRecall.size(), size_t(4));
            double sum = 0;
            for (size_t c = 0; c < 4; ++c) {
                const auto& recall = round.perClassRecall[c];
                QCOMPARE(recall.has_value(), present.count(result.classes[c]) == 1);
                if (!recall) continue;
                QVERIFY(*recall >= 0 && *recall <= 1);
                sum += *recall;
            }
            // Balanced accuracy is the mean recall over the classes present.
            QVERIFY(std::abs(sum / double(present.size()) - round.balancedAccuracy.value()) < 1e-9);
            if (*round.balancedAccuracy >= bestBalancedAccuracy) {
                bestBalancedAccuracy = *round.balancedAccuracy;
                best = round.round;
            }
        }
        QCOMPARE(result.keptRound, best);
        QVERIFY2(best < kRoundsPastTheBest && *result.rounds.back().balancedAccuracy < bestBalancedAccuracy,
                 "the last round is the best here, so keeping it proves nothing: change the round count");

        const auto stored = workspace.store().trainingRun(result.trainingRunId).value();
        QCOMPARE(QString::fromStdString(stored.info.evaluationSplit), evaluationSplit);
        QCOMPARE(stored.rounds.size(), size_t(kRoundsPastTheBest));
        for (size_t r = 0; r < stored.rounds.size(); ++r)
            QVERIFY(stored.rounds[r].perClassRecall == result.rounds[r].perClassRecall);
        const auto version = workspace.store().modelVersion(result.modelVersionId).value();
        QCOMPARE(version.round.value_or(0), best);
        const auto kept = evaluateOnSplit(workspace, version, config.options, split);
        QCOMPARE(kept.balancedAccuracy, bestBalancedAccuracy);
        const auto& keptRound = result.rounds[static_cast<size_t>(best - 1)];
        for (size_t c = 0; c < 4; ++c)
            if (keptRound.perClassRecall[c]) QCOMPARE(kept.perClassRecall[c], *keptRound.perClassRecall[c]);
    }

    // With a validation split, the kept model is evaluated once on the test split: the
    // figures equal the saved model version's on the test images, and no round records them.
    void theKeptModelIsEvaluatedOnceOnTheTestSplit() {
        auto workspace = importedWorkspace();
        const auto config = smallTraining(kRoundsPastTheBest);
        const auto result = workspace.trainLocal(config);
        QCOMPARE(result.evaluationSplit, std::string("validation"));
        QVERIFY2(result.keptRound < kRoundsPastTheBest, "the last round is kept, so its model and the kept one are the same: change "
                                       "the round count");
        QVERIFY(result.keptModelOnTest);
        const auto& test = *result.keptModelOnTest;

        ImageFilter testSplit;
        testSplit.split = Split::Test;
        testSplit.labelledOnly = true;
        const auto testImages = workspace.store().images(testSplit);
        QVERIFY2(!testImages.empty(), "the hash split sent nothing to the test split");
        QCOMPARE(test.numSamples, std::int64_t(testImages.size()));
        QCOMPARE(result.trainImages + result.evaluationImages + int(test.numSamples), 42);

        const auto version = workspace.store().modelVersion(result.modelVersionId).value();
        const auto again = evaluateOnSplit(workspace, version, config.options, Split::Test);
        QCOMPARE(again.numSamples, test.numSamples);
        QCOMPARE(test.accuracy, again.accuracy);
        QCOMPARE(test.balancedAccuracy, again.balancedAccuracy);
        QCOMPARE(test.macroF1, again.macroF1);
        QVERIFY(test.confusion == again.confusion);
        qInfo("kept round %d: validation balanced accuracy %.4f, test %.4f on %lld images", result.keptRound,
              result.rounds[size_t(result.keptRound - 1)].balancedAccuracy.value(), test.balancedAccuracy,
              static_cast<long long>(test.numSamples));

        const auto run = workspace.store().trainingRun(result.trainingRunId).value();
        QCOMPARE(run.rounds.size(), size_t(kRoundsPastTheBest));
        QCOMPARE(run.info.evaluationSplit, std::string("validation"));
        QCOMPARE(run.info.evaluationImages, result.evaluationImages);
    }

    void withoutAnEvaluationSplitTheLastRoundIsKept() {
        auto workspace = SiteWorkspace::open(newWorkspaceFolder());
        ImportOptions trainOnly;
        trainOnly.labelSource = LabelSource::FolderNames;
        trainOnly.testShare = 0;
        trainOnly.validationShare = 0;
        std::vector<std::string> paths = firstImages("melanoma", 6);
        for (auto& path : firstImages("dermatofibroma", 6)) paths.push_back(path);
        QCOMPARE(workspace.importPaths(paths, trainOnly).count(ImportOutcome::Imported), 12);
        const auto result = workspace.trainLocal(smallTraining(3));
        QCOMPARE(result.evaluationSplit, std::string());
        QVERIFY(!result.keptRoundChosenOnTestSplit);
        QVERIFY(!result.keptModelOnTest);
        for (const auto& round : result.rounds) {
            QVERIFY(!round.balancedAccuracy);
            QVERIFY(round.perClassRecall.empty());
        }
        QCOMPARE(result.keptRound, 3);
        QCOMPARE(workspace.store().modelVersion(result.modelVersionId)->round.value_or(0), 3);
    }

    void predictionsAreStoredWithEveryBranch() {
        auto workspace = importedWorkspace();
        const auto trained = workspace.trainLocal(smallTraining(2));
        const auto image = firstImages("melanoma", 1).front();
        const auto prediction = workspace.predict(image, std::nullopt, {}, "dr.test");
        QCOMPARE(prediction.modelVersionId, trained.modelVersionId);
        QCOMPARE(prediction.classes, trained.classes);
        QVERIFY(prediction.imageId);  // the file is one of the workspace's images
        for (const auto* probabilities : {&prediction.ensemble, &prediction.famOnly, &prediction.mlpOnly}) {
            QCOMPARE(probabilities->size(), size_t(3));
            QVERIFY(std::abs(sum(*probabilities) - 1.0) < 1e-4);
        }
        QVERIFY(prediction.ensembleEntropy >= 0 && prediction.ensembleEntropy <= std::log(3.0) + 1e-4);
        const auto best = std::max_element(prediction.ensemble.begin(), prediction.ensemble.end());
        QCOMPARE(prediction.predictedClass, prediction.classes[size_t(best - prediction.ensemble.begin())]);

        const auto stored = workspace.store().predictions();
        QCOMPARE(stored.size(), size_t(1));
        QCOMPARE(stored[0].id, prediction.predictionId);
        QCOMPARE(stored[0].madeBy, std::string("dr.test"));
        QCOMPARE(stored[0].predictedClass, prediction.predictedClass);
        QCOMPARE(stored[0].contentHash, sha256FileHex(image));
        const auto json = nlohmann::json::parse(stored[0].probabilitiesJson);
        QCOMPARE(json["classes"].get<std::vector<std::string>>(), prediction.classes);
        QCOMPARE(json["mlp_only"].get<std::vector<float>>(), prediction.mlpOnly);

        // A file from outside the workspace is predicted too, with no image id.
        const auto outside = (isicDir() + "/Test/melanoma/").toStdString() +
                             QDir(isicDir() + "/Test/melanoma").entryList({"*.jpg"}, QDir::Files, QDir::Name)
                                 .front()
                                 .toStdString();
        QVERIFY(!workspace.predict(outside).imageId);
    }

    void predictionRefusesAnotherBundleAndAMissingModel() {
        auto workspace = importedWorkspace();
        workspace.setBundle(bundleDir_);
        try {
            workspace.predict(firstImages("melanoma", 1).front());
            QFAIL("predicted without a model");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains("train-local"), error.what());
        }
        workspace.trainLocal(smallTraining(1));
        const auto otherBundle = dir_.filePath("other-bundle").toStdString();
        createDemoBundle(otherBundle, DemoBundleShape::Tiny, vocabulary().toStdString(), 8);
        try {
            workspace.predict(firstImages("melanoma", 1).front(), std::nullopt, otherBundle);
            QFAIL("predicted with a bundle the model was not trained with");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains("other-bundle"), error.what());
        }
        QCOMPARE(workspace.store().predictions().size(), size_t(0));
    }

    void aDamagedModelFileIsRefused() {
        auto workspace = importedWorkspace();
        const auto result = workspace.trainLocal(smallTraining(1));
        const auto version = workspace.store().modelVersion(result.modelVersionId).value();
        QFile file(QString::fromStdString(workspace.modelsFolder() + "/" + version.fileName));
        QVERIFY(file.open(QIODevice::ReadWrite));
        file.seek(100);
        file.write("XXXX");
        file.close();
        try {
            workspace.loadModelParameters(version);
            QFAIL("a damaged checkpoint was loaded");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains(QString::fromStdString(version.fileName)), error.what());
        }
    }

    void aVanishedImageIsMarkedUnreadableAndTrainingGoesOn() {
        QTemporaryDir extra;
        const auto source = firstImages("melanoma", 20).back();  // not among the 14 imported
        const QString copy = extra.filePath("melanoma/vanishing.jpg");
        QDir().mkpath(extra.filePath("melanoma"));
        QVERIFY(QFile::copy(QString::fromStdString(source), copy));

        auto workspace = importedWorkspace();
        ImportOptions options;
        options.labelSource = LabelSource::FolderNames;
        options.testShare = 0;  // keep it in the train split
        options.validationShare = 0;
        QCOMPARE(workspace.importPaths({extra.path().toStdString()}, options).count(ImportOutcome::Imported), 1);
        QVERIFY(QFile::remove(copy));

        const auto result = workspace.trainLocal(smallTraining(1));
        QCOMPARE(result.features.failed, 1);
        QVERIFY(result.features.errors.front().find("vanishing.jpg") != std::string::npos);
        QVERIFY(result.keptModelOnTest);
        QCOMPARE(result.trainImages + result.evaluationImages + int(result.keptModelOnTest->numSamples), 42);
        ImageFilter all;
        all.readableOnly = false;
        int unreadable = 0;
        for (const auto& stored : workspace.store().images(all))
            if (!stored.readable) {
                ++unreadable;
                QVERIFY(stored.error.find("vanishing.jpg") != std::string::npos);
            }
        QCOMPARE(unreadable, 1);
    }

    void classesFollowTheMappingOrTheChosenLabelSet() {
        auto workspace = importedWorkspace();
        auto& store = workspace.store();
        store.setLabelMappings({{"vascular lesion", "vascular"}, {"dermatofibroma", "benign"}});
        QCOMPARE(workspace.trainingClasses(), (std::vector<std::string>{"benign", "melanoma", "vascular"}));
        store.saveLabelSet("federation", {"melanoma", "benign"});
        store.setSetting(settings::kLabelSet, "federation");
        QCOMPARE(workspace.trainingClasses(), (std::vector<std::string>{"melanoma", "benign"}));
        const auto result = workspace.trainLocal(smallTraining(1));
        QCOMPARE(result.classes, (std::vector<std::string>{"melanoma", "benign"}));
        QVERIFY(result.keptModelOnTest);
        QCOMPARE(result.trainImages + result.evaluationImages + int(result.keptModelOnTest->numSamples), 28);
        QCOMPARE(result.notes.size(), size_t(1));  // the vascular lesions have no class
        QVERIFY(result.notes[0].find("vascular lesion") != std::string::npos);
        store.setSetting(settings::kLabelSet, "nonexistent");
        QVERIFY_THROWS_EXCEPTION(Error, workspace.trainingClasses());
    }

    void trainingWithoutABundleOrLabelsSaysWhatIsMissing() {
        auto empty = SiteWorkspace::open(newWorkspaceFolder());
        try {
            empty.trainLocal({});
            QFAIL("trained without a bundle");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains("--bundle"), error.what());
        }
        try {
            empty.trainLocal(smallTraining());
            QFAIL("trained without images");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains("at least two classes"), error.what());
        }
    }

    void importLimitsComeFromTheSettings() {
        auto workspace = SiteWorkspace::open(newWorkspaceFolder());
        QCOMPARE(workspace.imageLimits().maxPixels, ImageLimits{}.maxPixels);
        workspace.setImageLimits({1000, 50});
        QCOMPARE(workspace.imageLimits().maxFileBytes, std::uint64_t(1000));
        workspace.store().setSetting(settings::kMaxPixels, "lots");
        try {
            workspace.imageLimits();
            QFAIL("a malformed limit was accepted");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains(settings::kMaxPixels), error.what());
        }
    }

    void filesAreReplacedAtomically() {
        const auto path = dir_.filePath("atomic/model.fmcp").toStdString();
        QDir().mkpath(dir_.filePath("atomic"));
        writeFileAtomically(path, {1, 2, 3});
        writeFileAtomically(path, {4, 5});
        QFile file(QString::fromStdString(path));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), QByteArray("\x04\x05", 2));
        QCOMPARE(QDir(dir_.filePath("atomic")).entryList(QDir::Files), QStringList{"model.fmcp"});
        try {
            writeFileAtomically(dir_.filePath("no/such/folder/model.fmcp").toStdString(), {1});
            QFAIL("wrote into a missing folder");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains("no/such/folder/model.fmcp"), error.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestSiteWorkspace)
#include "tst_siteworkspace.moc"
