#include "engine/fedclip_adapter.h"

#include "engine/fedmedclip_modules.h"

#include <ATen/CPUGeneratorImpl.h>

#include <chrono>
#include <mutex>

namespace fmc {
namespace {

torch::Tensor normalise(const torch::Tensor& x) {
    return torch::nn::functional::normalize(x, torch::nn::functional::NormalizeFuncOptions().dim(1));
}

struct AttentionAdapterImpl : torch::nn::Module {
    explicit AttentionAdapterImpl(std::int64_t dim) {
        fc1 = register_module("fc1", torch::nn::Linear(torch::nn::LinearOptions(dim, dim).bias(false)));
        fc2 = register_module("fc2", torch::nn::Linear(torch::nn::LinearOptions(dim, dim).bias(false)));
    }
    torch::Tensor forward(const torch::Tensor& features) {
        return normalise(torch::softmax(fc2(torch::tanh(fc1(features))), 1) * features);
    }
    torch::nn::Linear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(AttentionAdapter);

}  // namespace

struct FedClipAdapterSite::Impl {
    FedClipOptions options;
    torch::Device device{torch::kCPU};
    torch::Tensor classText;
    double logitScale = 100;
    AttentionAdapter adapter{nullptr};
    std::unique_ptr<torch::optim::Adam> optimizer;
    at::Generator shuffle;
};

FedClipAdapterSite::FedClipAdapterSite(const FloatMatrix& classTextFeatures, float logitScale,
                                       const FedClipOptions& options, std::uint64_t seed, const std::string& device)
    : d(std::make_unique<Impl>()) {
    d->options = options;
    d->device = torch::Device(device);
    d->logitScale = logitScale;
    d->classText = normalise(detail::toTensor(classTextFeatures)).to(d->device);
    {
        static std::mutex initialisation;
        std::lock_guard<std::mutex> lock(initialisation);
        torch::manual_seed(seed);
        d->adapter = AttentionAdapter(classTextFeatures.cols);
    }
    d->adapter->to(d->device);
    d->optimizer = std::make_unique<torch::optim::Adam>(
        d->adapter->parameters(),
        torch::optim::AdamOptions(options.learningRate).betas({0.9, 0.98}).eps(1e-6).weight_decay(options.weightDecay));
    d->shuffle = at::make_generator<at::CPUGeneratorImpl>(seed);
}

FedClipAdapterSite::~FedClipAdapterSite() = default;
FedClipAdapterSite::FedClipAdapterSite(FedClipAdapterSite&&) noexcept = default;
FedClipAdapterSite& FedClipAdapterSite::operator=(FedClipAdapterSite&&) noexcept = default;

LocalTrainingStats FedClipAdapterSite::trainRound(const FloatMatrix& features, const std::vector<int>& labels) {
    const auto start = std::chrono::steady_clock::now();
    const auto all = normalise(detail::toTensor(features)).to(d->device);
    std::vector<std::int64_t> labelValues(labels.begin(), labels.end());
    const auto allLabels = torch::tensor(labelValues, torch::kLong).to(d->device);
    d->adapter->train();
    LocalTrainingStats stats;
    for (int epoch = 0; epoch < d->options.localEpochs; ++epoch) {
        const auto order = torch::randperm(features.rows, d->shuffle, torch::kLong).to(d->device);
        for (std::int64_t begin = 0; begin < features.rows; begin += d->options.batchSize) {
            const auto end = std::min<std::int64_t>(begin + d->options.batchSize, features.rows);
            if (end - begin < 2) break;
            const auto index = order.slice(0, begin, end);
            const auto y = allLabels.index_select(0, index);
            const auto loss = detail::contrastiveLoss(d->adapter(all.index_select(0, index)),
                                                      d->classText.index_select(0, y), d->logitScale);
            d->optimizer->zero_grad();
            loss.backward();
            d->optimizer->step();
            stats.loss += loss.item<double>();
            stats.samples += static_cast<int>(end - begin);
            ++stats.steps;
        }
    }
    if (stats.steps > 0) stats.loss /= stats.steps;
    stats.contrastiveLoss = stats.loss;
    stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return stats;
}

FloatMatrix FedClipAdapterSite::predict(const FloatMatrix& features) const {
    torch::InferenceMode inference;
    d->adapter->eval();
    const auto adapted = d->adapter(normalise(detail::toTensor(features)).to(d->device));
    return detail::toMatrix(torch::softmax(d->logitScale * adapted.matmul(d->classText.t()), 1));
}

ParameterSet FedClipAdapterSite::parameters() const {
    ParameterSet set;
    for (const auto& item : d->adapter->named_parameters()) set.push_back(detail::toNamedTensor(item.key(), item.value()));
    return set;
}

void FedClipAdapterSite::setParameters(const ParameterSet& parameters) {
    auto named = d->adapter->named_parameters();
    if (parameters.size() != named.size()) throw Error("FedCLIP adapter update has the wrong number of tensors");
    for (const auto& source : parameters) {
        auto* target = named.find(source.name);
        if (!target) throw Error("FedCLIP adapter update has unknown tensor '" + source.name + "'");
        detail::assignParameter(*target, source);
    }
}

}  // namespace fmc
