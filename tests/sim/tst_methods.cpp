// Every federated method trains on a small real federation and sends exactly what it says.
#include "engine/demo_bundle.h"
#include "engine/model_bundle.h"
#include "sim/federated_method.h"
#include "sim/simulator.h"

#include <QtTest>

#include <set>

using namespace fmc;

class TestMethods : public QObject {
    Q_OBJECT

    QTemporaryDir work_;
    std::string bundleDir_;
    const QString brain_ = QStringLiteral(FMC_SHARED_DATA_DIR "/brain-mri");

    MethodContext contextFor(const ModelBundle& bundle, int sites) const {
        MethodContext context;
        context.bundle = &bundle;
        context.classPrompts = {"a picture of a glioma", "a picture of a meningioma", "a picture of a notumor"};
        context.classText = bundle.encodeTexts(context.classPrompts);
        context.logitScale = 100;
        context.sites = sites;
        return context;
    }

private slots:
    void initTestCase() {
        bundleDir_ = work_.filePath("bundle").toStdString();
        createDemoBundle(bundleDir_, DemoBundleShape::Tiny, FMC_SOURCE_DIR "/resources/clip/bpe_simple_vocab_16e6.txt.gz",
                         5);
    }

    void fedmedclipSiteKeepsItsPrunedRowsOnDownload() {
        // A site that pruned rows keeps its own weights for them when the average comes back
        // (mask-aware aggregation); the rest of its FAM becomes the average.
        const auto bundle = ModelBundle::load(bundleDir_);
        auto context = contextFor(bundle, 2);
        context.settings.fedmedclip.maskSparsityWeight = 3.0;  // prune within one round
        const auto method = makeMethod("fedmedclip", context);
        SiteData data{FloatMatrix(64, context.classText.cols), {}, {}};
        for (std::int64_t i = 0; i < data.features.rows; ++i) {
            data.labels.push_back(int(i % 3));
            for (std::int64_t j = 0; j < data.features.cols; ++j)
                data.features.at(i, j) = context.classText.at(i % 3, j) + 0.01f * float((i * 31 + j * 17) % 13);
        }
        method->train(0, data);
        const auto own = method->upload(0), other = method->upload(1);
        const auto prunedRows = keptRowsOf(own);
        QVERIFY(!prunedRows.empty());
        method->download(0, other);
        const auto after = method->upload(0);
        int keptOwn = 0;
        for (const auto& [index, kept] : prunedRows) {
            const auto cols = after[index].shape[1];
            for (std::int64_t r = 0; r < std::int64_t(kept.size()); ++r) {
                const auto& source = kept[size_t(r)] ? other : own;
                for (std::int64_t j = 0; j < cols; ++j)
                    QCOMPARE(after[index].values[size_t(r * cols + j)], source[index].values[size_t(r * cols + j)]);
                keptOwn += !kept[size_t(r)];
            }
        }
        QVERIFY(keptOwn > 0);
    }

    void learnsOnRealImages_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<int>("rounds");
        QTest::addColumn<int>("imagesPerSite");
        for (const char* method : {"fedmedclip", "local", "fedclip"}) QTest::newRow(method) << method << 15 << 300;
        for (const char* method : {"fedavg", "fedprox", "moon"}) QTest::newRow(method) << method << 4 << 60;
    }

    void learnsOnRealImages() {
        QFETCH(QString, method);
        QFETCH(int, rounds);
        QFETCH(int, imagesPerSite);
        if (!QFileInfo::exists(brain_)) QSKIP("shared data absent: ../shared/data/brain-mri not found");
        SimulationConfig config;
        config.method = method.toStdString();
        config.bundleDir = bundleDir_;
        config.cacheDir = work_.filePath("cache").toStdString();
        config.layout = SimulationConfig::Layout::ClassFoldersDirichlet;
        config.dataPath = brain_.toStdString();
        config.dirichletSites = 2;
        config.dirichletAlpha = 2.0;
        config.maxImagesPerSite = imagesPerSite;
        config.rounds = rounds;
        config.seed = 4;
        // FedCLIP's published rate (5e-5) barely moves in 15 rounds; the mechanics are what is tested.
        config.fedclip.learningRate = 1e-3;
        const auto result = runSimulation(config);
        double untrained = 0;
        for (const auto& site : result.sites) untrained += site.untrained.accuracy / result.sites.size();
        const double firstLoss = result.rounds.front().meanTrainingLoss;
        const double lastLoss = result.rounds.back().meanTrainingLoss;
        qInfo("%s: loss %.3f -> %.3f, accuracy %.3f -> %.3f", qPrintable(method), firstLoss, lastLoss, untrained,
              result.meanTestAccuracy);
        QVERIFY(lastLoss < firstLoss);
        QVERIFY(result.meanTestAccuracy > untrained);
        QCOMPARE(result.method, config.method);
    }

    void zeroShotNeitherTrainsNorSends() {
        ModelBundle bundle = ModelBundle::load(bundleDir_);
        const auto method = makeMethod("zeroshot", contextFor(bundle, 2));
        QVERIFY(!method->communicates());
        QVERIFY(method->upload(0).empty());
        SiteData data;
        data.features = bundle.encodeTexts({"a", "b"});  // any D-dimensional rows will do
        data.labels = {0, 1};
        const auto before = method->predict(0, data).ensemble.data;
        QCOMPARE(method->train(0, data).steps, 0);
        QCOMPARE(method->predict(0, data).ensemble.data, before);
    }

    void whatEachMethodSends_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<bool>("communicates");
        QTest::newRow("fedmedclip") << "fedmedclip" << true;
        QTest::newRow("local") << "local" << false;
        QTest::newRow("fedclip") << "fedclip" << true;
        QTest::newRow("fedavg") << "fedavg" << true;
    }

    void whatEachMethodSends() {
        QFETCH(QString, method);
        QFETCH(bool, communicates);
        ModelBundle bundle = ModelBundle::load(bundleDir_);
        const auto context = contextFor(bundle, 2);
        const auto instance = makeMethod(method.toStdString(), context);
        QCOMPARE(instance->communicates(), communicates);
        const auto sent = instance->upload(0);
        const std::int64_t d = context.classText.cols;
        std::int64_t elements = 0;
        std::set<std::string> names;
        for (const auto& tensor : sent) {
            elements += tensor.numel();
            names.insert(tensor.name);
        }
        if (method == "fedmedclip" || method == "local") {
            // The FAM only: two masked D x D layers with bias and thresholds. Never the MLP.
            QCOMPARE(names, (std::set<std::string>{"fc1.weight", "fc1.bias", "fc1.threshold", "fc2.weight", "fc2.bias",
                                                   "fc2.threshold"}));
            QCOMPARE(elements, 2 * (d * d + 2 * d));
        } else if (method == "fedclip") {
            QCOMPARE(names, (std::set<std::string>{"fc1.weight", "fc2.weight"}));
            QCOMPARE(elements, 2 * d * d);
        } else {
            // FedAVG sends the whole CLIP: every parameter of both encoders.
            for (const auto& name : names) QVERIFY(name.rfind("image.", 0) == 0 || name.rfind("text.", 0) == 0);
            QCOMPARE(elements, ClipFinetuner(bundle, context.classPrompts, {}, 1).parameterCount());
            QVERIFY(elements > 100 * 2 * (d * d + 2 * d));
        }
    }

    void unknownMethodIsAClearError() {
        ModelBundle bundle = ModelBundle::load(bundleDir_);
        try {
            makeMethod("fedsomething", contextFor(bundle, 2));
            QFAIL("expected an error");
        } catch (const Error& error) {
            QVERIFY(QString(error.what()).contains("fedsomething"));
            QVERIFY(QString(error.what()).contains("fedmedclip"));
        }
    }
};

QTEST_GUILESS_MAIN(TestMethods)
#include "tst_methods.moc"
