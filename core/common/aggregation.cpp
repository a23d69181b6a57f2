#include "common/aggregation.h"

#include "common/codec.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <sstream>

namespace fmc {

namespace {

void checkValueCounts(const ParameterSet& set, const std::string& what) {
    for (const NamedTensor& t : set) {
        for (auto d : t.shape)
            if (d < 0) throw Error(what + ": tensor '" + t.name + "' has negative dimension in shape " + shapeString(t.shape));
        if (static_cast<std::int64_t>(t.values.size()) != t.numel())
            throw Error(what + ": tensor '" + t.name + "' holds " + std::to_string(t.values.size()) +
                        " values but shape " + shapeString(t.shape) + " needs " + std::to_string(t.numel()));
    }
}

void checkFiniteSet(const ParameterSet& set, const std::string& what) {
    for (const NamedTensor& t : set) {
        // A branch-free scan of the exponent bits (all ones: Inf or NaN), which vectorises, then
        // the first offending value's index only where there is one.
        std::uint32_t nonFinite = 0;
        for (const float v : t.values) {
            std::uint32_t bits;
            std::memcpy(&bits, &v, sizeof bits);
            nonFinite |= static_cast<std::uint32_t>((bits & 0x7f800000u) == 0x7f800000u);
        }
        if (!nonFinite) continue;
        for (std::size_t i = 0; i < t.values.size(); ++i)
            if (!std::isfinite(t.values[i]))
                throw Error(what + ": tensor '" + t.name + "' value " + std::to_string(i) +
                            " is not finite (NaN/Inf); drop or repair the update before aggregating");
    }
}

// Validates all updates against the first one.
void checkUpdates(const std::vector<ParameterSet>& updates, const char* who) {
    if (updates.empty()) throw Error(std::string(who) + ": no updates to aggregate");
    for (std::size_t k = 0; k < updates.size(); ++k) {
        const std::string what = std::string(who) + ": update " + std::to_string(k);
        if (k == 0)
            checkValueCounts(updates[0], what);
        else
            checkSameLayout(updates[0], updates[k], what);
        checkFiniteSet(updates[k], what);
    }
}

// Applies `reduce` to the K values of every coordinate.
template <typename Reduce>
ParameterSet reduceCoordinates(const std::vector<ParameterSet>& updates, Reduce reduce) {
    const std::size_t K = updates.size();
    ParameterSet out = updates[0];
    std::vector<double> column(K);
    for (std::size_t t = 0; t < out.size(); ++t) {
        std::vector<float>& values = out[t].values;
        for (std::size_t i = 0; i < values.size(); ++i) {
            for (std::size_t k = 0; k < K; ++k) column[k] = updates[k][t].values[i];
            values[i] = static_cast<float>(reduce(column));
        }
    }
    return out;
}

}  // namespace

void checkSameLayout(const ParameterSet& reference, const ParameterSet& candidate, const std::string& what) {
    if (candidate.size() != reference.size())
        throw Error(what + ": holds " + std::to_string(candidate.size()) + " tensors, expected " +
                    std::to_string(reference.size()));
    for (std::size_t i = 0; i < reference.size(); ++i) {
        const NamedTensor& r = reference[i];
        const NamedTensor& c = candidate[i];
        if (c.name != r.name)
            throw Error(what + ": tensor " + std::to_string(i) + " is '" + c.name + "', expected '" + r.name + "'");
        if (c.shape != r.shape)
            throw Error(what + ": tensor '" + r.name + "' has shape " + shapeString(c.shape) + ", expected " +
                        shapeString(r.shape));
    }
    checkValueCounts(candidate, what);
}

namespace {

// Normalised weights (uniform when empty), validated.
std::vector<double> normalisedWeights(const std::vector<double>& weights, std::size_t K, const char* who) {
    std::vector<double> w(K, 1.0);
    if (!weights.empty()) {
        if (weights.size() != K)
            throw Error(std::string(who) + ": " + std::to_string(weights.size()) + " weights for " + std::to_string(K) +
                        " updates");
        w = weights;
    }
    double total = 0.0;
    for (std::size_t k = 0; k < K; ++k) {
        if (!std::isfinite(w[k]) || w[k] < 0.0)
            throw Error(std::string(who) + ": weight " + std::to_string(k) + " = " + std::to_string(w[k]) +
                        " must be finite and >= 0");
        total += w[k];
    }
    if (!(total > 0.0)) throw Error(std::string(who) + ": weights sum to zero");
    for (double& x : w) x /= total;
    return w;
}

// sum_k w_k update_k of checked updates and normalised weights; the tensors marked in `skip`
// keep update 0's values (for a caller that writes every value of them itself).
ParameterSet weightedAverage(const std::vector<ParameterSet>& updates, const std::vector<double>& w,
                             const std::vector<bool>& skip = {}) {
    const std::size_t K = updates.size();
    ParameterSet out = updates[0];
    // Summed in double, update by update in their order, a cache-sized chunk of values at a
    // time (the same sums as whole tensors at once, without a tensor-sized buffer).
    constexpr std::size_t kChunk = 2048;
    double acc[kChunk];
    for (std::size_t t = 0; t < out.size(); ++t) {
        if (t < skip.size() && skip[t]) continue;
        std::vector<float>& values = out[t].values;
        for (std::size_t begin = 0; begin < values.size(); begin += kChunk) {
            const std::size_t count = std::min(kChunk, values.size() - begin);
            std::fill_n(acc, count, 0.0);
            for (std::size_t k = 0; k < K; ++k) {
                if (w[k] == 0.0) continue;
                const float* v = updates[k][t].values.data() + begin;
                for (std::size_t i = 0; i < count; ++i) acc[i] += w[k] * static_cast<double>(v[i]);
            }
            for (std::size_t i = 0; i < count; ++i) values[begin + i] = static_cast<float>(acc[i]);
        }
    }
    return out;
}

}  // namespace

ParameterSet federatedAverage(const std::vector<ParameterSet>& updates, const std::vector<double>& weights) {
    const char* who = "federatedAverage";
    checkUpdates(updates, who);
    return weightedAverage(updates, normalisedWeights(weights, updates.size(), who));
}

ParameterSet maskAwareAverage(const std::vector<ParameterSet>& updates, const std::vector<double>& weights) {
    const char* who = "maskAwareAverage";
    checkUpdates(updates, who);
    const std::size_t K = updates.size();
    const auto w = normalisedWeights(weights, K, who);
    std::vector<std::map<std::size_t, std::vector<bool>>> kept;
    for (const auto& update : updates) kept.push_back(keptRowsOf(update));
    // The masked weights are recomputed row by row below, every row of them.
    std::vector<bool> maskedWeight(updates[0].size(), false);
    for (const auto& [weightIndex, rows] : kept[0]) maskedWeight[weightIndex] = true;
    ParameterSet out = weightedAverage(updates, w, maskedWeight);
    std::map<std::string, std::size_t> byName;
    for (std::size_t i = 0; i < out.size(); ++i) byName[out[i].name] = i;
    for (const auto& [weightIndex, rows] : kept[0]) {
        const std::string stem = out[weightIndex].name.substr(0, out[weightIndex].name.size() - 7);  // ".weight"
        const std::size_t thresholdIndex = byName.at(stem + ".threshold");
        const std::size_t cols = static_cast<std::size_t>(out[weightIndex].shape[1]);
        std::vector<const std::vector<bool>*> keptBy(K);  // per update, its kept rows of this weight
        for (std::size_t k = 0; k < K; ++k) keptBy[k] = &kept[k].at(weightIndex);
        std::vector<double> acc(cols);
        for (std::size_t r = 0; r < rows.size(); ++r) {
            double keptWeight = 0.0;
            for (std::size_t k = 0; k < K; ++k)
                if ((*keptBy[k])[r]) keptWeight += w[k];
            float* row = out[weightIndex].values.data() + r * cols;
            if (!(keptWeight > 0.0)) {  // pruned everywhere: stays pruned
                std::fill(row, row + cols, 0.0f);
                continue;
            }
            std::fill(acc.begin(), acc.end(), 0.0);
            double threshold = 0.0;
            for (std::size_t k = 0; k < K; ++k) {
                if (!(*keptBy[k])[r] || w[k] == 0.0) continue;
                const double share = w[k] / keptWeight;
                const float* source = updates[k][weightIndex].values.data() + r * cols;
                for (std::size_t j = 0; j < cols; ++j) acc[j] += share * static_cast<double>(source[j]);
                threshold += share * static_cast<double>(updates[k][thresholdIndex].values[r]);
            }
            for (std::size_t j = 0; j < cols; ++j) row[j] = static_cast<float>(acc[j]);
            out[thresholdIndex].values[r] = static_cast<float>(threshold);
        }
    }
    return out;
}

ParameterSet coordinateMedian(const std::vector<ParameterSet>& updates) {
    checkUpdates(updates, "coordinateMedian");
    return reduceCoordinates(updates, [](std::vector<double>& c) {
        const std::size_t n = c.size();
        const std::size_t mid = n / 2;
        std::nth_element(c.begin(), c.begin() + static_cast<std::ptrdiff_t>(mid), c.end());
        const double upper = c[mid];
        if (n % 2 == 1) return upper;
        const double lower = *std::max_element(c.begin(), c.begin() + static_cast<std::ptrdiff_t>(mid));
        return 0.5 * (lower + upper);
    });
}

ParameterSet trimmedMean(const std::vector<ParameterSet>& updates, double trimFraction) {
    const char* who = "trimmedMean";
    if (!(trimFraction >= 0.0 && trimFraction < 0.5))
        throw Error(std::string(who) + ": trimFraction " + std::to_string(trimFraction) + " must lie in [0, 0.5)");
    checkUpdates(updates, who);
    const std::size_t K = updates.size();
    const std::size_t trim = static_cast<std::size_t>(std::floor(trimFraction * static_cast<double>(K)));
    if (2 * trim >= K)
        throw Error(std::string(who) + ": trimming " + std::to_string(trim) + " from each end of " + std::to_string(K) +
                    " updates leaves nothing");
    return reduceCoordinates(updates, [trim, K](std::vector<double>& c) {
        std::sort(c.begin(), c.end());
        double sum = 0.0;
        for (std::size_t k = trim; k < K - trim; ++k) sum += c[k];
        return sum / static_cast<double>(K - 2 * trim);
    });
}

double l2Norm(const ParameterSet& parameters) {
    double sum = 0.0;
    for (const NamedTensor& t : parameters)
        for (float v : t.values) sum += static_cast<double>(v) * static_cast<double>(v);
    return std::sqrt(sum);
}

bool allFinite(const ParameterSet& parameters) {
    for (const NamedTensor& t : parameters)
        for (float v : t.values)
            if (!std::isfinite(v)) return false;
    return true;
}

}  // namespace fmc
