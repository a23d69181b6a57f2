#pragma once
// Internal to the engine (and its tests): a site's training step on the CPU without autograd.
// The forward and backward of batchLoss derived by hand (docs/method.md's losses through the
// masked FAM and MLP), on workspaces allocated once: the matrix products go to the engine's
// register tiles (cpu_products.h) or to BLAS, the rest are single loops over the batch.
// Never include from a public header.
#include "engine/fedmedclip_modules.h"

#include <cstdint>
#include <vector>

namespace fmc::detail {

// The loss terms of one batch, as batchLoss computes them.
struct StepLoss {
    double total = 0, contrastive = 0, mlp = 0, distillation = 0, mlpTeaches = 0, famTeaches = 0;
    double alpha = 0.5;  // weight of D(O->S); 0.5 when adaptive weighting is off
};

// Which matrix products the step runs: its own register-tiled ones where the CPU has them
// (cpu_products.h), or BLAS's.
enum class StepProducts { Automatic, Blas };

class CpuTrainingStep {
public:
    // Whether the step can train these modules: float32 tensors on the CPU.
    static bool supports(const FeatureAdapter& fam, const torch::Tensor& classText);

    // classText: C x D, normalised. The step keeps the modules and trains them in place.
    CpuTrainingStep(FeatureAdapter fam, MaskedMlp mlp, torch::Tensor classText, double logitScale,
                    const FedMedClipOptions& options, StepProducts products = StepProducts::Automatic);
    ~CpuTrainingStep();
    CpuTrainingStep(const CpuTrainingStep&) = delete;
    CpuTrainingStep& operator=(const CpuTrainingStep&) = delete;

    // The loss of one batch (B x D rows of famInput, B labels, 2 <= B <= options.batchSize) and
    // the same gradients as batchLoss(...).total.backward(), written over the trainable
    // parameters' .grad() (allocated on first use); batch norm's running statistics move as in
    // training mode. With an optimiser, each trainable parameter takes its step as soon as
    // nothing later in the step reads it (its gradient still in cache); where the step runs its
    // own products, a weight takes it inside its gradient's product and its .grad() is not written.
    StepLoss run(const torch::Tensor& input, const std::int64_t* labels, FusedAdamW* optimizer = nullptr);

    // The row scores of one of the step's layers as its last fused AdamW step left them, while
    // its weight has not changed since (null otherwise): rowMeanAbs of the weight, to the bit.
    const float* rowScoresOf(const MaskedLinearImpl& layer) const;

private:
    struct Layer;
    struct Norm;
    static bool fresh(const Layer& layer);  // whether its nextScores are those of its weight now
    void forward(Layer& layer, const torch::Tensor& x, std::int64_t batch);
    void backward(Layer& layer, const torch::Tensor& x, std::int64_t batch, bool inputGradient, FusedAdamW* optimizer);
    void rowGradients(Layer& layer);
    void backwardOwnProducts(Layer& layer, const torch::Tensor& x, std::int64_t batch, bool inputGradient,
                             std::int64_t keptCount, FusedAdamW* optimizer);
    void backwardBlas(Layer& layer, const torch::Tensor& x, std::int64_t batch, bool inputGradient,
                      std::int64_t keptCount);
    void forwardNorm(Norm& norm, const Layer& from, std::int64_t batch);
    void backwardNorm(Norm& norm, const torch::Tensor& gradOutput, Layer& into, std::int64_t batch,
                      FusedAdamW* optimizer);

    FeatureAdapter fam_;
    MaskedMlp mlp_;
    torch::Tensor classText_;
    double logitScale_;
    FedMedClipOptions options_;
    bool ownProducts_;
    std::vector<float> packedInput_;  // a layer's input as productWeightInput or the weight gradient reads it
    std::vector<Layer> layers_;  // fam fc1, fc2, then mlp fc1..fc4 with an MLP
    std::vector<Norm> norms_;    // mlp bn1..bn3
    // Per batch row (maxBatch rows): the FAM's normalised pre-activation, ReLU, attention,
    // adapted feature and its gradient, own-prompt features; B x B contrastive logits.
    torch::Tensor normalised_, relu_, attention_, adapted_, gradAdapted_, ownText_, logits_, gradLogits_;
    torch::Tensor similarity_, gradSimilarity_;  // B x C: f' T^T and its gradient
    std::vector<float> famInverseStd_, adaptedNorm_;
};

}  // namespace fmc::detail
