// Tests for classification metrics (core/common/metrics.h) against hand-computed values.
#include "common/metrics.h"

#include <QtTest>

#include <cmath>
#include <functional>
#include <limits>

using namespace fmc;

namespace {

QString errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const fmc::Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

FloatMatrix matrix(const std::vector<std::vector<float>>& rows) {
    FloatMatrix m(static_cast<std::int64_t>(rows.size()), rows.empty() ? 0 : static_cast<std::int64_t>(rows[0].size()));
    for (std::size_t r = 0; r < rows.size(); ++r)
        for (std::size_t c = 0; c < rows[r].size(); ++c) m.at(std::int64_t(r), std::int64_t(c)) = rows[r][c];
    return m;
}

bool near(double a, double b, double tol = 1e-9) { return std::fabs(a - b) <= tol; }

#define QNEAR(actual, expected, tol)                                                                          \
    QVERIFY2(near((actual), (expected), (tol)),                                                              \
             qPrintable(QString("%1 = %2, expected %3").arg(#actual).arg((actual), 0, 'g', 12).arg((expected), 0, 'g', 12)))

using Confusion = std::vector<std::vector<std::int64_t>>;

}  // namespace

class TestMetrics : public QObject {
    Q_OBJECT

private slots:
    // 3 classes, 10 samples.
    //   truth     = 0 0 0 0 1 1 1 2 2 2
    //   predicted = 0 0 1 2 1 1 0 2 2 1
    // Confusion (rows = true, cols = predicted):
    //   t0: [2 1 1]   support 4
    //   t1: [1 2 0]   support 3
    //   t2: [0 1 2]   support 3
    //   predicted counts (column sums): 3 4 3
    // accuracy  = (2+2+2)/10 = 0.6
    // recall    = 2/4, 2/3, 2/3      -> balanced accuracy = macro recall = (1/2+2/3+2/3)/3 = 11/18
    // precision = 2/3, 2/4, 2/3      -> macro precision = 11/18
    // F1        = 2PR/(P+R): c0 = (2*2/3*1/2)/(7/6) = 4/7, c1 = 4/7, c2 = 2/3
    // macro F1  = (4/7 + 4/7 + 2/3)/3 = 38/63
    void threeClassByHand() {
        const std::vector<int> truth = {0, 0, 0, 0, 1, 1, 1, 2, 2, 2};
        const std::vector<int> pred = {0, 0, 1, 2, 1, 1, 0, 2, 2, 1};
        const ClassificationMetrics m = computeMetrics(truth, pred, 3);
        QCOMPARE(m.numClasses, 3);
        QCOMPARE(m.numSamples, std::int64_t(10));
        QCOMPARE(m.confusion, (Confusion{{2, 1, 1}, {1, 2, 0}, {0, 1, 2}}));
        QCOMPARE(m.support, (std::vector<std::int64_t>{4, 3, 3}));
        QCOMPARE(m.predictedCount, (std::vector<std::int64_t>{3, 4, 3}));
        QNEAR(m.accuracy, 0.6, 1e-12);
        QNEAR(m.balancedAccuracy, 11.0 / 18.0, 1e-12);
        QNEAR(m.macroRecall, 11.0 / 18.0, 1e-12);
        QNEAR(m.macroPrecision, 11.0 / 18.0, 1e-12);
        QNEAR(m.macroF1, 38.0 / 63.0, 1e-12);
        QNEAR(m.perClassRecall[0], 0.5, 1e-12);
        QNEAR(m.perClassRecall[1], 2.0 / 3.0, 1e-12);
        QNEAR(m.perClassRecall[2], 2.0 / 3.0, 1e-12);
        QNEAR(m.perClassPrecision[1], 0.5, 1e-12);
        QNEAR(m.perClassF1[0], 4.0 / 7.0, 1e-12);
        QNEAR(m.perClassF1[2], 2.0 / 3.0, 1e-12);
        QVERIFY(!m.hasProbabilities);
        QVERIFY(std::isnan(m.expectedCalibrationError));
        QVERIFY(std::isnan(m.negativeLogLikelihood));
    }

    // The documented class-set choice. 4 classes, class 2 predicted but never true, class 3
    // in neither.
    //   truth = 0 0 1 1, predicted = 0 2 1 1
    //   confusion t0: [1 0 1 0], t1: [0 2 0 0], t2, t3: zero rows
    //   recall    c0 = 1/2, c1 = 1, c2 = 0/0 := 0, c3 = 0/0 := 0
    //   precision c0 = 1/1, c1 = 2/2, c2 = 0/1 = 0, c3 = 0/0 := 0
    //   F1        c0 = 2/3, c1 = 1, c2 = 0, c3 = 0
    //   balanced accuracy over truth classes {0,1}      = (1/2 + 1)/2     = 0.75
    //   macro P/R/F1 over truth-or-predicted {0,1,2}:  P = (1+1+0)/3 = 2/3,
    //                                                  R = (1/2+1+0)/3 = 1/2,
    //                                                  F1 = (2/3+1+0)/3 = 5/9
    //   (class 3 is skipped; averaging over all 4 would give P 1/2, R 3/8, F1 5/12.)
    void absentClassesFollowDocumentedChoice() {
        const ClassificationMetrics m = computeMetrics({0, 0, 1, 1}, std::vector<int>{0, 2, 1, 1}, 4);
        QCOMPARE(m.confusion, (Confusion{{1, 0, 1, 0}, {0, 2, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}}));
        QNEAR(m.accuracy, 0.75, 1e-12);
        QNEAR(m.balancedAccuracy, 0.75, 1e-12);
        QNEAR(m.macroPrecision, 2.0 / 3.0, 1e-12);
        QNEAR(m.macroRecall, 0.5, 1e-12);
        QNEAR(m.macroF1, 5.0 / 9.0, 1e-12);
        QCOMPARE(m.perClassRecall, (std::vector<double>{0.5, 1.0, 0.0, 0.0}));
        QCOMPARE(m.perClassPrecision, (std::vector<double>{1.0, 1.0, 0.0, 0.0}));
        QCOMPARE(m.support[2], std::int64_t(0));
        QCOMPARE(m.predictedCount[2], std::int64_t(1));
        // Recall of a class with no sample in the truth is unknown, not 0.
        const std::vector<std::optional<double>> present{0.5, 1.0, std::nullopt, std::nullopt};
        QVERIFY(recallOfPresentClasses(m) == present);
    }

    void perfectAndAllWrong_data() {
        QTest::addColumn<std::vector<int>>("truth");
        QTest::addColumn<std::vector<int>>("pred");
        QTest::addColumn<double>("accuracy");
        QTest::addColumn<double>("balanced");
        QTest::addColumn<double>("macroF1");
        QTest::newRow("perfect") << std::vector<int>{0, 1, 1, 2} << std::vector<int>{0, 1, 1, 2} << 1.0 << 1.0 << 1.0;
        QTest::newRow("all wrong") << std::vector<int>{0, 1, 2} << std::vector<int>{1, 2, 0} << 0.0 << 0.0 << 0.0;
        // Imbalanced: 9 x class 0, 1 x class 1, always predicts 0.
        // accuracy 0.9, balanced (1 + 0)/2 = 0.5; F1 c0 = 2*0.9*1/1.9 = 18/19, c1 = 0 -> 9/19
        QTest::newRow("majority") << std::vector<int>{0, 0, 0, 0, 0, 0, 0, 0, 0, 1}
                                  << std::vector<int>(10, 0) << 0.9 << 0.5 << 9.0 / 19.0;
    }
    void perfectAndAllWrong() {
        QFETCH(std::vector<int>, truth);
        QFETCH(std::vector<int>, pred);
        QFETCH(double, accuracy);
        QFETCH(double, balanced);
        QFETCH(double, macroF1);
        const ClassificationMetrics m = computeMetrics(truth, pred, 3);
        QNEAR(m.accuracy, accuracy, 1e-12);
        QNEAR(m.balancedAccuracy, balanced, 1e-12);
        QNEAR(m.macroF1, macroF1, 1e-12);
    }

    // 3 classes, 4 samples, 15 bins of width 1/15 = 0.0667:
    //   A [0.61 0.39 0   ] truth 0: pred 0, correct, conf 0.61 -> bin (0.6000, 0.6667]
    //   B [0.35 0.65 0   ] truth 0: pred 1, wrong,   conf 0.65 -> bin (0.6000, 0.6667]
    //   C [0.95 0.05 0   ] truth 0: pred 0, correct, conf 0.95 -> bin (0.9333, 1]
    //   E [0.5  0.3  0.2 ] truth 2: pred 0, wrong,   conf 0.50 -> bin (0.4667, 0.5333]
    // ECE = 2/4*|1/2 - 0.63| + 1/4*|1 - 0.95| + 1/4*|0 - 0.5| = 0.065 + 0.0125 + 0.125 = 0.2025
    // NLL = -(ln 0.61 + ln 0.35 + ln 0.95 + ln 0.2)/4
    //     = (0.494296 + 1.049822 + 0.051293 + 1.609438)/4 = 0.801212
    // accuracy 2/4; confusion t0: [2 1 0], t2: [1 0 0]
    void probabilitiesByHand() {
        const FloatMatrix p = matrix({{0.61f, 0.39f, 0.0f}, {0.35f, 0.65f, 0.0f}, {0.95f, 0.05f, 0.0f}, {0.5f, 0.3f, 0.2f}});
        const std::vector<int> truth = {0, 0, 0, 2};
        const ClassificationMetrics m = computeMetrics(truth, p, 3);
        QVERIFY(m.hasProbabilities);
        QCOMPARE(m.confusion, (Confusion{{2, 1, 0}, {0, 0, 0}, {1, 0, 0}}));
        QNEAR(m.accuracy, 0.5, 1e-12);
        QNEAR(m.expectedCalibrationError, 0.2025, 1e-6);
        QNEAR(m.negativeLogLikelihood, 0.801212, 1e-5);
        QNEAR(expectedCalibrationError(truth, p), 0.2025, 1e-6);
        QCOMPARE(argmaxPredictions(p), (std::vector<int>{0, 1, 0, 0}));
    }

    // Bin edges are upper-inclusive: with 2 bins, confidence 0.5 falls in (0, 0.5].
    //   [0.5 0.5] truth 0: pred 0 (first max), correct, conf 0.5 -> bin 0: |1 - 0.5| = 0.5
    //   [0.75 0.25] truth 1: wrong, conf 0.75 -> bin 1: |0 - 0.75| = 0.75
    //   ECE = (0.5 + 0.75)/2 = 0.625 (0.125 if 0.5 were put in the upper bin)
    // With 15 bins, confidence exactly 0.6 = 9/15 belongs to (8/15, 9/15] alone.
    void eceBinEdges() {
        const FloatMatrix p = matrix({{0.5f, 0.5f}, {0.75f, 0.25f}});
        QNEAR(expectedCalibrationError({0, 1}, p, 2), 0.625, 1e-9);
        // conf 0.6 correct and conf 0.61 wrong: separate bins -> (|1-0.6| + |0-0.61|)/2 = 0.505;
        // were 0.6 binned with 0.61 it would be |0.5 - 0.605| = 0.105.
        const FloatMatrix q = matrix({{0.6f, 0.4f}, {0.61f, 0.39f}});
        QNEAR(expectedCalibrationError({0, 1}, q), 0.505, 1e-6);
        // Perfectly confident and right: 0.
        QNEAR(expectedCalibrationError({1}, matrix({{0.0f, 1.0f}})), 0.0, 1e-12);
    }

    void nllFloorsZeroProbability() {
        const ClassificationMetrics m = computeMetrics({1}, matrix({{1.0f, 0.0f}}), 2);
        QNEAR(m.negativeLogLikelihood, -std::log(1e-12), 1e-9);  // 27.631
        QNEAR(m.expectedCalibrationError, 1.0, 1e-12);
    }

    void rejectsBadInput_data() {
        QTest::addColumn<int>("which");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("size mismatch") << 0 << "predicted has 2 labels but truth has 3";
        QTest::newRow("label too big") << 1 << "truth[1] = 3 is outside [0, 3)";
        QTest::newRow("negative prediction") << 2 << "predicted[0] = -1 is outside [0, 3)";
        QTest::newRow("empty") << 3 << "truth is empty";
        QTest::newRow("no classes") << 4 << "numClasses must be at least 1";
        QTest::newRow("prob rows") << 5 << "probabilities has 1 rows but truth has 2";
        QTest::newRow("prob cols") << 6 << "probabilities has 2 columns but numClasses is 3";
        QTest::newRow("prob NaN") << 7 << "probabilities(0, 1) = nan is not a probability";
        QTest::newRow("prob sum") << 8 << "probabilities row 0 sums to 0.9";
        QTest::newRow("prob negative") << 9 << "probabilities(0, 0) = -0.1";
        QTest::newRow("data vs shape") << 10 << "holds 5 values, not rows x cols = 2 x 3";
    }
    void rejectsBadInput() {
        QFETCH(int, which);
        QFETCH(QString, fragment);
        const float nan = std::numeric_limits<float>::quiet_NaN();
        const QString msg = errorOf([&] {
            switch (which) {
                case 0: computeMetrics({0, 1, 2}, std::vector<int>{0, 1}, 3); break;
                case 1: computeMetrics({0, 3}, std::vector<int>{0, 1}, 3); break;
                case 2: computeMetrics({0, 1}, std::vector<int>{-1, 1}, 3); break;
                case 3: computeMetrics({}, std::vector<int>{}, 3); break;
                case 4: computeMetrics({0}, std::vector<int>{0}, 0); break;
                case 5: computeMetrics({0, 1}, matrix({{0.2f, 0.3f, 0.5f}}), 3); break;
                case 6: computeMetrics({0}, matrix({{0.5f, 0.5f}}), 3); break;
                case 7: computeMetrics({0}, matrix({{0.5f, nan, 0.5f}}), 3); break;
                case 8: computeMetrics({0}, matrix({{0.5f, 0.2f, 0.2f}}), 3); break;
                case 9: computeMetrics({0}, matrix({{-0.1f, 0.6f, 0.5f}}), 3); break;
                case 10: {
                    FloatMatrix m(2, 3);
                    m.data.pop_back();
                    computeMetrics({0, 1}, m, 3);
                    break;
                }
            }
        });
        QVERIFY2(msg.contains(fragment), qPrintable("got: " + msg));
        QVERIFY(msg.startsWith("computeMetrics:"));
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
