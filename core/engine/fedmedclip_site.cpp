#include "engine/fedmedclip_site.h"

#include "engine/fedmedclip_modules.h"
#include "engine/fedmedclip_step.h"
#include "engine/runtime.h"

#include <ATen/CPUGeneratorImpl.h>

#include <chrono>
#include <map>
#include <mutex>

namespace fmc {
using namespace detail;

FedMedClipOptions FedMedClipOptions::releasedCode() {
    FedMedClipOptions options;
    options.maskGradient = MaskGradient::ReversedWindow;
    options.shareThresholds = false;
    options.resetThresholdsEachRound = true;
    options.entropyOnSoftmaxTwice = true;
    options.adaptiveWeighting = false;
    options.keepOptimizerState = false;
    options.pruneFam = false;
    options.maskAwareAggregation = false;
    options.dropLastBatch = true;
    options.detachTeacher = false;
    options.normaliseFamInput = false;
    options.maskForwardCutoff = 0.01;
    return options;
}

std::vector<int> SitePrediction::predictedClass() const {
    std::vector<int> classes(static_cast<size_t>(ensemble.rows));
    for (std::int64_t r = 0; r < ensemble.rows; ++r) {
        const float* row = ensemble.row(r);
        classes[static_cast<size_t>(r)] = static_cast<int>(std::max_element(row, row + ensemble.cols) - row);
    }
    return classes;
}

namespace {
// Module construction draws from torch's global generator; seeding it must not interleave.
std::mutex& initialisationMutex() {
    static std::mutex mutex;
    return mutex;
}

// The global FAM against this site's: famParameters()'s tensors (thresholds included: the
// mask-aware path shares them), in order, names and shapes.
void checkSameFamLayout(const torch::OrderedDict<std::string, torch::Tensor>& own, const ParameterSet& global) {
    if (own.size() != global.size())
        throw Error("FAM update has " + std::to_string(global.size()) + " tensors, expected " +
                    std::to_string(own.size()));
    for (size_t i = 0; i < own.size(); ++i) {
        const auto& name = own[i].key();
        const auto& tensor = own[i].value();
        if (name != global[i].name || tensor.sizes().vec() != global[i].shape ||
            static_cast<std::int64_t>(global[i].values.size()) != tensor.numel())
            throw Error("FAM update tensor " + std::to_string(i) + " ('" + global[i].name +
                        "') does not match this site's '" + name + "'");
    }
}

std::vector<MaskedLinear> maskedLayers(FeatureAdapter& fam, MaskedMlp& mlp, bool withMlp) {
    std::vector<MaskedLinear> layers{fam->fc1, fam->fc2};
    if (withMlp) layers.insert(layers.end(), {mlp->fc1, mlp->fc2, mlp->fc3, mlp->fc4});
    return layers;
}

}  // namespace

struct FedMedClipSite::Impl {
    FedMedClipOptions options;
    torch::Device device{torch::kCPU};
    torch::Tensor classText;  // C x D, normalised
    double logitScale = 100;
    FeatureAdapter fam{nullptr};
    MaskedMlp mlp{nullptr};
    std::unique_ptr<FusedAdamW> optimizer;
    // On the CPU the hand-derived step trains the modules; elsewhere autograd does (batchLoss).
    std::unique_ptr<CpuTrainingStep> cpuStep;
    at::Generator shuffle;
    int rounds = 0;

    std::vector<MaskedLinear> layers() { return maskedLayers(fam, mlp, options.useMlp); }

    double decayedRate(double initial) const { return initial * std::pow(options.learningRateDecay, rounds); }

    void buildOptimizer() { optimizer = makeOptimizer(fam, mlp, options, rounds); }

    void applyDecayedRates() {
        auto& groups = optimizer->groups();
        groups[0].learningRate = decayedRate(options.famLearningRate);
        if (groups.size() > 1) groups[1].learningRate = decayedRate(options.mlpLearningRate);
    }

    torch::Tensor famInputOf(const FloatMatrix& features) const {
        if (features.cols != classText.size(1))
            throw Error("features have dimension " + std::to_string(features.cols) + " but the model expects " +
                        std::to_string(classText.size(1)));
        return famInput(toTensor(features).to(device), options);
    }

    // Steps of one round: full batches, plus the last partial one unless dropped (and
    // never a single sample: batch norm cannot train on it).
    int stepsPerRound(std::int64_t samples) const {
        const std::int64_t full = samples / options.batchSize, rest = samples % options.batchSize;
        const bool partial = rest >= 2 && !options.dropLastBatch;
        return static_cast<int>((full + (partial ? 1 : 0)) * options.localEpochs);
    }
};

FedMedClipSite::FedMedClipSite(const FloatMatrix& classTextFeatures, float logitScale,
                               const FedMedClipOptions& options, std::uint64_t seed, const std::string& device)
    : d(std::make_unique<Impl>()) {
    if (classTextFeatures.rows < 2) throw Error("a federation task needs at least two classes");
    if (options.batchSize < 2) throw Error("batch size must be at least 2 (batch norm)");
    d->options = options;
    d->device = torch::Device(device);
    if (d->device.is_cuda() && !torch::cuda::is_available())
        throw Error("device '" + device + "': LibTorch sees no GPU (is this a CUDA build of LibTorch?)");
    d->logitScale = logitScale;
    d->classText = torch::nn::functional::normalize(toTensor(classTextFeatures),
                                                    torch::nn::functional::NormalizeFuncOptions().dim(1))
                       .to(d->device);
    const auto dim = classTextFeatures.cols;
    {
        std::lock_guard<std::mutex> lock(initialisationMutex());
        torch::manual_seed(seed);
        d->fam = FeatureAdapter(dim, options.maskGradient, options.useMasks, options.maskForwardCutoff);
        d->mlp = MaskedMlp(dim, options.mlpHiddenSize, classTextFeatures.rows, options.maskGradient, options.useMasks,
                           options.maskForwardCutoff);
    }
    d->fam->to(d->device);
    d->mlp->to(d->device);
    if (CpuTrainingStep::supports(d->fam, d->classText))
        d->cpuStep = std::make_unique<CpuTrainingStep>(d->fam, d->mlp, d->classText, logitScale, options);
    d->shuffle = at::make_generator<at::CPUGeneratorImpl>(seed ^ 0x9e3779b97f4a7c15ULL);
    d->buildOptimizer();
}

FedMedClipSite::~FedMedClipSite() = default;
FedMedClipSite::FedMedClipSite(FedMedClipSite&&) noexcept = default;
FedMedClipSite& FedMedClipSite::operator=(FedMedClipSite&&) noexcept = default;

LocalTrainingStats FedMedClipSite::trainRound(const FloatMatrix& features, const std::vector<int>& labels) {
    const auto start = std::chrono::steady_clock::now();
    if (static_cast<std::int64_t>(labels.size()) != features.rows)
        throw Error("training labels: " + std::to_string(labels.size()) + " labels for " +
                    std::to_string(features.rows) + " feature rows");
    for (int label : labels)
        if (label < 0 || label >= numClasses()) throw Error("training labels: label " + std::to_string(label) + " out of range");

    auto& o = d->options;
    const ScopedComputeThreads threads(d->device.is_cpu() ? featureSpaceThreads() : 0);
    if (o.resetThresholdsEachRound)
        for (auto& layer : d->layers()) layer->resetThresholds();
    if (o.keepOptimizerState)
        d->applyDecayedRates();
    else
        d->buildOptimizer();

    const auto all = d->famInputOf(features);
    std::vector<std::int64_t> labelValues(labels.begin(), labels.end());
    const auto allLabels = torch::tensor(labelValues, torch::kLong).to(d->device);
    auto batch = torch::empty({0}, all.options());  // the CPU step's batch rows, reused
    std::vector<std::int64_t> batchLabels(static_cast<size_t>(o.batchSize));
    const int steps = d->stepsPerRound(features.rows);

    d->fam->train();
    d->mlp->train();
    LocalTrainingStats stats;
    double alphaSum = 0;
    for (int epoch = 0; epoch < o.localEpochs; ++epoch) {
        const auto order = o.shuffle ? torch::randperm(features.rows, d->shuffle, torch::kLong).to(d->device)
                                     : torch::arange(features.rows, torch::TensorOptions().dtype(torch::kLong).device(d->device));
        for (std::int64_t begin = 0; begin < features.rows; begin += o.batchSize) {
            const auto end = std::min<std::int64_t>(begin + o.batchSize, features.rows);
            if (end - begin < 2) break;  // batch norm cannot train on a single sample
            if (o.dropLastBatch && end - begin < o.batchSize) break;
            const auto index = order.slice(0, begin, end);
            StepLoss loss;
            if (d->cpuStep) {
                batch.resize_({end - begin, all.size(1)});
                at::index_select_out(batch, all, 0, index);
                const std::int64_t* rows = index.data_ptr<std::int64_t>();
                for (std::int64_t i = 0; i < end - begin; ++i) batchLabels[size_t(i)] = labelValues[size_t(rows[i])];
                loss = d->cpuStep->run(batch, batchLabels.data(), d->optimizer.get());
            } else {
                const auto terms = batchLoss(d->fam, d->mlp, all.index_select(0, index), allLabels.index_select(0, index),
                                             d->classText, d->logitScale, o);
                d->optimizer->zeroGrad();
                terms.total.backward();
                loss.total = terms.total.item<double>();
                loss.contrastive = terms.contrastive.item<double>();
                if (terms.mlp.defined()) loss.mlp = terms.mlp.item<double>();
                if (terms.distillation.defined()) loss.distillation = terms.distillation.item<double>();
                loss.alpha = terms.alpha;
                d->optimizer->step();
            }
            for (auto* layer : {&d->fam->fc1, &d->fam->fc2})
                applySparsityStep(*layer, o, steps, d->cpuStep ? d->cpuStep->rowScoresOf(**layer) : nullptr);

            stats.loss += loss.total;
            stats.contrastiveLoss += loss.contrastive;
            stats.mlpLoss += loss.mlp;
            stats.distillationLoss += loss.distillation;
            alphaSum += loss.alpha;
            stats.samples += static_cast<int>(end - begin);
            ++stats.steps;
        }
    }
    if (stats.steps > 0) {
        stats.loss /= stats.steps;
        stats.contrastiveLoss /= stats.steps;
        stats.mlpLoss /= stats.steps;
        stats.distillationLoss /= stats.steps;
        stats.alpha = alphaSum / stats.steps;
    }
    // A layer that pruned (almost) everything starts over, as in the released code.
    for (auto& layer : d->layers())
        if (o.useMasks && layer->keepRatio() <= o.minimumKeepRatio) layer->resetThresholds();
    ++d->rounds;
    stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return stats;
}

SitePrediction FedMedClipSite::predict(const FloatMatrix& features) const {
    torch::InferenceMode inference;
    const ScopedComputeThreads threads(d->device.is_cpu() ? featureSpaceThreads() : 0);
    d->fam->eval();
    d->mlp->eval();
    const auto x = d->famInputOf(features);
    const auto& o = d->options;
    const auto adapted = d->fam(x);
    const auto similarity = adapted.matmul(d->classText.t());
    const auto famLogits = 100.0 * similarity;
    const auto famProbabilities = torch::softmax(famLogits, 1);
    SitePrediction prediction;
    prediction.famOnly = toMatrix(famProbabilities);
    const auto famEntropy = entropyOfLogits(famLogits, o.entropyOnSoftmaxTwice);
    prediction.famEntropy = toMatrix(famEntropy.unsqueeze(1)).data;
    if (!o.useMlp) {
        prediction.ensemble = prediction.famOnly;
        return prediction;
    }
    const auto mlpLogits = d->mlp(adapted);
    const auto mlpProbabilities = torch::softmax(mlpLogits, 1);
    const auto mlpEntropy = entropyOfLogits(mlpLogits, o.entropyOnSoftmaxTwice);
    // Trust the less uncertain branch more: a = H_F / (H_F + H_M) is the MLP's weight.
    const auto a = (famEntropy / (famEntropy + mlpEntropy + 1e-12)).unsqueeze(1);
    prediction.mlpOnly = toMatrix(mlpProbabilities);
    prediction.mlpEntropy = toMatrix(mlpEntropy.unsqueeze(1)).data;
    prediction.ensemble = toMatrix((1 - a) * famProbabilities + a * mlpProbabilities);
    return prediction;
}

namespace {
bool sharesThresholds(const FedMedClipOptions& o) { return o.useMasks && o.shareThresholds; }
// Whether the FAM tensor `key` is among those a site sends and takes.
bool exchanged(const FedMedClipOptions& o, const std::string& key) {
    const bool threshold = key.size() >= 9 && key.compare(key.size() - 9, 9, "threshold") == 0;
    return !threshold || sharesThresholds(o);
}
}  // namespace

ParameterSet FedMedClipSite::famParameters() const {
    ParameterSet parameters;
    for (const auto& item : d->fam->named_parameters())
        if (exchanged(d->options, item.key())) parameters.push_back(toNamedTensor(item.key(), item.value()));
    return parameters;
}

void FedMedClipSite::setFamParameters(const ParameterSet& parameters) {
    auto named = d->fam->named_parameters();
    size_t expected = 0;  // the tensors famParameters() sends
    for (const auto& item : named) expected += exchanged(d->options, item.key()) ? 1 : 0;
    if (parameters.size() != expected)
        throw Error("FAM update has " + std::to_string(parameters.size()) + " tensors, expected " +
                    std::to_string(expected));
    // Every tensor checked before any is taken: a bad update leaves the FAM as it was.
    for (const auto& tensor : parameters) {
        const auto* target = named.find(tensor.name);
        if (!target) throw Error("FAM update has unknown tensor '" + tensor.name + "'");
        checkAssignable(*target, tensor);
    }
    for (const auto& tensor : parameters) assignParameter(*named.find(tensor.name), tensor);
}

void FedMedClipSite::receiveGlobalFam(const ParameterSet& global) {
    if (!d->options.maskAwareAggregation || !sharesThresholds(d->options)) {
        setFamParameters(global);
        return;
    }
    // Rows this site pruned keep its own weights and thresholds: the global tensors are taken
    // whole, then those rows (copied out before) put back, with no copy of the whole FAM.
    torch::NoGradGuard noGrad;
    std::map<std::string, torch::Tensor> prunedHere;  // "fc1" / "fc2": the pruned rows' indices
    for (auto* layer : {&d->fam->fc1, &d->fam->fc2})
        prunedHere[layer == &d->fam->fc1 ? "fc1" : "fc2"] = ((*layer)->mask().squeeze(1) == 0).nonzero().squeeze(1);
    auto named = d->fam->named_parameters();
    checkSameFamLayout(named, global);
    struct OwnRows {
        torch::Tensor* parameter;
        const torch::Tensor* rows;
        torch::Tensor values;
    };
    std::vector<OwnRows> ownRows;
    for (const auto& tensor : global) {
        const auto dot = tensor.name.find('.');
        const auto field = tensor.name.substr(dot + 1);
        if (field != "weight" && field != "threshold") continue;
        const auto& rows = prunedHere.at(tensor.name.substr(0, dot));
        if (rows.numel() == 0) continue;
        auto* parameter = named.find(tensor.name);
        ownRows.push_back({parameter, &rows, parameter->index_select(0, rows)});
    }
    for (const auto& tensor : global) assignParameter(*named.find(tensor.name), tensor);
    for (auto& own : ownRows) own.parameter->index_copy_(0, *own.rows, own.values);
}

ParameterSet FedMedClipSite::fullState() const {
    ParameterSet state;
    for (const auto& [prefix, module] : {std::pair<std::string, torch::nn::Module*>{"fam.", d->fam.get()},
                                         {"mlp.", d->mlp.get()}}) {
        for (const auto& item : module->named_parameters()) state.push_back(toNamedTensor(prefix + item.key(), item.value()));
        for (const auto& item : module->named_buffers()) state.push_back(toNamedTensor(prefix + item.key(), item.value()));
    }
    return state;
}

void FedMedClipSite::setFullState(const ParameterSet& state) {
    std::map<std::string, torch::Tensor> targets;
    for (const auto& [prefix, module] : {std::pair<std::string, torch::nn::Module*>{"fam.", d->fam.get()},
                                         {"mlp.", d->mlp.get()}}) {
        for (const auto& item : module->named_parameters()) targets[prefix + item.key()] = item.value();
        for (const auto& item : module->named_buffers()) targets[prefix + item.key()] = item.value();
    }
    if (state.size() != targets.size())
        throw Error("model state has " + std::to_string(state.size()) + " tensors, expected " +
                    std::to_string(targets.size()));
    for (const auto& tensor : state) {
        auto it = targets.find(tensor.name);
        if (it == targets.end()) throw Error("model state has unknown tensor '" + tensor.name + "'");
        assignParameter(it->second, tensor);
    }
}

std::vector<double> FedMedClipSite::keepRatios() const {
    std::vector<double> ratios;
    for (auto& layer : d->layers()) ratios.push_back(layer->keepRatio());
    return ratios;
}

const FedMedClipOptions& FedMedClipSite::options() const { return d->options; }
int FedMedClipSite::numClasses() const { return static_cast<int>(d->classText.size(0)); }
int FedMedClipSite::embeddingDim() const { return static_cast<int>(d->classText.size(1)); }
int FedMedClipSite::roundsTrained() const { return d->rounds; }

}  // namespace fmc
