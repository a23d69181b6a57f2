// FedCLIP (Lu et al. 2023): a shared attention adapter, no masks, no private classifier.
#include "sim/federated_method.h"

namespace fmc {
namespace {

class FedClipMethod : public FederatedMethod {
public:
    explicit FedClipMethod(const MethodContext& context) {
        for (int s = 0; s <= context.sites; ++s)  // the last one serves the unseen site
            sites_.emplace_back(context.classText, context.logitScale, context.settings.fedclip,
                                context.seed + 101 * (s + 1), context.device);
        const auto initial = sites_[0].parameters();
        for (auto& site : sites_) site.setParameters(initial);
    }
    std::string name() const override { return "fedclip"; }
    LocalTrainingStats train(int site, const SiteData& data) override {
        return sites_[static_cast<size_t>(site)].trainRound(data.features, data.labels);
    }
    ParameterSet upload(int site) const override { return sites_[static_cast<size_t>(site)].parameters(); }
    void download(int site, const ParameterSet& global) override {
        sites_[static_cast<size_t>(site)].setParameters(global);
        if (site == 0) sites_.back().setParameters(global);
    }
    SitePrediction predict(int site, const SiteData& data) const override {
        SitePrediction prediction;
        prediction.ensemble = site >= 0 ? sites_[static_cast<size_t>(site)].predict(data.features)
                                        : sites_.back().predict(data.features);
        return prediction;
    }
    std::vector<ParameterSet> snapshot() const override {
        std::vector<ParameterSet> state;
        for (const auto& site : sites_) state.push_back(site.parameters());
        return state;
    }
    void restore(const std::vector<ParameterSet>& state) override {
        for (size_t s = 0; s < sites_.size(); ++s) sites_[s].setParameters(state[s]);
    }

private:
    std::vector<FedClipAdapterSite> sites_;
};

}  // namespace

std::unique_ptr<FederatedMethod> makeFedClipMethod(const MethodContext& context) {
    return std::make_unique<FedClipMethod>(context);
}

}  // namespace fmc
