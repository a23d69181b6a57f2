#include "engine/model_bundle.h"

#include "common/sha256.h"
#include "text/clip_tokenizer.h"

#include <torch/script.h>
#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace fmc {
namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

// ---------------------------------------------------------------- manifest parsing

class ManifestReader {
public:
    ManifestReader(const Json& root, std::string origin) : root_(root), origin_(std::move(origin)) {}

    [[noreturn]] void fail(const std::string& field, const std::string& what) const {
        throw Error(origin_ + ": field '" + field + "' " + what);
    }

    const Json& require(const Json& obj, const std::string& key, const std::string& field) const {
        auto it = obj.find(key);
        if (it == obj.end()) throw Error(origin_ + ": missing field '" + field + "'");
        return *it;
    }

    std::string string(const Json& obj, const std::string& key, const std::string& field, bool allowEmpty) const {
        const Json& v = require(obj, key, field);
        if (!v.is_string()) fail(field, "must be a string, got " + std::string(v.type_name()));
        auto s = v.get<std::string>();
        if (!allowEmpty && s.empty()) fail(field, "must not be empty");
        return s;
    }

    std::int64_t positiveInt(const Json& obj, const std::string& key, const std::string& field) const {
        const Json& v = require(obj, key, field);
        if (!v.is_number_integer()) fail(field, "must be an integer, got " + describe(v));
        const auto n = v.get<std::int64_t>();
        if (n <= 0) fail(field, "must be positive, got " + std::to_string(n));
        return n;
    }

    double positiveNumber(const Json& obj, const std::string& key, const std::string& field) const {
        const Json& v = require(obj, key, field);
        if (!v.is_number()) fail(field, "must be a number, got " + describe(v));
        const double d = v.get<double>();
        if (!std::isfinite(d) || d <= 0.0) fail(field, "must be a positive finite number, got " + v.dump());
        return d;
    }

    bool boolean(const Json& obj, const std::string& key, const std::string& field) const {
        const Json& v = require(obj, key, field);
        if (!v.is_boolean()) fail(field, "must be true or false, got " + describe(v));
        return v.get<bool>();
    }

    std::array<double, 3> triple(const Json& obj, const std::string& key, const std::string& field,
                                 bool positive) const {
        const Json& v = require(obj, key, field);
        if (!v.is_array() || v.size() != 3) fail(field, "must be an array of 3 numbers, got " + describe(v));
        std::array<double, 3> out{};
        for (size_t i = 0; i < 3; ++i) {
            if (!v[i].is_number()) fail(field, "must be an array of 3 numbers, got " + describe(v));
            out[i] = v[i].get<double>();
            if (!std::isfinite(out[i]) || (positive && out[i] <= 0.0))
                fail(field, std::string("must hold 3 ") + (positive ? "positive " : "") + "finite numbers, got " +
                                v.dump());
        }
        return out;
    }

    std::string sha(const Json& obj, const std::string& key, const std::string& field) const {
        auto s = string(obj, key, field, false);
        const bool ok = s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
                            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                        });
        if (!ok) fail(field, "must be 64 lowercase hex characters (a SHA-256), got '" + s + "'");
        return s;
    }

    BundleFile file(const Json& files, const std::string& key) const {
        const std::string field = "files." + key;
        const Json& v = require(files, key, field);
        if (!v.is_object()) fail(field, "must be an object {path, sha256}, got " + describe(v));
        BundleFile f;
        f.path = string(v, "path", field + ".path", false);
        const fs::path p(f.path);
        bool escapes = p.is_absolute() || f.path.find('\\') != std::string::npos;
        for (const auto& part : p)
            if (part == "..") escapes = true;
        if (escapes) fail(field + ".path", "must be a path inside the bundle folder, got '" + f.path + "'");
        f.sha256 = sha(v, "sha256", field + ".sha256");
        return f;
    }

    static std::string describe(const Json& v) {
        std::string dumped = v.dump();
        if (dumped.size() > 60) dumped = dumped.substr(0, 57) + "...";
        return std::string(v.type_name()) + " " + dumped;
    }

private:
    const Json& root_;
    std::string origin_;
};

std::string readTextFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path + ": cannot open file");
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) throw Error(path + ": read error");
    return ss.str();
}

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

// ---------------------------------------------------------------- manifest API

std::string computeBundleHash(const std::string& imageEncoderSha256, const std::string& textEncoderSha256,
                              const std::string& vocabularySha256) {
    return sha256Hex(imageEncoderSha256 + textEncoderSha256 + vocabularySha256);
}

std::string computeBundleHash(const BundleManifest& m) {
    return computeBundleHash(m.imageEncoder.sha256, m.textEncoder.sha256, m.vocabulary.sha256);
}

BundleManifest parseManifest(const std::string& jsonText, const std::string& origin) {
    Json root;
    try {
        root = Json::parse(jsonText);
    } catch (const Json::parse_error& e) {
        throw Error(origin + ": invalid JSON: " + e.what());
    }
    if (!root.is_object()) throw Error(origin + ": must hold a JSON object, got " + std::string(root.type_name()));
    ManifestReader r(root, origin);

    BundleManifest m;
    {
        const Json& v = r.require(root, "format_version", "format_version");
        if (!v.is_number_integer()) r.fail("format_version", "must be an integer, got " + ManifestReader::describe(v));
        const auto fv = v.get<std::int64_t>();
        if (fv != kBundleFormatVersion)
            r.fail("format_version", "is " + std::to_string(fv) + ", but this build reads only format_version " +
                                         std::to_string(kBundleFormatVersion));
        m.formatVersion = static_cast<int>(fv);
    }
    m.name = r.string(root, "name", "name", false);
    m.version = r.string(root, "version", "version", false);
    m.description = r.string(root, "description", "description", true);
    m.demo = r.boolean(root, "demo", "demo");
    m.embeddingDim = r.positiveInt(root, "embedding_dim", "embedding_dim");
    m.inputSize = r.positiveInt(root, "input_size", "input_size");
    m.mean = r.triple(root, "mean", "mean", false);
    m.std = r.triple(root, "std", "std", true);
    m.resizeMode = r.string(root, "resize_mode", "resize_mode", false);
    if (m.resizeMode != kResizeShorterSideCenterCrop && m.resizeMode != kResizeStretch)
        r.fail("resize_mode", "must be \"" + std::string(kResizeShorterSideCenterCrop) + "\" or \"" + kResizeStretch +
                                  "\", got \"" + m.resizeMode + "\"");
    m.tokenizer = r.string(root, "tokenizer", "tokenizer", false);
    m.contextLength = r.positiveInt(root, "context_length", "context_length");
    m.logitScale = r.positiveNumber(root, "logit_scale", "logit_scale");
    const Json& files = r.require(root, "files", "files");
    if (!files.is_object()) r.fail("files", "must be an object, got " + ManifestReader::describe(files));
    m.imageEncoder = r.file(files, "image_encoder");
    m.textEncoder = r.file(files, "text_encoder");
    m.vocabulary = r.file(files, "vocabulary");
    m.bundleHash = r.sha(root, "bundle_hash", "bundle_hash");
    return m;
}

BundleManifest readManifestFile(const std::string& manifestPath) {
    return parseManifest(readTextFile(manifestPath), manifestPath);
}

std::string manifestToJson(const BundleManifest& m) {
    auto fileJson = [](const BundleFile& f) {
        OrderedJson j;
        j["path"] = f.path;
        j["sha256"] = f.sha256;
        return j;
    };
    OrderedJson j;
    j["format_version"] = m.formatVersion;
    j["name"] = m.name;
    j["version"] = m.version;
    j["description"] = m.description;
    j["demo"] = m.demo;
    j["embedding_dim"] = m.embeddingDim;
    j["input_size"] = m.inputSize;
    j["mean"] = m.mean;
    j["std"] = m.std;
    j["resize_mode"] = m.resizeMode;
    j["tokenizer"] = m.tokenizer;
    j["context_length"] = m.contextLength;
    j["logit_scale"] = m.logitScale;
    OrderedJson files;
    files["image_encoder"] = fileJson(m.imageEncoder);
    files["text_encoder"] = fileJson(m.textEncoder);
    files["vocabulary"] = fileJson(m.vocabulary);
    j["files"] = files;
    j["bundle_hash"] = m.bundleHash;
    return j.dump(2) + "\n";
}

void writeManifestFile(const std::string& manifestPath, const BundleManifest& manifest) {
    const std::string text = manifestToJson(manifest);
    std::ofstream out(manifestPath, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(manifestPath + ": cannot open for writing");
    out << text;
    out.close();
    if (!out) throw Error(manifestPath + ": write failed");
}

void finalizeBundle(const std::string& dir, BundleManifest& m) {
    const fs::path root(dir);
    for (BundleFile* f : {&m.imageEncoder, &m.textEncoder, &m.vocabulary}) f->sha256 = sha256FileHex((root / f->path).string());
    m.bundleHash = computeBundleHash(m);
    writeManifestFile((root / kBundleManifestFileName).string(), m);
}

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
