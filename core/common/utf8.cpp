#include "common/utf8.h"

namespace fmc {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

// The well-formed sequence starting at text[i]: its length and code point; or, when it is
// ill-formed, length 0 and in `consumed` the maximal subpart (at least 1 byte) to replace.
struct Step {
    std::size_t length = 0;
    std::size_t consumed = 1;
    char32_t codePoint = 0;
};

Step decodeAt(std::string_view text, std::size_t i) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    Step step;
    if (b0 < 0x80) {
        step.length = 1;
        step.codePoint = b0;
        return step;
    }
    std::size_t length = 0;
    char32_t cp = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte (Table 3-7)
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        length = 2;
        cp = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        length = 3;
        cp = b0 & 0x0F;
        if (b0 == 0xE0) lo = 0xA0;  // no overlong forms
        if (b0 == 0xED) hi = 0x9F;  // no surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        length = 4;
        cp = b0 & 0x07;
        if (b0 == 0xF0) lo = 0x90;  // no overlong forms
        if (b0 == 0xF4) hi = 0x8F;  // <= U+10FFFF
    } else {
        return step;  // C0, C1, F5..FF and stray continuation bytes are never well-formed
    }
    std::size_t j = 1;
    for (; j < length && i + j < text.size(); ++j) {
        const auto b = static_cast<unsigned char>(text[i + j]);
        if (b < (j == 1 ? lo : 0x80) || b > (j == 1 ? hi : 0xBF)) break;
        cp = (cp << 6) | (b & 0x3F);
    }
    if (j == length) {
        step.length = length;
        step.codePoint = cp;
    } else {
        step.consumed = j;
    }
    return step;
}

}  // namespace

bool isValidUtf8(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const auto step = decodeAt(text, i);
        if (step.length == 0) return false;
        i += step.length;
    }
    return true;
}

std::u32string decodeUtf8(std::string_view text, bool* valid) {
    std::u32string out;
    out.reserve(text.size());
    if (valid) *valid = true;
    for (std::size_t i = 0; i < text.size();) {
        const auto step = decodeAt(text, i);
        if (step.length > 0) {
            out.push_back(step.codePoint);
            i += step.length;
        } else {
            out.push_back(kReplacement);
            if (valid) *valid = false;
            i += step.consumed;
        }
    }
    return out;
}

void appendUtf8(char32_t c, std::string& out) {
    if (c < 0x80) {
        out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (c >> 6)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (c >> 12)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (c >> 18)));
        out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
}

std::string encodeUtf8(std::u32string_view codePoints) {
    std::string out;
    out.reserve(codePoints.size());
    for (const char32_t c : codePoints) appendUtf8(c, out);
    return out;
}

}  // namespace fmc
