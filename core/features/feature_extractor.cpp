#include "features/feature_extractor.h"

#include "common/sha256.h"
#include "engine/model_bundle.h"
#include "imaging/image_loader.h"
#include "features/bundle_inputs.h"
#include "features/feature_cache.h"

#include <chrono>
#include <fstream>
#include <iterator>

namespace fmc {
namespace {

std::vector<std::uint8_t> readFile(const std::string& path, std::uint64_t maxBytes) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) throw Error(path + ": cannot open file");
    const auto size = static_cast<std::uint64_t>(in.tellg());
    if (size == 0) throw Error(path + ": empty file");
    if (size > maxBytes) throw Error(path + ": file is larger than the limit of " + std::to_string(maxBytes) + " bytes");
    in.seekg(0);
    std::vector<std::uint8_t> bytes(size);
    in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
    if (!in) throw Error(path + ": read error");
    return bytes;
}

}  // namespace

FeatureExtractor::FeatureExtractor(const ModelBundle& bundle, FeatureCache* cache) : bundle_(bundle), cache_(cache) {
    if (cache_ && cache_->dim() != bundle.manifest().embeddingDim)
        throw Error("feature cache " + cache_->path() + " has the wrong feature dimension for this bundle");
}

ExtractionResult FeatureExtractor::extract(const std::vector<std::string>& paths, const ProgressCallback& progress,
                                           const std::atomic<bool>* cancel) const {
    const auto& manifest = bundle_.manifest();
    const auto prep = preprocessingFor(manifest);
    const ImageLimits limits;
    const auto total = static_cast<std::int64_t>(paths.size());
    ExtractionResult result;
    result.features = FloatMatrix(total, manifest.embeddingDim);
    result.ok.assign(paths.size(), false);
    result.contentHashes.assign(paths.size(), std::string());

    std::vector<float> batch;
    std::vector<std::int64_t> batchRows;
    std::vector<std::string> batchHashes;
    auto flush = [&] {
        if (batchRows.empty()) return;
        const auto start = std::chrono::steady_clock::now();
        const auto features = bundle_.encodeImages(batch.data(), static_cast<std::int64_t>(batchRows.size()));
        result.encodeSeconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        for (size_t i = 0; i < batchRows.size(); ++i) {
            std::copy_n(features.row(static_cast<std::int64_t>(i)), features.cols, result.features.row(batchRows[i]));
            result.ok[static_cast<size_t>(batchRows[i])] = true;
            if (cache_) cache_->insert(batchHashes[i], features.row(static_cast<std::int64_t>(i)));
        }
        result.encoded += static_cast<int>(batchRows.size());
        batch.clear();
        batchRows.clear();
        batchHashes.clear();
    };

    for (std::int64_t row = 0; row < total; ++row) {
        if (cancel && cancel->load()) throw Error("feature extraction cancelled");
        const auto& path = paths[static_cast<size_t>(row)];
        try {
            const auto bytes = readFile(path, limits.maxFileBytes);
            const auto hash = sha256Hex(bytes.data(), bytes.size());
            result.contentHashes[static_cast<size_t>(row)] = hash;
            if (const auto* cached = cache_ ? cache_->find(hash) : nullptr) {
                std::copy(cached->begin(), cached->end(), result.features.row(row));
                result.ok[static_cast<size_t>(row)] = true;
                ++result.fromCache;
            } else {
                const auto start = std::chrono::steady_clock::now();
                imageToTensor(decodeImageBytes(bytes, path, limits), prep, batch);
                result.encodeSeconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
                batchRows.push_back(row);
                batchHashes.push_back(hash);
                if (static_cast<std::int64_t>(batchRows.size()) >= bundle_.batchSize()) flush();
            }
        } catch (const Error& error) {
            result.errors.push_back(error.what());
        } catch (const std::exception& error) {
            result.errors.push_back(path + ": " + error.what());
        }
        if (progress) progress(static_cast<int>(row + 1), static_cast<int>(total));
    }
    flush();
    return result;
}

}  // namespace fmc
