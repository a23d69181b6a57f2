// CLIP's BPE tokenizer on arbitrary text (class names and prompts come from federation
// settings): ids within the vocabulary, tokenize() always contextLength long.
#include "fuzz_support.h"
#include "common/types.h"
#include "text/clip_tokenizer.h"

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace {
std::unique_ptr<fmc::ClipTokenizer> tokenizer;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    const char* dir = std::getenv("FMC_SHARED_DATA_DIR");
    const std::string vocabulary =
        std::string(dir ? dir : FMC_SHARED_DATA_DIR) + "/clip-tokenizer/bpe_simple_vocab_16e6.txt.gz";
    try {
        tokenizer = std::make_unique<fmc::ClipTokenizer>(fmc::ClipTokenizer::fromVocabularyFile(vocabulary));
    } catch (const std::exception& error) {
        std::fprintf(stderr, "SKIP: the tokenizer needs the shared CLIP vocabulary: %s\n", error.what());
        std::exit(77);
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const auto vocabularySize = static_cast<std::int64_t>(tokenizer->vocabularySize());
    try {
        for (const auto id : tokenizer->encode(text))
            if (id < 0 || id >= vocabularySize) __builtin_trap();
        const auto tokens = tokenizer->tokenize(text, 77);
        if (tokens.size() != 77 || tokens[0] != tokenizer->startToken()) __builtin_trap();
    } catch (const fmc::Error&) {  // invalid UTF-8 is refused with a message
    }
    return 0;
}
