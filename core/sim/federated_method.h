#pragma once
// One federated learning method behind one interface: what a site trains, what it sends,
// how the server aggregates, how a site predicts. The simulator runs any of them on the
// same data, splits, seeds, bundle and round loop. Adding a method: one method_*.cpp
// plus a line in methods.cpp.
#include "common/aggregation.h"
#include "common/codec.h"
#include "engine/clip_finetuner.h"
#include "engine/fedclip_adapter.h"
#include "engine/fedmedclip_site.h"

#include <memory>
#include <string>
#include <vector>

namespace fmc {

class ModelBundle;

// One site's split, as the method needs it.
struct SiteData {
    FloatMatrix features;       // frozen-encoder features (every method gets them)
    std::vector<float> images;  // preprocessed pixels, only for methods that train the encoders
    std::vector<int> labels;
    std::int64_t count() const { return static_cast<std::int64_t>(labels.size()); }
};

struct MethodSettings {
    FedMedClipOptions fedmedclip;
    FedClipOptions fedclip;
    ClipFinetuneOptions finetune;
    CodecKind codec = CodecKind::Fp16Zlib;  // FedMedCLIP's codec; the baselines send fp32 as published
};

struct MethodContext {
    const ModelBundle* bundle = nullptr;
    FloatMatrix classText;  // C x D frozen prompt features
    std::vector<std::string> classPrompts;
    float logitScale = 100;
    int sites = 0;
    std::uint64_t seed = 1;
    std::string device = "cpu";
    MethodSettings settings;
};

class FederatedMethod {
public:
    virtual ~FederatedMethod() = default;
    virtual std::string name() const = 0;
    virtual bool needsImages() const { return false; }
    virtual bool communicates() const { return true; }
    virtual CodecKind codec() const { return CodecKind::Fp32Raw; }

    virtual LocalTrainingStats train(int site, const SiteData& data) = 0;
    virtual ParameterSet upload(int site) const = 0;
    // The server's rule for the decoded uploads (weights: per-site, may be empty = uniform).
    virtual ParameterSet aggregate(const std::vector<ParameterSet>& uploads, const std::vector<double>& weights) const {
        return federatedAverage(uploads, weights);
    }
    virtual void download(int site, const ParameterSet& global) = 0;
    // Per-class probabilities (ensemble), plus the branches where a method has them.
    // site == -1 is the unseen site: only what the federation shares may be used; an empty
    // prediction means the method has nothing to offer there.
    virtual SitePrediction predict(int site, const SiteData& data) const = 0;

    // Everything needed to return to this point (best-round checkpoint).
    virtual std::vector<ParameterSet> snapshot() const = 0;
    virtual void restore(const std::vector<ParameterSet>& state) = 0;
    // Mean over the training sites of each communicated masked layer's keep ratio.
    virtual std::vector<double> keepRatios() const { return {}; }
};

std::unique_ptr<FederatedMethod> makeMethod(const std::string& name, const MethodContext& context);
// "fedmedclip", "local", "zeroshot", "fedclip", "fedavg", "fedprox", "moon"
std::vector<std::string> methodNames();

// Registration helpers, one per method file.
std::unique_ptr<FederatedMethod> makeFedMedClipMethod(const MethodContext& context, bool shareFam);
std::unique_ptr<FederatedMethod> makeZeroShotMethod(const MethodContext& context);
std::unique_ptr<FederatedMethod> makeFedClipMethod(const MethodContext& context);
std::unique_ptr<FederatedMethod> makeClipFinetuneMethod(const MethodContext& context, const std::string& variant);

}  // namespace fmc
