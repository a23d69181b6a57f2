// CLIP BPE tokenizer, a C++ port of OpenAI's clip/simple_tokenizer.py (MIT licence, see
// ../shared/data/clip-tokenizer/CLIP-LICENSE). Text handling works on code points
// (std::u32string) so that every step has Python str semantics.
//
// Documented departures from the Python original:
//  * ftfy.fix_text() is approximated by NFC normalisation only (full canonical decomposition,
//    canonical ordering and composition incl. Hangul, from unicode_tables.cpp). ftfy's other
//    repairs (mojibake, curly quotes, ligatures, full-width characters, terminal escapes,
//    control characters, line breaks) are not made.
//  * html.unescape() knows the HTML 4 entity names (amp, lt, gt, quot, nbsp, the Latin-1
//    letters and symbols such as eacute, uuml, deg, micro, plusmn, Greek letters, math signs,
//    arrows ...) plus apos and the legacy upper-case aliases (AMP, LT, GT, QUOT, COPY, REG),
//    with and without ';' exactly as html.entities.html5 lists them, and every numeric
//    reference (&#NN; &#xHH;, with Python's replacement rules). HTML5-only names such as
//    &NotEqualTilde; are left as they are.
//  * Invalid UTF-8 (which a Python str cannot hold) becomes U+FFFD per maximal subpart, as
//    bytes.decode("utf-8", errors="replace") does.
//  * Character classes and case mappings are those of the Python/unicodedata version that ran
//    tools/gen_unicode_tables.py (unicode_tables.h: kUnicodeVersion); the `regex` module may
//    know a newer Unicode version for code points unassigned in it.
#include "text/clip_tokenizer.h"

#include "common/types.h"
#include "common/utf8.h"
#include "text/unicode_tables.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>
#include <unordered_map>
#include <utility>

namespace fmc {
namespace {

namespace ut = unicode_tables;
using U32 = std::u32string;

constexpr char32_t kReplacement = 0xFFFD;
// CLIP: merges = lines[1 : 49152 - 256 - 2 + 1]
constexpr std::size_t kClipMergeCount = 49152 - 256 - 2;

// ---------------------------------------------------------------- table look-ups

template <typename Range>
const Range* findRange(const Range* table, std::size_t count, char32_t c) {
    const Range* end = table + count;
    const Range* it = std::upper_bound(table, end, c, [](char32_t v, const Range& r) { return v < r.first; });
    if (it == table) return nullptr;
    --it;
    return c <= it->last ? it : nullptr;
}

std::uint8_t charFlags(char32_t c) {
    const auto* r = findRange(ut::kFlagRanges, ut::kFlagRangeCount, c);
    return r ? r->flags : ut::kDefaultFlags;
}

bool hasFlag(char32_t c, std::uint8_t flag) { return (charFlags(c) & flag) != 0; }

int combiningClass(char32_t c) {
    if (c < 0x300) return 0;
    const auto* r = findRange(ut::kCombiningRanges, ut::kCombiningRangeCount, c);
    return r ? r->ccc : 0;
}

char32_t simpleLower(char32_t c) {
    if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
    const auto* r = findRange(ut::kLowerRanges, ut::kLowerRangeCount, c);
    if (!r || (c - r->first) % r->stride != 0) return c;
    return static_cast<char32_t>(static_cast<std::int64_t>(c) + r->delta);
}

// ---------------------------------------------------------------- NFC

constexpr char32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr char32_t kLCount = 19, kVCount = 21, kTCount = 28, kNCount = kVCount * kTCount,
                   kSCount = kLCount * kNCount;

const ut::Decomposition* findDecomposition(char32_t c) {
    const auto* end = ut::kDecompositions + ut::kDecompositionCount;
    const auto* it = std::lower_bound(ut::kDecompositions, end, c,
                                      [](const ut::Decomposition& d, char32_t v) { return d.cp < v; });
    return (it != end && it->cp == c) ? it : nullptr;
}

void decomposeInto(char32_t c, U32& out) {
    if (c >= kSBase && c < kSBase + kSCount) {
        const char32_t s = c - kSBase;
        out.push_back(kLBase + s / kNCount);
        out.push_back(kVBase + (s % kNCount) / kTCount);
        if (s % kTCount != 0) out.push_back(kTBase + s % kTCount);
        return;
    }
    if (c >= 0xC0) {
        if (const auto* d = findDecomposition(c)) {
            decomposeInto(d->first, out);
            if (d->second != 0) decomposeInto(d->second, out);
            return;
        }
    }
    out.push_back(c);
}

const std::unordered_map<std::uint64_t, char32_t>& compositionMap() {
    static const std::unordered_map<std::uint64_t, char32_t> map = [] {
        std::unordered_map<std::uint64_t, char32_t> m;
        for (std::size_t i = 0; i < ut::kDecompositionCount; ++i) {
            const auto& d = ut::kDecompositions[i];
            if (d.composes) m.emplace((static_cast<std::uint64_t>(d.first) << 32) | d.second, d.cp);
        }
        return m;
    }();
    return map;
}

char32_t compose(char32_t a, char32_t b) {
    if (a >= kLBase && a < kLBase + kLCount && b >= kVBase && b < kVBase + kVCount)
        return kSBase + ((a - kLBase) * kVCount + (b - kVBase)) * kTCount;
    if (a >= kSBase && a < kSBase + kSCount && (a - kSBase) % kTCount == 0 && b > kTBase && b < kTBase + kTCount)
        return a + (b - kTBase);
    const auto& m = compositionMap();
    const auto it = m.find((static_cast<std::uint64_t>(a) << 32) | b);
    return it == m.end() ? 0 : it->second;
}

U32 nfc(const U32& in) {
    // Below U+0300 nothing decomposes into something else, recomposes or reorders.
    if (std::all_of(in.begin(), in.end(), [](char32_t c) { return c < 0x300; })) return in;

    U32 d;
    d.reserve(in.size() + 8);
    for (char32_t c : in) decomposeInto(c, d);

    // Canonical ordering: stable sort of every run of non-starters by combining class.
    for (std::size_t i = 0; i < d.size();) {
        if (combiningClass(d[i]) == 0) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < d.size() && combiningClass(d[j]) != 0) ++j;
        std::stable_sort(d.begin() + static_cast<std::ptrdiff_t>(i), d.begin() + static_cast<std::ptrdiff_t>(j),
                         [](char32_t x, char32_t y) { return combiningClass(x) < combiningClass(y); });
        i = j;
    }

    // Canonical composition.
    U32 out;
    out.reserve(d.size());
    std::size_t starter = std::u32string::npos;
    int lastClass = 0;
    for (char32_t c : d) {
        const int cc = combiningClass(c);
        if (starter != std::u32string::npos) {
            const bool adjacent = out.size() == starter + 1;
            if (adjacent || (lastClass != 0 && lastClass < cc)) {
                if (const char32_t composite = compose(out[starter], c)) {
                    out[starter] = composite;
                    continue;
                }
            }
        }
        if (cc == 0) starter = out.size();
        lastClass = cc;
        out.push_back(c);
    }
    return out;
}

// ---------------------------------------------------------------- html.unescape

// Python's html._invalid_charrefs for 0x80..0x9F (windows-1252 reading, HTML5 spec).
constexpr char32_t kCharref80[32] = {
    0x20AC, 0x81,   0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x8D,   0x017D, 0x8F,   0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D,   0x017E, 0x0178};

// Replacement of a numeric character reference, as html._replace_charref; appends nothing
// for Python's _invalid_codepoints.
void appendNumericCharref(std::uint32_t num, U32& out) {
    if (num == 0x00) { out.push_back(kReplacement); return; }
    if (num == 0x0D) { out.push_back(U'\r'); return; }
    if (num >= 0x80 && num <= 0x9F) { out.push_back(kCharref80[num - 0x80]); return; }
    if ((num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF) { out.push_back(kReplacement); return; }
    const bool invalid = (num >= 0x01 && num <= 0x08) || num == 0x0B || (num >= 0x0E && num <= 0x1F) ||
                         num == 0x7F || (num >= 0xFDD0 && num <= 0xFDEF) || (num & 0xFFFE) == 0xFFFE;
    if (!invalid) out.push_back(static_cast<char32_t>(num));
}

const ut::HtmlEntity* findEntity(const char32_t* s, std::size_t n) {
    std::string key;
    key.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        if (s[i] >= 0x80) return nullptr;  // every entity name is ASCII
        key.push_back(static_cast<char>(s[i]));
    }
    const auto* end = ut::kHtmlEntities + ut::kHtmlEntityCount;
    const auto* it = std::lower_bound(ut::kHtmlEntities, end, key, [](const ut::HtmlEntity& e, const std::string& k) {
        return std::strcmp(e.name, k.c_str()) < 0;
    });
    return (it != end && key == it->name) ? it : nullptr;
}

void appendEntity(const ut::HtmlEntity& e, U32& out) {
    out.push_back(e.cp1);
    if (e.cp2 != 0) out.push_back(e.cp2);
}

bool isAsciiDigit(char32_t c) { return c >= '0' && c <= '9'; }
bool isAsciiHex(char32_t c) { return isAsciiDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
int hexValue(char32_t c) {
    if (isAsciiDigit(c)) return static_cast<int>(c - '0');
    return static_cast<int>((c | 0x20) - 'a' + 10);
}

// html.unescape(): re.sub over &(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)
U32 htmlUnescape(const U32& s) {
    if (s.find(U'&') == U32::npos) return s;
    U32 out;
    out.reserve(s.size());
    const std::size_t n = s.size();
    std::size_t i = 0;
    while (i < n) {
        if (s[i] != U'&') {
            out.push_back(s[i++]);
            continue;
        }
        const std::size_t j = i + 1;
        if (j < n && s[j] == U'#') {
            std::size_t k = j + 1;
            const bool hex = k + 1 < n && (s[k] == U'x' || s[k] == U'X') && isAsciiHex(s[k + 1]);
            if (hex || (k < n && isAsciiDigit(s[k]))) {
                if (hex) ++k;
                std::uint32_t num = 0;  // saturates above U+10FFFF, which is all Python can tell apart
                for (; k < n && (hex ? isAsciiHex(s[k]) : isAsciiDigit(s[k])); ++k) {
                    const std::uint32_t digit = static_cast<std::uint32_t>(hexValue(s[k]));
                    num = std::min<std::uint32_t>(num * (hex ? 16u : 10u) + digit, 0x110000u);
                }
                if (k < n && s[k] == U';') ++k;
                appendNumericCharref(num, out);
                i = k;
                continue;
            }
            out.push_back(s[i++]);  // '#' cannot start a name: no match
            continue;
        }
        std::size_t k = j;
        while (k < n && k - j < 32) {
            const char32_t c = s[k];
            if (c == U'\t' || c == U'\n' || c == U'\f' || c == U' ' || c == U'<' || c == U'&' || c == U'#' ||
                c == U';')
                break;
            ++k;
        }
        if (k == j) {
            out.push_back(s[i++]);
            continue;
        }
        if (k < n && s[k] == U';') ++k;
        // group = s[j, k)
        const char32_t* group = s.data() + j;
        const std::size_t len = k - j;
        if (const auto* e = findEntity(group, len)) {
            appendEntity(*e, out);
        } else {
            bool found = false;
            for (std::size_t x = len - 1; x >= 2 && x < len; --x) {  // longest matching prefix, >= 2 chars
                if (const auto* p = findEntity(group, x)) {
                    appendEntity(*p, out);
                    out.append(group + x, len - x);
                    found = true;
                    break;
                }
            }
            if (!found) {
                out.push_back(U'&');
                out.append(group, len);
            }
        }
        i = k;
    }
    return out;
}

// ---------------------------------------------------------------- cleaning and case

U32 pyStrip(const U32& s) {
    std::size_t b = 0, e = s.size();
    while (b < e && hasFlag(s[b], ut::kPySpace)) ++b;
    while (e > b && hasFlag(s[e - 1], ut::kPySpace)) --e;
    return s.substr(b, e - b);
}

// whitespace_clean: regex.sub(r'\s+', ' ', text).strip()
U32 whitespaceClean(const U32& s) {
    U32 out;
    out.reserve(s.size());
    bool inSpace = false;
    for (char32_t c : s) {
        if (hasFlag(c, ut::kRegexSpace)) {
            if (!inSpace) out.push_back(U' ');
            inSpace = true;
        } else {
            out.push_back(c);
            inSpace = false;
        }
    }
    return pyStrip(out);
}

// CPython's handle_capital_sigma(): Final_Sigma context of U+03A3 at position i.
bool isFinalSigma(const U32& s, std::size_t i) {
    std::size_t j = i;
    bool final = false;
    while (j > 0) {
        const std::uint8_t f = charFlags(s[--j]);
        if (!(f & ut::kCaseIgnorable)) {
            final = (f & ut::kCased) != 0;
            break;
        }
    }
    if (!final) return false;
    for (std::size_t k = i + 1; k < s.size(); ++k) {
        const std::uint8_t f = charFlags(s[k]);
        if (!(f & ut::kCaseIgnorable)) return !(f & ut::kCased);
    }
    return true;
}

// str.lower()
U32 pyLower(const U32& s) {
    U32 out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char32_t c = s[i];
        if (c == 0x3A3) {
            out.push_back(isFinalSigma(s, i) ? 0x3C2 : 0x3C3);
            continue;
        }
        bool special = false;
        if (c >= 0x80) {
            for (std::size_t k = 0; k < ut::kSpecialLowerCount; ++k) {
                if (ut::kSpecialLower[k].cp == c) {
                    for (std::size_t m = 0; m < ut::kSpecialLower[k].count; ++m)
                        out.push_back(static_cast<char32_t>(ut::kSpecialLower[k].out[m]));
                    special = true;
                    break;
                }
            }
        }
        if (!special) out.push_back(simpleLower(c));
    }
    return out;
}

// ---------------------------------------------------------------- pre-tokenising regex

// Case-insensitive match of an ASCII pattern letter as the `regex` module does it with
// re.IGNORECASE (simple case folding): besides upper/lower case, U+017F LONG S folds to 's'.
bool letterMatches(char32_t c, char p) {
    const auto lower = static_cast<char32_t>(p);
    if (c == lower) return true;
    if (lower >= U'a' && lower <= U'z' && c == lower - 32) return true;
    return lower == U's' && c == 0x17F;
}

std::size_t matchLiteral(const U32& s, std::size_t i, const char* pattern) {
    const std::size_t n = std::strlen(pattern);
    if (i + n > s.size()) return 0;
    for (std::size_t k = 0; k < n; ++k)
        if (!letterMatches(s[i + k], pattern[k])) return 0;
    return n;
}

// Length of the match of
//   <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
// at position i (leftmost alternative wins, as in the `regex` module), 0 if none matches.
std::size_t matchToken(const U32& s, std::size_t i) {
    const char32_t c = s[i];
    if (c == U'<') {
        if (std::size_t m = matchLiteral(s, i, "<|startoftext|>")) return m;
        if (std::size_t m = matchLiteral(s, i, "<|endoftext|>")) return m;
    } else if (c == U'\'') {
        for (const char* contraction : {"'s", "'t", "'re", "'ve", "'m", "'ll", "'d"})
            if (std::size_t m = matchLiteral(s, i, contraction)) return m;
    }
    const std::uint8_t f = charFlags(c);
    std::uint8_t runFlag = 0;
    if (f & ut::kLetter) {
        runFlag = ut::kLetter;
    } else if (f & ut::kNumber) {
        return 1;
    } else if (f & ut::kSymbol) {
        runFlag = ut::kSymbol;
    } else {
        return 0;  // white space (and U+0345, see the generator)
    }
    std::size_t k = i + 1;
    while (k < s.size() && (charFlags(s[k]) & runFlag)) ++k;
    return k - i;
}

// ---------------------------------------------------------------- vocabulary file

std::string readGzipFile(const std::string& path) {
    gzFile file = gzopen(path.c_str(), "rb");
    if (!file) throw Error("ClipTokenizer: cannot open vocabulary file '" + path + "'");
    std::string data;
    std::array<char, 1 << 16> buffer{};
    for (;;) {
        const int got = gzread(file, buffer.data(), static_cast<unsigned>(buffer.size()));
        if (got > 0) {
            data.append(buffer.data(), static_cast<std::size_t>(got));
            continue;
        }
        int err = Z_OK;
        const char* message = gzerror(file, &err);
        if (got < 0 || (err != Z_OK && err != Z_STREAM_END)) {
            const std::string what = message ? message : "read error";
            gzclose(file);
            throw Error("ClipTokenizer: vocabulary file '" + path + "' is unreadable or corrupt (" + what + ")");
        }
        break;
    }
    gzclose(file);
    return data;
}

// str.split() without arguments: split on runs of Python white space.
std::vector<std::string> splitPyWhitespace(const U32& line) {
    std::vector<std::string> parts;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && hasFlag(line[i], ut::kPySpace)) ++i;
        std::size_t k = i;
        while (k < line.size() && !hasFlag(line[k], ut::kPySpace)) ++k;
        if (k > i) parts.push_back(encodeUtf8(std::u32string_view(line).substr(i, k - i)));
        i = k;
    }
    return parts;
}

// bytes_to_unicode(): byte values in vocabulary order and the code point each stands for.
std::array<std::pair<int, char32_t>, 256> bytesToUnicode() {
    std::array<std::pair<int, char32_t>, 256> table{};
    std::array<bool, 256> printable{};
    std::size_t n = 0;
    for (int b = 0; b < 256; ++b) {
        if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)) {
            printable[static_cast<std::size_t>(b)] = true;
            table[n++] = {b, static_cast<char32_t>(b)};
        }
    }
    char32_t next = 256;
    for (int b = 0; b < 256; ++b)
        if (!printable[static_cast<std::size_t>(b)]) table[n++] = {b, next++};
    return table;
}

}  // namespace

// ---------------------------------------------------------------- ClipTokenizer

struct ClipTokenizer::Impl {
    std::unordered_map<std::string, std::int32_t> encoder;  // dict(zip(vocab, range(len(vocab))))
    std::size_t vocabularySize = 0;
    std::array<std::int32_t, 256> byteId{};     // id of the symbol for byte b
    std::array<std::int32_t, 256> byteEndId{};  // id of that symbol + "</w>"
    struct Merge {
        std::int32_t rank;
        std::int32_t id;  // id of first+second
    };
    std::unordered_map<std::uint64_t, Merge> ranks;  // (id(first) << 32 | id(second)) -> merge
    std::int32_t sot = 0;
    std::int32_t eot = 0;

    static std::uint64_t pairKey(std::int32_t a, std::int32_t b) {
        return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(a)) << 32) | static_cast<std::uint32_t>(b);
    }

    void bpe(const std::string& tokenBytes, std::vector<std::int32_t>& out) const {
        std::vector<std::int32_t> word;
        word.reserve(tokenBytes.size());
        for (unsigned char b : tokenBytes) word.push_back(byteId[b]);
        word.back() = byteEndId[static_cast<unsigned char>(tokenBytes.back())];
        std::vector<std::int32_t> merged;
        while (word.size() > 1) {
            std::int32_t bestRank = INT32_MAX;
            const Merge* best = nullptr;
            std::int32_t first = 0, second = 0;
            for (std::size_t i = 0; i + 1 < word.size(); ++i) {
                const auto it = ranks.find(pairKey(word[i], word[i + 1]));
                if (it != ranks.end() && it->second.rank < bestRank) {
                    bestRank = it->second.rank;
                    best = &it->second;
                    first = word[i];
                    second = word[i + 1];
                }
            }
            if (!best) break;
            merged.clear();
            for (std::size_t i = 0; i < word.size();) {
                if (word[i] == first && i + 1 < word.size() && word[i + 1] == second) {
                    merged.push_back(best->id);
                    i += 2;
                } else {
                    merged.push_back(word[i]);
                    ++i;
                }
            }
            word.swap(merged);
        }
        out.insert(out.end(), word.begin(), word.end());
    }
};

ClipTokenizer::ClipTokenizer(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

ClipTokenizer ClipTokenizer::fromVocabularyFile(const std::string& path) {
    const std::string data = readGzipFile(path);
    if (!isValidUtf8(data)) throw Error("ClipTokenizer: vocabulary file '" + path + "' is not valid UTF-8");

    // merges = text.split('\n')[1 : 1 + kClipMergeCount]
    std::vector<std::pair<std::string, std::string>> merges;
    merges.reserve(kClipMergeCount);
    std::size_t pos = data.find('\n');
    std::size_t lineNo = 1;
    while (pos != std::string::npos && merges.size() < kClipMergeCount) {
        const std::size_t start = pos + 1;
        pos = data.find('\n', start);
        const std::size_t end = pos == std::string::npos ? data.size() : pos;
        ++lineNo;
        const U32 line = decodeUtf8(std::string_view(data).substr(start, end - start));
        auto parts = splitPyWhitespace(line);
        if (parts.size() != 2) {
            if (parts.empty() && pos == std::string::npos) break;  // trailing newline at the end
            throw Error("ClipTokenizer: vocabulary file '" + path + "' line " + std::to_string(lineNo) +
                        " is not a merge of two symbols");
        }
        merges.emplace_back(std::move(parts[0]), std::move(parts[1]));
    }
    if (merges.size() < kClipMergeCount) {
        throw Error("ClipTokenizer: vocabulary file '" + path + "' has " + std::to_string(merges.size()) +
                    " merge lines, CLIP needs " + std::to_string(kClipMergeCount));
    }

    auto impl = std::make_shared<Impl>();
    std::vector<std::string> vocab;
    vocab.reserve(512 + merges.size() + 2);
    const auto byteTable = bytesToUnicode();
    for (const auto& entry : byteTable) {
        std::string symbol;
        appendUtf8(entry.second, symbol);
        vocab.push_back(symbol);
    }
    for (std::size_t i = 0; i < 256; ++i) vocab.push_back(vocab[i] + "</w>");
    for (const auto& m : merges) vocab.push_back(m.first + m.second);
    vocab.emplace_back("<|startoftext|>");
    vocab.emplace_back("<|endoftext|>");
    impl->vocabularySize = vocab.size();
    impl->encoder.reserve(vocab.size());
    for (std::size_t i = 0; i < vocab.size(); ++i) impl->encoder[vocab[i]] = static_cast<std::int32_t>(i);  // last wins

    for (std::size_t i = 0; i < 256; ++i) {
        const auto b = static_cast<std::size_t>(byteTable[i].first);
        impl->byteId[b] = impl->encoder.at(vocab[i]);
        impl->byteEndId[b] = impl->encoder.at(vocab[256 + i]);
    }
    impl->ranks.reserve(merges.size());
    for (std::size_t r = 0; r < merges.size(); ++r) {
        const auto a = impl->encoder.find(merges[r].first);
        const auto b = impl->encoder.find(merges[r].second);
        if (a == impl->encoder.end() || b == impl->encoder.end()) continue;  // can never apply
        impl->ranks[Impl::pairKey(a->second, b->second)] =
            Impl::Merge{static_cast<std::int32_t>(r), impl->encoder.at(merges[r].first + merges[r].second)};
    }
    impl->sot = impl->encoder.at("<|startoftext|>");
    impl->eot = impl->encoder.at("<|endoftext|>");
    return ClipTokenizer(std::move(impl));
}

std::vector<std::int32_t> ClipTokenizer::encode(const std::string& utf8Text) const {
    const U32 decoded = decodeUtf8(utf8Text);
    // basic_clean, whitespace_clean, lower
    const U32 text = pyLower(whitespaceClean(pyStrip(htmlUnescape(htmlUnescape(nfc(decoded))))));

    std::vector<std::int32_t> ids;
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t len = matchToken(text, i);
        if (len == 0) {
            ++i;
            continue;
        }
        const std::string token = encodeUtf8(std::u32string_view(text).substr(i, len));
        i += len;
        if (token == "<|startoftext|>") {
            ids.push_back(impl_->sot);
        } else if (token == "<|endoftext|>") {
            ids.push_back(impl_->eot);
        } else {
            impl_->bpe(token, ids);
        }
    }
    return ids;
}

std::vector<std::int64_t> ClipTokenizer::tokenize(const std::string& utf8Text, int contextLength) const {
    if (contextLength < 1)
        throw Error("ClipTokenizer::tokenize: contextLength must be at least 1, got " + std::to_string(contextLength));
    const auto ids = encode(utf8Text);
    const auto length = static_cast<std::size_t>(contextLength);
    std::vector<std::int64_t> result(length, 0);
    std::size_t n = 0;
    result[n++] = impl_->sot;
    for (std::size_t k = 0; k < ids.size() && n < length; ++k) result[n++] = ids[k];
    if (n < length) {
        result[n] = impl_->eot;
    } else {
        result[length - 1] = impl_->eot;  // truncate=True keeps eot as the last token
    }
    return result;
}

std::int32_t ClipTokenizer::startToken() const { return impl_->sot; }
std::int32_t ClipTokenizer::endToken() const { return impl_->eot; }
std::size_t ClipTokenizer::vocabularySize() const { return impl_->vocabularySize; }

}  // namespace fmc
