// PredictionDetails: the record of a prediction's trust information that the CLI's predict
// and the desktop's Classify page both store; it round-trips, reads the records saved
// before calibration existed, and names the field of a malformed one.
#include "site/prediction_details.h"

#include <QtTest>

using namespace fmc;

class TestPredictionDetails : public QObject {
    Q_OBJECT
private slots:
    void fromACalibratedPrediction() {
        ModelCalibration calibration;
        calibration.classes = {"melanoma", "nevus", "keratosis"};
        calibration.ensemble.fitted = calibration.famOnly.fitted = true;
        calibration.ensemble.conformal.threshold = calibration.famOnly.conformal.threshold = 0.95;
        calibration.ensemble.conformal.coverage = 0.9;
        calibration.domain.modalities = {"photo"};
        ImageAttributes ct{"CT", "HEAD", kGreyPhotometric};
        const auto shown =
            calibratePrediction(&calibration, {0.6, 0.3, 0.1}, {0.2, 0.7, 0.1}, {0.7, 0.2, 0.1}, {}, ct);
        const auto details = predictionDetailsOf(calibration.classes, shown, true);
        QVERIFY(details.calibrated);
        QCOMPARE(details.predictionSet, (std::vector<std::string>{"melanoma", "nevus"}));
        QCOMPARE(details.coverage, 0.9);
        QVERIFY(details.outOfDistribution);
        QCOMPARE(details.domainMismatches, std::vector<std::string>{"modality CT, expected photo"});
        QCOMPARE(details.outOfDistributionReasons, details.domainMismatches);
        QVERIFY(!details.novelFeature);
        QVERIFY(details.branchDisagreement);
        QVERIFY(details.noBetterThanChance);
        QVERIFY(details.checksRecorded);

        const auto back = predictionDetailsFromJson(predictionDetailsToJson(details), "test");
        QCOMPARE(back.classes, details.classes);
        QCOMPARE(back.ensemble, details.ensemble);
        QCOMPARE(back.famOnly, details.famOnly);
        QCOMPARE(back.mlpOnly, details.mlpOnly);
        QCOMPARE(back.ensembleEntropy, details.ensembleEntropy);
        QCOMPARE(back.calibrated, true);
        QCOMPARE(back.predictionSet, details.predictionSet);
        QCOMPARE(back.coverage, 0.9);
        QCOMPARE(back.outOfDistribution, true);
        QCOMPARE(back.outOfDistributionReasons, details.outOfDistributionReasons);
        QCOMPARE(back.domainMismatches, details.domainMismatches);
        QCOMPARE(back.novelFeature, false);
        QVERIFY(!back.noveltyScore);
        QCOMPARE(back.branchDisagreement, true);
        QCOMPARE(back.noBetterThanChance, true);
        QVERIFY(back.checksRecorded);
    }

    // Saved before calibration existed: classes and ensemble only; nothing was checked.
    void readsTheRecordsOfOlderVersions() {
        const auto old = predictionDetailsFromJson(R"({"classes":["a","b"],"ensemble":[0.25,0.75]})", "old");
        QCOMPARE(old.ensemble, (std::vector<double>{0.25, 0.75}));
        QVERIFY(!old.calibrated);
        QVERIFY(old.predictionSet.empty());
        QVERIFY(!old.outOfDistribution);
        QVERIFY(!old.checksRecorded);
    }

    void namesTheFieldOfAMalformedRecord_data() {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("message");
        QTest::newRow("not an object") << "[1]" << "prediction 7: the stored prediction is not a JSON object";
        QTest::newRow("calibrated") << R"({"classes":["a"],"ensemble":[1],"calibrated":"yes"})"
                                    << "prediction 7: stored prediction field 'calibrated'";
        QTest::newRow("set") << R"({"classes":["a"],"ensemble":[1],"prediction_set":[1]})"
                             << "prediction 7: stored prediction field 'prediction_set'";
        QTest::newRow("sizes") << R"({"classes":["a","b"],"ensemble":[1]})"
                               << "prediction 7: stored prediction field 'ensemble': 1 probabilities for 2 classes";
    }
    void namesTheFieldOfAMalformedRecord() {
        QFETCH(QString, json);
        QFETCH(QString, message);
        try {
            predictionDetailsFromJson(json.toStdString(), "prediction 7");
            QFAIL("a malformed record was read");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).startsWith(message), error.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestPredictionDetails)
#include "tst_predictiondetails.moc"
