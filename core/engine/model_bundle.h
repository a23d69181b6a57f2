#pragma once
// A model bundle: a folder holding a frozen CLIP-like encoder pair as TorchScript plus
// everything needed to use it (preprocessing, tokenizer vocabulary, logit scale).
//
//   <dir>/manifest.json              see BundleManifest (common/bundle_manifest.h)
//   <dir>/image_encoder.pt           TorchScript: float32 [N,3,S,S] -> [N,D]
//   <dir>/text_encoder.pt            TorchScript: int64  [N,L]     -> [N,D]
//   <dir>/bpe_simple_vocab_16e6.txt.gz   CLIP BPE vocabulary (tokenizer "clip-bpe")
//
// Every file is listed in the manifest with its SHA-256; bundle_hash identifies the
// bundle (feature caches, federations) and is defined by computeBundleHash().
// Bundles are written by createDemoBundle() (demo_bundle.h) or tools/export_bundle.py.
//
// No torch types here: the implementation is behind a pimpl.
#include "common/bundle_manifest.h"
#include "common/types.h"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace fmc {

struct BundleLoadOptions {
    // Hash every file and probe both encoders even when a matching verification record exists.
    bool reverify = false;
    // Where verification records are kept; empty: $XDG_CACHE_HOME/fedmedclip/verified-bundles
    // (~/.cache/... without it).
    std::string verificationRecordDir;
    // Where encodeTexts keeps the features of each list of texts it encoded, by bundle_hash and
    // device; empty: $XDG_CACHE_HOME/fedmedclip/text-features (~/.cache/... without it).
    std::string textFeatureCacheDir;
};

// A loaded bundle. Movable, not copyable. Encoding is const and may be called from
// several threads (TorchScript inference is re-entrant).
class ModelBundle {
public:
    // Verifies the manifest (error names the field), file presence, every SHA-256
    // (error names the file) and bundle_hash, loads both TorchScript modules in eval
    // mode on `device` ("cpu", "cuda", "cuda:0", ...) and runs a 1-image / 1-text probe
    // whose output must be [1, embedding_dim] (error names the encoder and the shape).
    //
    // A bundle that passed is remembered: a verification record (one per bundle folder) holds
    // each file's size, modification and status-change times, inode and SHA-256. While every
    // file still matches its record, a later load (in any process) skips hashing and probing;
    // any change to a file (or options.reverify) verifies in full again. Status-change times
    // cannot be set back by a user, so a file rewritten in place with its old size and
    // modification time restored is re-verified too. Such a load leaves the text encoder and
    // the tokenizer on disk until they are needed (textEncoderLoaded). Within one process the
    // encoders of the bundle loaded last stay in memory and a second load of it reuses them.
    static ModelBundle load(const std::string& dir, const std::string& device = "cpu",
                            const BundleLoadOptions& options = {});

    ModelBundle(ModelBundle&&) noexcept;
    ModelBundle& operator=(ModelBundle&&) noexcept;
    ModelBundle(const ModelBundle&) = delete;
    ModelBundle& operator=(const ModelBundle&) = delete;
    ~ModelBundle();

    const BundleManifest& manifest() const;
    // True when this load trusted a verification record instead of hashing and probing.
    bool verifiedFromRecord() const;
    const std::string& directory() const;

    // `nchw` holds count x 3 x inputSize x inputSize floats, already resized and
    // normalised with manifest().mean/std. Returns raw (not L2-normalised) features
    // [count, embeddingDim]; large counts are processed in batches of batchSize().
    FloatMatrix encodeImages(const float* nchw, std::int64_t count) const;

    // Tokenises with the bundle's vocabulary (context_length from the manifest) and
    // returns raw features [texts.size(), embeddingDim]. The text encoder is frozen, so the
    // features of a list are kept on disk (BundleLoadOptions::textFeatureCacheDir) and the same
    // list later comes from there, bit for bit, without loading or running the text encoder.
    // A kept file that does not pass its checksum is encoded again.
    FloatMatrix encodeTexts(const std::vector<std::string>& texts) const;
    // Same, for already tokenised rows (count x contextLength ids).
    FloatMatrix encodeTokens(const std::vector<std::int64_t>& ids, std::int64_t count) const;
    std::vector<std::int64_t> tokenize(const std::string& text) const;
    // True once the text encoder and the tokenizer are in memory: a load that hashes and probes
    // the bundle loads them, otherwise the first call that needs them does.
    bool textEncoderLoaded() const;

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
