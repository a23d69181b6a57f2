#pragma once
// The FedCLIP baseline (Lu et al. 2023): an attention adapter on frozen image features,
// Linear -> Tanh -> Linear -> Softmax multiplied with the feature, no masks, no private
// classifier; trained with the contrastive loss, predicts by prompt similarity.
#include "common/types.h"
#include "engine/fedmedclip_site.h"

#include <cstdint>
#include <memory>
#include <string>

namespace fmc {

struct FedClipOptions {
    // FedCLIP's released settings: Adam(5e-5, betas 0.9/0.98, eps 1e-6, weight decay 0.2), batch 32.
    double learningRate = 5e-5;
    double weightDecay = 0.2;
    int batchSize = 32;
    int localEpochs = 1;
};

class FedClipAdapterSite {
public:
    FedClipAdapterSite(const FloatMatrix& classTextFeatures, float logitScale, const FedClipOptions& options,
                       std::uint64_t seed, const std::string& device = "cpu");
    ~FedClipAdapterSite();
    FedClipAdapterSite(FedClipAdapterSite&&) noexcept;
    FedClipAdapterSite& operator=(FedClipAdapterSite&&) noexcept;

    LocalTrainingStats trainRound(const FloatMatrix& features, const std::vector<int>& labels);
    FloatMatrix predict(const FloatMatrix& features) const;
    ParameterSet parameters() const;
    void setParameters(const ParameterSet& parameters);

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

}  // namespace fmc
