#pragma once
// SHA-256 (FIPS 180-4) with the standard library only. Used to verify model bundles
// and to identify them (bundle_hash) for feature caches and federations.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace fmc {

// Streaming hasher: update() any number of times, then digest()/hexDigest() once.
class Sha256 {
public:
    Sha256();
    void update(const void* data, std::size_t size);
    void update(const std::string& bytes) { update(bytes.data(), bytes.size()); }
    // Finishes the hash. After this, the object must be reset() before reuse.
    std::array<std::uint8_t, 32> digest();
    std::string hexDigest();  // 64 lowercase hex characters
    void reset();

private:
    void processBlock(const std::uint8_t* block);

    std::array<std::uint32_t, 8> state_{};
    std::array<std::uint8_t, 64> buffer_{};
    std::size_t bufferSize_ = 0;
    std::uint64_t totalBytes_ = 0;
    bool finished_ = false;
};

// Lowercase hex SHA-256 of a byte range / string.
std::string sha256Hex(const void* data, std::size_t size);
std::string sha256Hex(const std::string& bytes);

// Lowercase hex SHA-256 of a file's contents, read in chunks. Throws fmc::Error naming
// the path when the file cannot be opened or read.
std::string sha256FileHex(const std::string& path);

// Lowercase hex of arbitrary bytes.
std::string toHex(const std::uint8_t* data, std::size_t size);

}  // namespace fmc
