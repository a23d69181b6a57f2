#pragma once
// Frozen encoders mean each image is encoded once per bundle. The cache maps an image's
// content hash to its feature, in one append-only file per bundle: a new bundle gets a
// new file, a changed image a new key, so stale features are never served.
#include "common/types.h"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace fmc {

class FeatureCache {
public:
    // Opens (or creates) <dir>/features-<bundleHash>.bin. A torn last record from a crash
    // is dropped; a file of another dimension or bundle is an fmc::Error naming it.
    FeatureCache(const std::string& dir, const std::string& bundleHash, std::int64_t dim);

    const std::vector<float>* find(const std::string& contentSha256) const;
    // Appends and flushes, so features survive a crash of the process.
    void insert(const std::string& contentSha256, const float* feature);

    std::size_t size() const { return index_.size(); }
    std::int64_t dim() const { return dim_; }
    const std::string& path() const { return path_; }

private:
    std::string path_;
    std::int64_t dim_;
    std::unordered_map<std::string, std::vector<float>> index_;
};

}  // namespace fmc
