#pragma once
// Internal to the engine (and its tests): the FedMedCLIP torch modules and losses.
// Never include from a public header: it pulls in LibTorch.
#include "engine/fedmedclip_site.h"

#include <torch/torch.h>

namespace fmc::detail {

// Linear layer whose output rows are kept or pruned as a whole: row r is kept iff
// mean_j |W_rj| > t_r. The step has a straight-through gradient so t learns.
class MaskedLinearImpl : public torch::nn::Module {
public:
    MaskedLinearImpl(std::int64_t in, std::int64_t out, MaskGradient gradient, bool enabled);
    torch::Tensor forward(const torch::Tensor& x);
    torch::Tensor mask();  // 1 for kept rows, 0 for pruned rows (with gradient to W and t)
    double keepRatio();
    void resetThresholds();

    torch::Tensor weight, bias, threshold;

private:
    MaskGradient gradient_;
    bool enabled_;
};
TORCH_MODULE(MaskedLinear);

// FAM: masked linear -> instance norm over features -> ReLU -> masked linear -> softmax,
// applied multiplicatively to the (normalised) image feature, then L2-normalised.
class FeatureAdapterImpl : public torch::nn::Module {
public:
    FeatureAdapterImpl(std::int64_t dim, MaskGradient gradient, bool masks);
    torch::Tensor forward(const torch::Tensor& normalisedFeatures);
    MaskedLinear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(FeatureAdapter);

// Private classifier: 4 masked layers, batch norm + ReLU between them.
class MaskedMlpImpl : public torch::nn::Module {
public:
    MaskedMlpImpl(std::int64_t in, std::int64_t hidden, std::int64_t classes, MaskGradient gradient, bool masks);
    torch::Tensor forward(const torch::Tensor& x);
    MaskedLinear fc1{nullptr}, fc2{nullptr}, fc3{nullptr}, fc4{nullptr};
    torch::nn::BatchNorm1d bn1{nullptr}, bn2{nullptr}, bn3{nullptr};
};
TORCH_MODULE(MaskedMlp);

// Symmetric CLIP loss of adapted features against each sample's own class-prompt feature.
torch::Tensor contrastiveLoss(const torch::Tensor& adapted, const torch::Tensor& ownTextFeatures, double logitScale);

// Class-wise KL(teacher || student): per class, softmax over the batch at temperature T,
// KL summed over the batch, averaged over classes. The teacher is detached.
torch::Tensor classwiseDistillation(const torch::Tensor& teacherLogits, const torch::Tensor& studentLogits,
                                    double temperature);

// Per-sample entropy of softmax(logits); `softmaxTwice` reproduces the released code's
// -sum p log softmax(p).
torch::Tensor entropyOfLogits(const torch::Tensor& logits, bool softmaxTwice);

// alpha = mean(w_M / (w_F + w_M)) with w = 1/H: the weight of the MLP-teaches-FAM direction.
torch::Tensor adaptiveAlpha(const torch::Tensor& famEntropy, const torch::Tensor& mlpEntropy);

torch::Tensor toTensor(const FloatMatrix& matrix);
FloatMatrix toMatrix(const torch::Tensor& tensor);

// A parameter as it leaves a model (fp32, CPU, row-major) and as it comes back in place;
// `assignParameter` throws fmc::Error naming the tensor when the shape does not fit.
NamedTensor toNamedTensor(const std::string& name, const torch::Tensor& tensor);
void assignParameter(torch::Tensor& target, const NamedTensor& source);

}  // namespace fmc::detail
