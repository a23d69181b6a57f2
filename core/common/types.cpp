#include "common/types.h"

#include <sstream>

namespace fmc {

std::string shapeString(const std::vector<std::int64_t>& shape) {
    std::ostringstream out;
    out << '[';
    for (std::size_t i = 0; i < shape.size(); ++i) out << (i ? "," : "") << shape[i];
    out << ']';
    return out.str();
}

}  // namespace fmc
