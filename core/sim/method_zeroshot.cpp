// Zero-shot CLIP: frozen encoders, class-prompt similarity, no training, nothing sent.
#include "sim/federated_method.h"

#include <cmath>

namespace fmc {
namespace {

void normaliseRows(FloatMatrix& m) {
    for (std::int64_t r = 0; r < m.rows; ++r) {
        double norm = 0;
        for (std::int64_t c = 0; c < m.cols; ++c) norm += double(m.at(r, c)) * m.at(r, c);
        const float scale = norm > 0 ? float(1.0 / std::sqrt(norm)) : 0.0f;
        for (std::int64_t c = 0; c < m.cols; ++c) m.at(r, c) *= scale;
    }
}

class ZeroShotMethod : public FederatedMethod {
public:
    explicit ZeroShotMethod(const MethodContext& context) : text_(context.classText), scale_(context.logitScale) {
        normaliseRows(text_);
    }
    std::string name() const override { return "zeroshot"; }
    bool communicates() const override { return false; }
    LocalTrainingStats train(int, const SiteData&) override { return {}; }
    ParameterSet upload(int) const override { return {}; }
    void download(int, const ParameterSet&) override {}
    SitePrediction predict(int, const SiteData& data) const override {
        FloatMatrix features = data.features;
        normaliseRows(features);
        FloatMatrix probabilities(features.rows, text_.rows);
        for (std::int64_t i = 0; i < features.rows; ++i) {
            double largest = -1e30, sum = 0;
            std::vector<double> logits(static_cast<size_t>(text_.rows));
            for (std::int64_t c = 0; c < text_.rows; ++c) {
                double dot = 0;
                for (std::int64_t k = 0; k < features.cols; ++k) dot += double(features.at(i, k)) * text_.at(c, k);
                logits[size_t(c)] = scale_ * dot;
                largest = std::max(largest, logits[size_t(c)]);
            }
            for (auto& l : logits) sum += (l = std::exp(l - largest));
            for (std::int64_t c = 0; c < text_.rows; ++c) probabilities.at(i, c) = float(logits[size_t(c)] / sum);
        }
        SitePrediction prediction;
        prediction.ensemble = probabilities;
        prediction.famOnly = std::move(probabilities);
        return prediction;
    }
    std::vector<ParameterSet> snapshot() const override { return {}; }
    void restore(const std::vector<ParameterSet>&) override {}

private:
    FloatMatrix text_;
    double scale_;
};

}  // namespace

std::unique_ptr<FederatedMethod> makeZeroShotMethod(const MethodContext& context) {
    return std::make_unique<ZeroShotMethod>(context);
}

}  // namespace fmc
