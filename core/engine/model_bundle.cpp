#include "engine/model_bundle.h"

#include "common/sha256.h"
#include "engine/runtime.h"
#include "text/clip_tokenizer.h"

#include <torch/csrc/jit/runtime/graph_executor.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

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

// ---------------------------------------------------------------- verification records

// What identifies one version of a file without reading it.
struct FileStamp {
    std::string path;  // relative to the bundle folder
    std::string sha256;
    long long size = 0, mtimeNs = 0, ctimeNs = 0;
    unsigned long long inode = 0;
    bool sameFileVersion(const FileStamp& other) const {
        return path == other.path && size == other.size && mtimeNs == other.mtimeNs && ctimeNs == other.ctimeNs &&
               inode == other.inode;
    }
};

bool stampFile(const fs::path& root, const std::string& relative, FileStamp& stamp) {
    struct stat st {};
    if (::stat((root / relative).c_str(), &st) != 0) return false;
    stamp.path = relative;
    stamp.size = static_cast<long long>(st.st_size);
    stamp.mtimeNs = static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
    stamp.ctimeNs = static_cast<long long>(st.st_ctim.tv_sec) * 1000000000LL + st.st_ctim.tv_nsec;
    stamp.inode = static_cast<unsigned long long>(st.st_ino);
    return true;
}

std::string defaultRecordDir() {
    if (const char* cache = std::getenv("XDG_CACHE_HOME"); cache && *cache)
        return (fs::path(cache) / "fedmedclip" / "verified-bundles").string();
    if (const char* home = std::getenv("HOME"); home && *home)
        return (fs::path(home) / ".cache" / "fedmedclip" / "verified-bundles").string();
    return {};
}

constexpr const char* kRecordHeader = "fedmedclip-verified-bundle 1";

std::vector<FileStamp> readRecord(const std::string& path, std::string& bundleHash) {
    std::ifstream in(path);
    std::string line;
    if (!std::getline(in, line) || line != kRecordHeader) return {};
    if (!(in >> line) || line != "bundle_hash" || !(in >> bundleHash)) return {};
    std::vector<FileStamp> stamps;
    FileStamp stamp;
    while (in >> line && line == "file" && in >> stamp.size >> stamp.mtimeNs >> stamp.ctimeNs >> stamp.inode >> stamp.sha256 &&
           std::getline(in >> std::ws, stamp.path))
        stamps.push_back(stamp);
    return stamps;
}

// Written whole to a temporary file and renamed, so a reader never sees half a record. A
// record that cannot be written only means the next load verifies in full again.
void writeRecord(const std::string& path, const std::vector<FileStamp>& stamps, const std::string& bundleHash) {
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
    const std::string temporary = path + ".tmp" + std::to_string(::getpid());
    {
        std::ofstream out(temporary, std::ios::trunc);
        out << kRecordHeader << "\n" << "bundle_hash " << bundleHash << "\n";
        for (const auto& s : stamps)
            out << "file " << s.size << " " << s.mtimeNs << " " << s.ctimeNs << " " << s.inode << " " << s.sha256 << " "
                << s.path << "\n";
        if (!out) {
            fs::remove(temporary, ec);
            return;
        }
    }
    fs::rename(temporary, path, ec);
    if (ec) fs::remove(temporary, ec);
}

// ---------------------------------------------------------------- text features kept on disk

// One file per list of texts: a text's features in a batch can differ in the last bits from
// its features alone, and a list must come back as the encoder gave it.
constexpr const char* kTextFeaturesHeader = "fedmedclip-text-features 1";

std::string defaultTextFeatureCacheDir() {
    if (const char* cache = std::getenv("XDG_CACHE_HOME"); cache && *cache)
        return (fs::path(cache) / "fedmedclip" / "text-features").string();
    if (const char* home = std::getenv("HOME"); home && *home)
        return (fs::path(home) / ".cache" / "fedmedclip" / "text-features").string();
    return {};
}

std::string textFeatureFileName(const std::string& bundleHash, const std::string& device,
                                const std::vector<std::string>& texts) {
    std::string key = std::string(kTextFeaturesHeader) + "\n" + bundleHash + "\n" + device + "\n";
    for (const auto& text : texts) key += std::to_string(text.size()) + ":" + text + "\n";
    return sha256Hex(key) + ".f32";
}

// "<header> <rows> <cols> <SHA-256 of the floats>\n" then the floats. False when the file is
// missing, of another shape, short or damaged: the caller encodes again.
bool readTextFeatures(const std::string& path, FloatMatrix& features) {
    std::ifstream in(path, std::ios::binary);
    std::string line;
    if (!std::getline(in, line)) return false;
    std::istringstream header(line);
    std::string magic, version, digest;
    std::int64_t rows = 0, cols = 0;
    if (!(header >> magic >> version >> rows >> cols >> digest) || magic + " " + version != kTextFeaturesHeader ||
        rows != features.rows || cols != features.cols)
        return false;
    const auto bytes = static_cast<std::streamsize>(features.data.size() * sizeof(float));
    if (!in.read(reinterpret_cast<char*>(features.data.data()), bytes) || in.peek() != std::char_traits<char>::eof())
        return false;
    return sha256Hex(features.data.data(), static_cast<size_t>(bytes)) == digest;
}

// Written whole to a temporary file and renamed; a file that cannot be written only means
// the next call encodes again.
void writeTextFeatures(const std::string& path, const FloatMatrix& features) {
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
    const std::string temporary = path + ".tmp" + std::to_string(::getpid());
    const auto bytes = features.data.size() * sizeof(float);
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out << kTextFeaturesHeader << " " << features.rows << " " << features.cols << " "
            << sha256Hex(features.data.data(), bytes) << "\n";
        out.write(reinterpret_cast<const char*>(features.data.data()), static_cast<std::streamsize>(bytes));
        if (!out) {
            out.close();
            fs::remove(temporary, ec);
            return;
        }
    }
    fs::rename(temporary, path, ec);
    if (ec) fs::remove(temporary, ec);
}

// ---------------------------------------------------------------- encoders kept in memory

torch::jit::Module loadEncoder(const std::string& path, const torch::Device& device, const char* which) {
    try {
        torch::jit::Module module = torch::jit::load(path, device);
        module.eval();
        return module;
    } catch (const std::exception& e) {
        throw Error(path + ": not a loadable TorchScript " + which + " encoder: " + cleanTorchMessage(e));
    }
}

struct LoadedEncoders {
    torch::jit::Module image;
    // Loaded on first use (ModelBundle::Impl::textSide): a prediction whose prompts' features
    // are kept on disk never needs them.
    std::mutex textMutex;
    bool textLoaded = false;
    torch::jit::Module text;
    std::shared_ptr<const ClipTokenizer> tokenizer;
};

// The bundle loaded last, by folder, device and file versions (a changed file loads anew).
std::mutex& loadedMutex() {
    static std::mutex mutex;
    return mutex;
}
std::string& loadedKey() {
    static std::string key;
    return key;
}
std::shared_ptr<LoadedEncoders>& loadedEncoders() {
    static std::shared_ptr<LoadedEncoders> encoders;
    return encoders;
}

}  // namespace

// ---------------------------------------------------------------- ModelBundle

struct ModelBundle::Impl {
    BundleManifest manifest;
    std::string dir;
    torch::Device device{torch::kCPU};
    mutable torch::jit::Module image;
    std::shared_ptr<LoadedEncoders> encoders;
    std::int64_t batchSize = 32;
    std::string imagePath;
    std::string textPath;
    std::string vocabularyPath;
    std::string textFeatureCacheDir;
    bool verifiedFromRecord = false;

    struct TextSide {
        torch::jit::Module encoder;
        std::shared_ptr<const ClipTokenizer> tokenizer;
    };
    // The text encoder and the tokenizer, loaded by the first caller that needs them.
    TextSide textSide() const {
        std::lock_guard<std::mutex> lock(encoders->textMutex);
        if (!encoders->textLoaded) {
            encoders->text = loadEncoder(textPath, device, "text");
            encoders->tokenizer = std::make_shared<const ClipTokenizer>(ClipTokenizer::fromVocabularyFile(vocabularyPath));
            encoders->textLoaded = true;
        }
        return {encoders->text, encoders->tokenizer};
    }

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

ModelBundle ModelBundle::load(const std::string& dir, const std::string& device, const BundleLoadOptions& options) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw Error("model bundle folder '" + dir + "' does not exist or is not a folder");
    const fs::path root(dir);
    const std::string manifestPath = (root / kBundleManifestFileName).string();
    if (!fs::is_regular_file(manifestPath, ec))
        throw Error(manifestPath + ": missing (every model bundle folder needs a manifest.json)");

    // The encoders are frozen, inference-only graphs of plain operators: LibTorch's profiling
    // executor would spend their first two runs (seconds for a ViT-B/32) profiling and
    // re-optimising them for nothing on a CPU; the simple executor runs them as written.
    torch::jit::getExecutorMode() = false;

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
    const Entry entries[] = {{&m.imageEncoder, "image_encoder"}, {&m.textEncoder, "text_encoder"},
                             {&m.vocabulary, "vocabulary"}};
    for (const Entry& e : entries) {
        const std::string path = (root / e.file->path).string();
        if (!fs::is_regular_file(path, ec))
            throw Error(path + ": missing (listed in " + manifestPath + " as files." + e.field + ")");
    }

    // The files as they are now; a record made when these very versions passed stands in for
    // hashing and probing them again.
    std::vector<FileStamp> stamps(4);
    bool stamped = stampFile(root, kBundleManifestFileName, stamps[0]);
    for (size_t k = 0; k < 3; ++k) stamped = stampFile(root, entries[k].file->path, stamps[k + 1]) && stamped;
    const auto canonical = fs::weakly_canonical(fs::absolute(root), ec);
    const std::string recordDir = options.verificationRecordDir.empty() ? defaultRecordDir() : options.verificationRecordDir;
    const std::string recordPath =
        recordDir.empty() ? std::string() : (fs::path(recordDir) / (sha256Hex(canonical.string()) + ".txt")).string();
    if (stamped && !options.reverify && !recordPath.empty()) {
        std::string recordedBundleHash;
        const auto recorded = readRecord(recordPath, recordedBundleHash);
        bool matches = recorded.size() == stamps.size() && recordedBundleHash == m.bundleHash &&
                       m.bundleHash == computeBundleHash(m);
        for (size_t k = 0; matches && k < stamps.size(); ++k) {
            matches = recorded[k].sameFileVersion(stamps[k]) && (k == 0 || recorded[k].sha256 == entries[k - 1].file->sha256);
            stamps[k].sha256 = recorded[k].sha256;
        }
        impl->verifiedFromRecord = matches;
    }

    if (!impl->verifiedFromRecord) {
        for (const Entry& e : entries) {
            const std::string path = (root / e.file->path).string();
            const std::string actual = sha256FileHex(path);
            if (actual != e.file->sha256)
                throw Error(path + ": SHA-256 mismatch: manifest.json files." + e.field + ".sha256 is " +
                            e.file->sha256 + " but the file hashes to " + actual + " (corrupt or modified bundle)");
        }
        const std::string expectedBundleHash = computeBundleHash(m);
        if (m.bundleHash != expectedBundleHash)
            throw Error(manifestPath + ": field 'bundle_hash' is " + m.bundleHash + " but the file hashes give " +
                        expectedBundleHash);
    }

    try {
        impl->device = torch::Device(device);
    } catch (const std::exception& e) {
        throw Error("device '" + device + "': " + cleanTorchMessage(e));
    }
    if (impl->device.is_cuda() && !torch::cuda::is_available())
        throw Error("device '" + device + "': CUDA is not available in this build or on this machine");

    impl->imagePath = (root / m.imageEncoder.path).string();
    impl->textPath = (root / m.textEncoder.path).string();
    impl->vocabularyPath = (root / m.vocabulary.path).string();
    impl->textFeatureCacheDir =
        options.textFeatureCacheDir.empty() ? defaultTextFeatureCacheDir() : options.textFeatureCacheDir;
    std::string key = canonical.string() + "|" + impl->device.str();
    for (const auto& stamp : stamps)
        key += "|" + std::to_string(stamp.size) + ":" + std::to_string(stamp.mtimeNs) + ":" +
               std::to_string(stamp.ctimeNs) + ":" + std::to_string(stamp.inode);
    std::shared_ptr<LoadedEncoders> encoders;
    {
        std::lock_guard<std::mutex> lock(loadedMutex());
        if (stamped && !options.reverify && loadedKey() == key) encoders = loadedEncoders();
    }
    if (!encoders) {
        encoders = std::make_shared<LoadedEncoders>();
        encoders->image = loadEncoder(impl->imagePath, impl->device, "image");
    }
    impl->image = encoders->image;
    impl->encoders = encoders;

    if (!impl->verifiedFromRecord) {
        // Shape probes: one image, one text.
        c10::InferenceMode guard;
        const auto s = m.inputSize;
        impl->run(impl->image, torch::zeros({1, 3, s, s}), "image", impl->imagePath, "a 1-image probe");
        auto text = impl->textSide();
        const auto ids = text.tokenizer->tokenize("a photo", static_cast<int>(m.contextLength));
        auto tokens = torch::from_blob(const_cast<std::int64_t*>(ids.data()), {1, m.contextLength}, torch::kLong).clone();
        impl->run(text.encoder, tokens, "text", impl->textPath, "a 1-text probe");
        if (stamped && !recordPath.empty()) {
            stamps[0].sha256 = sha256FileHex((root / kBundleManifestFileName).string());
            for (size_t k = 0; k < 3; ++k) stamps[k + 1].sha256 = entries[k].file->sha256;
            writeRecord(recordPath, stamps, m.bundleHash);
        }
    }
    if (stamped) {
        std::lock_guard<std::mutex> lock(loadedMutex());
        loadedKey() = key;
        loadedEncoders() = encoders;
    }
    return ModelBundle(std::move(impl));
}

const BundleManifest& ModelBundle::manifest() const { return impl_->manifest; }
const std::string& ModelBundle::directory() const { return impl_->dir; }
bool ModelBundle::verifiedFromRecord() const { return impl_->verifiedFromRecord; }

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
    return impl_->textSide().tokenizer->tokenize(text, static_cast<int>(impl_->manifest.contextLength));
}

bool ModelBundle::textEncoderLoaded() const {
    std::lock_guard<std::mutex> lock(impl_->encoders->textMutex);
    return impl_->encoders->textLoaded;
}

FloatMatrix ModelBundle::encodeTokens(const std::vector<std::int64_t>& ids, std::int64_t count) const {
    const auto d = impl_->manifest.embeddingDim;
    const auto l = impl_->manifest.contextLength;
    if (count < 0 || static_cast<std::int64_t>(ids.size()) != count * l)
        throw Error("ModelBundle::encodeTokens: expected " + std::to_string(count) + " x context_length " +
                    std::to_string(l) + " token ids, got " + std::to_string(ids.size()));
    FloatMatrix out(count, d);
    if (count == 0) return out;
    auto text = impl_->textSide();
    c10::InferenceMode guard;
    const ScopedComputeThreads threads(impl_->device.is_cpu() ? encoderThreads() : 0);
    for (std::int64_t start = 0; start < count; start += impl_->batchSize) {
        const std::int64_t n = std::min(impl_->batchSize, count - start);
        auto input = torch::from_blob(const_cast<std::int64_t*>(ids.data() + start * l), {n, l}, torch::kLong);
        auto features = impl_->run(text.encoder, input, "text", impl_->textPath, "a batch");
        std::copy_n(features.data_ptr<float>(), n * d, out.row(start));
    }
    return out;
}

FloatMatrix ModelBundle::encodeTexts(const std::vector<std::string>& texts) const {
    if (texts.empty()) return FloatMatrix(0, impl_->manifest.embeddingDim);
    const std::string kept =
        impl_->textFeatureCacheDir.empty()
            ? std::string()
            : (fs::path(impl_->textFeatureCacheDir) /
               textFeatureFileName(impl_->manifest.bundleHash, impl_->device.str(), texts))
                  .string();
    FloatMatrix features(static_cast<std::int64_t>(texts.size()), impl_->manifest.embeddingDim);
    if (!kept.empty() && readTextFeatures(kept, features)) return features;

    const auto l = impl_->manifest.contextLength;
    const auto tokenizer = impl_->textSide().tokenizer;
    std::vector<std::int64_t> ids;
    ids.reserve(texts.size() * static_cast<size_t>(l));
    for (const auto& t : texts) {
        const auto row = tokenizer->tokenize(t, static_cast<int>(l));
        if (static_cast<std::int64_t>(row.size()) != l)
            throw Error("ModelBundle::encodeTexts: tokenizer returned " + std::to_string(row.size()) +
                        " ids, expected context_length " + std::to_string(l));
        ids.insert(ids.end(), row.begin(), row.end());
    }
    features = encodeTokens(ids, static_cast<std::int64_t>(texts.size()));
    if (!kept.empty()) writeTextFeatures(kept, features);
    return features;
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
