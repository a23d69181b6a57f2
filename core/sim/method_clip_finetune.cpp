// FedAVG, FedProx and MOON as in the paper's comparison: every site fine-tunes the whole
// CLIP (both encoders) with the contrastive loss and the server averages all of it.
#include "sim/federated_method.h"

namespace fmc {
namespace {

class ClipFinetuneMethod : public FederatedMethod {
public:
    ClipFinetuneMethod(const MethodContext& context, const std::string& variant) : variant_(variant) {
        auto options = context.settings.finetune;
        if (variant == "fedprox" && options.proxMu <= 0) options.proxMu = 0.01;
        if (variant == "moon" && options.moonMu <= 0) options.moonMu = 1.0;
        if (variant == "fedavg") options.proxMu = options.moonMu = 0;
        if (variant == "fedprox") options.moonMu = 0;
        if (variant == "moon") options.proxMu = 0;
        for (int s = 0; s < context.sites; ++s)
            sites_.emplace_back(*context.bundle, context.classPrompts, options, context.seed + 101 * (s + 1),
                                context.device);
    }
    std::string name() const override { return variant_; }
    bool needsImages() const override { return true; }
    LocalTrainingStats train(int site, const SiteData& data) override {
        return sites_[static_cast<size_t>(site)].trainRound(data.images, data.labels);
    }
    ParameterSet upload(int site) const override { return sites_[static_cast<size_t>(site)].parameters(); }
    void download(int site, const ParameterSet& global) override {
        sites_[static_cast<size_t>(site)].setParameters(global);
    }
    // Nothing is private: after a download every site, and an unseen one, holds the global model.
    SitePrediction predict(int site, const SiteData& data) const override {
        SitePrediction prediction;
        prediction.ensemble = sites_[static_cast<size_t>(std::max(site, 0))].predict(data.images, data.count());
        return prediction;
    }
    std::vector<ParameterSet> snapshot() const override { return {sites_[0].parameters()}; }
    void restore(const std::vector<ParameterSet>& state) override {
        for (auto& site : sites_) site.setParameters(state[0]);
    }

private:
    std::string variant_;
    std::vector<ClipFinetuner> sites_;
};

}  // namespace

std::unique_ptr<FederatedMethod> makeClipFinetuneMethod(const MethodContext& context, const std::string& variant) {
    return std::make_unique<ClipFinetuneMethod>(context, variant);
}

}  // namespace fmc
