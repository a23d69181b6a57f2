#pragma once
// SHA-256 (FIPS 180-4), computed by OpenSSL's libcrypto. Used to verify model bundles and to
// identify them (bundle_hash) for feature caches and federations, and for content hashes.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

struct evp_md_ctx_st;

namespace fmc {

// Streaming hasher: update() any number of times, then digest()/hexDigest() once.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void update(const void* data, std::size_t size);
    void update(const std::string& bytes) { update(bytes.data(), bytes.size()); }
    // Finishes the hash. After this, the object must be reset() before reuse.
    std::array<std::uint8_t, 32> digest();
    std::string hexDigest();  // 64 lowercase hex characters
    void reset();

private:
    evp_md_ctx_st* context_;  // OpenSSL's EVP_MD_CTX, kept out of this header
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
