#pragma once
// CLIP byte-level BPE tokenizer, byte-exact with OpenAI's clip/simple_tokenizer.py and
// clip.tokenize(truncate=True). Standard library + zlib only (no Qt, no ICU).
//
// Pipeline (as in simple_tokenizer.py, on Unicode code points):
//   UTF-8 decode (invalid sequences -> U+FFFD)
//   basic_clean: ftfy.fix_text approximated by NFC normalisation, html.unescape twice, strip
//   whitespace_clean: runs of \s -> one space, strip
//   str.lower() (full mapping incl. U+0130 and the Greek final sigma rule)
//   regex <|startoftext|>|<|endoftext|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
//         (re.IGNORECASE), UTF-8 bytes -> bytes_to_unicode symbols, BPE merges by rank.
//
// Limitations (see clip_tokenizer.cpp): ftfy's other fixes (mojibake, curly quotes,
// ligatures, full-width forms, control characters ...) are not applied; html.unescape knows
// the HTML 4 entity names plus apos (not every HTML5 name); Unicode data is that of the Python
// which ran tools/gen_unicode_tables.py (see unicode_tables.h).
//
// Instances are immutable after construction; copies share the tables and every const
// member is safe to call from several threads at once.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace fmc {

class ClipTokenizer {
public:
    // Reads OpenAI's bpe_simple_vocab_16e6.txt.gz (gzip; a plain text copy is read too).
    // Throws fmc::Error naming the file if it is missing, unreadable, not UTF-8 or has fewer
    // than the 48894 merge lines CLIP uses.
    static ClipTokenizer fromVocabularyFile(const std::string& path);

    // BPE ids of the text, without start/end tokens (SimpleTokenizer.encode).
    std::vector<std::int32_t> encode(const std::string& utf8Text) const;

    // [startToken, ids..., endToken] padded with zeros to contextLength; when too long it is
    // cut to contextLength and the last token is endToken (clip.tokenize(truncate=True)).
    // Throws fmc::Error naming contextLength when it is < 1.
    std::vector<std::int64_t> tokenize(const std::string& utf8Text, int contextLength = 77) const;

    std::int32_t startToken() const;
    std::int32_t endToken() const;
    std::size_t vocabularySize() const;

private:
    struct Impl;
    explicit ClipTokenizer(std::shared_ptr<const Impl> impl);
    std::shared_ptr<const Impl> impl_;
};

}  // namespace fmc
