#pragma once
// A model bundle: a folder holding a frozen CLIP-like encoder pair as TorchScript plus
// everything needed to use it (preprocessing, tokenizer vocabulary, logit scale).
//
//   <dir>/manifest.json              see BundleManifest below (format_version 1)
//   <dir>/image_encoder.pt           TorchScript: float32 [N,3,S,S] -> [N,D]
//   <dir>/text_encoder.pt            TorchScript: int64  [N,L]     -> [N,D]
//   <dir>/bpe_simple_vocab_16e6.txt.gz   CLIP BPE vocabulary (tokenizer "clip-bpe")
//
// Every file is listed in the manifest with its SHA-256; bundle_hash identifies the
// bundle (feature caches, federations) and is defined by computeBundleHash().
// Bundles are written by createDemoBundle() (demo_bundle.h) or tools/export_bundle.py.
//
// No torch types here: the implementation is behind a pimpl.
#include "common/types.h"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace fmc {

constexpr int kBundleFormatVersion = 1;
constexpr const char* kBundleManifestFileName = "manifest.json";
constexpr const char* kClipBpeTokenizer = "clip-bpe";
constexpr const char* kResizeShorterSideCenterCrop = "shorter-side-center-crop";
constexpr const char* kResizeStretch = "stretch";

struct BundleFile {
    std::string path;    // relative to the bundle folder, no ".." and not absolute
    std::string sha256;  // 64 lowercase hex characters
};

struct BundleManifest {
    int formatVersion = kBundleFormatVersion;
    std::string name;
    std::string version;
    std::string description;
    bool demo = false;                       // random weights: not for clinical use
    std::int64_t embeddingDim = 0;           // D
    std::int64_t inputSize = 0;              // S (square input)
    std::array<double, 3> mean{};            // per-channel RGB normalisation:
    std::array<double, 3> std{};             //   (pixel in [0,1] - mean) / std
    std::string resizeMode = kResizeShorterSideCenterCrop;  // or kResizeStretch
    std::string tokenizer = kClipBpeTokenizer;
    std::int64_t contextLength = 77;         // L
    double logitScale = 100.0;               // already exp()-ed
    BundleFile imageEncoder;
    BundleFile textEncoder;
    BundleFile vocabulary;
    std::string bundleHash;
};

// bundle_hash = lowercase hex SHA-256 of the ASCII string
//   image_encoder.sha256 + text_encoder.sha256 + vocabulary.sha256
// (three 64-character lowercase hex strings concatenated, no separators).
std::string computeBundleHash(const std::string& imageEncoderSha256, const std::string& textEncoderSha256,
                              const std::string& vocabularySha256);
std::string computeBundleHash(const BundleManifest& manifest);

// Parses and validates manifest JSON. `origin` (e.g. the manifest path) prefixes every
// error message, which also names the field at fault. Does not touch the files.
BundleManifest parseManifest(const std::string& jsonText, const std::string& origin = kBundleManifestFileName);
BundleManifest readManifestFile(const std::string& manifestPath);
std::string manifestToJson(const BundleManifest& manifest);  // pretty-printed, stable key order
void writeManifestFile(const std::string& manifestPath, const BundleManifest& manifest);

// Fills files.*.sha256 and bundleHash from the files in `dir`, then writes
// <dir>/manifest.json. Used by bundle writers.
void finalizeBundle(const std::string& dir, BundleManifest& manifest);

// A loaded bundle. Movable, not copyable. Encoding is const and may be called from
// several threads (TorchScript inference is re-entrant).
class ModelBundle {
public:
    // Verifies the manifest (error names the field), file presence, every SHA-256
    // (error names the file) and bundle_hash, loads both TorchScript modules in eval
    // mode on `device` ("cpu", "cuda", "cuda:0", ...) and runs a 1-image / 1-text probe
    // whose output must be [1, embedding_dim] (error names the encoder and the shape).
    static ModelBundle load(const std::string& dir, const std::string& device = "cpu");

    ModelBundle(ModelBundle&&) noexcept;
    ModelBundle& operator=(ModelBundle&&) noexcept;
    ModelBundle(const ModelBundle&) = delete;
    ModelBundle& operator=(const ModelBundle&) = delete;
    ~ModelBundle();

    const BundleManifest& manifest() const;
    const std::string& directory() const;

    // `nchw` holds count x 3 x inputSize x inputSize floats, already resized and
    // normalised with manifest().mean/std. Returns raw (not L2-normalised) features
    // [count, embeddingDim]; large counts are processed in batches of batchSize().
    FloatMatrix encodeImages(const float* nchw, std::int64_t count) const;

    // Tokenises with the bundle's vocabulary (context_length from the manifest) and
    // returns raw features [texts.size(), embeddingDim].
    FloatMatrix encodeTexts(const std::vector<std::string>& texts) const;
    // Same, for already tokenised rows (count x contextLength ids).
    FloatMatrix encodeTokens(const std::vector<std::int64_t>& ids, std::int64_t count) const;
    std::vector<std::int64_t> tokenize(const std::string& text) const;

    // Process-wide intra-op thread count of LibTorch (torch::set_num_threads).
    void setThreads(int n);
    void setBatchSize(std::int64_t n);  // default 32
    std::int64_t batchSize() const;

private:
    struct Impl;
    explicit ModelBundle(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace fmc
