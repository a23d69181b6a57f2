#pragma once
// Shared by the libFuzzer harnesses: what they may throw is the library's documented error
// (fmc::Error and its kinds); anything else escapes and is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <unistd.h>

namespace fmc::fuzz {

inline std::vector<std::uint8_t> bytes(const std::uint8_t* data, std::size_t size) { return {data, data + size}; }

// A file holding the input, for readers that take a path; one per process, rewritten each time.
inline std::string writeInputFile(const std::uint8_t* data, std::size_t size, const char* extension) {
    const std::string path = "/tmp/fmc-fuzz-" + std::to_string(::getpid()) + extension;
    if (FILE* file = std::fopen(path.c_str(), "wb")) {
        if (size) std::fwrite(data, 1, size, file);
        std::fclose(file);
    }
    return path;
}

}  // namespace fmc::fuzz
