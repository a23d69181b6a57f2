// Test helper for tests/engine/crosscheck_fedmedclip.py: writes one small FedMedCLIP task
// (weights, features, labels, text features, options), the engine's loss terms and gradients
// of one batch, its state after each of three local rounds, and its predictions, as JSON.
// The Python side re-implements the method from docs/method.md and compares.
//
//   fedmedclip_crosscheck_export MODE OUT.json    MODE: default, prune, collapse, released
#include "engine/fedmedclip_modules.h"
#include "engine/fedmedclip_site.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <random>

using namespace fmc;
using Json = nlohmann::json;

namespace {

constexpr int kDim = 16, kClasses = 3, kHidden = 8, kSamples = 11, kBatch = 4, kRounds = 3;

Json tensorJson(const torch::Tensor& tensor) {
    const auto t = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    return {{"shape", t.sizes().vec()}, {"values", std::vector<float>(t.data_ptr<float>(), t.data_ptr<float>() + t.numel())}};
}

Json namedJson(const NamedTensor& tensor) { return {{"shape", tensor.shape}, {"values", tensor.values}}; }

Json matrixJson(const FloatMatrix& m) { return {{"shape", {m.rows, m.cols}}, {"values", m.data}}; }

FedMedClipOptions optionsFor(const std::string& mode) {
    FedMedClipOptions o = mode == "released" ? FedMedClipOptions::releasedCode() : FedMedClipOptions{};
    o.shuffle = false;
    o.batchSize = kBatch;
    o.mlpHiddenSize = kHidden;
    if (mode == "prune") {  // the sparsity term acts and stops at the keep target
        o.maskSparsityWeight = 1.0;
        o.famKeepTarget = 0.5;
    } else if (mode == "collapse") {  // everything pruned: the keep <= 1% reset fires
        o.maskSparsityWeight = 40.0;
        o.famKeepTarget = 0.0;
    } else if (mode != "default" && mode != "released") {
        throw Error("unknown mode '" + mode + "' (default, prune, collapse, released)");
    }
    return o;
}

Json optionsJson(const FedMedClipOptions& o) {
    return {{"use_mlp", o.useMlp},
            {"use_distillation", o.useDistillation},
            {"adaptive_weighting", o.adaptiveWeighting},
            {"use_masks", o.useMasks},
            {"prune_fam", o.pruneFam},
            {"mask_sparsity_weight", o.maskSparsityWeight},
            {"fam_keep_target", o.famKeepTarget},
            {"reversed_mask_gradient", o.maskGradient == MaskGradient::ReversedWindow},
            {"reset_thresholds_each_round", o.resetThresholdsEachRound},
            {"entropy_on_softmax_twice", o.entropyOnSoftmaxTwice},
            {"keep_optimizer_state", o.keepOptimizerState},
            {"drop_last_batch", o.dropLastBatch},
            {"detach_teacher", o.detachTeacher},
            {"normalise_fam_input", o.normaliseFamInput},
            {"mask_forward_cutoff", o.maskForwardCutoff},
            {"fam_learning_rate", o.famLearningRate},
            {"mlp_learning_rate", o.mlpLearningRate},
            {"learning_rate_decay", o.learningRateDecay},
            {"weight_decay", o.weightDecay},
            {"batch_size", o.batchSize},
            {"local_epochs", o.localEpochs},
            {"distillation_weight", o.distillationWeight},
            {"distillation_temperature", o.distillationTemperature},
            {"minimum_keep_ratio", o.minimumKeepRatio}};
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s default|prune|collapse|released OUT.json\n", argv[0]);
        return 2;
    }
    try {
        const std::string mode = argv[1];
        const auto options = optionsFor(mode);
        torch::set_num_threads(1);

        // Features of norm ~3 (raw CLIP features are not unit vectors), clustered by class.
        std::mt19937 rng(7);
        std::normal_distribution<float> normal(0.0f, 1.0f);
        FloatMatrix text(kClasses, kDim), features(kSamples, kDim);
        for (auto& v : text.data) v = normal(rng);
        std::vector<int> labels;
        for (int i = 0; i < kSamples; ++i) {
            labels.push_back(i % kClasses);
            for (int j = 0; j < kDim; ++j) features.at(i, j) = 0.6f * (text.at(i % kClasses, j) + normal(rng));
        }
        const float logitScale = 100.0f;
        const std::uint64_t seed = 5;

        FedMedClipSite site(text, logitScale, options, seed);
        Json out;
        out["mode"] = mode;
        out["options"] = optionsJson(options);
        out["logit_scale"] = logitScale;
        out["text"] = matrixJson(text);
        out["features"] = matrixJson(features);
        out["labels"] = labels;
        for (const auto& t : site.fullState()) out["initial_state"][t.name] = namedJson(t);

        // One batch through the engine's loss, on modules holding the same initial state.
        {
            fmc::detail::FeatureAdapter fam(kDim, options.maskGradient, options.useMasks, options.maskForwardCutoff);
            fmc::detail::MaskedMlp mlp(kDim, kHidden, kClasses, options.maskGradient, options.useMasks,
                                  options.maskForwardCutoff);
            std::map<std::string, torch::Tensor> targets;
            for (auto& item : fam->named_parameters()) targets["fam." + item.key()] = item.value();
            for (auto& item : fam->named_buffers()) targets["fam." + item.key()] = item.value();
            for (auto& item : mlp->named_parameters()) targets["mlp." + item.key()] = item.value();
            for (auto& item : mlp->named_buffers()) targets["mlp." + item.key()] = item.value();
            for (const auto& t : site.fullState()) fmc::detail::assignParameter(targets.at(t.name), t);
            fam->train();
            mlp->train();
            const auto classText = torch::nn::functional::normalize(
                fmc::detail::toTensor(text), torch::nn::functional::NormalizeFuncOptions().dim(1));
            const auto raw = fmc::detail::toTensor(features).slice(0, 0, kBatch);
            std::vector<std::int64_t> batchLabels(labels.begin(), labels.begin() + kBatch);
            const auto loss = fmc::detail::batchLoss(fam, mlp, fmc::detail::famInput(raw, options),
                                                torch::tensor(batchLabels, torch::kLong), classText, logitScale, options);
            loss.total.backward();
            out["step"] = {{"total", loss.total.item<double>()},
                           {"contrastive", loss.contrastive.item<double>()},
                           {"mlp", loss.mlp.item<double>()},
                           {"mlp_teaches", loss.mlpTeaches.item<double>()},
                           {"fam_teaches", loss.famTeaches.item<double>()},
                           {"distillation", loss.distillation.item<double>()},
                           {"alpha", loss.alpha}};
            for (auto& item : fam->named_parameters())
                if (item.value().grad().defined()) out["step"]["gradients"]["fam." + item.key()] = tensorJson(item.value().grad());
            for (auto& item : mlp->named_parameters())
                if (item.value().grad().defined()) out["step"]["gradients"]["mlp." + item.key()] = tensorJson(item.value().grad());
        }

        for (int round = 0; round < kRounds; ++round) {
            const auto stats = site.trainRound(features, labels);
            Json r{{"loss", stats.loss},
                   {"contrastive", stats.contrastiveLoss},
                   {"mlp", stats.mlpLoss},
                   {"distillation", stats.distillationLoss},
                   {"alpha", stats.alpha},
                   {"steps", stats.steps},
                   {"samples", stats.samples},
                   {"keep_ratios", site.keepRatios()}};
            for (const auto& t : site.fullState()) r["state"][t.name] = namedJson(t);
            out["rounds"].push_back(r);
        }

        const auto prediction = site.predict(features);
        out["prediction"] = {{"ensemble", matrixJson(prediction.ensemble)},
                             {"fam_only", matrixJson(prediction.famOnly)},
                             {"mlp_only", matrixJson(prediction.mlpOnly)},
                             {"fam_entropy", prediction.famEntropy},
                             {"mlp_entropy", prediction.mlpEntropy}};
        std::ofstream file(argv[2]);
        file << out.dump() << "\n";
        if (!file) throw Error(std::string("cannot write ") + argv[2]);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "error: %s\n", error.what());
        return 1;
    }
    return 0;
}
