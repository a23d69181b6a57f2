#pragma once
// Server-side aggregation of the parameter sets the sites send (FedAvg and robust variants).
//
// Every function requires at least one update, identical layouts (same tensor names, order
// and shapes, values.size() == numel) and finite values; anything else throws fmc::Error
// naming the update index and tensor at fault. Sums are accumulated in double and the
// results rounded to float once.
#include "common/types.h"

#include <string>
#include <vector>

namespace fmc {

// Weighted mean: sum_k w_k x_k / sum_k w_k. `weights` (e.g. per-site sample counts) must be
// finite, >= 0 and not all zero; empty weights mean uniform weighting.
ParameterSet federatedAverage(const std::vector<ParameterSet>& updates, const std::vector<double>& weights = {});

// Mask-aware weighted mean for masked layers (tensors "X.weight" with "X.threshold", see
// keptRowsOf in codec.h): each weight row and its threshold are averaged over the updates
// that kept that row (weights renormalised over them); a row no update kept stays pruned
// (zero weights, thresholds averaged over all updates, so >= 0). Biases and every other
// tensor: the plain weighted mean. Without thresholds this is federatedAverage.
ParameterSet maskAwareAverage(const std::vector<ParameterSet>& updates, const std::vector<double>& weights = {});

// Coordinate-wise median; with an even number of updates, the mean of the two middle values.
ParameterSet coordinateMedian(const std::vector<ParameterSet>& updates);

// Coordinate-wise trimmed mean: drops k = floor(trimFraction * K) smallest and k largest
// values of each coordinate over the K updates and averages the rest. trimFraction must lie
// in [0, 0.5) and leave at least one value (trimFraction 0 is the plain mean).
ParameterSet trimmedMean(const std::vector<ParameterSet>& updates, double trimFraction);

// Euclidean norm over every value of every tensor (accumulated in double).
double l2Norm(const ParameterSet& parameters);

// True when every value is finite (no NaN, no +-Inf).
bool allFinite(const ParameterSet& parameters);

// Throws fmc::Error unless `candidate` has the names, order and shapes of `reference` and
// consistent value counts; `what` prefixes the message (e.g. "update 3").
void checkSameLayout(const ParameterSet& reference, const ParameterSet& candidate, const std::string& what);

}  // namespace fmc
