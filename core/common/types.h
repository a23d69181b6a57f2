#pragma once
// Plain data types shared by every component. No torch, no Qt: these cross library
// boundaries, so UI code and the coordinator can use them without heavy headers.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace fmc {

// The project's one error type. `what()` names the file or field at fault.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Row-major matrix of floats, e.g. N image features of dimension D.
struct FloatMatrix {
    std::int64_t rows = 0;
    std::int64_t cols = 0;
    std::vector<float> data;

    FloatMatrix() = default;
    FloatMatrix(std::int64_t r, std::int64_t c) : rows(r), cols(c), data(static_cast<size_t>(r * c), 0.0f) {}
    float* row(std::int64_t r) { return data.data() + r * cols; }
    const float* row(std::int64_t r) const { return data.data() + r * cols; }
    float& at(std::int64_t r, std::int64_t c) { return data[static_cast<size_t>(r * cols + c)]; }
    float at(std::int64_t r, std::int64_t c) const { return data[static_cast<size_t>(r * cols + c)]; }
};

// One named parameter tensor (fp32 values, row-major) as it leaves or enters a model.
struct NamedTensor {
    std::string name;
    std::vector<std::int64_t> shape;
    std::vector<float> values;

    std::int64_t numel() const {
        std::int64_t n = 1;
        for (auto d : shape) n *= d;
        return n;
    }
};

// An ordered set of parameters, e.g. the FAM a site sends to the federation.
using ParameterSet = std::vector<NamedTensor>;

// "[512,512]": a shape as error messages show it.
std::string shapeString(const std::vector<std::int64_t>& shape);

}  // namespace fmc
