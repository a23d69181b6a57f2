// FedMedCLIP (this project) and local-only training ("Individual"): the same FAM + MLP per
// site; FedMedCLIP shares the FAM, local-only shares nothing.
#include "sim/federated_method.h"

namespace fmc {
namespace {

class FedMedClipMethod : public FederatedMethod {
public:
    FedMedClipMethod(const MethodContext& context, bool shareFam)
        : options_(context.settings.fedmedclip), shareFam_(shareFam), codec_(context.settings.codec) {
        for (int s = 0; s < context.sites; ++s)
            sites_.emplace_back(context.classText, context.logitScale, context.settings.fedmedclip,
                                context.seed + 101 * (s + 1), context.device);
        // The server broadcasts one initial FAM, so every site starts from the same point.
        global_ = sites_[0].famParameters();
        for (auto& site : sites_) site.setFamParameters(global_);
        auto famOnly = context.settings.fedmedclip;
        famOnly.useMlp = false;
        unseen_ = std::make_unique<FedMedClipSite>(context.classText, context.logitScale, famOnly, context.seed,
                                                   context.device);
        unseen_->setFamParameters(global_);
    }

    std::string name() const override { return shareFam_ ? "fedmedclip" : "local"; }
    bool communicates() const override { return shareFam_; }
    CodecKind codec() const override { return codec_; }

    LocalTrainingStats train(int site, const SiteData& data) override {
        return sites_[static_cast<size_t>(site)].trainRound(data.features, data.labels);
    }
    ParameterSet upload(int site) const override { return sites_[static_cast<size_t>(site)].famParameters(); }
    ParameterSet aggregate(const std::vector<ParameterSet>& uploads, const std::vector<double>& weights) const override {
        return options_.maskAwareAggregation ? maskAwareAverage(uploads, weights) : federatedAverage(uploads, weights);
    }
    void download(int site, const ParameterSet& global) override {
        sites_[static_cast<size_t>(site)].receiveGlobalFam(global);
        if (site == 0) {
            global_ = global;
            unseen_->setFamParameters(global);
        }
    }
    SitePrediction predict(int site, const SiteData& data) const override {
        if (site >= 0) return sites_[static_cast<size_t>(site)].predict(data.features);
        if (!shareFam_) return {};  // local-only has no shared model for an unseen site
        return unseen_->predict(data.features);
    }
    std::vector<ParameterSet> snapshot() const override {
        std::vector<ParameterSet> state;
        for (const auto& site : sites_) state.push_back(site.fullState());
        state.push_back(global_);
        return state;
    }
    void restore(const std::vector<ParameterSet>& state) override {
        for (size_t s = 0; s < sites_.size(); ++s) sites_[s].setFullState(state[s]);
        global_ = state.back();
        unseen_->setFamParameters(global_);
    }
    std::vector<double> keepRatios() const override {
        std::vector<double> mean(2, 0.0);
        for (const auto& site : sites_) {
            const auto ratios = site.keepRatios();
            for (size_t layer = 0; layer < mean.size(); ++layer) mean[layer] += ratios[layer] / sites_.size();
        }
        return mean;
    }

private:
    FedMedClipOptions options_;
    bool shareFam_;
    CodecKind codec_;
    std::vector<FedMedClipSite> sites_;
    ParameterSet global_;
    std::unique_ptr<FedMedClipSite> unseen_;
};

}  // namespace

std::unique_ptr<FederatedMethod> makeFedMedClipMethod(const MethodContext& context, bool shareFam) {
    return std::make_unique<FedMedClipMethod>(context, shareFam);
}

}  // namespace fmc
