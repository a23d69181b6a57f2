#include "common/sha256.h"

#include "common/types.h"

#include <openssl/evp.h>

#include <cstdio>
#include <memory>
#include <vector>

namespace fmc {
namespace {

void check(int ok, const char* what) {
    if (ok != 1) throw Error(std::string("Sha256: OpenSSL ") + what + " failed");
}

struct FileCloser {
    void operator()(std::FILE* f) const {
        if (f) std::fclose(f);
    }
};

}  // namespace

Sha256::Sha256() : context_(EVP_MD_CTX_new()) {
    if (!context_) throw Error("Sha256: OpenSSL EVP_MD_CTX_new failed (out of memory)");
    reset();
}

Sha256::~Sha256() { EVP_MD_CTX_free(context_); }

void Sha256::reset() {
    check(EVP_DigestInit_ex(context_, EVP_sha256(), nullptr), "EVP_DigestInit_ex");
    finished_ = false;
}

void Sha256::update(const void* data, std::size_t size) {
    if (finished_) throw Error("Sha256::update: hasher already finished; call reset() first");
    if (size > 0) check(EVP_DigestUpdate(context_, data, size), "EVP_DigestUpdate");
}

std::array<std::uint8_t, 32> Sha256::digest() {
    if (finished_) throw Error("Sha256::digest: hasher already finished; call reset() first");
    std::array<std::uint8_t, 32> out{};
    unsigned int length = 0;
    check(EVP_DigestFinal_ex(context_, out.data(), &length), "EVP_DigestFinal_ex");
    finished_ = true;
    return out;
}

std::string Sha256::hexDigest() {
    const auto d = digest();
    return toHex(d.data(), d.size());
}

std::string toHex(const std::uint8_t* data, std::size_t size) {
    static const char* digits = "0123456789abcdef";
    std::string out(size * 2, '0');
    for (std::size_t i = 0; i < size; ++i) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 0x0f];
    }
    return out;
}

std::string sha256Hex(const void* data, std::size_t size) {
    Sha256 h;
    h.update(data, size);
    return h.hexDigest();
}

std::string sha256Hex(const std::string& bytes) { return sha256Hex(bytes.data(), bytes.size()); }

std::string sha256FileHex(const std::string& path) {
    std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
    if (!file) throw Error(path + ": cannot open file for hashing");
    Sha256 h;
    std::vector<std::uint8_t> chunk(1 << 20);
    for (;;) {
        const std::size_t n = std::fread(chunk.data(), 1, chunk.size(), file.get());
        if (n > 0) h.update(chunk.data(), n);
        if (n < chunk.size()) {
            if (std::ferror(file.get())) throw Error(path + ": read error while hashing");
            break;
        }
    }
    return h.hexDigest();
}

}  // namespace fmc
