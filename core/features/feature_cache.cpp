#include "features/feature_cache.h"

#include <cstring>
#include <filesystem>
#include <fstream>

namespace fmc {
namespace {
constexpr char kMagic[4] = {'F', 'M', 'C', 'F'};
constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kHashChars = 64;
constexpr std::size_t kHeaderBytes = 4 + 4 + 8 + kHashChars;
}  // namespace

FeatureCache::FeatureCache(const std::string& dir, const std::string& bundleHash, std::int64_t dim)
    : dim_(dim) {
    if (bundleHash.size() != kHashChars) throw Error("feature cache: bundle hash must be 64 hex characters");
    std::filesystem::create_directories(dir);
    path_ = (std::filesystem::path(dir) / ("features-" + bundleHash + ".bin")).string();
    const std::size_t recordBytes = kHashChars + static_cast<std::size_t>(dim) * sizeof(float);

    if (std::filesystem::exists(path_)) {
        std::ifstream in(path_, std::ios::binary);
        char header[kHeaderBytes];
        in.read(header, kHeaderBytes);
        std::uint32_t version = 0;
        std::int64_t storedDim = 0;
        std::memcpy(&version, header + 4, 4);
        std::memcpy(&storedDim, header + 8, 8);
        if (!in || std::memcmp(header, kMagic, 4) != 0 || version != kVersion || storedDim != dim ||
            std::string(header + 16, kHashChars) != bundleHash)
            throw Error("feature cache " + path_ + " is not a cache of this bundle (delete it to rebuild)");
        std::vector<char> record(recordBytes);
        std::uintmax_t complete = kHeaderBytes;
        while (in.read(record.data(), static_cast<std::streamsize>(recordBytes))) {
            std::vector<float> feature(static_cast<std::size_t>(dim));
            std::memcpy(feature.data(), record.data() + kHashChars, feature.size() * sizeof(float));
            index_[std::string(record.data(), kHashChars)] = std::move(feature);
            complete += recordBytes;
        }
        in.close();
        if (std::filesystem::file_size(path_) != complete) std::filesystem::resize_file(path_, complete);
    } else {
        std::ofstream out(path_, std::ios::binary);
        out.write(kMagic, 4);
        out.write(reinterpret_cast<const char*>(&kVersion), 4);
        out.write(reinterpret_cast<const char*>(&dim), 8);
        out.write(bundleHash.data(), kHashChars);
        if (!out) throw Error("cannot write feature cache " + path_);
    }
}

const std::vector<float>* FeatureCache::find(const std::string& contentSha256) const {
    auto it = index_.find(contentSha256);
    return it == index_.end() ? nullptr : &it->second;
}

void FeatureCache::insert(const std::string& contentSha256, const float* feature) {
    if (contentSha256.size() != kHashChars) throw Error("feature cache: content hash must be 64 hex characters");
    if (index_.count(contentSha256)) return;
    std::ofstream out(path_, std::ios::binary | std::ios::app);
    out.write(contentSha256.data(), kHashChars);
    out.write(reinterpret_cast<const char*>(feature), static_cast<std::streamsize>(dim_ * sizeof(float)));
    out.flush();
    if (!out) throw Error("cannot append to feature cache " + path_);
    index_[contentSha256].assign(feature, feature + dim_);
}

}  // namespace fmc
