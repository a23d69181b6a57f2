#pragma once
// Internal to the engine (and its tests): the FedMedCLIP torch modules and losses.
// Never include from a public header: it pulls in LibTorch.
#include "engine/cpu_kernels.h"
#include "engine/fedmedclip_site.h"

#include <torch/torch.h>

#include <unordered_map>

namespace fmc::detail {

// Linear layer whose output rows are kept or pruned as a whole: row r is kept iff
// mean_j |W_rj| - t_r > cutoff (cutoff 0; the released code's 0.01). The step has a
// straight-through gradient so t learns (forward() is one autograd node for the whole layer).
class MaskedLinearImpl : public torch::nn::Module {
public:
    MaskedLinearImpl(std::int64_t in, std::int64_t out, MaskGradient gradient, bool enabled, double cutoff = 0.0);
    torch::Tensor forward(const torch::Tensor& x);
    torch::Tensor mask();  // rows x 1: 1 for kept rows, 0 for pruned rows (no gradient)
    double keepRatio();
    void resetThresholds();
    double cutoff() const { return cutoff_; }
    bool enabled() const { return enabled_; }
    MaskGradient gradient() const { return gradient_; }

    torch::Tensor weight, bias, threshold;

private:
    MaskGradient gradient_;
    bool enabled_;
    double cutoff_;
};
TORCH_MODULE(MaskedLinear);

// FAM: masked linear -> instance norm over features -> ReLU -> masked linear -> softmax,
// applied multiplicatively to the (normalised) image feature, then L2-normalised.
class FeatureAdapterImpl : public torch::nn::Module {
public:
    FeatureAdapterImpl(std::int64_t dim, MaskGradient gradient, bool masks, double cutoff = 0.0);
    // `features`: the L2-normalised image features (the released code: the raw ones).
    torch::Tensor forward(const torch::Tensor& features);
    MaskedLinear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(FeatureAdapter);

// Private classifier: 4 masked layers, batch norm + ReLU between them.
class MaskedMlpImpl : public torch::nn::Module {
public:
    MaskedMlpImpl(std::int64_t in, std::int64_t hidden, std::int64_t classes, MaskGradient gradient, bool masks,
                  double cutoff = 0.0);
    torch::Tensor forward(const torch::Tensor& x);
    MaskedLinear fc1{nullptr}, fc2{nullptr}, fc3{nullptr}, fc4{nullptr};
    torch::nn::BatchNorm1d bn1{nullptr}, bn2{nullptr}, bn3{nullptr};
};
TORCH_MODULE(MaskedMlp);

// Symmetric CLIP loss of adapted features against each sample's own class-prompt feature.
torch::Tensor contrastiveLoss(const torch::Tensor& adapted, const torch::Tensor& ownTextFeatures, double logitScale);

// Class-wise KL(teacher || student): per class, softmax over the batch at temperature T,
// KL summed over the batch, averaged over classes. The teacher is detached unless
// `detachTeacher` is false (the released code).
torch::Tensor classwiseDistillation(const torch::Tensor& teacherLogits, const torch::Tensor& studentLogits,
                                    double temperature, bool detachTeacher = true);

// Per-sample entropy of softmax(logits); `softmaxTwice` reproduces the released code's
// -sum p log softmax(p).
torch::Tensor entropyOfLogits(const torch::Tensor& logits, bool softmaxTwice);

// alpha = mean(w_M / (w_F + w_M)) with w = 1/H: the weight of the MLP-teaches-FAM direction.
torch::Tensor adaptiveAlpha(const torch::Tensor& famEntropy, const torch::Tensor& mlpEntropy);

// The FAM's input: the image features L2-normalised, or raw (options.normaliseFamInput false).
torch::Tensor famInput(const torch::Tensor& rawFeatures, const FedMedClipOptions& options);

// The loss of one batch (famInput rows, labels) and its terms, with the graph for backward.
struct BatchLoss {
    torch::Tensor total, contrastive, mlp, distillation, mlpTeaches, famTeaches;
    double alpha = 0.5;  // weight of D(O->S); 0.5 when adaptive weighting is off
};
BatchLoss batchLoss(FeatureAdapter& fam, MaskedMlp& mlp, const torch::Tensor& input, const torch::Tensor& labels,
                    const torch::Tensor& classText, double logitScale, const FedMedClipOptions& options);

// AdamW (decoupled weight decay) with torch::optim::AdamW's arithmetic, in one pass over
// each CPU parameter (torch's makes about ten, each with a temporary the size of the
// parameter); other devices take torch's operations. State per parameter: both moments and
// its step count.
class FusedAdamW {
public:
    struct Group {
        std::vector<torch::Tensor> params;
        double learningRate;
    };
    FusedAdamW(std::vector<Group> groups, double beta1, double beta2, double eps, double weightDecay);
    // Drops the gradients: the next backward writes fresh ones instead of adding to zeros.
    void zeroGrad();
    void step();
    // Steps one of the parameters alone (the same update as step() gives it): the CPU training
    // step updates each layer as soon as its gradient is final, while it is still in cache.
    void step(const torch::Tensor& parameter);
    // The same step for a CPU float parameter whose gradient the caller computes and applies
    // itself with adamwUpdate's arithmetic (the training step, a tile at a time, without
    // writing .grad()): counts the step and gives its moments and scalars. False, counting
    // nothing, where the parameter is not contiguous float on the CPU.
    struct FusedStep {
        float* expAvg;
        float* expAvgSq;
        AdamWScalars scalars;
    };
    bool beginFusedStep(const torch::Tensor& parameter, FusedStep& step);
    std::vector<Group>& groups() { return groups_; }

private:
    std::pair<size_t, size_t> positionOf(const torch::Tensor& parameter) const;  // throws if not ours
    void stepOne(size_t group, size_t index);
    AdamWScalars countStep(size_t group, size_t index);

    struct State {
        torch::Tensor expAvg, expAvgSq;
        std::int64_t step = 0;
    };
    std::vector<Group> groups_;
    std::vector<std::vector<State>> state_;
    std::unordered_map<const void*, std::pair<size_t, size_t>> position_;  // by TensorImpl
    double beta1_, beta2_, eps_, weightDecay_;
};

// AdamW over the trainable FAM (group 0) and MLP (group 1) parameters at the learning rates
// of round `round` (0-based): initial rate x decay^round.
std::unique_ptr<FusedAdamW> makeOptimizer(FeatureAdapter& fam, MaskedMlp& mlp, const FedMedClipOptions& options,
                                          int round);

// The pruning schedule's step for one FAM layer after one of the round's `stepsThisRound`
// optimiser steps: with u the layer's mean row score, t/u <- t/u + (lambda / steps) exp(-t/u),
// the decoupled gradient step of the sparsity term sum exp(-t/u); only while the layer keeps
// more than options.famKeepTarget of its rows. rowScores: the layer's row scores for its
// current weights where the caller holds them (null: computed here).
void applySparsityStep(MaskedLinear& layer, const FedMedClipOptions& options, int stepsThisRound,
                       const float* rowScores = nullptr);

torch::Tensor toTensor(const FloatMatrix& matrix);
FloatMatrix toMatrix(const torch::Tensor& tensor);

// A parameter as it leaves a model (fp32, CPU, row-major) and as it comes back in place;
// `assignParameter` throws fmc::Error naming the tensor when the shape does not fit.
NamedTensor toNamedTensor(const std::string& name, const torch::Tensor& tensor);
void assignParameter(torch::Tensor& target, const NamedTensor& source);
// The same check alone, so that a whole set can be checked before any of it is assigned.
void checkAssignable(const torch::Tensor& target, const NamedTensor& source);

}  // namespace fmc::detail
