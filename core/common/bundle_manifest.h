#pragma once
// A model bundle's manifest.json (format_version 1): what the engine loads a bundle with and
// what the coordinator reads a federation's bundle identity from. Parsed by parseManifest()
// only, so both read it the same way. The standard library and nlohmann-json (in the .cpp).
#include "common/types.h"

#include <array>
#include <cstdint>
#include <string>

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

}  // namespace fmc
