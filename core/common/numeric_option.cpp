#include "common/numeric_option.h"

#include "common/types.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace fmc {
namespace {

[[noreturn]] void refuse(const std::string& option, const std::string& text, const std::string& expected) {
    throw Error("--" + option + ": '" + text + "' is not " + expected);
}

}  // namespace

std::int64_t parseIntegerOption(const std::string& option, const std::string& text, std::int64_t min,
                                std::int64_t max) {
    const std::string expected = "a whole number from " + std::to_string(min) + " to " + std::to_string(max);
    if (text.empty() || std::isspace(static_cast<unsigned char>(text.front()))) refuse(option, text, expected);
    char* end = nullptr;
    errno = 0;
    const long long value = std::strtoll(text.c_str(), &end, 10);
    if (errno == ERANGE || *end != '\0' || value < min || value > max) refuse(option, text, expected);
    return value;
}

std::uint64_t parseUnsignedOption(const std::string& option, const std::string& text) {
    const std::string expected = "a whole number from 0 to " + std::to_string(std::numeric_limits<std::uint64_t>::max());
    // strtoull accepts "-1" (as its wrap-around): only digits are a value here.
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) refuse(option, text, expected);
    char* end = nullptr;
    errno = 0;
    const unsigned long long value = std::strtoull(text.c_str(), &end, 10);
    if (errno == ERANGE || *end != '\0') refuse(option, text, expected);
    return value;
}

double parseNumberOption(const std::string& option, const std::string& text) {
    if (text.empty() || std::isspace(static_cast<unsigned char>(text.front()))) refuse(option, text, "a finite number");
    char* end = nullptr;
    errno = 0;
    const double value = std::strtod(text.c_str(), &end);
    if (errno == ERANGE || *end != '\0' || !std::isfinite(value)) refuse(option, text, "a finite number");
    return value;
}

}  // namespace fmc
