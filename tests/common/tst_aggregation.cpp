// Tests for FedAvg and the robust aggregators (core/common/aggregation.h).
#include "common/aggregation.h"

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

ParameterSet update(std::vector<float> w, float b) {
    return {NamedTensor{"fc1.weight", {2}, std::move(w)}, NamedTensor{"fc1.bias", {1}, {b}}};
}

// Four site updates used throughout:
//        w[0]  w[1]   b
//   A     1     2     10
//   B     3     6     20
//   C     5    -4      0
//   D   100     0    -50
std::vector<ParameterSet> abc() { return {update({1, 2}, 10), update({3, 6}, 20), update({5, -4}, 0)}; }
std::vector<ParameterSet> abcd() {
    auto u = abc();
    u.push_back(update({100, 0}, -50));
    return u;
}

// One masked layer of 3 rows x 2 columns: row r is kept iff mean |W_r| > threshold_r.
ParameterSet maskedLayer(std::vector<float> w, std::vector<float> b, std::vector<float> t) {
    return {NamedTensor{"fc1.weight", {3, 2}, std::move(w)}, NamedTensor{"fc1.bias", {3}, std::move(b)},
            NamedTensor{"fc1.threshold", {3}, std::move(t)}};
}

void compareValues(const std::vector<float>& actual, const std::vector<float>& expected, const char* what) {
    QCOMPARE(actual.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i)
        QVERIFY2(std::abs(actual[i] - expected[i]) < 1e-6f,
                 qPrintable(QString("%1[%2] = %3, expected %4").arg(what).arg(i).arg(actual[i]).arg(expected[i])));
}

}  // namespace

class TestAggregation : public QObject {
    Q_OBJECT

private slots:
    void maskAwareAverageByHand() {
        //        row 0 (score, t)    row 1          row 2
        //   A    [1, 1]  (1, 0) kept  [2,-2] (2, 3) pruned  [.5,.5] (.5, 0) kept
        //   B    [3, 3]  (3, .5) kept [4, 0] (2, 1) kept    [1,-1]  (1, 2)  pruned
        //   C    [5, 5]  (5, 10) pr.  [6, 6] (6, 0) kept    [2, 2]  (2, 2.5) pruned
        const std::vector<ParameterSet> updates{
            maskedLayer({1, 1, 2, -2, 0.5f, 0.5f}, {1, 2, 3}, {0, 3, 0}),
            maskedLayer({3, 3, 4, 0, 1, -1}, {5, 6, 7}, {0.5f, 1, 2}),
            maskedLayer({5, 5, 6, 6, 2, 2}, {0, 0, 0}, {10, 0, 2.5f})};
        // Weights 1, 1, 2 -> 1/4, 1/4, 1/2.
        // Row 0: A, B (1/2 each): [2, 2], t 0.25. Row 1: B (1/3), C (2/3): [4/3 + 4, 4], t 1/3.
        // Row 2: A alone: [.5, .5], t 0. Bias: the plain weighted mean [1.5, 2, 2.5].
        const auto global = maskAwareAverage(updates, {1, 1, 2});
        compareValues(global[0].values, {2, 2, 16.0f / 3, 4, 0.5f, 0.5f}, "weight");
        compareValues(global[1].values, {1.5f, 2, 2.5f}, "bias");
        compareValues(global[2].values, {0.25f, 1.0f / 3, 0}, "threshold");
        // Uniform weights: row 1 = ([4,0] + [6,6]) / 2, its threshold (1 + 0) / 2.
        const auto uniform = maskAwareAverage(updates);
        compareValues(uniform[0].values, {2, 2, 5, 3, 0.5f, 0.5f}, "uniform weight");
        compareValues(uniform[2].values, {0.25f, 0.5f, 0}, "uniform threshold");
        // A zero weight takes a site out of every row it kept.
        const auto withoutC = maskAwareAverage(updates, {1, 1, 0});
        compareValues(withoutC[0].values, {2, 2, 4, 0, 0.5f, 0.5f}, "weight without C");
    }

    void rowPrunedEverywhereStaysPruned() {
        // Row 2 pruned by both sites: zero weights, threshold the mean of theirs (3 and 5): 4.
        const std::vector<ParameterSet> updates{maskedLayer({1, 1, 1, 1, 1, 1}, {0, 0, 0}, {0, 0, 3}),
                                                maskedLayer({2, 2, 2, 2, 2, 2}, {0, 0, 0}, {0, 0, 5})};
        const auto global = maskAwareAverage(updates);
        compareValues(global[0].values, {1.5f, 1.5f, 1.5f, 1.5f, 0, 0}, "weight");
        compareValues(global[2].values, {0, 0, 4}, "threshold");
        // The plain average carries the pruned rows' weights along.
        const auto plain = federatedAverage(updates);
        compareValues(plain[0].values, {1.5f, 1.5f, 1.5f, 1.5f, 1.5f, 1.5f}, "plain weight");
    }

    void maskAwareAverageWithoutThresholdsIsFedAvg() {
        const auto updates = abc();
        for (const auto& weights : {std::vector<double>{}, std::vector<double>{100, 100, 200}}) {
            const auto a = maskAwareAverage(updates, weights), b = federatedAverage(updates, weights);
            QCOMPARE(a[0].values, b[0].values);
            QCOMPARE(a[1].values, b[1].values);
        }
        QVERIFY(errorOf([&] { maskAwareAverage(updates, {1, 1}); }).contains("2 weights for 3 updates"));
    }

    void federatedAverageByHand_data() {
        QTest::addColumn<std::vector<double>>("weights");
        QTest::addColumn<std::vector<float>>("w");
        QTest::addColumn<float>("b");
        // Uniform: w = ((1+3+5)/3, (2+6-4)/3) = (3, 4/3), b = 30/3 = 10.
        QTest::newRow("uniform (empty weights)") << std::vector<double>{} << std::vector<float>{3.0f, 4.0f / 3.0f} << 10.0f;
        QTest::newRow("uniform (equal weights)") << std::vector<double>{7, 7, 7} << std::vector<float>{3.0f, 4.0f / 3.0f} << 10.0f;
        // Sample counts 100, 100, 200 -> 0.25, 0.25, 0.5:
        //   w0 = 0.25 + 0.75 + 2.5 = 3.5, w1 = 0.5 + 1.5 - 2 = 0, b = 2.5 + 5 + 0 = 7.5
        QTest::newRow("sample counts") << std::vector<double>{100, 100, 200} << std::vector<float>{3.5f, 0.0f} << 7.5f;
        // A zero weight drops a site: (B + C)/2 = (4, 1), b = 10.
        QTest::newRow("zero weight") << std::vector<double>{0, 1, 1} << std::vector<float>{4.0f, 1.0f} << 10.0f;
        QTest::newRow("single site") << std::vector<double>{0, 0, 3} << std::vector<float>{5.0f, -4.0f} << 0.0f;
    }
    void federatedAverageByHand() {
        QFETCH(std::vector<double>, weights);
        QFETCH(std::vector<float>, w);
        QFETCH(float, b);
        const ParameterSet avg = federatedAverage(abc(), weights);
        QCOMPARE(avg.size(), std::size_t(2));
        QCOMPARE(avg[0].name, std::string("fc1.weight"));
        QCOMPARE(avg[0].shape, (std::vector<std::int64_t>{2}));
        QCOMPARE(avg[0].values, w);
        QCOMPARE(avg[1].values[0], b);
    }

    void coordinateMedianByHand() {
        // Odd (A, B, C): w0 median(1,3,5) = 3, w1 median(2,6,-4) = 2, b median(10,20,0) = 10.
        ParameterSet m = coordinateMedian(abc());
        QCOMPARE(m[0].values, (std::vector<float>{3.0f, 2.0f}));
        QCOMPARE(m[1].values[0], 10.0f);
        // Even (A..D): w0 sorted 1,3,5,100 -> 4; w1 -4,0,2,6 -> 1; b -50,0,10,20 -> 5.
        // The outlier D moves the median little, the mean a lot (w0 mean 27.25).
        m = coordinateMedian(abcd());
        QCOMPARE(m[0].values, (std::vector<float>{4.0f, 1.0f}));
        QCOMPARE(m[1].values[0], 5.0f);
        QCOMPARE(coordinateMedian({update({1, 2}, 3)})[0].values, (std::vector<float>{1.0f, 2.0f}));
    }

    void trimmedMeanByHand_data() {
        QTest::addColumn<int>("sites");  // 3 = A..C, 4 = A..D
        QTest::addColumn<double>("trim");
        QTest::addColumn<std::vector<float>>("w");
        QTest::addColumn<float>("b");
        // trim 0 is the plain mean of A..D: w0 (1+3+5+100)/4 = 27.25, w1 (2+6-4+0)/4 = 1, b -20/4 = -5.
        QTest::newRow("no trim") << 4 << 0.0 << std::vector<float>{27.25f, 1.0f} << -5.0f;
        // 4 sites, 0.25 -> drop 1 each end: w0 (3+5)/2 = 4, w1 (0+2)/2 = 1, b (0+10)/2 = 5.
        QTest::newRow("quarter of 4") << 4 << 0.25 << std::vector<float>{4.0f, 1.0f} << 5.0f;
        // floor(0.49 * 4) = 1: same as above.
        QTest::newRow("0.49 of 4") << 4 << 0.49 << std::vector<float>{4.0f, 1.0f} << 5.0f;
        // floor(0.2 * 4) = 0: plain mean.
        QTest::newRow("0.2 of 4 trims nothing") << 4 << 0.2 << std::vector<float>{27.25f, 1.0f} << -5.0f;
        // 3 sites, floor(0.4 * 3) = 1: the median.
        QTest::newRow("0.4 of 3") << 3 << 0.4 << std::vector<float>{3.0f, 2.0f} << 10.0f;
    }
    void trimmedMeanByHand() {
        QFETCH(int, sites);
        QFETCH(double, trim);
        QFETCH(std::vector<float>, w);
        QFETCH(float, b);
        const ParameterSet t = trimmedMean(sites == 3 ? abc() : abcd(), trim);
        QCOMPARE(t[0].values, w);
        QCOMPARE(t[1].values[0], b);
    }

    // A tensor of several thousand values (more than fit one of the sum's chunks): every value
    // is 0.25 x + 0.25 (2x) + 0.5 (-x) = 0.25 x, exact in float.
    void federatedAverageOfALargeTensorByHand() {
        constexpr int n = 5003;
        std::vector<ParameterSet> updates;
        for (const float scale : {1.0f, 2.0f, -1.0f}) {
            NamedTensor t{"fc1.weight", {n}, std::vector<float>(n)};
            for (int i = 0; i < n; ++i) t.values[size_t(i)] = scale * static_cast<float>(i);
            updates.push_back({t});
        }
        const auto average = federatedAverage(updates, {1, 1, 2});
        QCOMPARE(average[0].values.size(), size_t(n));
        for (int i = 0; i < n; ++i)
            QVERIFY2(average[0].values[size_t(i)] == 0.25f * static_cast<float>(i),
                     qPrintable(QString("value %1: %2").arg(i).arg(average[0].values[size_t(i)])));
    }

    void normsAndFiniteness() {
        QCOMPARE(l2Norm({NamedTensor{"a", {2}, {3.0f, 4.0f}}}), 5.0);
        // sqrt(1 + 4 + 4) = 3 over two tensors
        QCOMPARE(l2Norm(update({1, 2}, 2)), 3.0);
        QCOMPARE(l2Norm({}), 0.0);
        QVERIFY(allFinite(update({1, 2}, 3)));
        QVERIFY(!allFinite(update({1, std::numeric_limits<float>::quiet_NaN()}, 3)));
        QVERIFY(!allFinite(update({1, 2}, -std::numeric_limits<float>::infinity())));
        // A large FAM-sized norm accumulates in double: 262144 ones -> 512.
        QCOMPARE(l2Norm({NamedTensor{"fc1.weight", {512, 512}, std::vector<float>(512 * 512, 1.0f)}}), 512.0);
    }

    void rejectsMismatches_data() {
        QTest::addColumn<int>("which");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("no updates") << 0 << "federatedAverage: no updates to aggregate";
        QTest::newRow("tensor renamed") << 1 << "federatedAverage: update 1: tensor 1 is 'fc1.b', expected 'fc1.bias'";
        QTest::newRow("shape differs") << 2 << "federatedAverage: update 2: tensor 'fc1.weight' has shape [1,2], expected [2]";
        QTest::newRow("tensor missing") << 3 << "update 1: holds 1 tensors, expected 2";
        QTest::newRow("values vs shape") << 4 << "update 0: tensor 'fc1.weight' holds 3 values but shape [2] needs 2";
        QTest::newRow("weight count") << 5 << "2 weights for 3 updates";
        QTest::newRow("negative weight") << 6 << "weight 1 = -1.000000 must be finite and >= 0";
        QTest::newRow("zero weights") << 7 << "weights sum to zero";
        QTest::newRow("NaN update") << 8 << "update 2: tensor 'fc1.bias' value 0 is not finite";
        QTest::newRow("median mismatch") << 9 << "coordinateMedian: update 1: tensor 'fc1.weight' has shape [3]";
        QTest::newRow("trim too large") << 10 << "trimFraction 0.500000 must lie in [0, 0.5)";
        QTest::newRow("trim NaN update") << 11 << "trimmedMean: update 0: tensor 'fc1.weight' value 1 is not finite";
        QTest::newRow("NaN weight") << 12 << "weight 0 = nan must be finite";
    }
    void rejectsMismatches() {
        QFETCH(int, which);
        QFETCH(QString, fragment);
        const float nan = std::numeric_limits<float>::quiet_NaN();
        const QString msg = errorOf([&] {
            auto u = abc();
            switch (which) {
                case 0: federatedAverage({}, {}); break;
                case 1: u[1][1].name = "fc1.b"; federatedAverage(u, {}); break;
                case 2: u[2][0].shape = {1, 2}; federatedAverage(u, {}); break;
                case 3: u[1].pop_back(); federatedAverage(u, {}); break;
                case 4: u[0][0].values.push_back(1); federatedAverage(u, {}); break;
                case 5: federatedAverage(u, {1, 2}); break;
                case 6: federatedAverage(u, {1, -1, 1}); break;
                case 7: federatedAverage(u, {0, 0, 0}); break;
                case 8: u[2][1].values[0] = nan; federatedAverage(u, {}); break;
                case 9: u[1][0] = NamedTensor{"fc1.weight", {3}, {1, 2, 3}}; coordinateMedian(u); break;
                case 10: trimmedMean(u, 0.5); break;
                case 11: u[0][0].values[1] = std::numeric_limits<float>::infinity(); trimmedMean(u, 0.0); break;
                case 12: federatedAverage(u, {nan, 1, 1}); break;
            }
        });
        QVERIFY2(msg.contains(fragment), qPrintable("got: " + msg));
    }

    void checkSameLayoutAcceptsEqualLayouts() {
        QVERIFY(errorOf([] { checkSameLayout(update({1, 2}, 3), update({9, 9}, 9), "site"); }).isEmpty());
        QVERIFY(errorOf([] { checkSameLayout(update({1, 2}, 3), {}, "site 4"); }).startsWith("site 4: holds 0 tensors"));
    }
};

QTEST_GUILESS_MAIN(TestAggregation)
#include "tst_aggregation.moc"
