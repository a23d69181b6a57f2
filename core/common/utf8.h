#pragma once
// The one UTF-8 decoder and validator (DICOM text, the CLIP tokenizer). Well-formed UTF-8 is
// Unicode's Table 3-7: no overlong forms (C0 80 for NUL, E0 80 80, F0 80 80 80), no
// surrogates (ED A0 80 .. ED BF BF), nothing above U+10FFFF (F4 90 .., F5 .. FF leads).
#include <cstddef>
#include <string>
#include <string_view>

namespace fmc {

// True when `text` is well-formed UTF-8.
bool isValidUtf8(std::string_view text);

// Decodes UTF-8; every maximal subpart of an ill-formed sequence becomes one U+FFFD (Unicode's
// recommended practice, Python's bytes.decode("utf-8", errors="replace")). `valid`, when
// given, is set to false when anything was replaced.
std::u32string decodeUtf8(std::string_view text, bool* valid = nullptr);

// Appends the UTF-8 form of code point `c` (a scalar value) to `out`.
void appendUtf8(char32_t c, std::string& out);
std::string encodeUtf8(std::u32string_view codePoints);

}  // namespace fmc
