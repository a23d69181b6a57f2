#include "engine/fedmedclip_modules.h"

#include <algorithm>
#include <cmath>

namespace fmc::detail {
namespace {

// Heaviside step with a straight-through gradient. Window: dynamic sparse training's
// long-tailed estimator (2 - 4|x| near 0, 0.4 up to |x| = 1). Reversed: the released code's
// bug, gradient only where |x| > 1.
struct StraightThroughStep : public torch::autograd::Function<StraightThroughStep> {
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor x, bool reversed,
                                 double cutoff) {
        ctx->save_for_backward({x});
        ctx->saved_data["reversed"] = reversed;
        return (x > cutoff).to(x.scalar_type());
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list gradOutput) {
        const auto x = ctx->get_saved_variables()[0];
        const auto magnitude = x.abs();
        torch::Tensor surrogate;
        if (ctx->saved_data["reversed"].toBool()) {
            surrogate = (magnitude > 1).to(x.scalar_type());
        } else {
            surrogate = torch::where(magnitude <= 0.4, 2 - 4 * magnitude,
                                     torch::where(magnitude <= 1, torch::full_like(x, 0.4), torch::zeros_like(x)));
        }
        return {gradOutput[0] * surrogate, torch::Tensor(), torch::Tensor()};
    }
};

}  // namespace

MaskedLinearImpl::MaskedLinearImpl(std::int64_t in, std::int64_t out, MaskGradient gradient, bool enabled,
                                   double cutoff)
    : gradient_(gradient), enabled_(enabled), cutoff_(cutoff) {
    // nn.Linear's initialisation, so an unpruned layer starts exactly like the released code.
    const double bound = 1.0 / std::sqrt(static_cast<double>(in));
    weight = register_parameter("weight", torch::empty({out, in}).uniform_(-bound, bound));
    bias = register_parameter("bias", torch::empty({out}).uniform_(-bound, bound));
    threshold = register_parameter("threshold", torch::zeros({out}), enabled);
}

torch::Tensor MaskedLinearImpl::mask() {
    if (!enabled_) return torch::ones({weight.size(0), 1}, weight.options());
    const auto score = weight.abs().mean(1) - threshold;
    return StraightThroughStep::apply(score, gradient_ == MaskGradient::ReversedWindow, cutoff_).unsqueeze(1);
}

torch::Tensor MaskedLinearImpl::forward(const torch::Tensor& x) {
    return torch::nn::functional::linear(x, weight * mask(), bias);
}

double MaskedLinearImpl::keepRatio() {
    torch::NoGradGuard noGrad;
    return mask().mean().item<double>();
}

void MaskedLinearImpl::resetThresholds() {
    torch::NoGradGuard noGrad;
    threshold.zero_();
}

double MaskedLinearImpl::meanRowScore() {
    torch::NoGradGuard noGrad;
    return weight.abs().mean().item<double>();
}

FeatureAdapterImpl::FeatureAdapterImpl(std::int64_t dim, MaskGradient gradient, bool masks, double cutoff) {
    fc1 = register_module("fc1", MaskedLinear(dim, dim, gradient, masks, cutoff));
    fc2 = register_module("fc2", MaskedLinear(dim, dim, gradient, masks, cutoff));
}

torch::Tensor FeatureAdapterImpl::forward(const torch::Tensor& features) {
    auto h = fc1(features);
    // Instance norm of a [B, D] input: each sample normalised across its D features.
    h = (h - h.mean(1, true)) / torch::sqrt(h.var(1, false, true) + 1e-5);
    h = torch::relu(h);
    const auto attention = torch::softmax(fc2(h), 1);
    return torch::nn::functional::normalize(attention * features,
                                            torch::nn::functional::NormalizeFuncOptions().dim(1));
}

MaskedMlpImpl::MaskedMlpImpl(std::int64_t in, std::int64_t hidden, std::int64_t classes, MaskGradient gradient,
                             bool masks, double cutoff) {
    fc1 = register_module("fc1", MaskedLinear(in, hidden, gradient, masks, cutoff));
    bn1 = register_module("bn1", torch::nn::BatchNorm1d(hidden));
    fc2 = register_module("fc2", MaskedLinear(hidden, hidden, gradient, masks, cutoff));
    bn2 = register_module("bn2", torch::nn::BatchNorm1d(hidden));
    fc3 = register_module("fc3", MaskedLinear(hidden, hidden, gradient, masks, cutoff));
    bn3 = register_module("bn3", torch::nn::BatchNorm1d(hidden));
    fc4 = register_module("fc4", MaskedLinear(hidden, classes, gradient, masks, cutoff));
}

torch::Tensor MaskedMlpImpl::forward(const torch::Tensor& x) {
    auto h = torch::relu(bn1(fc1(x)));
    h = torch::relu(bn2(fc2(h)));
    h = torch::relu(bn3(fc3(h)));
    return fc4(h);
}

torch::Tensor contrastiveLoss(const torch::Tensor& adapted, const torch::Tensor& ownTextFeatures, double logitScale) {
    const auto logits = logitScale * adapted.matmul(ownTextFeatures.t());
    const auto targets = torch::arange(adapted.size(0), torch::TensorOptions().dtype(torch::kLong).device(adapted.device()));
    return (torch::nn::functional::cross_entropy(logits, targets) +
            torch::nn::functional::cross_entropy(logits.t(), targets)) / 2;
}

torch::Tensor classwiseDistillation(const torch::Tensor& teacherLogits, const torch::Tensor& studentLogits,
                                    double temperature, bool detachTeacher) {
    // dim 0 is the batch: each class column becomes a distribution over the samples.
    const auto teacherLog =
        torch::log_softmax((detachTeacher ? teacherLogits.detach() : teacherLogits) / temperature, 0);
    const auto studentLog = torch::log_softmax(studentLogits / temperature, 0);
    const auto perClass = (teacherLog.exp() * (teacherLog - studentLog)).sum(0);
    return perClass.mean();
}

torch::Tensor entropyOfLogits(const torch::Tensor& logits, bool softmaxTwice) {
    const auto p = torch::softmax(logits, 1);
    const auto logQ = softmaxTwice ? torch::log_softmax(p, 1) : torch::log_softmax(logits, 1);
    return -(p * logQ).sum(1);
}

torch::Tensor adaptiveAlpha(const torch::Tensor& famEntropy, const torch::Tensor& mlpEntropy) {
    constexpr double tiny = 1e-8;
    const auto wF = 1.0 / (famEntropy + tiny);
    const auto wM = 1.0 / (mlpEntropy + tiny);
    return (wM / (wF + wM)).mean();
}

torch::Tensor famInput(const torch::Tensor& rawFeatures, const FedMedClipOptions& options) {
    if (!options.normaliseFamInput) return rawFeatures;
    return torch::nn::functional::normalize(rawFeatures, torch::nn::functional::NormalizeFuncOptions().dim(1));
}

BatchLoss batchLoss(FeatureAdapter& fam, MaskedMlp& mlp, const torch::Tensor& input, const torch::Tensor& labels,
                    const torch::Tensor& classText, double logitScale, const FedMedClipOptions& o) {
    BatchLoss loss;
    const auto adapted = fam(input);
    loss.contrastive = contrastiveLoss(adapted, classText.index_select(0, labels), logitScale);
    loss.total = loss.contrastive;
    if (!o.useMlp) return loss;
    const auto mlpLogits = mlp(adapted);
    loss.mlp = torch::nn::functional::cross_entropy(mlpLogits, labels);
    loss.total = loss.total + loss.mlp;
    if (!o.useDistillation) return loss;
    const auto similarity = adapted.matmul(classText.t());
    loss.mlpTeaches = classwiseDistillation(mlpLogits, similarity, o.distillationTemperature, o.detachTeacher);
    loss.famTeaches = classwiseDistillation(similarity, mlpLogits, o.distillationTemperature, o.detachTeacher);
    if (o.adaptiveWeighting) {
        torch::NoGradGuard noGrad;
        loss.alpha = adaptiveAlpha(entropyOfLogits(100.0 * similarity, o.entropyOnSoftmaxTwice),
                                   entropyOfLogits(mlpLogits, o.entropyOnSoftmaxTwice))
                         .item<double>();
    }
    loss.distillation = (loss.alpha * loss.mlpTeaches + (1 - loss.alpha) * loss.famTeaches) / 2;
    loss.total = loss.total + o.distillationWeight * loss.distillation;
    return loss;
}

std::unique_ptr<torch::optim::AdamW> makeOptimizer(FeatureAdapter& fam, MaskedMlp& mlp,
                                                   const FedMedClipOptions& o, int round) {
    auto groupOptions = [&](double lr) {
        return std::make_unique<torch::optim::AdamWOptions>(
            torch::optim::AdamWOptions(lr * std::pow(o.learningRateDecay, round))
                .betas({0.9, 0.98})
                .eps(1e-6)
                .weight_decay(o.weightDecay));
    };
    auto trainable = [](const std::vector<torch::Tensor>& all) {
        std::vector<torch::Tensor> selected;
        for (const auto& p : all)
            if (p.requires_grad()) selected.push_back(p);
        return selected;
    };
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(trainable(fam->parameters()), groupOptions(o.famLearningRate));
    if (o.useMlp) groups.emplace_back(trainable(mlp->parameters()), groupOptions(o.mlpLearningRate));
    return std::make_unique<torch::optim::AdamW>(std::move(groups), torch::optim::AdamWOptions(o.famLearningRate));
}

void applySparsityStep(MaskedLinear& layer, const FedMedClipOptions& o, int stepsThisRound) {
    if (!o.useMasks || !o.pruneFam || o.maskSparsityWeight <= 0 || stepsThisRound < 1) return;
    if (layer->keepRatio() <= o.famKeepTarget) return;
    const double unit = layer->meanRowScore();
    if (!(unit > 0)) return;
    torch::NoGradGuard noGrad;
    auto& t = layer->threshold;
    const auto keptBefore = layer->mask().squeeze(1).to(torch::kCPU);
    const auto previous = t.clone();
    t.add_(torch::exp(-t / unit) * (o.maskSparsityWeight * unit / stepsThisRound));
    // Never below the target in one step: of the rows this step pruned, the strongest (highest
    // score) get their previous thresholds back until the layer keeps its target share.
    const auto rows = keptBefore.size(0);
    const auto minimumKept = static_cast<std::int64_t>(std::ceil(o.famKeepTarget * rows - 1e-9));
    const auto keptAfter = layer->mask().squeeze(1).to(torch::kCPU);
    auto missing = minimumKept - static_cast<std::int64_t>(keptAfter.sum().item<double>());
    if (missing <= 0) return;
    const auto scores = layer->weight.abs().mean(1).to(torch::kCPU);
    std::vector<std::int64_t> newlyPruned;
    for (std::int64_t r = 0; r < rows; ++r)
        if (keptBefore[r].item<float>() > 0 && keptAfter[r].item<float>() == 0) newlyPruned.push_back(r);
    std::stable_sort(newlyPruned.begin(), newlyPruned.end(), [&](std::int64_t a, std::int64_t b) {
        return scores[a].item<float>() > scores[b].item<float>();
    });
    for (std::int64_t r : newlyPruned) {
        if (missing-- <= 0) break;
        t[r] = previous[r];
    }
}

torch::Tensor toTensor(const FloatMatrix& matrix) {
    return torch::from_blob(const_cast<float*>(matrix.data.data()), {matrix.rows, matrix.cols}, torch::kFloat32).clone();
}

FloatMatrix toMatrix(const torch::Tensor& tensor) {
    const auto contiguous = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    FloatMatrix matrix(contiguous.size(0), contiguous.dim() > 1 ? contiguous.size(1) : 1);
    std::copy_n(contiguous.data_ptr<float>(), matrix.data.size(), matrix.data.begin());
    return matrix;
}

NamedTensor toNamedTensor(const std::string& name, const torch::Tensor& tensor) {
    const auto cpu = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    NamedTensor named{name, cpu.sizes().vec(), {}};
    named.values.assign(cpu.data_ptr<float>(), cpu.data_ptr<float>() + cpu.numel());
    return named;
}

void assignParameter(torch::Tensor& target, const NamedTensor& source) {
    if (source.shape != target.sizes().vec())
        throw Error("parameter '" + source.name + "' has the wrong shape for this model");
    torch::NoGradGuard noGrad;
    const auto values = torch::from_blob(const_cast<float*>(source.values.data()), target.sizes(), torch::kFloat32);
    target.copy_(values.to(target.device(), target.scalar_type()));
}

}  // namespace fmc::detail
