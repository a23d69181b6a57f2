// The FedMedCLIP modules, losses and local training, against hand-computed values.
#include "engine/cpu_kernels.h"
#include "engine/cpu_products.h"
#include "engine/fedmedclip_modules.h"
#include "engine/fedmedclip_site.h"
#include "engine/fedmedclip_step.h"

#include <QtTest>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <random>

using namespace fmc;

namespace {

// Where the site-level cases train and predict: "cpu", or what --device gives
// (tools/gpu-check.sh runs them with --device cuda). The module-level cases stay on the CPU.
std::string& testDevice() {
    static std::string device = "cpu";
    return device;
}

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

// Sets one tensor of a site's full state (e.g. "fam.fc1.threshold") through setFullState.
void setStateTensor(FedMedClipSite& site, const std::string& name, const std::function<void(std::vector<float>&)>& edit) {
    auto state = site.fullState();
    for (auto& tensor : state)
        if (tensor.name == name) edit(tensor.values);
    site.setFullState(state);
}

std::vector<float> stateTensor(const FedMedClipSite& site, const std::string& name) {
    for (const auto& tensor : site.fullState())
        if (tensor.name == name) return tensor.values;
    return {};
}

double meanAbs(const std::vector<float>& values) {
    double sum = 0;
    for (float v : values) sum += std::abs(v);
    return sum / values.size();
}

// Options under which nothing but the pruning schedule changes the FAM.
FedMedClipOptions frozenWeights() {
    FedMedClipOptions o;
    o.famLearningRate = 0;
    o.mlpLearningRate = 0;
    o.weightDecay = 0;
    return o;
}

}  // namespace

class TestFedMedClipSite : public QObject {
    Q_OBJECT

private slots:
    void handDerivedStepMatchesAutograd_data() {
        // Each variant with the step's own products and with BLAS's; a small layout (every tile
        // partial) and a wider one (full and partial tiles, a batch over one 32-row chunk).
        QTest::addColumn<QString>("variant");
        QTest::addColumn<bool>("ownProducts");
        QTest::addColumn<int>("dim");
        QTest::addColumn<int>("hidden");
        QTest::addColumn<int>("batch");
        for (const char* variant : {"method", "released code", "no masks", "no distillation", "fixed alpha", "no MLP"})
            for (bool own : {true, false})
                QTest::addRow("%s, %s products", variant, own ? "own" : "BLAS") << QString(variant) << own << 16 << 12 << 7;
        for (bool own : {true, false})
            for (const char* variant : {"method", "no masks"})
                QTest::addRow("%s, %s products, wide", variant, own ? "own" : "BLAS") << QString(variant) << own << 70 << 41 << 35;
    }

    void handDerivedStepMatchesAutograd() {
        // The CPU training step's hand-derived forward and backward against autograd through
        // batchLoss, on one random batch with random weights, thresholds spread over every
        // branch of the mask and its surrogate (pruned, 2 - 4|x|, 0.4, outside the window) and
        // random batch-norm affine parameters: loss terms, every gradient, running statistics.
        QFETCH(QString, variant);
        QFETCH(bool, ownProducts);
        QFETCH(int, dim);
        QFETCH(int, hidden);
        QFETCH(int, batch);
        if (ownProducts && !fmc::detail::ownProductsAvailable())
            QSKIP("this CPU has no AVX-512F (or FMC_CPU_PRODUCTS=blas): the step uses BLAS's products only");
        FedMedClipOptions o = variant == "released code" ? FedMedClipOptions::releasedCode() : FedMedClipOptions{};
        o.useMasks = variant != "no masks";
        o.useDistillation = variant != "no distillation";
        o.adaptiveWeighting = variant != "fixed alpha" && o.adaptiveWeighting;
        o.useMlp = variant != "no MLP";
        o.batchSize = batch + 1;
        constexpr int classes = 3;
        torch::manual_seed(41);
        fmc::detail::FeatureAdapter fam(dim, o.maskGradient, o.useMasks, o.maskForwardCutoff);
        fmc::detail::MaskedMlp mlp(dim, hidden, classes, o.maskGradient, o.useMasks, o.maskForwardCutoff);
        {
            torch::NoGradGuard noGrad;
            for (auto& item : fam->named_parameters())
                if (item.key().find("threshold") != std::string::npos) item.value().uniform_(-0.9, 0.3);
            for (auto& item : mlp->named_parameters()) {
                if (item.key().find("threshold") != std::string::npos) item.value().uniform_(-0.9, 0.3);
                if (item.key().rfind("bn", 0) == 0) item.value().uniform_(0.5, 1.5);
            }
        }
        const auto classText = torch::nn::functional::normalize(torch::randn({classes, dim}),
                                                                torch::nn::functional::NormalizeFuncOptions().dim(1));
        const auto input = fmc::detail::famInput(3 * torch::randn({batch, dim}), o);
        std::vector<std::int64_t> labels{0, 1, 2, 0, 2, 1, 1};
        for (int i = 7; i < batch; ++i) labels.push_back(i * 7 % classes);
        const double logitScale = 30;  // softmaxes neither saturated nor flat

        auto parameters = fam->named_parameters();
        for (auto& item : mlp->named_parameters()) parameters.insert("mlp." + item.key(), item.value());
        std::vector<std::pair<std::string, torch::Tensor>> buffers;
        for (auto& item : mlp->named_buffers()) buffers.emplace_back(item.key(), item.value().clone());

        const auto reference = fmc::detail::batchLoss(fam, mlp, input, torch::tensor(labels, torch::kLong), classText,
                                                      logitScale, o);
        reference.total.backward();
        std::map<std::string, torch::Tensor> expectedGradients, expectedBuffers;
        for (auto& item : parameters)
            if (item.value().grad().defined()) {
                expectedGradients[item.key()] = item.value().grad().clone();
                item.value().mutable_grad().reset();
            }
        for (auto& [name, before] : buffers) {
            torch::NoGradGuard noGrad;
            auto* live = mlp->named_buffers().find(name);
            expectedBuffers[name] = live->clone();
            live->copy_(before);
        }

        fmc::detail::CpuTrainingStep step(fam, mlp, classText, logitScale, o,
                                          ownProducts ? fmc::detail::StepProducts::Automatic
                                                      : fmc::detail::StepProducts::Blas);
        const auto loss = step.run(input.contiguous(), labels.data());
        // Float32 on both sides, different order of summation: agreement to 5e-6 relative to
        // each tensor's largest entry (float's epsilon is 1.2e-7). The order depends on the BLAS
        // kernels the CPU gets: on an AMD EPYC (OpenBLAS's Zen path) a threshold gradient's sum of
        // cancelling terms differs by 2.06e-6 of its largest entry; a wrong term differs by far more.
        constexpr double tolerance = 5e-6;
        auto close = [&](double expected, double actual, const QString& what) {
            QVERIFY2(std::abs(expected - actual) <= tolerance * std::max(1.0, std::abs(expected)),
                     qPrintable(QString("%1: autograd %2, hand-derived %3").arg(what).arg(expected, 0, 'g', 9).arg(actual, 0, 'g', 9)));
        };
        close(reference.total.item<double>(), loss.total, "total");
        close(reference.contrastive.item<double>(), loss.contrastive, "contrastive");
        close(reference.alpha, loss.alpha, "alpha");
        if (o.useMlp) close(reference.mlp.item<double>(), loss.mlp, "mlp");
        if (o.useMlp && o.useDistillation) {
            close(reference.mlpTeaches.item<double>(), loss.mlpTeaches, "mlpTeaches");
            close(reference.famTeaches.item<double>(), loss.famTeaches, "famTeaches");
        }
        QVERIFY(!expectedGradients.empty());
        for (auto& item : parameters) {
            const bool expected = expectedGradients.count(item.key()) > 0;
            QCOMPARE(item.value().grad().defined(), expected);
            if (!expected) continue;
            const auto& want = expectedGradients[item.key()];
            // A bias in front of batch norm has gradient sum_i dL/dx_i = 0 (the norm removes the
            // batch mean): both sides are rounding noise of the cancellation, only bounded here.
            const auto& name = item.key();
            if (name == "mlp.fc1.bias" || name == "mlp.fc2.bias" || name == "mlp.fc3.bias") {
                QVERIFY2(item.value().grad().abs().max().item<double>() < 1e-5, name.c_str());
                continue;
            }
            // Entries of nearly-zero tensors (thresholds outside the window) are compared at an absolute 2e-8.
            const double scale = std::max(want.abs().max().item<double>(), 1e-2);
            const double worst = (item.value().grad() - want).abs().max().item<double>();
            QVERIFY2(worst <= tolerance * scale, qPrintable(QString("gradient of %1: differs by %2 (largest entry %3)")
                                                                .arg(QString::fromStdString(item.key())).arg(worst).arg(scale)));
        }
        for (auto& item : mlp->named_buffers()) {
            const auto& want = expectedBuffers[item.key()];
            const double worst = (item.value().to(torch::kDouble) - want.to(torch::kDouble)).abs().max().item<double>();
            QVERIFY2(worst <= tolerance * std::max(1.0, want.abs().max().item<double>()),
                     qPrintable(QString("buffer %1 differs by %2").arg(QString::fromStdString(item.key())).arg(worst)));
        }
    }

    void transposeMatchesTorch_data() {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        // Blocks of 16 x 16: one entry, partial, whole, whole and partial, a layer's batch side.
        QTest::newRow("one entry") << 1 << 1;
        QTest::newRow("partial block") << 5 << 13;
        QTest::newRow("whole block") << 16 << 16;
        QTest::newRow("whole and partial") << 33 << 70;
        QTest::newRow("batch x layer") << 32 << 512;
    }

    void transposeMatchesTorch() {
        QFETCH(int, rows);
        QFETCH(int, cols);
        torch::manual_seed(rows * 100 + cols);
        // Rows 3 floats longer than the matrix on both sides: the strides are honoured and the
        // floats between the rows stay untouched.
        const auto source = torch::randn({rows, cols + 3});
        auto destination = torch::full({cols, rows + 3}, 99.0f);
        fmc::detail::transpose(source.data_ptr<float>(), rows, cols, cols + 3, destination.data_ptr<float>(), rows + 3);
        QVERIFY(destination.narrow(1, 0, rows).equal(source.narrow(1, 0, cols).t()));
        QVERIFY(destination.narrow(1, rows, 3).eq(99.0f).all().item<bool>());
    }

    void ownProductsMatchDoublePrecision_data() {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::addColumn<int>("batch");
        // Tiles of 8 rows x 32 columns and 32-row batch chunks: whole, partial and several of each.
        QTest::newRow("one entry") << 1 << 1 << 1;
        QTest::newRow("partial tiles") << 5 << 13 << 7;
        QTest::newRow("whole tiles") << 16 << 64 << 32;
        QTest::newRow("whole and partial") << 43 << 70 << 33;
        QTest::newRow("batch of 20") << 11 << 47 << 20;
        QTest::newRow("batch of 65") << 9 << 33 << 65;
    }

    void ownProductsMatchDoublePrecision() {
        // The step's three products against torch's in double precision, with pruned rows (their
        // (g m) columns 0, left out of the kept list), zero weights (no sign term) and a zero scale.
        if (!fmc::detail::ownProductsAvailable())
            QSKIP("this CPU has no AVX-512F (or FMC_CPU_PRODUCTS=blas): the step uses BLAS's products only");
        QFETCH(int, rows);
        QFETCH(int, cols);
        QFETCH(int, batch);
        torch::manual_seed(rows * 1000 + cols * 10 + batch);
        auto w = torch::randn({rows, cols});
        w.masked_fill_(torch::rand({rows, cols}) < 0.1, 0.0);
        const auto x = torch::randn({batch, cols});
        const auto kept = (torch::rand({rows}) < 0.7).to(torch::kFloat);
        const auto k = torch::randn({batch, rows}) * kept;
        auto scale = torch::randn({rows});
        scale[0] = 0.0f;
        std::vector<std::int64_t> keptRows;
        for (int r = 0; r < rows; ++r)
            if (kept[r].item<float>() != 0) keptRows.push_back(r);
        auto worst = [](const torch::Tensor& actual, const torch::Tensor& expected) {
            return (actual.to(torch::kDouble) - expected).abs().max().item<double>() /
                   std::max(1.0, expected.abs().max().item<double>());
        };
        const auto wd = w.to(torch::kDouble), xd = x.to(torch::kDouble), kd = k.to(torch::kDouble);

        std::vector<float> packed(static_cast<size_t>(fmc::detail::packedBatchSize(batch, cols)));
        fmc::detail::packBatchColumns(x.data_ptr<float>(), batch, cols, packed.data());
        // Each output has one row more, which must stay untouched.
        auto untouched = [](const torch::Tensor& t) { return t[t.size(0) - 1].eq(99.0f).all().item<bool>(); };
        auto productAndGuard = torch::full({rows + 1, batch}, 99.0f);
        auto product = productAndGuard.narrow(0, 0, rows);
        // In two row ranges, as threads split it.
        fmc::detail::productWeightInput(w.data_ptr<float>(), cols, packed.data(), batch, product.data_ptr<float>(), 0, rows / 2);
        fmc::detail::productWeightInput(w.data_ptr<float>(), cols, packed.data(), batch, product.data_ptr<float>(), rows / 2, rows);
        QVERIFY2(worst(product, wd.mm(xd.t())) < 1e-6, "w x^T");
        QVERIFY(untouched(productAndGuard));

        auto gradInputAndGuard = torch::full({batch + 1, cols}, 99.0f);
        auto gradInput = gradInputAndGuard.narrow(0, 0, batch);
        fmc::detail::productInputGradient(k.data_ptr<float>(), batch, w.data_ptr<float>(), rows, cols, keptRows.data(),
                                          static_cast<std::int64_t>(keptRows.size()), gradInput.data_ptr<float>(), 0, cols / 3);
        fmc::detail::productInputGradient(k.data_ptr<float>(), batch, w.data_ptr<float>(), rows, cols, keptRows.data(),
                                          static_cast<std::int64_t>(keptRows.size()), gradInput.data_ptr<float>(), cols / 3, cols);
        QVERIFY2(worst(gradInput, kd.mm(wd)) < 1e-6, "(g m) w");
        QVERIFY(untouched(gradInputAndGuard));

        const auto kt = k.t().contiguous();
        std::vector<float> strips(static_cast<size_t>(fmc::detail::columnStripsSize(batch, cols)));
        fmc::detail::packColumnStrips(x.data_ptr<float>(), batch, cols, strips.data());
        for (bool withScale : {true, false}) {
            const fmc::detail::WeightGradient in{kt.data_ptr<float>(), strips.data(), batch, cols,
                                                 withScale ? scale.data_ptr<float>() : nullptr, kept.data_ptr<float>()};
            auto gradAndGuard = torch::full({rows + 1, cols}, 99.0f);
            auto grad = gradAndGuard.narrow(0, 0, rows);
            fmc::detail::weightGradient(in, w.data_ptr<float>(), grad.data_ptr<float>(), 0, rows / 3);
            fmc::detail::weightGradient(in, w.data_ptr<float>(), grad.data_ptr<float>(), rows / 3, rows);
            auto expected = kd.t().mm(xd);
            if (withScale) expected += wd.sign() * scale.to(torch::kDouble).unsqueeze(1);
            QVERIFY2(worst(grad, expected) < 1e-6, withScale ? "(g m)^T x + sign(w) s" : "(g m)^T x");
            QVERIFY(untouched(gradAndGuard));
        }
    }

    void optimiserInsideTheStepMatchesGradientsThenStep_data() {
        QTest::addColumn<bool>("ownProducts");
        QTest::newRow("own products (AdamW inside the weight gradient's tiles)") << true;
        QTest::newRow("BLAS products") << false;
    }

    void optimiserInsideTheStepMatchesGradientsThenStep() {
        // Three steps that update each parameter as soon as it is final leave every parameter
        // and buffer exactly as three steps that write the gradients, each followed by one whole
        // AdamW step: with pruned rows, partial tiles and a second batch chunk.
        QFETCH(bool, ownProducts);
        if (ownProducts && !fmc::detail::ownProductsAvailable())
            QSKIP("this CPU has no AVX-512F (or FMC_CPU_PRODUCTS=blas): the step uses BLAS's products only");
        FedMedClipOptions o;
        o.batchSize = 40;
        constexpr int dim = 70, hidden = 41, classes = 3, batch = 35;
        auto make = [&] {
            torch::manual_seed(47);
            fmc::detail::FeatureAdapter fam(dim, o.maskGradient, o.useMasks, o.maskForwardCutoff);
            fmc::detail::MaskedMlp mlp(dim, hidden, classes, o.maskGradient, o.useMasks, o.maskForwardCutoff);
            torch::NoGradGuard noGrad;
            for (auto* module : {static_cast<torch::nn::Module*>(fam.get()), static_cast<torch::nn::Module*>(mlp.get())})
                for (auto& item : module->named_parameters())
                    if (item.key().find("threshold") != std::string::npos) item.value().uniform_(-0.9, 0.3);
            return std::make_pair(fam, mlp);
        };
        auto [famA, mlpA] = make();
        auto [famB, mlpB] = make();
        const auto classText = torch::nn::functional::normalize(torch::randn({classes, dim}),
                                                                torch::nn::functional::NormalizeFuncOptions().dim(1));
        const auto products = ownProducts ? fmc::detail::StepProducts::Automatic : fmc::detail::StepProducts::Blas;
        fmc::detail::CpuTrainingStep inside(famA, mlpA, classText, 30, o, products);
        fmc::detail::CpuTrainingStep after(famB, mlpB, classText, 30, o, products);
        auto optimiserA = fmc::detail::makeOptimizer(famA, mlpA, o, 0);
        auto optimiserB = fmc::detail::makeOptimizer(famB, mlpB, o, 0);
        std::vector<std::int64_t> labels;
        for (int i = 0; i < batch; ++i) labels.push_back(i % classes);
        for (int step = 0; step < 3; ++step) {
            const auto input = fmc::detail::famInput(3 * torch::randn({batch, dim}), o).contiguous();
            const auto a = inside.run(input, labels.data(), optimiserA.get());
            const auto b = after.run(input, labels.data());
            optimiserB->step();
            QCOMPARE(a.total, b.total);
        }
        auto all = [](fmc::detail::FeatureAdapter& fam, fmc::detail::MaskedMlp& mlp) {
            auto tensors = fam->named_parameters();
            for (auto& item : mlp->named_parameters()) tensors.insert("mlp." + item.key(), item.value());
            for (auto& item : mlp->named_buffers()) tensors.insert("mlp." + item.key(), item.value());
            return tensors;
        };
        const auto tensorsA = all(famA, mlpA), tensorsB = all(famB, mlpB);
        QCOMPARE(tensorsA.size(), tensorsB.size());
        for (const auto& item : tensorsA)
            QVERIFY2(torch::equal(item.value(), tensorsB[item.key()]), item.key().c_str());
        // Some rows were pruned, so the pruned-row paths ran.
        QVERIFY(famA->fc1->keepRatio() < 1.0 || mlpA->fc1->keepRatio() < 1.0);
    }

    void rowScoresFollowAChangedWeight() {
        // The fused step keeps the row scores of the weights it left for the next forward pass;
        // once something else changes a weight (here: halved, as a received global FAM would
        // replace it), the next step must score that weight afresh, exactly as a new step does.
        if (!fmc::detail::ownProductsAvailable())
            QSKIP("this CPU has no AVX-512F (or FMC_CPU_PRODUCTS=blas): the step uses BLAS's products only");
        FedMedClipOptions o;
        constexpr int dim = 48, hidden = 40, classes = 3, batch = 32;
        auto make = [&] {
            torch::manual_seed(53);
            fmc::detail::FeatureAdapter fam(dim, o.maskGradient, o.useMasks, o.maskForwardCutoff);
            fmc::detail::MaskedMlp mlp(dim, hidden, classes, o.maskGradient, o.useMasks, o.maskForwardCutoff);
            torch::NoGradGuard noGrad;
            // Thresholds near the row scores, so that halving a weight changes its mask.
            for (auto* layer : {&fam->fc1, &fam->fc2}) (*layer)->threshold.copy_((*layer)->weight.abs().mean(1) * 0.75);
            return std::make_pair(fam, mlp);
        };
        auto [famA, mlpA] = make();
        auto [famB, mlpB] = make();
        const auto classText = torch::nn::functional::normalize(torch::randn({classes, dim}),
                                                                torch::nn::functional::NormalizeFuncOptions().dim(1));
        auto optimiserA = fmc::detail::makeOptimizer(famA, mlpA, o, 0);
        auto optimiserB = fmc::detail::makeOptimizer(famB, mlpB, o, 0);
        fmc::detail::CpuTrainingStep keeping(famA, mlpA, classText, 30, o);
        std::vector<std::int64_t> labels;
        for (int i = 0; i < batch; ++i) labels.push_back(i % classes);
        const auto first = fmc::detail::famInput(3 * torch::randn({batch, dim}), o).contiguous();
        const auto second = fmc::detail::famInput(3 * torch::randn({batch, dim}), o).contiguous();
        {
            fmc::detail::CpuTrainingStep once(famB, mlpB, classText, 30, o);
            QCOMPARE(keeping.run(first, labels.data(), optimiserA.get()).total, once.run(first, labels.data(), optimiserB.get()).total);
        }
        // The scores the step holds are rowMeanAbs of the weights as they are now ...
        for (auto* layer : {&famA->fc1, &famA->fc2, &mlpA->fc1}) {
            const float* held = keeping.rowScoresOf(**layer);
            QVERIFY(held);
            auto expected = torch::empty({(*layer)->weight.size(0)});
            fmc::detail::rowMeanAbs((*layer)->weight.data_ptr<float>(), expected.size(0), (*layer)->weight.size(1),
                                    expected.data_ptr<float>());
            QVERIFY(torch::equal(torch::from_blob(const_cast<float*>(held), {expected.size(0)}), expected));
        }
        const double keptBefore = famA->fc1->keepRatio();
        {
            torch::NoGradGuard noGrad;
            famA->fc1->weight.mul_(0.5);
            famB->fc1->weight.mul_(0.5);
        }
        QVERIFY(famA->fc1->keepRatio() != keptBefore);
        QVERIFY(!keeping.rowScoresOf(*famA->fc1));  // ... and none once a weight changed
        QVERIFY(keeping.rowScoresOf(*famA->fc2));
        fmc::detail::CpuTrainingStep fresh(famB, mlpB, classText, 30, o);
        // The step's own writes to W count as in-place changes (autograd and caches see them).
        const auto versionBefore = famA->fc1->weight._version();
        QCOMPARE(keeping.run(second, labels.data(), optimiserA.get()).total, fresh.run(second, labels.data(), optimiserB.get()).total);
        QVERIFY(famA->fc1->weight._version() > versionBefore);
        QVERIFY(torch::equal(famA->fc1->weight, famB->fc1->weight));
        QVERIFY(torch::equal(famA->fc2->weight, famB->fc2->weight));
        QVERIFY(torch::equal(mlpA->fc1->weight, mlpB->fc1->weight));
    }

    void sparsityStepWithGivenScoresMatchesItsOwn() {
        // applySparsityStep on row scores the caller holds moves the thresholds exactly as on
        // the scores it computes itself, and reads the scores it is given.
        FedMedClipOptions o;
        o.maskSparsityWeight = 0.5;
        auto make = [] {
            torch::manual_seed(61);
            return fmc::detail::MaskedLinear(24, 10, MaskGradient::Window, true);
        };
        auto own = make(), given = make(), misled = make();
        std::vector<float> scores(10);
        fmc::detail::rowMeanAbs(given->weight.data_ptr<float>(), 10, 24, scores.data());
        fmc::detail::applySparsityStep(own, o, 4);
        fmc::detail::applySparsityStep(given, o, 4, scores.data());
        QVERIFY(!own->threshold.equal(make()->threshold));
        QVERIFY(own->threshold.equal(given->threshold));
        for (auto& score : scores) score *= 2;
        fmc::detail::applySparsityStep(misled, o, 4, scores.data());
        QVERIFY(!misled->threshold.equal(own->threshold));
    }

    void adamWOneParameterAtATimeMatchesTheWholeStep() {
        // The CPU step updates each layer as soon as its gradient is final: step(p) for every
        // parameter, in any order, must give exactly what step() gives.
        auto make = [] {
            torch::manual_seed(43);
            return std::vector<torch::Tensor>{torch::randn({5, 7}), torch::randn({7}), torch::randn({3})};
        };
        auto whole = make(), single = make();
        const std::vector<double> rates{1e-2, 3e-3};
        auto optimizer = [&](std::vector<torch::Tensor>& p) {
            return fmc::detail::FusedAdamW({{{p[0], p[1]}, rates[0]}, {{p[2]}, rates[1]}}, 0.9, 0.98, 1e-6, 0.02);
        };
        auto a = optimizer(whole), b = optimizer(single);
        for (int step = 0; step < 3; ++step) {
            for (size_t i = 0; i < whole.size(); ++i) {
                const auto grad = torch::randn(whole[i].sizes());
                whole[i].mutable_grad() = grad.clone();
                single[i].mutable_grad() = grad.clone();
            }
            const auto versionBefore = whole[0]._version();
            a.step();
            QVERIFY(whole[0]._version() > versionBefore);  // a raw update counts as an in-place change
            for (size_t i = single.size(); i-- > 0;) b.step(single[i]);
        }
        for (size_t i = 0; i < whole.size(); ++i) QVERIFY(torch::equal(whole[i], single[i]));
        QVERIFY_THROWS_EXCEPTION(Error, b.step(torch::zeros({3})));
    }

    void fusedStepLeavesTheUpdatedRowScores_data() {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        // Columns: fewer than one group of 16, a tail after whole groups, a partial tile of
        // whole groups, a partial tile whose second half holds only the tail, whole tiles;
        // rows: a partial block of 8.
        QTest::newRow("13 columns") << 3 << 13;
        QTest::newRow("70 columns") << 11 << 70;
        QTest::newRow("48 columns") << 9 << 48;
        QTest::newRow("50 columns") << 5 << 50;
        QTest::newRow("512 columns") << 20 << 512;
    }

    void fusedStepLeavesTheUpdatedRowScores() {
        // The row scores weightGradientAdamW leaves are rowMeanAbs of the weights it updated, to
        // the bit, and asking for them changes nothing else.
        if (!fmc::detail::ownProductsAvailable())
            QSKIP("this CPU has no AVX-512F (or FMC_CPU_PRODUCTS=blas): the step uses BLAS's products only");
        QFETCH(int, rows);
        QFETCH(int, cols);
        constexpr int batch = 7;
        torch::manual_seed(rows * 100 + cols);
        const auto w0 = torch::randn({rows, cols}), x = torch::randn({batch, cols});
        const auto kt = torch::randn({rows, batch}), scale = torch::randn({rows}) * 1e-2;
        std::vector<float> strips(static_cast<size_t>(fmc::detail::columnStripsSize(batch, cols)));
        fmc::detail::packColumnStrips(x.data_ptr<float>(), batch, cols, strips.data());
        const fmc::detail::WeightGradient in{kt.data_ptr<float>(), strips.data(), batch, cols, scale.data_ptr<float>(), nullptr};
        const fmc::detail::AdamWScalars s{0.999f, 0.9f, 0.1f, 0.98f, 0.02f, 0.2f, 1e-6f, -0.05f};
        auto run = [&](bool withScores, torch::Tensor& scores) {
            auto w = w0.clone(), m = torch::randn({rows, cols}) * 0.1, v = torch::rand({rows, cols}) * 0.1;
            scores = torch::full({rows + 1}, 99.0f);
            float* out = withScores ? scores.data_ptr<float>() : nullptr;
            // In two row ranges, as threads split it.
            fmc::detail::weightGradientAdamW(in, w.data_ptr<float>(), m.data_ptr<float>(), v.data_ptr<float>(), s, out, 0, rows / 2);
            fmc::detail::weightGradientAdamW(in, w.data_ptr<float>(), m.data_ptr<float>(), v.data_ptr<float>(), s, out, rows / 2, rows);
            return std::vector<torch::Tensor>{w, m, v};
        };
        torch::manual_seed(5);
        torch::Tensor scores, unused;
        const auto with = run(true, scores);
        torch::manual_seed(5);
        const auto without = run(false, unused);
        for (size_t i = 0; i < with.size(); ++i) QVERIFY(torch::equal(with[i], without[i]));
        QVERIFY(!with[0].equal(w0));
        auto expected = torch::empty({rows});
        fmc::detail::rowMeanAbs(with[0].data_ptr<float>(), rows, cols, expected.data_ptr<float>());
        QVERIFY(torch::equal(scores.narrow(0, 0, rows), expected));
        QCOMPARE(scores[rows].item<float>(), 99.0f);
        QVERIFY(unused.eq(99.0f).all().item<bool>());
        // rowMeanAbs itself: the mean of |w| per row.
        QVERIFY(torch::allclose(expected, with[0].abs().mean(1), 1e-6, 0));
    }

    void gatheredSignTermMatchesLibTorch() {
        // The sign term of listed rows, packed: sign(W[rows]) * scale[rows], with a zero weight
        // entry, a zero scale and a row listed out of order.
        const auto weight = torch::tensor({{0.5f, -2.0f, 0.0f}, {1.0f, 3.0f, -0.25f}, {-1.0f, 0.0f, 4.0f}, {2.0f, -1.0f, 1.0f}});
        const auto scale = torch::tensor({0.1f, 0.0f, -0.3f, 0.7f});
        const std::vector<std::int64_t> rows{3, 0, 1, 2};
        auto packed = torch::full({4, 3}, 99.0f);
        fmc::detail::gatherSignedRowScale(packed.data_ptr<float>(), weight.data_ptr<float>(), scale.data_ptr<float>(),
                                          rows.data(), 4, 3);
        const auto index = torch::tensor(rows, torch::kLong);
        const auto expected = weight.index_select(0, index).sign() * scale.index_select(0, index).unsqueeze(1);
        QVERIFY(torch::equal(packed, expected));
        const auto byHand = torch::tensor({{0.7f, -0.7f, 0.7f}, {0.1f, -0.1f, 0.0f}, {0.0f, 0.0f, 0.0f}, {0.3f, 0.0f, -0.3f}});
        QVERIFY(torch::equal(packed, byHand));
    }

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
        QVERIFY(torch::allclose(y.select(1, 0), expectedRow0, 1e-5, 1e-6));  // sums in another order: absolute slack near 0
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
        // The released code's attached teacher: gradient reaches it as well.
        auto attachedTeacher = teacher.clone().requires_grad_(true);
        fmc::detail::classwiseDistillation(attachedTeacher, student, 2.0, false).backward();
        QVERIFY(attachedTeacher.grad().defined());
        QVERIFY(attachedTeacher.grad().abs().sum().item<double>() > 0);
    }

    void maskCutoff_data() {
        QTest::addColumn<double>("cutoff");
        QTest::addColumn<double>("keep");
        // Row scores 0.005, 0.02, 0.5 with thresholds 0: cutoff 0 keeps all three, 0.01 two.
        QTest::newRow("method (0)") << 0.0 << 1.0;
        QTest::newRow("released (0.01)") << 0.01 << 2.0 / 3.0;
    }

    void maskCutoff() {
        QFETCH(double, cutoff);
        QFETCH(double, keep);
        fmc::detail::MaskedLinear layer(2, 3, MaskGradient::Window, true, cutoff);
        {
            torch::NoGradGuard noGrad;
            layer->weight.copy_(torch::tensor({0.005f, -0.005f, 0.02f, 0.02f, 0.5f, -0.5f}).view({3, 2}));
        }
        QVERIFY(std::abs(layer->keepRatio() - keep) < 1e-6);
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
        FedMedClipSite site(task.text, 100.0f, FedMedClipOptions{}, 1, testDevice());
        std::int64_t count = 0;
        for (const auto& tensor : site.famParameters()) count += tensor.numel();
        QCOMPARE(count, std::int64_t(526336));
        // The released code sends no thresholds.
        FedMedClipSite released(task.text, 100.0f, FedMedClipOptions::releasedCode(), 1, testDevice());
        count = 0;
        for (const auto& tensor : released.famParameters()) count += tensor.numel();
        QCOMPARE(count, std::int64_t(526336 - 1024));
        for (const auto& tensor : site.famParameters()) QVERIFY(tensor.name.rfind("fc", 0) == 0);
    }

    void trainingLearnsAndFamPrunes_data() {
        QTest::addColumn<bool>("prune");
        QTest::newRow("pruning schedule (default)") << true;
        QTest::newRow("no sparsity term") << false;
    }

    void trainingLearnsAndFamPrunes() {
        QFETCH(bool, prune);
        const auto task = makeTask(3, 32, 300, 1.0f, 2, false);
        FedMedClipOptions options;
        options.pruneFam = prune;
        FedMedClipSite site(task.text, 100.0f, options, 3, testDevice());
        const double before = accuracy(site.predict(task.features), task.labels);
        double firstLoss = 0, lastLoss = 0;
        for (int round = 0; round < 40; ++round) {
            const auto stats = site.trainRound(task.features, task.labels);
            QCOMPARE(stats.samples, 300);  // 9 batches of 32 and one of 12
            QCOMPARE(stats.steps, 10);
            if (round == 0) firstLoss = stats.loss;
            lastLoss = stats.loss;
            QVERIFY(stats.alpha > 0 && stats.alpha < 1);
        }
        const double after = accuracy(site.predict(task.features), task.labels);
        const auto ratios = site.keepRatios();
        qInfo("accuracy %.3f -> %.3f, loss %.3f -> %.3f, FAM keep %.3f / %.3f, MLP keep %.3f %.3f %.3f %.3f", before,
              after, firstLoss, lastLoss, ratios[0], ratios[1], ratios[2], ratios[3], ratios[4], ratios[5]);
        QVERIFY(lastLoss < firstLoss);
        QVERIFY(after > 0.9);
        QCOMPARE(ratios.size(), size_t(6));
        for (int layer = 0; layer < 2; ++layer) {
            if (prune) {
                // The schedule stops at the target; the task may win a few rows back.
                QVERIFY2(ratios[layer] <= options.famKeepTarget + 0.1, qPrintable(QString::number(ratios[layer])));
                QVERIFY(ratios[layer] > options.minimumKeepRatio);
            } else {
                QVERIFY2(ratios[layer] > 0.9, qPrintable(QString::number(ratios[layer])));
            }
        }
    }

    void sparsityScheduleIsPerRound_data() {
        QTest::addColumn<int>("samples");
        QTest::addColumn<int>("steps");
        QTest::newRow("2 steps") << 64 << 2;
        QTest::newRow("10 steps") << 320 << 10;
    }

    void sparsityScheduleIsPerRound() {
        // Frozen weights: only the schedule moves the thresholds. In units of the layer's mean
        // row score u, each step adds (lambda / steps) exp(-t/u): after a round t/u is the Euler
        // solution of d tau / ds = lambda exp(-tau) over s in [0, 1], ln(1 + lambda) whatever
        // the number of steps.
        QFETCH(int, samples);
        QFETCH(int, steps);
        const auto task = makeTask(3, 32, samples, 1.0f, 21);
        auto options = frozenWeights();
        options.maskSparsityWeight = 0.2;
        options.famKeepTarget = 0.0;
        FedMedClipSite site(task.text, 100.0f, options, 22, testDevice());
        QCOMPARE(site.trainRound(task.features, task.labels).steps, steps);
        double tau = 0;
        for (int k = 0; k < steps; ++k) tau += 0.2 / steps * std::exp(-tau);
        for (const char* layer : {"fam.fc1", "fam.fc2"}) {
            const double u = meanAbs(stateTensor(site, std::string(layer) + ".weight"));
            for (float t : stateTensor(site, std::string(layer) + ".threshold"))
                QVERIFY2(std::abs(t / u - tau) < 1e-4, qPrintable(QString("%1: t/u %2, expected %3").arg(layer).arg(t / u).arg(tau)));
            QVERIFY(std::abs(tau - std::log(1.2)) < 0.01);
        }
        // The MLP's thresholds are left to the task loss.
        for (float t : stateTensor(site, "mlp.fc1.threshold")) QCOMPARE(t, 0.0f);
    }

    void sparsityStopsAtTheKeepTarget() {
        // A strong schedule prunes the FAM down to its target and no further: a step that would
        // prune beyond it gives the strongest of the rows it pruned their thresholds back.
        // Row scores of a fresh 32-wide layer spread by ~10%; 4 steps of up to 75% overshoot
        // without the rule.
        const auto task = makeTask(3, 32, 128, 1.0f, 23);
        auto options = frozenWeights();
        options.maskSparsityWeight = 3.0;
        options.famKeepTarget = 0.5;
        FedMedClipSite site(task.text, 100.0f, options, 24, testDevice());
        for (int round = 0; round < 3; ++round) site.trainRound(task.features, task.labels);
        const auto ratios = site.keepRatios();
        for (int layer = 0; layer < 2; ++layer) {
            QCOMPARE(ratios[layer], 0.5);
        }
        options.pruneFam = false;
        FedMedClipSite off(task.text, 100.0f, options, 24, testDevice());
        off.trainRound(task.features, task.labels);
        QCOMPARE(off.keepRatios()[0], 1.0);
        QCOMPARE(off.keepRatios()[1], 1.0);
    }

    void layerKeepingOnePercentOrLessIsReset() {
        const auto task = makeTask(3, 32, 64, 1.0f, 25);
        auto options = frozenWeights();
        options.pruneFam = false;
        FedMedClipSite site(task.text, 100.0f, options, 26, testDevice());
        // fc1 prunes every row; fc2 prunes one of 32 (keeps 97%, above 1%).
        setStateTensor(site, "fam.fc1.threshold", [](auto& t) { std::fill(t.begin(), t.end(), 10.0f); });
        setStateTensor(site, "fam.fc2.threshold", [](auto& t) { t[0] = 10.0f; });
        QCOMPARE(site.keepRatios()[0], 0.0);
        site.trainRound(task.features, task.labels);
        for (float t : stateTensor(site, "fam.fc1.threshold")) QCOMPARE(t, 0.0f);
        QCOMPARE(stateTensor(site, "fam.fc2.threshold")[0], 10.0f);
        QCOMPARE(site.keepRatios()[0], 1.0);
    }

    void thresholdsResetEveryRoundInReleasedMode_data() {
        QTest::addColumn<bool>("reset");
        QTest::newRow("released code (reset)") << true;
        QTest::newRow("kept across rounds") << false;
    }

    void thresholdsResetEveryRoundInReleasedMode() {
        QFETCH(bool, reset);
        const auto task = makeTask(3, 32, 64, 1.0f, 27);
        auto options = FedMedClipOptions::releasedCode();
        options.resetThresholdsEachRound = reset;
        FedMedClipSite site(task.text, 100.0f, options, 28, testDevice());
        setStateTensor(site, "fam.fc1.threshold", [](auto& t) { t[0] = 10.0f; });  // row 0 pruned
        site.trainRound(task.features, task.labels);
        // The reversed window gives thresholds no gradient: only the reset (or weight decay) moves them.
        const float t0 = stateTensor(site, "fam.fc1.threshold")[0];
        if (reset)
            QCOMPARE(t0, 0.0f);
        else
            QVERIFY2(std::abs(t0 - 10.0f) < 0.01f, qPrintable(QString::number(t0)));
        QCOMPARE(site.keepRatios()[0], reset ? 1.0 : 31.0 / 32.0);
    }

    void releasedThresholdsNeverMove() {
        const auto task = makeTask(3, 32, 120, 1.0f, 4);
        FedMedClipSite released(task.text, 100.0f, FedMedClipOptions::releasedCode(), 5, testDevice());
        FedMedClipOptions noSchedule;
        noSchedule.pruneFam = false;
        FedMedClipSite method(task.text, 100.0f, noSchedule, 5, testDevice());
        for (int round = 0; round < 3; ++round) {
            released.trainRound(task.features, task.labels);
            method.trainRound(task.features, task.labels);
        }
        double movedReleased = 0, movedMethod = 0;
        for (const char* layer : {"fam.fc1", "fam.fc2", "mlp.fc1", "mlp.fc4"}) {
            movedReleased += meanAbs(stateTensor(released, std::string(layer) + ".threshold"));
            movedMethod += meanAbs(stateTensor(method, std::string(layer) + ".threshold"));
        }
        QCOMPARE(movedReleased, 0.0);
        QVERIFY(movedMethod > 0);  // the window estimator lets the task loss move them
    }

    void dropLastBatch_data() {
        QTest::addColumn<int>("samples");
        QTest::addColumn<bool>("dropLast");
        QTest::addColumn<int>("steps");
        QTest::addColumn<int>("used");
        QTest::newRow("70, kept") << 70 << false << 3 << 70;
        QTest::newRow("70, dropped") << 70 << true << 2 << 64;
        QTest::newRow("65, single sample never trains") << 65 << false << 2 << 64;
        QTest::newRow("64, nothing to drop") << 64 << true << 2 << 64;
    }

    void dropLastBatch() {
        QFETCH(int, samples);
        QFETCH(bool, dropLast);
        QFETCH(int, steps);
        QFETCH(int, used);
        const auto task = makeTask(3, 16, samples, 1.0f, 29);
        FedMedClipOptions options;
        options.dropLastBatch = dropLast;
        FedMedClipSite site(task.text, 100.0f, options, 30, testDevice());
        const auto stats = site.trainRound(task.features, task.labels);
        QCOMPARE(stats.steps, steps);
        QCOMPARE(stats.samples, used);
    }

    void famInputNormalisation() {
        // The method normalises the image feature before the FAM, so its scale does not matter;
        // the released code feeds the raw feature, so it does (seen through the MLP, whose
        // softmax is not saturated at initialisation).
        const auto task = makeTask(3, 16, 30, 0.5f, 31);
        auto doubled = task.features;
        for (auto& v : doubled.data) v *= 4;
        for (bool normalise : {true, false}) {
            FedMedClipOptions options;
            options.normaliseFamInput = normalise;
            FedMedClipSite site(task.text, 100.0f, options, 32, testDevice());
            const auto a = site.predict(task.features).mlpOnly.data, b = site.predict(doubled).mlpOnly.data;
            double largest = 0;
            for (size_t i = 0; i < a.size(); ++i) largest = std::max(largest, double(std::abs(a[i] - b[i])));
            if (normalise)
                QVERIFY2(largest < 1e-5, qPrintable(QString::number(largest)));
            else
                QVERIFY2(largest > 1e-4, qPrintable(QString::number(largest)));
        }
    }

    void receiveGlobalFamKeepsOwnPrunedRows_data() {
        QTest::addColumn<bool>("maskAware");
        QTest::newRow("mask-aware") << true;
        QTest::newRow("plain") << false;
    }

    void receiveGlobalFamKeepsOwnPrunedRows() {
        QFETCH(bool, maskAware);
        const auto task = makeTask(3, 16, 30, 0.5f, 33);
        FedMedClipOptions options;
        options.maskAwareAggregation = maskAware;
        FedMedClipSite site(task.text, 100.0f, options, 34, testDevice());
        setStateTensor(site, "fam.fc1.threshold", [](auto& t) { t[3] = 10.0f; });  // row 3 pruned here
        const auto own = site.famParameters();
        const auto global = FedMedClipSite(task.text, 100.0f, options, 35, testDevice()).famParameters();
        site.receiveGlobalFam(global);
        const auto after = site.famParameters();
        for (size_t i = 0; i < after.size(); ++i) {
            const auto& name = after[i].name;
            const std::int64_t cols = after[i].shape.size() == 2 ? after[i].shape[1] : 1;
            for (std::int64_t j = 0; j < std::int64_t(after[i].values.size()); ++j) {
                const bool ownRow = maskAware && name.rfind("fc1.", 0) == 0 && name != "fc1.bias" && j / cols == 3;
                QCOMPARE(after[i].values[size_t(j)], (ownRow ? own : global)[i].values[size_t(j)]);
            }
        }
    }

    // A global FAM of another layout is refused, naming what differs, before any of it is
    // taken: the site's FAM is as it was.
    void receiveGlobalFamRefusesAnotherLayout_data() {
        QTest::addColumn<bool>("maskAware");
        QTest::addColumn<int>("change");
        QTest::addColumn<QString>("message");
        for (const bool maskAware : {true, false}) {
            const char* path = maskAware ? "mask-aware" : "plain";
            QTest::newRow(qPrintable(QString("%1, tensor missing").arg(path))) << maskAware << 0 << "FAM update has 5 tensors, expected 6";
            QTest::newRow(qPrintable(QString("%1, tensor renamed").arg(path)))
                << maskAware << 1 << (maskAware ? "('fc9.bias') does not match this site's" : "unknown tensor 'fc9.bias'");
            QTest::newRow(qPrintable(QString("%1, wrong shape").arg(path)))
                << maskAware << 2 << (maskAware ? "does not match this site's" : "has the wrong shape");
        }
    }

    void receiveGlobalFamRefusesAnotherLayout() {
        QFETCH(bool, maskAware);
        QFETCH(int, change);
        QFETCH(QString, message);
        const auto task = makeTask(3, 16, 30, 0.5f, 36);
        FedMedClipOptions options;
        options.maskAwareAggregation = maskAware;
        FedMedClipSite site(task.text, 100.0f, options, 37, testDevice());
        const auto before = site.famParameters();
        QCOMPARE(before.size(), size_t(6));
        auto global = FedMedClipSite(task.text, 100.0f, options, 38, testDevice()).famParameters();
        // Changed at the end, so that any tensor taken before the check would show.
        if (change == 0) global.pop_back();
        if (change == 1) global.back().name = "fc9.bias";
        if (change == 2) global.back().shape = {global.back().shape[0] / 2, 2};
        QString error;
        try {
            site.receiveGlobalFam(global);
        } catch (const std::exception& e) {
            error = QString::fromUtf8(e.what());
        }
        QVERIFY2(error.contains(message), qPrintable("got: " + error));
        const auto after = site.famParameters();
        for (size_t i = 0; i < after.size(); ++i) QVERIFY(after[i].values == before[i].values);
    }

    void ensembleWeightsTheLessUncertainBranch_data() {
        QTest::addColumn<bool>("softmaxTwice");
        QTest::newRow("true entropy") << false;
        QTest::newRow("released softmax twice") << true;
    }

    void ensembleWeightsTheLessUncertainBranch() {
        // The weight is recomputed here from each branch's probabilities, not taken from the
        // entropies the site returns: H = -sum p log p, or -sum p log softmax(p).
        QFETCH(bool, softmaxTwice);
        const auto task = makeTask(3, 16, 60, 0.5f, 6);
        FedMedClipOptions options;
        options.entropyOnSoftmaxTwice = softmaxTwice;
        FedMedClipSite site(task.text, 100.0f, options, 7, testDevice());
        site.trainRound(task.features, task.labels);
        const auto p = site.predict(task.features);
        QCOMPARE(p.ensemble.rows, std::int64_t(60));
        auto entropy = [&](const FloatMatrix& probabilities, std::int64_t i) {
            double normaliser = 0, h = 0;
            for (std::int64_t c = 0; c < 3; ++c) normaliser += std::exp(double(probabilities.at(i, c)));
            for (std::int64_t c = 0; c < 3; ++c) {
                const double q = probabilities.at(i, c);
                const double logQ = softmaxTwice ? q - std::log(normaliser) : std::log(std::max(q, 1e-30));
                h -= q * logQ;
            }
            return h;
        };
        double spread = 0;
        for (std::int64_t i = 0; i < p.ensemble.rows; ++i) {
            const double hF = entropy(p.famOnly, i), hM = entropy(p.mlpOnly, i);
            QVERIFY(std::abs(p.famEntropy[size_t(i)] - hF) < 1e-4);
            QVERIFY(std::abs(p.mlpEntropy[size_t(i)] - hM) < 1e-4);
            const double a = hF / (hF + hM);  // the MLP's weight
            spread = std::max(spread, std::abs(a - 0.5));
            double sum = 0;
            for (std::int64_t c = 0; c < 3; ++c) {
                const double expected = (1 - a) * p.famOnly.at(i, c) + a * p.mlpOnly.at(i, c);
                QVERIFY(std::abs(p.ensemble.at(i, c) - expected) < 1e-5);
                sum += p.ensemble.at(i, c);
            }
            QVERIFY(std::abs(sum - 1.0) < 1e-5);
        }
        QVERIFY(spread > 0.05);  // the weights differ from a plain mean
    }

    void withoutMlpPredictsFromFamOnly() {
        const auto task = makeTask(3, 16, 30, 0.5f, 8);
        FedMedClipOptions options;
        options.useMlp = false;
        FedMedClipSite site(task.text, 100.0f, options, 9, testDevice());
        const auto stats = site.trainRound(task.features, task.labels);
        QCOMPARE(stats.mlpLoss, 0.0);
        const auto p = site.predict(task.features);
        QCOMPARE(p.ensemble.data, p.famOnly.data);
        QCOMPARE(p.mlpOnly.rows, std::int64_t(0));
        QCOMPARE(site.keepRatios().size(), size_t(2));
    }

    void stateRoundTripReproducesPredictions() {
        const auto task = makeTask(3, 16, 64, 0.5f, 10);
        FedMedClipSite trained(task.text, 100.0f, FedMedClipOptions{}, 11, testDevice());
        trained.trainRound(task.features, task.labels);
        FedMedClipSite restored(task.text, 100.0f, FedMedClipOptions{}, 12, testDevice());
        restored.setFullState(trained.fullState());
        QCOMPARE(restored.predict(task.features).ensemble.data, trained.predict(task.features).ensemble.data);

        FedMedClipSite famOnly(task.text, 100.0f, FedMedClipOptions{}, 13, testDevice());
        famOnly.setFamParameters(trained.famParameters());
        QCOMPARE(famOnly.predict(task.features).famOnly.data, trained.predict(task.features).famOnly.data);
    }

    void rejectsBadInput() {
        const auto task = makeTask(3, 16, 10, 0.5f, 14);
        FedMedClipSite site(task.text, 100.0f, FedMedClipOptions{}, 15, testDevice());
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
        FedMedClipSite a(task.text, 100.0f, FedMedClipOptions{}, 17, testDevice());
        FedMedClipSite b(task.text, 100.0f, FedMedClipOptions{}, 17, testDevice());
        QCOMPARE(a.trainRound(task.features, task.labels).loss, b.trainRound(task.features, task.labels).loss);
        QCOMPARE(a.famParameters()[0].values, b.famParameters()[0].values);
    }
};

int main(int argc, char* argv[]) {
    std::vector<char*> testArguments;
    for (int i = 0; i < argc; ++i) {
        if (std::strcmp(argv[i], "--device") == 0 && i + 1 < argc) {
            testDevice() = argv[++i];
            continue;
        }
        testArguments.push_back(argv[i]);
    }
    if (testDevice() != "cpu" && !torch::cuda::is_available()) {
        std::fprintf(stderr, "tst_fedmedclipsite: --device %s, but LibTorch sees no GPU (a CPU-only LibTorch?)\n",
                     testDevice().c_str());
        return 1;
    }
    int count = static_cast<int>(testArguments.size());
    QCoreApplication app(count, testArguments.data());
    std::printf("FedMedClipSite cases on device %s\n", testDevice().c_str());
    TestFedMedClipSite test;
    return QTest::qExec(&test, count, testArguments.data());
}
#include "tst_fedmedclipsite.moc"
