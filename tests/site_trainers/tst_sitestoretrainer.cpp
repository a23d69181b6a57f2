// SiteStoreTrainer on a workspace of real ISIC dermoscopy images imported with labels, with
// the tiny demo bundle (random weights: the numbers mean nothing, the data flow is what is
// checked): labels mapped to the task's classes, splits as the store gives them, features
// cached in the store, what a round uploads and what stays on the site, restarts, refusals.
#include "engine/demo_bundle.h"
#include "protocol/protocol.h"
#include "site_trainers/site_store_trainer.h"
#include "site/site_workspace.h"

#include <QDir>
#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>

using namespace fmc;
using namespace fmc::federation;

namespace {

QString isicDir() { return QStringLiteral(FMC_SHARED_DATA_DIR) + "/dermoscopy-isic9"; }
QString vocabulary() { return QStringLiteral(FMC_SOURCE_DIR) + "/resources/clip/bpe_simple_vocab_16e6.txt.gz"; }

// Images `from`..`from + count` of a class folder, in name order.
QStringList imagesOf(const QString& className, int from, int count) {
    const auto names = QDir(isicDir() + "/Train/" + className).entryList({"*.jpg"}, QDir::Files, QDir::Name);
    QStringList paths;
    for (int i = from; i < from + count && i < names.size(); ++i)
        paths << isicDir() + "/Train/" + className + "/" + names[i];
    return paths;
}

}  // namespace

class TestSiteStoreTrainer : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::string bundleDir_;
    BundleManifest manifest_;
    int workspaces_ = 0;
    std::vector<std::string> logged_;

    struct Row {
        QString path, label, split;
    };

    // A workspace with `rows` imported through a labels CSV, as 'fedmedclip-cli import
    // --labels-from csv:FILE' does.
    SiteWorkspace workspaceWith(const std::vector<Row>& rows, const std::map<std::string, std::string>& mappings = {}) {
        const auto folder = dir_.filePath("ws" + QString::number(++workspaces_));
        auto workspace = SiteWorkspace::open(folder.toStdString());
        const auto csvPath = folder + "/labels.csv";
        QFile csv(csvPath);
        if (!csv.open(QIODevice::WriteOnly)) throw Error("cannot write " + csvPath.toStdString());
        csv.write("path,label,split\n");
        std::vector<std::string> paths;
        for (const auto& row : rows) {
            csv.write(("\"" + row.path + "\"," + row.label + "," + row.split + "\n").toUtf8());
            paths.push_back(row.path.toStdString());
        }
        csv.close();
        ImportOptions options;
        options.labelSource = LabelSource::Csv;
        options.csvPath = csvPath.toStdString();
        const auto report = workspace.importPaths(paths, options);
        if (report.count(ImportOutcome::Imported) != static_cast<int>(rows.size()))
            throw Error("import: " + formatImportReport(report, true));
        workspace.store().setLabelMappings(mappings);
        return workspace;
    }

    // Every other image of each class in the validation split.
    static void addRows(std::vector<Row>& rows, const QString& className, const QString& label, int from, int count,
                        bool withValidation = true) {
        int i = 0;
        for (const auto& path : imagesOf(className, from, count))
            rows.push_back({path, label, withValidation && i++ % 2 ? "validation" : "train"});
    }

    FederationTask task(const std::vector<std::string>& classes) const {
        FederationTask task;
        task.federationId = "fed_test";
        task.settings.name = "test";
        task.settings.classNames = classes;
        task.settings.bundleName = manifest_.name;
        task.settings.bundleHash = manifest_.bundleHash;
        task.settings.embeddingDim = manifest_.embeddingDim;
        return task;
    }

    SiteTrainingConfig config(const std::string& checkpoint = {}) {
        SiteTrainingConfig config;
        config.bundleDir = bundleDir_;
        config.checkpointPath = checkpoint;
        config.options.batchSize = 8;
        config.options.mlpHiddenSize = 32;
        config.log = [this](const std::string& line) { logged_.push_back(line); };
        return config;
    }

    bool loggedLine(const std::string& text) const {
        return std::any_of(logged_.begin(), logged_.end(),
                           [&](const std::string& line) { return line.find(text) != std::string::npos; });
    }

    QString log() const {
        QString text;
        for (const auto& line : logged_) text += QString::fromStdString(line) + '\n';
        return text;
    }

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(dir_.isValid());
        if (!QFileInfo::exists(isicDir()))
            QSKIP(qPrintable(isicDir() + " is absent (shared test data, see ../shared/README.md)"));
        bundleDir_ = dir_.filePath("bundle").toStdString();
        manifest_ = createDemoBundle(bundleDir_, DemoBundleShape::Tiny, vocabulary().toStdString(), 3);
    }

    void init() { logged_.clear(); }

    void trainsOnTheImportedImagesOfTheTaskClasses() {
        std::vector<Row> rows;
        addRows(rows, "melanoma", "melanoma", 0, 8);
        addRows(rows, "dermatofibroma", "dermatofibroma", 0, 6);
        addRows(rows, "vascular lesion", "vasc", 0, 6);      // a local name, mapped below
        addRows(rows, "nevus", "unsure", 0, 3, false);       // no federation class of that name
        addRows(rows, "basal cell carcinoma", "basal cell carcinoma", 0, 3, false);  // not in the task
        auto workspace = workspaceWith(rows, {{"vasc", "vascular lesion"}});
        const auto checkpoint = dir_.filePath("local-model.fmcp").toStdString();
        const auto classes = std::vector<std::string>{"melanoma", "nevus", "dermatofibroma", "vascular lesion"};

        SiteStoreTrainer trainer(workspace, config(checkpoint));
        trainer.prepare(task(classes));
        QVERIFY2(loggedLine("class 'melanoma': 4 train, 4 validation, 0 test images"), qPrintable(log()));
        QVERIFY2(loggedLine("class 'vascular lesion': 3 train, 3 validation"), qPrintable(log()));
        QVERIFY2(loggedLine("class 'nevus': 0 train, 0 validation"), qPrintable(log()));
        QVERIFY2(loggedLine("label 'unsure' (3 images) maps to none of the federation's classes: left out"),
                 qPrintable(log()));
        QVERIFY2(loggedLine("label 'basal cell carcinoma' (3 images)"), qPrintable(log()));
        QVERIFY2(loggedLine("20 encoded"), qPrintable(log()));
        QCOMPARE(workspace.store().summary().featuresPerBundle.at(manifest_.bundleHash), 20);
        QCOMPARE(QString::fromStdString(workspace.bundleDir().value_or("")),
                 QDir(QString::fromStdString(bundleDir_)).absolutePath());

        const auto result = trainer.trainRound(1, trainer.initialFam(1));
        QCOMPARE(result.sampleCount, std::int64_t(10));
        const auto& allowed = allowedMetricNames();
        for (const auto& [name, value] : result.metrics)
            QVERIFY2(std::find(allowed.begin(), allowed.end(), name) != allowed.end(), name.c_str());
        QCOMPARE(result.metrics.at("validation_samples"), 10.0);
        QCOMPARE(result.evaluation.split, std::string("validation"));
        QCOMPARE(result.evaluation.perClassRecall.size(), size_t(4));
        QVERIFY(!result.evaluation.perClassRecall[1]);  // no nevus to evaluate
        double sum = 0;
        for (size_t c : {0, 2, 3}) {
            QVERIFY(result.evaluation.perClassRecall[c]);
            sum += *result.evaluation.perClassRecall[c];
        }
        QVERIFY(std::abs(sum / 3 - result.metrics.at("validation_balanced_accuracy")) < 1e-9);
        QVERIFY(QFileInfo::exists(QString::fromStdString(checkpoint)));
        // Every round's model is calibrated on the validation split (logged, not uploaded).
        QVERIFY2(loggedLine("round 1: temperature "), qPrintable(log()));
        QVERIFY(!result.metrics.count("temperature"));

        // The final model becomes a model version with its calibration and model card.
        trainer.finish(result.fam);
        const auto version = workspace.store().latestModelVersion(ModelVersionKind::LocalCheckpoint).value();
        const auto calibration = workspace.store().modelCalibration(version.id).value();
        QVERIFY(calibration.ensemble.fitted && calibration.famOnly.fitted && calibration.mlpOnly.fitted);
        QCOMPARE(calibration.ensemble.conformal.calibrationImages, 10);
        QVERIFY(calibration.ensemble.temperature.nllAfter <= calibration.ensemble.temperature.nllBefore);
        QVERIFY(calibration.hasNovelty);
        QCOMPARE(calibration.novelty.reference.rows, std::int64_t(10));
        QCOMPARE(calibration.trainImagesPerClass, (std::vector<int>{4, 0, 3, 3}));
        QCOMPARE(calibration.domain.modalities, std::vector<std::string>{"photo"});
        QCOMPARE(calibration.bundleHash, manifest_.bundleHash);
        QVERIFY(calibration.demoBundle);
        QVERIFY2(loggedLine("calibrated on 10 validation images: temperature"), qPrintable(log()));

        // Restarted: the features come from the store, the private model from the checkpoint.
        logged_.clear();
        SiteStoreTrainer restarted(workspace, config(checkpoint));
        restarted.prepare(task(classes));
        QVERIFY2(loggedLine("20 features from the workspace's cache, 0 encoded"), qPrintable(log()));
        QVERIFY2(loggedLine("resumed the local model from " + checkpoint), qPrintable(log()));
    }

    void evaluatesOnTheTestSplitWithoutAValidationSplit() {
        std::vector<Row> rows;
        addRows(rows, "melanoma", "melanoma", 0, 4, false);
        addRows(rows, "dermatofibroma", "dermatofibroma", 0, 4, false);
        rows.push_back({imagesOf("melanoma", 4, 1).front(), "melanoma", "test"});
        rows.push_back({imagesOf("dermatofibroma", 4, 1).front(), "dermatofibroma", "test"});
        auto workspace = workspaceWith(rows);
        SiteStoreTrainer trainer(workspace, config());
        trainer.prepare(task({"melanoma", "dermatofibroma"}));
        QVERIFY2(loggedLine("no validation split: each round is evaluated on the test split"), qPrintable(log()));
        const auto result = trainer.trainRound(1, trainer.initialFam(1));
        QCOMPARE(result.sampleCount, std::int64_t(8));
        QCOMPARE(result.evaluation.split, std::string("test"));
        QCOMPARE(result.metrics.at("validation_samples"), 2.0);
        // Calibrating on the test split would spoil it: nothing is fitted, and the log says why.
        trainer.finish(result.fam);
        const auto version = workspace.store().latestModelVersion(ModelVersionKind::LocalCheckpoint).value();
        QVERIFY(!workspace.store().modelCalibration(version.id).value().ensemble.fitted);
        QVERIFY2(loggedLine("no validation images: probabilities are not calibrated"), qPrintable(log()));
    }

    void anUnreadableImageIsMarkedAndLeftOut() {
        QTemporaryDir extra;
        const QString copy = extra.filePath("vanishing.jpg");
        QVERIFY(QFile::copy(imagesOf("melanoma", 10, 1).front(), copy));
        std::vector<Row> rows;
        addRows(rows, "melanoma", "melanoma", 0, 4, false);
        addRows(rows, "dermatofibroma", "dermatofibroma", 0, 4, false);
        rows.push_back({copy, "melanoma", "train"});
        auto workspace = workspaceWith(rows);
        QVERIFY(QFile::remove(copy));
        SiteStoreTrainer trainer(workspace, config());
        trainer.prepare(task({"melanoma", "dermatofibroma"}));
        QVERIFY2(loggedLine("vanishing.jpg"), qPrintable(log()));
        QVERIFY2(loggedLine("1 images unreadable"), qPrintable(log()));
        QCOMPARE(trainer.trainRound(1, trainer.initialFam(1)).sampleCount, std::int64_t(8));
        ImageFilter all;
        all.readableOnly = false;
        int unreadable = 0;
        for (const auto& image : workspace.store().images(all)) unreadable += image.readable ? 0 : 1;
        QCOMPARE(unreadable, 1);
    }

    void refusesAnotherBundle() {
        std::vector<Row> rows;
        addRows(rows, "melanoma", "melanoma", 0, 2, false);
        auto workspace = workspaceWith(rows);
        const auto otherBundle = dir_.filePath("other-bundle").toStdString();
        const auto other = createDemoBundle(otherBundle, DemoBundleShape::Tiny, vocabulary().toStdString(), 4);
        auto settings = config();
        settings.bundleDir = otherBundle;
        SiteStoreTrainer trainer(workspace, settings);
        try {
            trainer.prepare(task({"melanoma", "nevus"}));
            QFAIL("trained with a bundle that is not the federation's");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains(QString::fromStdString(other.bundleHash)), error.what());
            QVERIFY2(QString(error.what()).contains("install the federation's bundle"), error.what());
        }
        QVERIFY(!workspace.bundleDir());  // not remembered
    }

    void refusesWithoutTrainingImagesOfTheTaskClasses() {
        std::vector<Row> rows;
        addRows(rows, "melanoma", "mel", 0, 3, false);  // never mapped
        rows.push_back({imagesOf("nevus", 0, 1).front(), "nevus", "test"});  // a task class, but not for training
        auto workspace = workspaceWith(rows);
        SiteStoreTrainer trainer(workspace, config());
        try {
            trainer.prepare(task({"melanoma", "nevus"}));
            QFAIL("prepared without training images");
        } catch (const Error& error) {
            const QString message = error.what();
            QVERIFY2(message.contains("no labelled images of the federation's classes ('melanoma', 'nevus') in the "
                                      "train split"),
                     error.what());
            QVERIFY2(message.contains("'mel'") && message.contains("--map"), error.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestSiteStoreTrainer)
#include "tst_sitestoretrainer.moc"
