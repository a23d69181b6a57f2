#pragma once
// Full fine-tuning of a bundle's CLIP encoders with the contrastive loss: the FedAVG,
// FedProx and MOON baselines of the paper. Expensive by nature (every image runs through
// the encoders every round); torch stays inside.
#include "common/types.h"
#include "engine/fedmedclip_site.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace fmc {

class ModelBundle;

struct ClipFinetuneOptions {
    // FedCLIP's FedAVG baseline: Adam(5e-5, betas 0.9/0.98, eps 1e-6, weight decay 0.2).
    double learningRate = 5e-5;
    double weightDecay = 0.2;
    int batchSize = 16;
    int localEpochs = 1;
    double proxMu = 0.0;            // FedProx: mu/2 ||w - w_global||^2
    double moonMu = 0.0;            // MOON: weight of the model-contrastive term
    double moonTemperature = 0.5;
};

class ClipFinetuner {
public:
    // Loads fresh, trainable copies of the bundle's encoders. Fails with fmc::Error for a
    // bundle whose encoders have no trainable parameters (e.g. frozen TorchScript exports).
    ClipFinetuner(const ModelBundle& bundle, const std::vector<std::string>& classPrompts,
                  const ClipFinetuneOptions& options, std::uint64_t seed, const std::string& device = "cpu");
    ~ClipFinetuner();
    ClipFinetuner(ClipFinetuner&&) noexcept;
    ClipFinetuner& operator=(ClipFinetuner&&) noexcept;

    // images: count x 3 x S x S preprocessed floats.
    LocalTrainingStats trainRound(const std::vector<float>& images, const std::vector<int>& labels);
    // Per-class probabilities softmax(logit scale * cosine(image, class prompt)).
    FloatMatrix predict(const std::vector<float>& images, std::int64_t count) const;

    ParameterSet parameters() const;  // both encoders, every trainable tensor
    void setParameters(const ParameterSet& parameters);
    std::int64_t parameterCount() const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

}  // namespace fmc
