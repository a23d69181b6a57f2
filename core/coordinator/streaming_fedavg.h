#pragma once
// FedAvg one upload at a time: the coordinator folds each accepted upload into a running
// weighted sum, so a round's memory is a few copies of the model whatever the number of
// sites. The semantics are those of federatedAverage and maskAwareAverage
// (common/aggregation.h); only the arithmetic's order differs. They normalise the weights
// first and sum (w_k / W) x_k in site-id order; this sums w_k x_k in the order the uploads
// are folded and divides by W at the end. Both sum in double and round to float once, so
// the results differ by at most the double rounding of the sums: in practice nothing, at
// worst one float step (tests/coordinator/tst_coordinatorservice.cpp compares them).
#include "common/types.h"

#include <cstddef>
#include <map>
#include <vector>

namespace fmc::federation {

class StreamingFedAvg {
public:
    // `layout`: the federation's FAM layout (names and shapes; values ignored). maskAware:
    // masked rows (keptRowsOf) are averaged over the updates that kept them.
    StreamingFedAvg(const ParameterSet& layout, bool maskAware);

    // Adds weight x update. The update must have the layout (decodeParameters with the
    // layout checked it) and finite values; weight must be finite and > 0.
    void add(const ParameterSet& update, double weight);

    std::size_t count() const { return count_; }

    // The weighted mean of what was added; throws fmc::Error when nothing was.
    ParameterSet average() const;

private:
    // One masked layer ("X.weight" rows with "X.threshold"): the sums over the updates that
    // kept each row.
    struct MaskedLayer {
        std::size_t thresholdIndex = 0;
        std::vector<double> keptWeight;     // per row: sum of the weights of the updates that kept it
        std::vector<double> keptThreshold;  // per row: sum of weight x threshold over them
    };

    ParameterSet layout_;
    bool maskAware_;
    std::vector<std::vector<double>> sums_;  // per tensor; masked weight tensors: kept rows only
    std::map<std::size_t, MaskedLayer> masked_;  // by weight tensor index
    double totalWeight_ = 0;
    std::size_t count_ = 0;
};

}  // namespace fmc::federation
