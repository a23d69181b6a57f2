#include "engine/clip_finetuner.h"

#include "engine/fedmedclip_modules.h"
#include "engine/model_bundle.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/script.h>

#include <chrono>
#include <filesystem>

namespace fmc {
namespace {

std::vector<torch::Tensor> trainable(const torch::jit::Module& module) {
    std::vector<torch::Tensor> tensors;
    for (const auto& p : module.parameters()) tensors.push_back(p);
    return tensors;
}

torch::Tensor normalise(const torch::Tensor& x) {
    return torch::nn::functional::normalize(x, torch::nn::functional::NormalizeFuncOptions().dim(1));
}

}  // namespace

struct ClipFinetuner::Impl {
    ClipFinetuneOptions options;
    torch::Device device{torch::kCPU};
    torch::jit::Module image, text;
    torch::jit::Module globalImage, previousImage;  // MOON's reference encoders
    torch::Tensor promptTokens;                     // C x L
    std::int64_t inputSize = 0;
    double logitScale = 100;
    std::vector<torch::Tensor> globalSnapshot;  // FedProx anchor: the last received global model
    std::unique_ptr<torch::optim::Adam> optimizer;
    at::Generator shuffle;

    std::vector<std::pair<std::string, torch::Tensor>> namedParameters() const {
        std::vector<std::pair<std::string, torch::Tensor>> named;
        for (const auto& p : image.named_parameters()) named.emplace_back("image." + p.name, p.value);
        for (const auto& p : text.named_parameters()) named.emplace_back("text." + p.name, p.value);
        return named;
    }

    std::vector<torch::Tensor> allParameters() const {
        auto tensors = trainable(image);
        auto textTensors = trainable(text);
        tensors.insert(tensors.end(), textTensors.begin(), textTensors.end());
        return tensors;
    }

    torch::Tensor encodeImages(torch::jit::Module& encoder, const torch::Tensor& batch) {
        return normalise(encoder.forward({batch}).toTensor());
    }

    torch::Tensor imagesTensor(const std::vector<float>& images, std::int64_t count) const {
        if (static_cast<std::int64_t>(images.size()) != count * 3 * inputSize * inputSize)
            throw Error("images: expected " + std::to_string(count) + " x 3 x " + std::to_string(inputSize) + " x " +
                        std::to_string(inputSize) + " floats");
        return torch::from_blob(const_cast<float*>(images.data()), {count, 3, inputSize, inputSize}, torch::kFloat32)
            .to(device);
    }
};

ClipFinetuner::ClipFinetuner(const ModelBundle& bundle, const std::vector<std::string>& classPrompts,
                             const ClipFinetuneOptions& options, std::uint64_t seed, const std::string& device)
    : d(std::make_unique<Impl>()) {
    const auto& manifest = bundle.manifest();
    d->options = options;
    d->device = torch::Device(device);
    d->inputSize = manifest.inputSize;
    d->logitScale = manifest.logitScale;
    const std::filesystem::path dir = bundle.directory();
    d->image = torch::jit::load((dir / manifest.imageEncoder.path).string(), d->device);
    d->text = torch::jit::load((dir / manifest.textEncoder.path).string(), d->device);
    if (trainable(d->image).empty() || trainable(d->text).empty())
        throw Error(bundle.directory() + ": the bundle's encoders have no trainable parameters (frozen export); "
                    "full fine-tuning baselines need an unfrozen bundle");
    for (auto& p : d->allParameters()) p.set_requires_grad(true);
    std::vector<std::int64_t> ids;
    for (const auto& prompt : classPrompts) {
        const auto tokens = bundle.tokenize(prompt);
        ids.insert(ids.end(), tokens.begin(), tokens.end());
    }
    d->promptTokens = torch::tensor(ids, torch::kLong)
                          .view({static_cast<std::int64_t>(classPrompts.size()), manifest.contextLength})
                          .to(d->device);
    d->optimizer = std::make_unique<torch::optim::Adam>(
        d->allParameters(), torch::optim::AdamOptions(options.learningRate)
                                .betas({0.9, 0.98})
                                .eps(1e-6)
                                .weight_decay(options.weightDecay));
    d->shuffle = at::make_generator<at::CPUGeneratorImpl>(seed);
    if (options.moonMu > 0) {
        d->globalImage = d->image.clone();
        d->previousImage = d->image.clone();
    }
    if (options.proxMu > 0)
        for (const auto& p : d->allParameters()) d->globalSnapshot.push_back(p.detach().clone());
}

ClipFinetuner::~ClipFinetuner() = default;
ClipFinetuner::ClipFinetuner(ClipFinetuner&&) noexcept = default;
ClipFinetuner& ClipFinetuner::operator=(ClipFinetuner&&) noexcept = default;

LocalTrainingStats ClipFinetuner::trainRound(const std::vector<float>& images, const std::vector<int>& labels) {
    const auto start = std::chrono::steady_clock::now();
    const auto count = static_cast<std::int64_t>(labels.size());
    const auto all = d->imagesTensor(images, count);
    std::vector<std::int64_t> labelValues(labels.begin(), labels.end());
    const auto allLabels = torch::tensor(labelValues, torch::kLong).to(d->device);
    const auto& o = d->options;
    if (o.moonMu > 0) {
        // MOON compares against the model received this round and the one this site had before.
        d->previousImage = d->image.clone();
        for (auto& encoder : {&d->globalImage, &d->previousImage}) encoder->eval();
    }
    d->image.train();
    d->text.train();
    LocalTrainingStats stats;
    for (int epoch = 0; epoch < o.localEpochs; ++epoch) {
        const auto order = torch::randperm(count, d->shuffle, torch::kLong).to(d->device);
        for (std::int64_t begin = 0; begin < count; begin += o.batchSize) {
            const auto end = std::min<std::int64_t>(begin + o.batchSize, count);
            if (end - begin < 2) break;
            const auto index = order.slice(0, begin, end);
            const auto batch = all.index_select(0, index);
            const auto y = allLabels.index_select(0, index);
            const auto imageFeatures = d->encodeImages(d->image, batch);
            // The class prompts run through the text encoder once per batch; each sample
            // takes its own class's row, as if its prompt were encoded on its own.
            const auto textFeatures = normalise(d->text.forward({d->promptTokens}).toTensor()).index_select(0, y);
            auto loss = detail::contrastiveLoss(imageFeatures, textFeatures, d->logitScale);
            if (o.proxMu > 0) {
                torch::Tensor proximal = torch::zeros({}, imageFeatures.options());
                const auto current = d->allParameters();
                for (size_t i = 0; i < current.size(); ++i)
                    proximal = proximal + (current[i] - d->globalSnapshot[i]).pow(2).sum();
                loss = loss + o.proxMu / 2 * proximal;
            }
            if (o.moonMu > 0) {
                torch::Tensor globalZ, previousZ;
                {
                    torch::NoGradGuard noGrad;
                    globalZ = d->encodeImages(d->globalImage, batch);
                    previousZ = d->encodeImages(d->previousImage, batch);
                }
                const auto positive = (imageFeatures * globalZ).sum(1) / o.moonTemperature;
                const auto negative = (imageFeatures * previousZ).sum(1) / o.moonTemperature;
                const auto logits = torch::stack({positive, negative}, 1);
                const auto zeros = torch::zeros({logits.size(0)}, torch::TensorOptions().dtype(torch::kLong).device(d->device));
                loss = loss + o.moonMu * torch::nn::functional::cross_entropy(logits, zeros);
            }
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

FloatMatrix ClipFinetuner::predict(const std::vector<float>& images, std::int64_t count) const {
    torch::InferenceMode inference;
    d->image.eval();
    d->text.eval();
    const auto textFeatures = normalise(d->text.forward({d->promptTokens}).toTensor());
    const auto all = d->imagesTensor(images, count);
    std::vector<torch::Tensor> probabilities;
    for (std::int64_t begin = 0; begin < count; begin += 64) {
        const auto batch = all.slice(0, begin, std::min<std::int64_t>(begin + 64, count));
        const auto imageFeatures = d->encodeImages(d->image, batch);
        probabilities.push_back(torch::softmax(d->logitScale * imageFeatures.matmul(textFeatures.t()), 1));
    }
    return detail::toMatrix(torch::cat(probabilities, 0));
}

ParameterSet ClipFinetuner::parameters() const {
    ParameterSet set;
    for (const auto& [name, tensor] : d->namedParameters()) set.push_back(detail::toNamedTensor(name, tensor));
    return set;
}

void ClipFinetuner::setParameters(const ParameterSet& parameters) {
    auto named = d->namedParameters();
    if (parameters.size() != named.size())
        throw Error("CLIP update has " + std::to_string(parameters.size()) + " tensors, expected " +
                    std::to_string(named.size()));
    for (size_t i = 0; i < named.size(); ++i) {
        if (parameters[i].name != named[i].first)
            throw Error("CLIP update tensor '" + parameters[i].name + "' does not match '" + named[i].first + "'");
        detail::assignParameter(named[i].second, parameters[i]);
    }
    torch::NoGradGuard noGrad;
    if (d->options.moonMu > 0) d->globalImage = d->image.clone();
    if (d->options.proxMu > 0)
        for (size_t i = 0; i < named.size(); ++i) d->globalSnapshot[i].copy_(named[i].second);
}

std::int64_t ClipFinetuner::parameterCount() const {
    std::int64_t count = 0;
    for (const auto& p : d->allParameters()) count += p.numel();
    return count;
}

}  // namespace fmc
