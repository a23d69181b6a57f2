#include "engine/model_bundle.h"

#include "common/sha256.h"
#include "engine/runtime.h"
#include "text/clip_tokenizer.h"

#include <torch/script.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

namespace fs = std::filesystem;

namespace fmc {
namespace {

// ---------------------------------------------------------------- torch helpers

std::string cleanTorchMessage(const std::exception& e) {
    std::string msg;
    if (const auto* ce = dynamic_cast<const c10::Error*>(&e))
        msg = ce->what_without_backtrace();
    else
        msg = e.what();
    std::vector<std::string> all;
    {
        std::istringstream lines(msg);
        std::string line;
        while (std::getline(lines, line)) all.push_back(line);
    }
    // TorchScript interpreter errors: a traceback with source excerpts, then the actual
    // "RuntimeError: ..." line(s). Keep what follows the last "...Error: " line start.
    for (size_t i = all.size(); i-- > 0;) {
        const auto pos = all[i].find("Error: ");
        const bool errorLine = pos != std::string::npos && pos > 0 && all[i][0] != ' ' &&
                               all[i].find(' ') > pos;  // e.g. "RuntimeError: ...", not an indented excerpt
        if (errorLine) {
            std::string out;
            for (size_t j = i; j < all.size() && j < i + 3; ++j) {
                if (all[j].empty()) continue;
                if (!out.empty()) out += " ";
                out += all[j];
            }
            return out;
        }
    }
    // Otherwise keep the first few lines.
    std::string out;
    for (size_t i = 0; i < all.size() && i < 4; ++i) {
        const std::string& line = all[i];
        if (line.empty()) continue;
        if (!out.empty()) out += " | ";
        out += line;
    }
    return out;
}

std::string shapeString(const torch::Tensor& t) {
    std::string s = "[";
    for (int64_t i = 0; i < t.dim(); ++i) {
        if (i) s += ", ";
        s += std::to_string(t.size(i));
    }
    return s + "]";
}

std::string ivalueKind(const c10::IValue& v) { return v.tagKind(); }

}  // namespace

// ---------------------------------------------------------------- ModelBundle

struct ModelBundle::Impl {
    BundleManifest manifest;
    std::string dir;
    torch::Device device{torch::kCPU};
    mutable torch::jit::Module image;
    mutable torch::jit::Module text;
    std::shared_ptr<const ClipTokenizer> tokenizer;
    std::int64_t batchSize = 32;
    std::string imagePath;
    std::string textPath;

    // Runs one encoder on `input` and returns float32 CPU features [rows, D], or throws
    // naming the encoder file and the shape that came back.
    torch::Tensor run(torch::jit::Module& module, const torch::Tensor& input, const char* which,
                      const std::string& path, const std::string& what) const {
        c10::IValue out;
        try {
            out = module.forward({input.to(device)});
        } catch (const std::exception& e) {
            throw Error(path + ": " + which + " encoder failed on " + what + " input " + shapeString(input) + ": " +
                        cleanTorchMessage(e));
        }
        if (!out.isTensor())
            throw Error(path + ": " + which + " encoder returned a " + ivalueKind(out) + " for " + what +
                        " input; expected a tensor [" + std::to_string(input.size(0)) + ", " +
                        std::to_string(manifest.embeddingDim) + "]");
        torch::Tensor t = out.toTensor();
        const std::string expected =
            "[" + std::to_string(input.size(0)) + ", " + std::to_string(manifest.embeddingDim) + "]";
        if (t.dim() != 2 || t.size(0) != input.size(0))
            throw Error(path + ": " + which + " encoder returned shape " + shapeString(t) + " for " + what +
                        " input " + shapeString(input) + "; expected " + expected);
        if (t.size(1) != manifest.embeddingDim)
            throw Error(path + ": " + which + " encoder returned shape " + shapeString(t) + " for " + what +
                        " input, but manifest.json embedding_dim is " + std::to_string(manifest.embeddingDim) +
                        " (expected " + expected + ")");
        if (!t.is_floating_point())
            throw Error(path + ": " + which + " encoder returned dtype " + std::string(c10::toString(t.scalar_type())) +
                        "; expected floating-point features");
        return t.to(torch::kCPU, torch::kFloat).contiguous();
    }
};

ModelBundle::ModelBundle(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ModelBundle::ModelBundle(ModelBundle&&) noexcept = default;
ModelBundle& ModelBundle::operator=(ModelBundle&&) noexcept = default;
ModelBundle::~ModelBundle() = default;

ModelBundle ModelBundle::load(const std::string& dir, const std::string& device) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw Error("model bundle folder '" + dir + "' does not exist or is not a folder");
    const fs::path root(dir);
    const std::string manifestPath = (root / kBundleManifestFileName).string();
    if (!fs::is_regular_file(manifestPath, ec))
        throw Error(manifestPath + ": missing (every model bundle folder needs a manifest.json)");

    auto impl = std::make_unique<Impl>();
    impl->dir = dir;
    impl->manifest = readManifestFile(manifestPath);
    BundleManifest& m = impl->manifest;

    if (m.tokenizer != kClipBpeTokenizer)
        throw Error(manifestPath + ": field 'tokenizer' is \"" + m.tokenizer +
                    "\", which this build does not support (supported: \"" + kClipBpeTokenizer + "\")");

    struct Entry {
        const BundleFile* file;
        const char* field;
    };
    for (const Entry& e : {Entry{&m.imageEncoder, "image_encoder"}, Entry{&m.textEncoder, "text_encoder"},
                           Entry{&m.vocabulary, "vocabulary"}}) {
        const std::string path = (root / e.file->path).string();
        if (!fs::is_regular_file(path, ec))
            throw Error(path + ": missing (listed in " + manifestPath + " as files." + e.field + ")");
        const std::string actual = sha256FileHex(path);
        if (actual != e.file->sha256)
            throw Error(path + ": SHA-256 mismatch: manifest.json files." + e.field + ".sha256 is " + e.file->sha256 +
                        " but the file hashes to " + actual + " (corrupt or modified bundle)");
    }
    const std::string expectedBundleHash = computeBundleHash(m);
    if (m.bundleHash != expectedBundleHash)
        throw Error(manifestPath + ": field 'bundle_hash' is " + m.bundleHash +
                    " but the file hashes give " + expectedBundleHash);

    try {
        impl->device = torch::Device(device);
    } catch (const std::exception& e) {
        throw Error("device '" + device + "': " + cleanTorchMessage(e));
    }
    if (impl->device.is_cuda() && !torch::cuda::is_available())
        throw Error("device '" + device + "': CUDA is not available in this build or on this machine");

    impl->imagePath = (root / m.imageEncoder.path).string();
    impl->textPath = (root / m.textEncoder.path).string();
    auto loadModule = [&](const std::string& path, const char* which) {
        try {
            torch::jit::Module module = torch::jit::load(path, impl->device);
            module.eval();
            return module;
        } catch (const std::exception& e) {
            throw Error(path + ": not a loadable TorchScript " + which + " encoder: " + cleanTorchMessage(e));
        }
    };
    impl->image = loadModule(impl->imagePath, "image");
    impl->text = loadModule(impl->textPath, "text");

    impl->tokenizer =
        std::make_shared<const ClipTokenizer>(ClipTokenizer::fromVocabularyFile((root / m.vocabulary.path).string()));

    // Shape probes: one image, one text.
    {
        c10::InferenceMode guard;
        const auto s = m.inputSize;
        impl->run(impl->image, torch::zeros({1, 3, s, s}), "image", impl->imagePath, "a 1-image probe");
        const auto ids = impl->tokenizer->tokenize("a photo", static_cast<int>(m.contextLength));
        auto tokens = torch::from_blob(const_cast<std::int64_t*>(ids.data()), {1, m.contextLength}, torch::kLong).clone();
        impl->run(impl->text, tokens, "text", impl->textPath, "a 1-text probe");
    }
    return ModelBundle(std::move(impl));
}

const BundleManifest& ModelBundle::manifest() const { return impl_->manifest; }
const std::string& ModelBundle::directory() const { return impl_->dir; }

FloatMatrix ModelBundle::encodeImages(const float* nchw, std::int64_t count) const {
    const auto d = impl_->manifest.embeddingDim;
    const auto s = impl_->manifest.inputSize;
    if (count < 0) throw Error("ModelBundle::encodeImages: negative image count");
    FloatMatrix out(count, d);
    if (count == 0) return out;
    if (!nchw) throw Error("ModelBundle::encodeImages: null image buffer");
    const std::int64_t perImage = 3 * s * s;
    c10::InferenceMode guard;
    const ScopedComputeThreads threads(impl_->device.is_cpu() ? encoderThreads() : 0);
    for (std::int64_t start = 0; start < count; start += impl_->batchSize) {
        const std::int64_t n = std::min(impl_->batchSize, count - start);
        auto input = torch::from_blob(const_cast<float*>(nchw + start * perImage), {n, 3, s, s}, torch::kFloat);
        auto features = impl_->run(impl_->image, input, "image", impl_->imagePath, "a batch");
        std::copy_n(features.data_ptr<float>(), n * d, out.row(start));
    }
    return out;
}

std::vector<std::int64_t> ModelBundle::tokenize(const std::string& text) const {
    return impl_->tokenizer->tokenize(text, static_cast<int>(impl_->manifest.contextLength));
}

FloatMatrix ModelBundle::encodeTokens(const std::vector<std::int64_t>& ids, std::int64_t count) const {
    const auto d = impl_->manifest.embeddingDim;
    const auto l = impl_->manifest.contextLength;
    if (count < 0 || static_cast<std::int64_t>(ids.size()) != count * l)
        throw Error("ModelBundle::encodeTokens: expected " + std::to_string(count) + " x context_length " +
                    std::to_string(l) + " token ids, got " + std::to_string(ids.size()));
    FloatMatrix out(count, d);
    c10::InferenceMode guard;
    const ScopedComputeThreads threads(impl_->device.is_cpu() ? encoderThreads() : 0);
    for (std::int64_t start = 0; start < count; start += impl_->batchSize) {
        const std::int64_t n = std::min(impl_->batchSize, count - start);
        auto input = torch::from_blob(const_cast<std::int64_t*>(ids.data() + start * l), {n, l}, torch::kLong);
        auto features = impl_->run(impl_->text, input, "text", impl_->textPath, "a batch");
        std::copy_n(features.data_ptr<float>(), n * d, out.row(start));
    }
    return out;
}

FloatMatrix ModelBundle::encodeTexts(const std::vector<std::string>& texts) const {
    const auto l = impl_->manifest.contextLength;
    std::vector<std::int64_t> ids;
    ids.reserve(texts.size() * static_cast<size_t>(l));
    for (const auto& t : texts) {
        const auto row = impl_->tokenizer->tokenize(t, static_cast<int>(l));
        if (static_cast<std::int64_t>(row.size()) != l)
            throw Error("ModelBundle::encodeTexts: tokenizer returned " + std::to_string(row.size()) +
                        " ids, expected context_length " + std::to_string(l));
        ids.insert(ids.end(), row.begin(), row.end());
    }
    return encodeTokens(ids, static_cast<std::int64_t>(texts.size()));
}

void ModelBundle::setThreads(int n) {
    if (n < 1) throw Error("ModelBundle::setThreads: thread count must be >= 1, got " + std::to_string(n));
    torch::set_num_threads(n);
}

void ModelBundle::setBatchSize(std::int64_t n) {
    if (n < 1) throw Error("ModelBundle::setBatchSize: batch size must be >= 1, got " + std::to_string(n));
    impl_->batchSize = n;
}

std::int64_t ModelBundle::batchSize() const { return impl_->batchSize; }

}  // namespace fmc
