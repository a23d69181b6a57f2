#pragma once
// One site's FedMedCLIP model: the communicated feature adaptation module (FAM) and the
// private masked MLP, trained on cached frozen-CLIP image features. Torch stays inside.
#include "common/types.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace fmc {

// How a masked layer's step function passes gradient to its input (score - threshold).
enum class MaskGradient {
    Window,         // paper's intent (dynamic sparse training): gradient where |x| <= 1
    ReversedWindow  // released code: gradient only where |x| > 1, so thresholds never move
};

struct FedMedClipOptions {
    // Ablation switches (the paper's Table of ablations).
    bool useMlp = true;
    bool useDistillation = true;
    bool adaptiveWeighting = true;  // use alpha to weight the two distillation directions
    bool useMasks = true;

    // Pruning by design (docs/method.md, "Pruning"): the sparsity term lambda * sum exp(-t/u)
    // on the FAM's thresholds, applied as a decoupled step spread over the round's optimiser
    // steps, so every round raises a layer's thresholds by about lambda * (its mean row score)
    // whatever the number of steps; it acts only while the layer keeps more than
    // famKeepTarget of its rows. The task loss keeps the rows it needs (straight-through step).
    bool pruneFam = true;
    double maskSparsityWeight = 0.3;  // lambda: per-round threshold rise, in mean row scores
    double famKeepTarget = 0.5;       // share of FAM rows the sparsity term prunes down to
    // Mask-aware aggregation: each FAM row averaged over the sites that kept it, and a site
    // keeps its own weights for the rows it pruned (see receiveGlobalFam).
    bool maskAwareAggregation = true;

    // Where the released code differs from the paper; defaults follow the paper's intent.
    MaskGradient maskGradient = MaskGradient::Window;
    bool shareThresholds = true;            // released code drops them from the upload ...
    bool resetThresholdsEachRound = false;  // ... and starts every round from zero
    bool entropyOnSoftmaxTwice = false;     // released code: -sum p log softmax(p)
    bool keepOptimizerState = true;         // released code re-creates AdamW every round
    bool dropLastBatch = false;             // released code: DataLoader(drop_last=True)
    bool detachTeacher = true;              // released code: gradient reaches the teacher too
    bool normaliseFamInput = true;          // released code: the raw image feature enters the FAM
    double maskForwardCutoff = 0.0;         // released code: row kept iff u - t > 0.01
    bool shuffle = true;                    // false: samples in the given order (cross-checks)

    // Hyperparameters from the released training script.
    double famLearningRate = 5e-4;
    double mlpLearningRate = 1e-4;
    double learningRateDecay = 0.97;  // multiplied after every round
    double weightDecay = 0.02;
    int batchSize = 32;
    int localEpochs = 1;
    double distillationWeight = 0.04;
    double distillationTemperature = 2.0;
    int mlpHiddenSize = 512;
    // A layer keeping this share of rows or less gets its thresholds reset (as the released code does).
    double minimumKeepRatio = 0.01;

    // Reproduces every choice of the released code listed in docs/method.md.
    static FedMedClipOptions releasedCode();
};

struct LocalTrainingStats {
    double loss = 0;
    double contrastiveLoss = 0;
    double mlpLoss = 0;
    double distillationLoss = 0;
    double alpha = 0;  // mean adaptive weight of the MLP-teaches-FAM direction
    int steps = 0;
    int samples = 0;
    double seconds = 0;
};

// Per-sample probabilities (rows = samples, cols = classes) of each view.
struct SitePrediction {
    FloatMatrix ensemble;  // entropy-weighted ensemble (FAM-only where there is no MLP)
    FloatMatrix famOnly;   // softmax(100 * cosine(f', class prompts))
    FloatMatrix mlpOnly;   // softmax(MLP logits); empty without an MLP
    std::vector<float> famEntropy;
    std::vector<float> mlpEntropy;
    std::vector<int> predictedClass() const;  // argmax of ensemble
};

class FedMedClipSite {
public:
    // classTextFeatures: C x D frozen text features of the class prompts (normalised inside).
    FedMedClipSite(const FloatMatrix& classTextFeatures, float logitScale, const FedMedClipOptions& options,
                   std::uint64_t seed, const std::string& device = "cpu");
    ~FedMedClipSite();
    FedMedClipSite(FedMedClipSite&&) noexcept;
    FedMedClipSite& operator=(FedMedClipSite&&) noexcept;

    // One federated round of local training on raw image features (N x D) with labels in [0, C).
    LocalTrainingStats trainRound(const FloatMatrix& features, const std::vector<int>& labels);

    SitePrediction predict(const FloatMatrix& features) const;

    // What the site sends: FAM weights, biases and (when shared) thresholds.
    ParameterSet famParameters() const;
    void setFamParameters(const ParameterSet& parameters);
    // The server's average as a training site takes it: with mask-aware aggregation the rows
    // this site pruned keep their own weights and thresholds (its bias comes from the
    // average); otherwise the same as setFamParameters.
    void receiveGlobalFam(const ParameterSet& global);
    // Everything, MLP and batch-norm statistics included: for local checkpoints only.
    ParameterSet fullState() const;
    void setFullState(const ParameterSet& state);

    // Share of output rows each masked layer keeps, FAM layers first.
    std::vector<double> keepRatios() const;
    const FedMedClipOptions& options() const;
    int numClasses() const;
    int embeddingDim() const;
    int roundsTrained() const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

}  // namespace fmc
