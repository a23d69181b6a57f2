// ClassifierEngine: loads a bundle and the site state once, then classifies quickly;
// probabilities are proper distributions; the uncertainty measure is the normalised entropy.
#include "workspace/classifier_engine.h"
#include "engine/fedmedclip_site.h"
#include "engine/model_bundle.h"
#include "workspace/site_training.h"
#include "ui_test_support.h"

#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace fmc::ui;
using namespace fmc::ui::test;

class TestClassifierEngine : public QObject {
    Q_OBJECT
private slots:
    void normalizedEntropy_data();
    void normalizedEntropy();
    void untrainedModelPredictsWithTheFamOnly();
    void loadErrorsNameTheProblemAndKeepTheOldModel();
    void calibrationScalesEveryViewAndChecksTheImage();
};

void TestClassifierEngine::normalizedEntropy_data() {
    QTest::addColumn<QVector<double>>("probabilities");
    QTest::addColumn<double>("expected");
    QTest::newRow("certain") << QVector<double>{1, 0, 0} << 0.0;
    QTest::newRow("uniform") << QVector<double>{0.25, 0.25, 0.25, 0.25} << 1.0;
    QTest::newRow("two of three") << QVector<double>{0.5, 0.5, 0} << std::log(2.0) / std::log(3.0);
    QTest::newRow("one class") << QVector<double>{1} << 0.0;
}

void TestClassifierEngine::normalizedEntropy() {
    QFETCH(QVector<double>, probabilities);
    QFETCH(double, expected);
    QVERIFY(std::abs(fmc::ui::normalizedEntropy(probabilities) - expected) < 1e-12);
}

void TestClassifierEngine::untrainedModelPredictsWithTheFamOnly() {
    QTemporaryDir dir;
    ClassifierEngine engine;
    QVERIFY(!engine.isLoaded());
    QVERIFY_THROWS_EXCEPTION(fmc::Error, engine.classify(patternImage(1)));
    ClassifierConfig config;
    config.bundleDirectory = makeTinyBundle(dir.filePath(QStringLiteral("bundle")));
    config.classNames = {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("d")};
    engine.load(config);
    QVERIFY(engine.isLoaded());
    QCOMPARE(engine.loadedKey(), config.key());
    QVERIFY(engine.isDemoBundle());
    const auto result = engine.classify(patternImage(3, 120, 90));
    QCOMPARE(result.ensemble.size(), 4);
    QVERIFY(result.mlpOnly.isEmpty());
    double total = 0;
    for (int c = 0; c < 4; ++c) {
        total += result.ensemble[c];
        QCOMPARE(result.ensemble[c], result.famOnly[c]);
    }
    QVERIFY(std::abs(total - 1) < 1e-5);
    QCOMPARE(result.uncertain, result.normalizedEntropy >= kUncertainNormalizedEntropy);
    QVERIFY(result.modelVersion.isEmpty());
    QVERIFY(result.milliseconds > 0);
}

void TestClassifierEngine::loadErrorsNameTheProblemAndKeepTheOldModel() {
    QTemporaryDir dir;
    ClassifierEngine engine;
    ClassifierConfig good;
    good.bundleDirectory = makeTinyBundle(dir.filePath(QStringLiteral("bundle")));
    good.classNames = {QStringLiteral("a"), QStringLiteral("b")};
    engine.load(good);
    auto bad = good;
    bad.classNames = {QStringLiteral("only one")};
    try {
        engine.load(bad);
        QFAIL("one class was accepted");
    } catch (const fmc::Error& error) {
        QVERIFY(QString::fromUtf8(error.what()).contains(QStringLiteral("classNames")));
    }
    bad = good;
    bad.bundleDirectory = dir.filePath(QStringLiteral("missing"));
    try {
        engine.load(bad);
        QFAIL("a missing bundle was accepted");
    } catch (const fmc::Error& error) {
        QVERIFY(QString::fromUtf8(error.what()).contains(bad.bundleDirectory));
    }
    QCOMPARE(engine.loadedKey(), good.key());
}

// The same trained model with and without a calibration: each view's probabilities are the
// raw ones at that view's temperature, its set uses its threshold, the image's attributes
// and feature are checked; a model without a trained state ignores a calibration.
void TestClassifierEngine::calibrationScalesEveryViewAndChecksTheImage() {
    QTemporaryDir dir;
    ClassifierConfig config;
    config.bundleDirectory = makeTinyBundle(dir.filePath(QStringLiteral("bundle")));
    config.classNames = {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")};
    const auto bundle = fmc::ModelBundle::load(config.bundleDirectory.toStdString());
    fmc::FedMedClipSite site(classTextFeatures(bundle, config.classNames, config.promptTemplate),
                             float(bundle.manifest().logitScale), fmc::FedMedClipOptions{}, 5);
    config.siteState = site.fullState();
    config.modelVersion = QStringLiteral("3");
    ClassifierEngine raw;
    raw.load(config);

    auto calibration = std::make_shared<fmc::ModelCalibration>();
    calibration->ensemble.fitted = calibration->famOnly.fitted = calibration->mlpOnly.fitted = true;
    calibration->ensemble.temperature.temperature = 2.0;
    calibration->famOnly.temperature.temperature = 0.5;
    calibration->mlpOnly.temperature.temperature = 1.5;
    for (auto* view : {&calibration->ensemble, &calibration->famOnly, &calibration->mlpOnly}) view->conformal = {0.9, 0.6, 20};
    calibration->hasNovelty = true;
    calibration->novelty.k = 1;
    calibration->novelty.threshold = -1;  // every feature is farther than that
    calibration->novelty.reference = fmc::FloatMatrix(1, bundle.manifest().embeddingDim);
    calibration->novelty.reference.at(0, 0) = 1;
    calibration->domain.modalities = {"photo"};
    calibration->domain.photometric = {"colour"};
    calibration->noBetterThanChance = true;
    config.calibration = calibration;
    ClassifierEngine calibrated;
    calibrated.load(config);

    const auto image = patternImage(4, 100, 80);
    const auto before = raw.classify(image, {"photo", "", "colour"});
    const auto after = calibrated.classify(image, {"CT", "", "grey"});
    QVERIFY(!before.calibrated && before.ensembleSet.isEmpty() && !before.outOfDistribution);
    QVERIFY(after.calibrated);
    const auto expect = [](const QVector<double>& rawView, double temperature) {
        const auto scaled = fmc::applyTemperature(std::vector<double>(rawView.begin(), rawView.end()), temperature);
        return QVector<double>(scaled.begin(), scaled.end());
    };
    const auto close = [](const QVector<double>& a, const QVector<double>& b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); ++i)
            if (std::abs(a[i] - b[i]) > 1e-6) return false;
        return true;
    };
    QVERIFY(close(after.ensemble, expect(before.ensemble, 2.0)));
    QVERIFY(close(after.famOnly, expect(before.famOnly, 0.5)));
    QVERIFY(close(after.mlpOnly, expect(before.mlpOnly, 1.5)));
    const auto set = fmc::predictionSet(std::vector<double>(after.famOnly.begin(), after.famOnly.end()), 0.6);
    QCOMPARE(after.famOnlySet, QVector<int>(set.begin(), set.end()));
    QCOMPARE(after.mismatches.size(), size_t(2));
    QVERIFY(after.novelFeature && after.outOfDistribution && after.noBetterThanChance);
    QCOMPARE(after.calibration.get(), calibration.get());
    QCOMPARE(after.normalizedEntropy, fmc::ui::normalizedEntropy(after.ensemble));

    config.siteState.clear();
    config.modelVersion.clear();
    ClassifierEngine untrained;
    untrained.load(config);
    const auto zeroShot = untrained.classify(image, {"CT", "", "grey"});
    QVERIFY(!zeroShot.calibrated && !zeroShot.outOfDistribution && !zeroShot.calibration);
}

QTEST_GUILESS_MAIN(TestClassifierEngine)
#include "tst_classifierengine.moc"
