// The FedMedCLIP modules, losses and local training, against hand-computed values.
#include "engine/fedmedclip_modules.h"
#include "engine/fedmedclip_site.h"

#include <QtTest>

#include <cmath>
#include <random>

using namespace fmc;

namespace {

// Gaussian clusters around random class directions; text features point at the centres.
struct SyntheticTask {
    FloatMatrix text, features;
    std::vector<int> labels;
};

// With `textIsCentre` false the prompts say nothing about the clusters: only training helps.
SyntheticTask makeTask(int classes, int dim, int samples, float noise, unsigned seed, bool textIsCentre = true) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    SyntheticTask task{FloatMatrix(classes, dim), FloatMatrix(samples, dim), {}};
    for (auto& v : task.text.data) v = normal(rng);
    FloatMatrix centres = task.text;
    if (!textIsCentre)
        for (auto& v : centres.data) v = normal(rng);
    for (int i = 0; i < samples; ++i) {
        const int label = i % classes;
        task.labels.push_back(label);
        for (int j = 0; j < dim; ++j) task.features.at(i, j) = centres.at(label, j) + noise * normal(rng);
    }
    return task;
}

double accuracy(const SitePrediction& prediction, const std::vector<int>& labels) {
    const auto predicted = prediction.predictedClass();
    int correct = 0;
    for (size_t i = 0; i < labels.size(); ++i) correct += predicted[i] == labels[i];
    return double(correct) / double(labels.size());
}

}  // namespace

class TestFedMedClipSite : public QObject {
    Q_OBJECT

private slots:
    void prunedRowsStayOutOfTheForwardPass() {
        fmc::detail::MaskedLinear layer(4, 3, MaskGradient::Window, true);
        {
            torch::NoGradGuard noGrad;
            layer->threshold[1] = 10.0f;  // far above any row score: row 1 is pruned
        }
        QVERIFY(std::abs(layer->keepRatio() - 2.0 / 3.0) < 1e-6);
        const auto x = torch::randn({5, 4});
        const auto y = layer(x);
        for (int i = 0; i < 5; ++i) QCOMPARE(y[i][1].item<float>(), layer->bias[1].item<float>());
        const auto expectedRow0 = x.matmul(layer->weight[0]) + layer->bias[0];
        QVERIFY(torch::allclose(y.select(1, 0), expectedRow0));
    }

    void thresholdGradient_data() {
        QTest::addColumn<int>("gradient");
        QTest::addColumn<bool>("expectGradient");
        QTest::newRow("paper window") << int(MaskGradient::Window) << true;
        QTest::newRow("released reversed window") << int(MaskGradient::ReversedWindow) << false;
    }

    void thresholdGradient() {
        QFETCH(int, gradient);
        QFETCH(bool, expectGradient);
        fmc::detail::MaskedLinear layer(8, 4, MaskGradient(gradient), true);
        layer(torch::randn({6, 8})).pow(2).sum().backward();
        const bool moved = layer->threshold.grad().defined() && layer->threshold.grad().abs().sum().item<double>() > 0;
        QCOMPARE(moved, expectGradient);
    }

    void contrastiveLossMatchesHandComputation() {
        // logits = identity: each row's CE is log(1 + e^-1), the same in both directions.
        const auto eye = torch::eye(2);
        const double loss = fmc::detail::contrastiveLoss(eye, eye, 1.0).item<double>();
        QVERIFY(std::abs(loss - std::log(1 + std::exp(-1.0))) < 1e-6);
    }

    void distillationMatchesHandComputation() {
        // Teacher column [0, 2 ln 3] at T = 2 -> batch softmax [1/4, 3/4]; student [1/2, 1/2].
        const auto teacher = torch::tensor({0.0, 2 * std::log(3.0)}, torch::kFloat32).unsqueeze(1);
        const auto student = torch::zeros({2, 1});
        const double expected = 0.25 * std::log(0.5) + 0.75 * std::log(1.5);
        QVERIFY(std::abs(fmc::detail::classwiseDistillation(teacher, student, 2.0).item<double>() - expected) < 1e-6);
        // Two identical class columns average to the same value.
        const double twoColumns =
            fmc::detail::classwiseDistillation(teacher.repeat({1, 2}), student.repeat({1, 2}), 2.0).item<double>();
        QVERIFY(std::abs(twoColumns - expected) < 1e-6);
        // The teacher side is detached: no gradient flows into it.
        auto trainableTeacher = teacher.clone().requires_grad_(true);
        auto trainableStudent = student.clone().requires_grad_(true);
        fmc::detail::classwiseDistillation(trainableTeacher, trainableStudent, 2.0).backward();
        QVERIFY(!trainableTeacher.grad().defined());
        QVERIFY(trainableStudent.grad().abs().sum().item<double>() > 0);
    }

    void entropy_data() {
        QTest::addColumn<bool>("softmaxTwice");
        QTest::addColumn<double>("expected");
        // logits [0, ln 3] -> p = [1/4, 3/4]
        QTest::newRow("true entropy") << false << -(0.25 * std::log(0.25) + 0.75 * std::log(0.75));
        const double lse = std::log(std::exp(0.25) + std::exp(0.75));
        QTest::newRow("released softmax twice") << true << -(0.25 * (0.25 - lse) + 0.75 * (0.75 - lse));
    }

    void entropy() {
        QFETCH(bool, softmaxTwice);
        QFETCH(double, expected);
        const auto logits = torch::tensor({0.0, std::log(3.0)}, torch::kFloat32).unsqueeze(0);
        QVERIFY(std::abs(fmc::detail::entropyOfLogits(logits, softmaxTwice).item<double>() - expected) < 1e-6);
    }

    void adaptiveAlphaFavoursTheConfidentBranch() {
        // H_F = 1, H_M = 3: w_F = 1, w_M = 1/3, alpha = (1/3) / (4/3) = 1/4.
        const auto alpha = fmc::detail::adaptiveAlpha(torch::tensor({1.0f}), torch::tensor({3.0f})).item<double>();
        QVERIFY(std::abs(alpha - 0.25) < 1e-6);
    }

    void famHasThePapersParameterCount() {
        const auto task = makeTask(4, 512, 8, 0.1f, 1);
        FedMedClipSite site(task.text, 100.0f, FedMedClipOptions{}, 1);
        std::int64_t count = 0;
        for (const auto& tensor : site.famParameters()) count += tensor.numel();
        QCOMPARE(count, std::int64_t(526336));
        // The released code sends no thresholds.
        FedMedClipSite released(task.text, 100.0f, FedMedClipOptions::releasedCode(), 1);
        count = 0;
        for (const auto& tensor : released.famParameters()) count += tensor.numel();
        QCOMPARE(count, std::int64_t(526336 - 1024));
        for (const auto& tensor : site.famParameters()) QVERIFY(tensor.name.rfind("fc", 0) == 0);
    }

    void trainingLearnsAndMasksPrune() {
        const auto task = makeTask(3, 32, 300, 1.0f, 2, false);
        FedMedClipSite site(task.text, 100.0f, FedMedClipOptions{}, 3);
        const double before = accuracy(site.predict(task.features), task.labels);
        double firstLoss = 0, lastLoss = 0;
        for (int round = 0; round < 40; ++round) {
            const auto stats = site.trainRound(task.features, task.labels);
            QCOMPARE(stats.samples, 300 - 300 % 32 + (300 % 32 >= 2 ? 300 % 32 : 0));
            if (round == 0) firstLoss = stats.loss;
            lastLoss = stats.loss;
            QVERIFY(stats.alpha > 0 && stats.alpha < 1);
            if (qEnvironmentVariableIsSet("FMC_DEBUG_MASKS")) {
                QString line;
                for (const auto& t : site.fullState())
                    if (t.name.find("threshold") != std::string::npos) {
                        double sum = 0; for (float v : t.values) sum += v;
                        line += QString(" %1=%2").arg(QString::fromStdString(t.name)).arg(sum / t.values.size(), 0, 'g', 3);
                    }
                for (double r : site.keepRatios()) line += QString(" %1").arg(r);
                qInfo("%s", qPrintable(line));
            }
        }
        const double after = accuracy(site.predict(task.features), task.labels);
        qInfo("accuracy %.3f -> %.3f, loss %.3f -> %.3f", before, after, firstLoss, lastLoss);
        QVERIFY(lastLoss < firstLoss);
        QVERIFY(after > 0.9);
        QVERIFY(after > before);
        const auto ratios = site.keepRatios();
        QCOMPARE(ratios.size(), size_t(6));
        const double smallest = *std::min_element(ratios.begin(), ratios.end());
        qInfo("smallest keep ratio after 40 rounds: %.3f", smallest);
        QVERIFY(smallest < 1.0);
        QVERIFY(smallest > 0.01);
    }

    void releasedCodeMasksNeverPrune() {
        const auto task = makeTask(3, 32, 120, 1.0f, 4);
        FedMedClipSite site(task.text, 100.0f, FedMedClipOptions::releasedCode(), 5);
        for (int round = 0; round < 10; ++round) site.trainRound(task.features, task.labels);
        for (double ratio : site.keepRatios()) QCOMPARE(ratio, 1.0);
    }

    void ensembleWeightsTheLessUncertainBranch() {
        const auto task = makeTask(3, 16, 60, 0.5f, 6);
        FedMedClipSite site(task.text, 100.0f, FedMedClipOptions{}, 7);
        site.trainRound(task.features, task.labels);
        const auto p = site.predict(task.features);
        QCOMPARE(p.ensemble.rows, std::int64_t(60));
        for (std::int64_t i = 0; i < p.ensemble.rows; ++i) {
            const double hF = p.famEntropy[size_t(i)], hM = p.mlpEntropy[size_t(i)];
            const double a = hF / (hF + hM);
            double sum = 0;
            for (std::int64_t c = 0; c < 3; ++c) {
                const double expected = (1 - a) * p.famOnly.at(i, c) + a * p.mlpOnly.at(i, c);
                QVERIFY(std::abs(p.ensemble.at(i, c) - expected) < 1e-5);
                sum += p.ensemble.at(i, c);
            }
            QVERIFY(std::abs(sum - 1.0) < 1e-5);
        }
    }

    void withoutMlpPredictsFromFamOnly() {
        const auto task = makeTask(3, 16, 30, 0.5f, 8);
        FedMedClipOptions options;
        options.useMlp = false;
        FedMedClipSite site(task.text, 100.0f, options, 9);
        const auto stats = site.trainRound(task.features, task.labels);
        QCOMPARE(stats.mlpLoss, 0.0);
        const auto p = site.predict(task.features);
        QCOMPARE(p.ensemble.data, p.famOnly.data);
        QCOMPARE(p.mlpOnly.rows, std::int64_t(0));
        QCOMPARE(site.keepRatios().size(), size_t(2));
    }

    void stateRoundTripReproducesPredictions() {
        const auto task = makeTask(3, 16, 64, 0.5f, 10);
        FedMedClipSite trained(task.text, 100.0f, FedMedClipOptions{}, 11);
        trained.trainRound(task.features, task.labels);
        FedMedClipSite restored(task.text, 100.0f, FedMedClipOptions{}, 12);
        restored.setFullState(trained.fullState());
        QCOMPARE(restored.predict(task.features).ensemble.data, trained.predict(task.features).ensemble.data);

        FedMedClipSite famOnly(task.text, 100.0f, FedMedClipOptions{}, 13);
        famOnly.setFamParameters(trained.famParameters());
        QCOMPARE(famOnly.predict(task.features).famOnly.data, trained.predict(task.features).famOnly.data);
    }

    void rejectsBadInput() {
        const auto task = makeTask(3, 16, 10, 0.5f, 14);
        FedMedClipSite site(task.text, 100.0f, FedMedClipOptions{}, 15);
        auto wrongShape = site.famParameters();
        wrongShape[0].shape = {8, 16};
        QVERIFY_THROWS_EXCEPTION(Error, site.setFamParameters(wrongShape));
        auto unknown = site.famParameters();
        unknown[0].name = "mlp.fc1.weight";
        QVERIFY_THROWS_EXCEPTION(Error, site.setFamParameters(unknown));
        QVERIFY_THROWS_EXCEPTION(Error, site.trainRound(task.features, std::vector<int>(10, 3)));
        QVERIFY_THROWS_EXCEPTION(Error, site.predict(FloatMatrix(2, 8)));
    }

    void sameSeedIsDeterministic() {
        const auto task = makeTask(3, 16, 64, 0.5f, 16);
        FedMedClipSite a(task.text, 100.0f, FedMedClipOptions{}, 17);
        FedMedClipSite b(task.text, 100.0f, FedMedClipOptions{}, 17);
        QCOMPARE(a.trainRound(task.features, task.labels).loss, b.trainRound(task.features, task.labels).loss);
        QCOMPARE(a.famParameters()[0].values, b.famParameters()[0].values);
    }
};

QTEST_GUILESS_MAIN(TestFedMedClipSite)
#include "tst_fedmedclipsite.moc"
