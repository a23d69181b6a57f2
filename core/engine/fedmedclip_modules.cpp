#include "engine/fedmedclip_modules.h"

#include "engine/cpu_kernels.h"

#include <algorithm>
#include <cmath>

namespace fmc::detail {
namespace {

// The straight-through surrogate of the Heaviside step at x = u - t. Window: dynamic sparse
// training's long-tailed estimator (2 - 4|x| near 0, 0.4 up to |x| = 1). Reversed: the
// released code's bug, gradient only where |x| > 1.
torch::Tensor stepSurrogate(const torch::Tensor& x, bool reversed) {
    const auto magnitude = x.abs();
    if (reversed) return (magnitude > 1).to(x.scalar_type());
    return torch::where(magnitude <= 0.4, 2 - 4 * magnitude,
                        torch::where(magnitude <= 1, torch::full_like(x, 0.4), torch::zeros_like(x)));
}

// Row scores u_r = mean_j |W_rj|; on the CPU in one pass without a temporary the size of W
// (LibTorch's abs().mean(1) makes one, its norm(1, 1) is slower still).
torch::Tensor rowScores(const torch::Tensor& weight) {
    if (!weight.is_cpu() || weight.scalar_type() != torch::kFloat || !weight.is_contiguous())
        return weight.abs().mean(1);
    auto scores = torch::empty({weight.size(0)}, weight.options().requires_grad(false));
    torch::NoGradGuard noGrad;  // the straight-through step carries the gradient to W
    rowMeanAbs(weight.data_ptr<float>(), weight.size(0), weight.size(1), scores.data_ptr<float>());
    return scores;
}

// The masked layer in one node: y = (x W^T) * m + b with m_r = step(u_r - t_r), the same
// values and gradients as linear(x, W * m, b) with the straight-through step, without W * m,
// |W| or their gradients as temporaries the size of W (the layer's cost is its two or three
// matrix products). A pruned row's output is b_r exactly, as with W * m.
//   dL/dx = (g * m) W,  dL/dW = (g * m)^T x + sign(W) s / in,  dL/db = sum_b g,
//   dL/dt = -s,  with s_r = surrogate(u_r - t_r) sum_b g_br (x W^T)_br.
struct MaskedLinearFunction : public torch::autograd::Function<MaskedLinearFunction> {
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor x, torch::Tensor weight,
                                 torch::Tensor bias, torch::Tensor threshold, bool reversed, double cutoff) {
        const auto score = rowScores(weight) - threshold;
        const auto mask = (score > cutoff).to(x.scalar_type());
        const auto product = x.mm(weight.t());
        ctx->save_for_backward({x, weight, product, mask, score});
        ctx->saved_data["reversed"] = reversed;
        return torch::addcmul(bias, product, mask);
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list gradOutput) {
        const auto saved = ctx->get_saved_variables();
        const auto &x = saved[0], &weight = saved[1], &product = saved[2], &mask = saved[3], &score = saved[4];
        const auto& g = gradOutput[0];
        const auto kept = g * mask;
        torch::Tensor gradX;
        if (ctx->needs_input_grad(0)) gradX = kept.mm(weight);
        auto gradWeight = kept.t().mm(x);
        const auto s = (g * product).sum(0) * stepSurrogate(score, ctx->saved_data["reversed"].toBool());
        // sign(W) s / in: the row scores' share of the weight gradient.
        const auto rowScale = (s / weight.size(1)).contiguous();
        if (gradWeight.is_cpu() && weight.is_contiguous() && gradWeight.is_contiguous() &&
            weight.scalar_type() == torch::kFloat)
            addSignedRowScale(gradWeight.data_ptr<float>(), weight.data_ptr<float>(), rowScale.data_ptr<float>(),
                              weight.size(0), weight.size(1));
        else
            gradWeight.addcmul_(weight.sign(), rowScale.unsqueeze(1));
        return {gradX, gradWeight, g.sum(0), -s, torch::Tensor(), torch::Tensor()};
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
    torch::NoGradGuard noGrad;
    if (!enabled_) return torch::ones({weight.size(0), 1}, weight.options());
    return ((rowScores(weight) - threshold) > cutoff_).to(weight.scalar_type()).unsqueeze(1);
}

torch::Tensor MaskedLinearImpl::forward(const torch::Tensor& x) {
    if (!enabled_) return torch::nn::functional::linear(x, weight, bias);
    return MaskedLinearFunction::apply(x, weight, bias, threshold, gradient_ == MaskGradient::ReversedWindow, cutoff_);
}

double MaskedLinearImpl::keepRatio() {
    torch::NoGradGuard noGrad;
    return mask().mean().item<double>();
}

void MaskedLinearImpl::resetThresholds() {
    torch::NoGradGuard noGrad;
    threshold.zero_();
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

FusedAdamW::FusedAdamW(std::vector<Group> groups, double beta1, double beta2, double eps, double weightDecay)
    : groups_(std::move(groups)), beta1_(beta1), beta2_(beta2), eps_(eps), weightDecay_(weightDecay) {
    for (size_t g = 0; g < groups_.size(); ++g) {
        state_.emplace_back(groups_[g].params.size());
        for (size_t i = 0; i < groups_[g].params.size(); ++i)
            position_[groups_[g].params[i].unsafeGetTensorImpl()] = {g, i};
    }
}

void FusedAdamW::zeroGrad() {
    for (auto& group : groups_)
        for (auto& p : group.params) p.mutable_grad().reset();
}

void FusedAdamW::step() {
    for (size_t g = 0; g < groups_.size(); ++g)
        for (size_t i = 0; i < groups_[g].params.size(); ++i) stepOne(g, i);
}

std::pair<size_t, size_t> FusedAdamW::positionOf(const torch::Tensor& parameter) const {
    const auto found = position_.find(parameter.unsafeGetTensorImpl());
    if (found == position_.end()) throw Error("AdamW: the parameter is not one of the optimiser's");
    return found->second;
}

void FusedAdamW::step(const torch::Tensor& parameter) {
    const auto [g, i] = positionOf(parameter);
    stepOne(g, i);
}

// Counts the parameter's step (its moments allocated at the first) and returns the step's scalars.
AdamWScalars FusedAdamW::countStep(size_t g, size_t i) {
    auto& p = groups_[g].params[i];
    auto& state = state_[g][i];
    if (state.step == 0) {
        state.expAvg = torch::zeros_like(p, torch::MemoryFormat::Preserve);
        state.expAvgSq = torch::zeros_like(p, torch::MemoryFormat::Preserve);
    }
    ++state.step;
    const double lr = groups_[g].learningRate;
    const double biasCorrection1 = 1 - std::pow(beta1_, static_cast<double>(state.step));
    const double biasCorrection2 = 1 - std::pow(beta2_, static_cast<double>(state.step));
    return {static_cast<float>(1 - lr * weightDecay_), static_cast<float>(beta1_),
            static_cast<float>(1 - beta1_),         static_cast<float>(beta2_),
            static_cast<float>(1 - beta2_),         static_cast<float>(std::sqrt(biasCorrection2)),
            static_cast<float>(eps_),               static_cast<float>(-lr / biasCorrection1)};
}

bool FusedAdamW::beginFusedStep(const torch::Tensor& parameter, FusedStep& step) {
    const auto [g, i] = positionOf(parameter);
    if (!parameter.is_cpu() || parameter.scalar_type() != torch::kFloat || !parameter.is_contiguous()) return false;
    step.scalars = countStep(g, i);
    auto& state = state_[g][i];
    step.expAvg = state.expAvg.data_ptr<float>();
    step.expAvgSq = state.expAvgSq.data_ptr<float>();
    return true;
}

void FusedAdamW::stepOne(size_t g, size_t i) {
    torch::NoGradGuard noGrad;
    const double lr = groups_[g].learningRate;
    auto& p = groups_[g].params[i];
    const auto& grad = p.grad();
    if (!grad.defined()) return;
    auto& state = state_[g][i];
    const AdamWScalars scalars = countStep(g, i);
    const bool raw = p.is_cpu() && p.scalar_type() == torch::kFloat && p.is_contiguous() && grad.is_contiguous() &&
                     grad.scalar_type() == torch::kFloat && state.expAvg.is_contiguous() &&
                     state.expAvgSq.is_contiguous();
    if (raw) {
        adamwUpdate(p.data_ptr<float>(), grad.data_ptr<float>(), state.expAvg.data_ptr<float>(),
                    state.expAvgSq.data_ptr<float>(), p.numel(), scalars);
        p.unsafeGetTensorImpl()->bump_version();  // as torch's in-place operations would
        return;
    }
    const double biasCorrection1 = 1 - std::pow(beta1_, static_cast<double>(state.step));
    const double biasCorrection2 = 1 - std::pow(beta2_, static_cast<double>(state.step));
    const double stepSize = lr / biasCorrection1;
    // torch::optim::AdamW's operations, for GPUs.
    if (weightDecay_ != 0) p.mul_(1 - lr * weightDecay_);
    state.expAvg.mul_(beta1_).add_(grad, 1 - beta1_);
    state.expAvgSq.mul_(beta2_).addcmul_(grad, grad, 1 - beta2_);
    const auto denominator = (state.expAvgSq.sqrt() / std::sqrt(biasCorrection2)).add_(eps_);
    p.addcdiv_(state.expAvg, denominator, -stepSize);
}

std::unique_ptr<FusedAdamW> makeOptimizer(FeatureAdapter& fam, MaskedMlp& mlp, const FedMedClipOptions& o, int round) {
    auto trainable = [](const std::vector<torch::Tensor>& all) {
        std::vector<torch::Tensor> selected;
        for (const auto& p : all)
            if (p.requires_grad()) selected.push_back(p);
        return selected;
    };
    const double decay = std::pow(o.learningRateDecay, round);
    std::vector<FusedAdamW::Group> groups;
    groups.push_back({trainable(fam->parameters()), o.famLearningRate * decay});
    if (o.useMlp) groups.push_back({trainable(mlp->parameters()), o.mlpLearningRate * decay});
    return std::make_unique<FusedAdamW>(std::move(groups), 0.9, 0.98, 1e-6, o.weightDecay);
}

void applySparsityStep(MaskedLinear& layer, const FedMedClipOptions& o, int stepsThisRound, const float* givenScores) {
    if (!o.useMasks || !o.pruneFam || o.maskSparsityWeight <= 0 || stepsThisRound < 1) return;
    torch::NoGradGuard noGrad;
    // On the row scores alone (one pass over W unless given): rows x (score, threshold) on the CPU.
    const auto scoreTensor =
        givenScores ? torch::Tensor() : rowScores(layer->weight).to(torch::kCPU, torch::kFloat).contiguous();
    auto& t = layer->threshold;
    const auto thresholdTensor = t.to(torch::kCPU, torch::kFloat).contiguous();
    const std::int64_t rows = layer->weight.size(0);
    const float* scores = givenScores ? givenScores : scoreTensor.data_ptr<float>();
    const float* previous = thresholdTensor.data_ptr<float>();
    const auto cutoff = static_cast<float>(layer->cutoff());
    std::int64_t keptBefore = 0;
    double scoreSum = 0;
    for (std::int64_t r = 0; r < rows; ++r) {
        keptBefore += scores[r] - previous[r] > cutoff;
        scoreSum += scores[r];
    }
    if (static_cast<double>(keptBefore) / static_cast<double>(rows) <= o.famKeepTarget) return;
    const auto unit = static_cast<float>(scoreSum / static_cast<double>(rows));
    if (!(unit > 0)) return;
    const auto rise = static_cast<float>(o.maskSparsityWeight * unit / stepsThisRound);
    std::vector<float> raised(previous, previous + rows);
    std::int64_t keptAfter = 0;
    std::vector<std::int64_t> newlyPruned;
    for (std::int64_t r = 0; r < rows; ++r) {
        raised[static_cast<size_t>(r)] += std::exp(-previous[r] / unit) * rise;
        const bool kept = scores[r] - raised[static_cast<size_t>(r)] > cutoff;
        keptAfter += kept;
        if (!kept && scores[r] - previous[r] > cutoff) newlyPruned.push_back(r);
    }
    // Never below the target in one step: of the rows this step pruned, the strongest (highest
    // score) get their previous thresholds back until the layer keeps its target share.
    const auto minimumKept = static_cast<std::int64_t>(std::ceil(o.famKeepTarget * rows - 1e-9));
    auto missing = minimumKept - keptAfter;
    if (missing > 0) {
        std::stable_sort(newlyPruned.begin(), newlyPruned.end(),
                         [&](std::int64_t a, std::int64_t b) { return scores[a] > scores[b]; });
        for (std::int64_t r : newlyPruned) {
            if (missing-- <= 0) break;
            raised[static_cast<size_t>(r)] = previous[r];
        }
    }
    t.copy_(torch::from_blob(raised.data(), {rows}, torch::kFloat).to(t.device()));
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

void checkAssignable(const torch::Tensor& target, const NamedTensor& source) {
    if (source.shape != target.sizes().vec() || static_cast<std::int64_t>(source.values.size()) != target.numel())
        throw Error("parameter '" + source.name + "' has the wrong shape for this model");
}

void assignParameter(torch::Tensor& target, const NamedTensor& source) {
    checkAssignable(target, source);
    torch::NoGradGuard noGrad;
    const auto values = torch::from_blob(const_cast<float*>(source.values.data()), target.sizes(), torch::kFloat32);
    target.copy_(values.to(target.device(), target.scalar_type()));
}

}  // namespace fmc::detail
