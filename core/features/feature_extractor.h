#pragma once
// Images -> frozen-encoder features, through the cache: decode, preprocess, encode in
// batches. A file that cannot be read is reported and skipped, never fatal.
#include "common/types.h"

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace fmc {

class ModelBundle;
class FeatureCache;

struct ExtractionResult {
    FloatMatrix features;            // one row per input path (zeros where failed)
    std::vector<bool> ok;            // false where the file could not be used
    std::vector<std::string> contentHashes;  // SHA-256 of each file ("" where unreadable)
    std::vector<std::string> errors; // "path: reason", one per failed file
    int fromCache = 0;
    int encoded = 0;
    double encodeSeconds = 0;        // time in decoding + the image encoder
};

// done, total
using ProgressCallback = std::function<void(int, int)>;

class FeatureExtractor {
public:
    // `cache` may be null (every image is encoded).
    FeatureExtractor(const ModelBundle& bundle, FeatureCache* cache);
    ExtractionResult extract(const std::vector<std::string>& paths, const ProgressCallback& progress = {},
                             const std::atomic<bool>* cancel = nullptr) const;

private:
    const ModelBundle& bundle_;
    FeatureCache* cache_;
};

}  // namespace fmc
