#pragma once
// Numeric command-line option values, checked: the whole text must be the number, in range.
// A bad value throws fmc::Error naming the option, e.g. "--seed: 'abc' is not a whole number".
#include <cstdint>
#include <limits>
#include <string>

namespace fmc {

std::int64_t parseIntegerOption(const std::string& option, const std::string& text,
                                std::int64_t min = std::numeric_limits<int>::min(),
                                std::int64_t max = std::numeric_limits<int>::max());
std::uint64_t parseUnsignedOption(const std::string& option, const std::string& text);
// A finite decimal number ("0.5", "1e-3").
double parseNumberOption(const std::string& option, const std::string& text);

}  // namespace fmc
