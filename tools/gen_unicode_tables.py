#!/usr/bin/env python3
"""Generate core/text/unicode_tables.{h,cpp} for the CLIP tokenizer (fmc::ClipTokenizer).

Everything comes from the running Python's `unicodedata`, `str` methods and `html.entities`,
so the C++ tokenizer reproduces what OpenAI's clip/simple_tokenizer.py does under the same
Python.  Run from anywhere:

    python3 tools/gen_unicode_tables.py            # rewrites core/text/unicode_tables.{h,cpp}
    python3 tools/gen_unicode_tables.py --check    # exit 1 if the committed files are stale

Tables produced (all sorted, binary-searched at run time):

* kFlagRanges    - per code point class flags, as ranges of equal flags.  Code points not
                   covered have flags == kSymbol only.
    kLetter         matches `[\\p{L}]` of the CLIP regex (general category L*).
    kNumber         matches `[\\p{N}]` (general category N*).
    kSymbol         matches `[^\\s\\p{L}\\p{N}]` under re.IGNORECASE (the `regex` module excludes
                    a character if one of its simple case variants is a letter/number; in
                    practice only U+0345 COMBINING GREEK YPOGEGRAMMENI, which therefore matches
                    no alternative and is skipped like white space).
    kRegexSpace     `\\s` of the `regex` module = Unicode White_Space
                    (= str.isspace() minus U+001C..U+001F).
    kPySpace        str.isspace(), used by str.strip().
    kCased / kCaseIgnorable  what str.lower() uses for the Final_Sigma rule, measured from
                    str.lower() itself ("cased" only for non-ignorable characters, since
                    CPython tests case-ignorable first).
* kLowerRanges   - str.lower() single code point mappings as (first, last, delta, stride).
* kSpecialLower  - str.lower() mappings to more than one code point (U+0130).
* kCombiningRanges - canonical combining class ranges (unicodedata.combining).
* kDecompositions  - one-level canonical decompositions (Hangul syllables are algorithmic
                   and not listed); `composes` marks primary composites used by NFC.
* kHtmlEntities  - a subset of html.entities.html5 (see below).

HTML entity subset: every key of html.entities.html5 whose name (without ';') is an
HTML 4 entity (html.entities.name2codepoint, 252 names: amp, lt, gt, quot, nbsp, the
Latin-1 letters and symbols, Greek letters, math and arrows ...), plus `apos` and the
upper-case legacy aliases AMP, COPY, GT, LT, QUOT, REG.  That includes every legacy name
that html.unescape() accepts without a trailing ';', so its longest-prefix rule is exact;
only the HTML5-only names with ';' (e.g. `&NotEqualTilde;`) are left untranslated.
"""
import argparse
import html.entities
import os
import sys
import unicodedata

MAX_CP = 0x110000
HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, os.pardir, "core", "text")

K_LETTER, K_NUMBER, K_REGEX_SPACE, K_PY_SPACE, K_CASED, K_CASE_IGNORABLE, K_SYMBOL = (
    1, 2, 4, 8, 16, 32, 64)


def is_surrogate(cp):
    return 0xD800 <= cp <= 0xDFFF


def simple_case_variants(ch):
    out = set()
    for f in (ch.lower(), ch.upper(), ch.title(), ch.casefold()):
        if len(f) == 1:
            out.add(f)
    return out


def final_sigma_class(ch):
    """'ign', 'cased' or None, measured from str.lower()'s Final_Sigma handling."""
    ignorable_or_cased = ("A" + ch + "\u03a3").lower()[-1] == "\u03c2"
    if not ignorable_or_cased:
        return None
    cased_not_ignorable = (ch + "\u03a3").lower()[-1] == "\u03c2"
    return "cased" if cased_not_ignorable else "ign"


def char_flags(cp):
    ch = chr(cp)
    cat = unicodedata.category(ch)
    flags = 0
    py_space = ch.isspace()
    regex_space = py_space and not (0x1C <= cp <= 0x1F)
    if cat[0] == "L":
        flags |= K_LETTER
    if cat[0] == "N":
        flags |= K_NUMBER
    if regex_space:
        flags |= K_REGEX_SPACE
    if py_space:
        flags |= K_PY_SPACE
    if not (flags & (K_LETTER | K_NUMBER | K_REGEX_SPACE)):
        # Negated class under IGNORECASE: excluded when a case variant is a letter/number.
        variant_ln = any(unicodedata.category(v)[0] in "LN" for v in simple_case_variants(ch))
        if not variant_ln:
            flags |= K_SYMBOL
    fs = final_sigma_class(ch)
    if fs == "cased":
        flags |= K_CASED
    elif fs == "ign":
        flags |= K_CASE_IGNORABLE
    return flags


def ranges_of(values, default):
    """[(first, last, value)] for runs of equal value != default."""
    out = []
    start = None
    prev = default
    for cp in range(MAX_CP + 1):
        v = values(cp) if cp < MAX_CP else default
        if v != prev:
            if prev != default:
                out.append((start, cp - 1, prev))
            start = cp
            prev = v
    return out


def lower_tables():
    single = []
    special = []
    for cp in range(MAX_CP):
        if is_surrogate(cp):
            continue
        low = chr(cp).lower()
        if low == chr(cp):
            continue
        if len(low) == 1:
            single.append((cp, ord(low) - cp))
        else:
            special.append((cp, [ord(c) for c in low]))
    runs = []  # (first, last, delta, stride)
    i = 0
    while i < len(single):
        cp, delta = single[i]
        stride = 1
        last = cp
        j = i + 1
        if j < len(single) and single[j][1] == delta and single[j][0] - cp in (1, 2):
            stride = single[j][0] - cp
            while j < len(single) and single[j][1] == delta and single[j][0] == last + stride:
                last = single[j][0]
                j += 1
        runs.append((cp, last, delta, stride))
        i = j
    # self-check
    for cp, delta in single:
        hit = [r for r in runs if r[0] <= cp <= r[1] and (cp - r[0]) % r[3] == 0]
        assert len(hit) == 1 and hit[0][2] == delta, hex(cp)
    return runs, special


def decompositions():
    out = []
    for cp in range(MAX_CP):
        if is_surrogate(cp) or 0xAC00 <= cp <= 0xD7A3:
            continue
        d = unicodedata.decomposition(chr(cp))
        if not d or d.startswith("<"):
            continue
        parts = [int(x, 16) for x in d.split()]
        assert len(parts) in (1, 2), hex(cp)
        composes = len(parts) == 2 and unicodedata.normalize("NFC", chr(cp)) == chr(cp)
        out.append((cp, parts[0], parts[1] if len(parts) == 2 else 0, composes))
    return out


def html_entities():
    extra = {"apos", "AMP", "COPY", "GT", "LT", "QUOT", "REG"}
    names = set(html.entities.name2codepoint) | extra
    legacy = [k for k in html.entities.html5 if not k.endswith(";")]
    out = []
    for key, value in html.entities.html5.items():
        if key.rstrip(";") in names:
            assert 1 <= len(value) <= 2, key
            out.append((key, [ord(c) for c in value]))
    chosen = {k for k, _ in out}
    assert all(k in chosen for k in legacy), "a legacy (no ';') entity is missing"
    out.sort(key=lambda e: e[0].encode("ascii"))
    return out


def c_int(v):
    return ("-0x%X" % -v) if v < 0 else ("0x%X" % v)


def wrap(items, per_line):
    lines = []
    for i in range(0, len(items), per_line):
        lines.append("    " + " ".join(items[i:i + per_line]))
    return "\n".join(lines)


HEADER = """\
// GENERATED by tools/gen_unicode_tables.py from Python {py} (unicodedata {uv}). Do not edit;
// rerun the script instead.  Tables for fmc::ClipTokenizer, see the script for what each means.
#pragma once
#include <cstddef>
#include <cstdint>

namespace fmc::unicode_tables {{

inline constexpr const char* kUnicodeVersion = "{uv}";

enum CharFlag : std::uint8_t {{
    kLetter = 1,          // [\\p{{L}}]
    kNumber = 2,          // [\\p{{N}}]
    kRegexSpace = 4,      // \\s of the `regex` module (Unicode White_Space)
    kPySpace = 8,         // str.isspace() (str.strip())
    kCased = 16,          // cased and not case-ignorable (Final_Sigma rule of str.lower())
    kCaseIgnorable = 32,  // case-ignorable (Final_Sigma rule of str.lower())
    kSymbol = 64,         // [^\\s\\p{{L}}\\p{{N}}] under re.IGNORECASE
}};
// Code points outside every range have flags == kSymbol.
inline constexpr std::uint8_t kDefaultFlags = kSymbol;

struct FlagRange {{ std::uint32_t first, last; std::uint8_t flags; }};
struct LowerRange {{ std::uint32_t first, last; std::int32_t delta; std::uint8_t stride; }};
struct SpecialLower {{ std::uint32_t cp; std::uint32_t out[3]; std::uint8_t count; }};
struct CombiningRange {{ std::uint32_t first, last; std::uint8_t ccc; }};
struct Decomposition {{ std::uint32_t cp, first, second; bool composes; }};  // second == 0: singleton
struct HtmlEntity {{ const char* name; std::uint32_t cp1, cp2; }};        // cp2 == 0: one code point

extern const FlagRange kFlagRanges[];
extern const std::size_t kFlagRangeCount;
extern const LowerRange kLowerRanges[];
extern const std::size_t kLowerRangeCount;
extern const SpecialLower kSpecialLower[];
extern const std::size_t kSpecialLowerCount;
extern const CombiningRange kCombiningRanges[];
extern const std::size_t kCombiningRangeCount;
extern const Decomposition kDecompositions[];      // sorted by cp
extern const std::size_t kDecompositionCount;
extern const HtmlEntity kHtmlEntities[];           // sorted by name (strcmp)
extern const std::size_t kHtmlEntityCount;

}}  // namespace fmc::unicode_tables
"""


def generate():
    py = "%d.%d.%d" % sys.version_info[:3]
    uv = unicodedata.unidata_version
    surrogate_flags = K_SYMBOL  # never reached: decoding replaces surrogates by U+FFFD

    def flags(cp):
        return surrogate_flags if is_surrogate(cp) else char_flags(cp)

    flag_ranges = ranges_of(flags, K_SYMBOL)
    lower_runs, special = lower_tables()
    ccc_ranges = ranges_of(lambda cp: 0 if is_surrogate(cp) else unicodedata.combining(chr(cp)), 0)
    decomp = decompositions()
    entities = html_entities()

    h = HEADER.format(py=py, uv=uv)
    c = []
    c.append("// GENERATED by tools/gen_unicode_tables.py from Python %s (unicodedata %s). Do not edit." % (py, uv))
    c.append('#include "text/unicode_tables.h"\n')
    c.append("namespace fmc::unicode_tables {\n")
    c.append("const FlagRange kFlagRanges[] = {")
    c.append(wrap(["{%s,%s,%d}," % (c_int(a), c_int(b), f) for a, b, f in flag_ranges], 5))
    c.append("};\nconst std::size_t kFlagRangeCount = sizeof(kFlagRanges) / sizeof(kFlagRanges[0]);\n")
    c.append("const LowerRange kLowerRanges[] = {")
    c.append(wrap(["{%s,%s,%s,%d}," % (c_int(a), c_int(b), c_int(d), s) for a, b, d, s in lower_runs], 4))
    c.append("};\nconst std::size_t kLowerRangeCount = sizeof(kLowerRanges) / sizeof(kLowerRanges[0]);\n")
    c.append("const SpecialLower kSpecialLower[] = {")
    c.append(wrap(["{%s,{%s},%d}," % (c_int(cp), ",".join(c_int(x) for x in (out + [0, 0, 0])[:3]), len(out))
                   for cp, out in special], 2))
    c.append("};\nconst std::size_t kSpecialLowerCount = sizeof(kSpecialLower) / sizeof(kSpecialLower[0]);\n")
    c.append("const CombiningRange kCombiningRanges[] = {")
    c.append(wrap(["{%s,%s,%d}," % (c_int(a), c_int(b), v) for a, b, v in ccc_ranges], 5))
    c.append("};\nconst std::size_t kCombiningRangeCount = sizeof(kCombiningRanges) / sizeof(kCombiningRanges[0]);\n")
    c.append("const Decomposition kDecompositions[] = {")
    c.append(wrap(["{%s,%s,%s,%d}," % (c_int(cp), c_int(a), c_int(b), int(k)) for cp, a, b, k in decomp], 5))
    c.append("};\nconst std::size_t kDecompositionCount = sizeof(kDecompositions) / sizeof(kDecompositions[0]);\n")
    c.append("const HtmlEntity kHtmlEntities[] = {")
    c.append(wrap(['{"%s",%s,%s},' % (k, c_int(v[0]), c_int(v[1] if len(v) > 1 else 0)) for k, v in entities], 4))
    c.append("};\nconst std::size_t kHtmlEntityCount = sizeof(kHtmlEntities) / sizeof(kHtmlEntities[0]);\n")
    c.append("}  // namespace fmc::unicode_tables")
    return h, "\n".join(c) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail if the committed files differ")
    ap.add_argument("--out-dir", default=OUT_DIR)
    args = ap.parse_args()
    h, c = generate()
    targets = {os.path.join(args.out_dir, "unicode_tables.h"): h,
               os.path.join(args.out_dir, "unicode_tables.cpp"): c}
    stale = False
    for path, text in targets.items():
        old = None
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                old = f.read()
        if old == text:
            continue
        stale = True
        if not args.check:
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
            print("wrote", os.path.normpath(path))
    if args.check and stale:
        print("unicode tables are stale; rerun tools/gen_unicode_tables.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
