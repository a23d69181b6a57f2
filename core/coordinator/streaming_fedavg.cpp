#include "coordinator/streaming_fedavg.h"

#include "common/codec.h"

#include <algorithm>
#include <cmath>

namespace fmc::federation {

StreamingFedAvg::StreamingFedAvg(const ParameterSet& layout, bool maskAware) : layout_(layout), maskAware_(maskAware) {
    for (auto& tensor : layout_) tensor.values.clear();
    for (const auto& tensor : layout_) sums_.emplace_back(static_cast<std::size_t>(tensor.numel()), 0.0);
}

void StreamingFedAvg::add(const ParameterSet& update, double weight) {
    if (!std::isfinite(weight) || !(weight > 0))
        throw Error("streaming FedAvg: weight " + std::to_string(weight) + " must be finite and > 0");
    if (update.size() != layout_.size()) throw Error("streaming FedAvg: the update does not have the federation's layout");
    const auto kept = maskAware_ ? keptRowsOf(update) : std::map<std::size_t, std::vector<bool>>{};
    if (count_ == 0)
        for (const auto& [weightIndex, rows] : kept) {
            const auto& name = layout_[weightIndex].name;
            const auto stem = name.substr(0, name.size() - 7);  // ".weight"
            const auto threshold = std::find_if(layout_.begin(), layout_.end(),
                                                [&](const NamedTensor& t) { return t.name == stem + ".threshold"; });
            masked_[weightIndex] = {static_cast<std::size_t>(threshold - layout_.begin()),
                                    std::vector<double>(rows.size(), 0.0), std::vector<double>(rows.size(), 0.0)};
        }
    for (std::size_t t = 0; t < update.size(); ++t) {
        const auto& values = update[t].values;
        auto& sum = sums_[t];
        if (values.size() != sum.size()) throw Error("streaming FedAvg: tensor '" + update[t].name + "' has another size");
        const auto layer = masked_.find(t);
        if (layer == masked_.end()) {
            for (std::size_t i = 0; i < sum.size(); ++i) sum[i] += weight * static_cast<double>(values[i]);
            continue;
        }
        // A masked weight tensor: only the rows this update kept count, with their thresholds.
        const auto& rows = kept.at(t);
        const std::size_t cols = sum.size() / rows.size();
        const auto& thresholds = update[layer->second.thresholdIndex].values;
        for (std::size_t r = 0; r < rows.size(); ++r) {
            if (!rows[r]) continue;
            layer->second.keptWeight[r] += weight;
            layer->second.keptThreshold[r] += weight * static_cast<double>(thresholds[r]);
            for (std::size_t j = r * cols; j < (r + 1) * cols; ++j) sum[j] += weight * static_cast<double>(values[j]);
        }
    }
    totalWeight_ += weight;
    ++count_;
}

ParameterSet StreamingFedAvg::average() const {
    if (count_ == 0) throw Error("streaming FedAvg: no updates to aggregate");
    ParameterSet out = layout_;
    for (std::size_t t = 0; t < out.size(); ++t) {
        auto& values = out[t].values;
        values.resize(sums_[t].size());
        const auto layer = masked_.find(t);
        if (layer == masked_.end()) {
            for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(sums_[t][i] / totalWeight_);
            continue;
        }
        const auto& keptWeight = layer->second.keptWeight;
        const std::size_t cols = values.size() / keptWeight.size();
        for (std::size_t r = 0; r < keptWeight.size(); ++r)
            for (std::size_t j = r * cols; j < (r + 1) * cols; ++j)
                // A row no update kept stays pruned.
                values[j] = keptWeight[r] > 0 ? static_cast<float>(sums_[t][j] / keptWeight[r]) : 0.0f;
    }
    // Thresholds of kept rows: the mean over the updates that kept them (the rest keep the
    // plain mean over all updates, computed above).
    for (const auto& [weightIndex, layer] : masked_)
        for (std::size_t r = 0; r < layer.keptWeight.size(); ++r)
            if (layer.keptWeight[r] > 0)
                out[layer.thresholdIndex].values[r] = static_cast<float>(layer.keptThreshold[r] / layer.keptWeight[r]);
    return out;
}

}  // namespace fmc::federation
