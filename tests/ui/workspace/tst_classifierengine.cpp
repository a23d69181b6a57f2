// ClassifierEngine: loads a bundle and the site state once, then classifies quickly;
// probabilities are proper distributions; the uncertainty measure is the normalised entropy.
#include "workspace/classifier_engine.h"
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

QTEST_GUILESS_MAIN(TestClassifierEngine)
#include "tst_classifierengine.moc"
