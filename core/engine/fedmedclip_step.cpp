#include "engine/fedmedclip_step.h"

#include "engine/cpu_kernels.h"
#include "engine/cpu_products.h"

#include <algorithm>
#include <cmath>

namespace fmc::detail {
namespace {

using Index = std::int64_t;

// The straight-through surrogate of the step at x = u - t, as stepSurrogate computes it in float.
float surrogate(float x, bool reversed) {
    const float magnitude = std::fabs(x);
    if (reversed) return magnitude > 1 ? 1.0f : 0.0f;
    return magnitude <= 0.4f ? 2 - 4 * magnitude : (magnitude <= 1 ? 0.4f : 0.0f);
}

torch::Tensor& gradientOf(torch::Tensor& parameter) {
    auto& grad = parameter.mutable_grad();
    if (!grad.defined()) grad = torch::empty_like(parameter);
    return grad;
}

float* rows(const torch::Tensor& t) { return t.data_ptr<float>(); }

// log sum exp of n values spaced `stride` apart, each multiplied by `scale`.
double logSumExp(const float* v, Index n, Index stride, double scale) {
    double largest = -INFINITY;
    for (Index i = 0; i < n; ++i) largest = std::max(largest, scale * v[i * stride]);
    double sum = 0;
    for (Index i = 0; i < n; ++i) sum += std::exp(scale * v[i * stride] - largest);
    return largest + std::log(sum);
}

// Per-sample entropy of softmax(scale * logits row), or the released code's -sum p log softmax(p).
double entropy(const float* row, Index n, double scale, bool softmaxTwice) {
    const double lse = logSumExp(row, n, 1, scale);
    double h = 0;
    if (!softmaxTwice) {
        for (Index c = 0; c < n; ++c) {
            const double logP = scale * row[c] - lse;
            h -= std::exp(logP) * logP;
        }
        return h;
    }
    double largest = -INFINITY, sum = 0;
    for (Index c = 0; c < n; ++c) largest = std::max(largest, std::exp(scale * row[c] - lse));
    for (Index c = 0; c < n; ++c) sum += std::exp(std::exp(scale * row[c] - lse) - largest);
    const double lseP = largest + std::log(sum);
    for (Index c = 0; c < n; ++c) {
        const double p = std::exp(scale * row[c] - lse);
        h -= p * (p - lseP);
    }
    return h;
}

// Class-wise KL(teacher || student) at temperature T (softmax over the batch per class column,
// KL summed over the batch, mean over classes). Adds weight x its gradient to gradStudent and,
// where gradTeacher is given (an attached teacher), to gradTeacher.
double classwiseKl(const float* teacher, const float* student, Index batch, Index classes, double temperature,
                   double weight, float* gradStudent, float* gradTeacher) {
    double mean = 0;
    const double scale = 1 / temperature, gradScale = weight / (temperature * static_cast<double>(classes));
    for (Index c = 0; c < classes; ++c) {
        const double lseT = logSumExp(teacher + c, batch, classes, scale);
        const double lseS = logSumExp(student + c, batch, classes, scale);
        double kl = 0;
        for (Index i = 0; i < batch; ++i) {
            const double logP = scale * teacher[i * classes + c] - lseT, logQ = scale * student[i * classes + c] - lseS;
            kl += std::exp(logP) * (logP - logQ);
        }
        for (Index i = 0; i < batch; ++i) {
            const double logP = scale * teacher[i * classes + c] - lseT, logQ = scale * student[i * classes + c] - lseS;
            const double p = std::exp(logP);
            gradStudent[i * classes + c] += static_cast<float>(gradScale * (std::exp(logQ) - p));
            if (gradTeacher) gradTeacher[i * classes + c] += static_cast<float>(gradScale * p * (logP - logQ - kl));
        }
        mean += kl;
    }
    return mean / static_cast<double>(classes);
}

}  // namespace

// A masked layer's forward results and backward workspace (maxBatch rows).
struct CpuTrainingStep::Layer {
    MaskedLinearImpl* module;
    torch::Tensor product;    // W x^T (out x batch, packed), before the mask
    torch::Tensor productRows;  // the same by batch row (batch x out)
    torch::Tensor output;     // product * m + b
    torch::Tensor gradOutput; // dL/d output, filled by the layer above
    torch::Tensor kept;       // gradOutput * m
    torch::Tensor gradInput;  // dL/dx, where the input needs one
    std::vector<float> mask, surrogate, rowScale;
    std::vector<float> gradSum, scoreGradSum;
    // Where the mask pruned rows, the backward's products skip them: the kept rows' indices
    // (also as a tensor), (g m)^T packed to them (kept x batch), the kept rows of W (allocated
    // when a layer first prunes), and one chunk of the weight gradient's kept rows.
    std::vector<Index> keptRows;
    torch::Tensor keptIndex, keptT, keptWeight, chunkProduct;
    // The row scores of W as the fused AdamW step left it, valid while W's tensor and version
    // are those recorded with them (any later change to W bumps its version).
    std::vector<float> nextScores;
    const c10::TensorImpl* nextScoresOf = nullptr;
    std::int64_t nextScoresVersion = -1;
};

namespace {
// Rows of a weight gradient's product per chunk: 64 x 512 floats stay in L2 until added in.
constexpr Index kProductChunkRows = 64;

// f(begin, end) over [0, n), split over the compute threads when there are several.
template <class F>
void overRanges(Index n, Index grain, const F& f) {
    if (at::get_num_threads() > 1)
        at::parallel_for(0, n, grain, f);
    else
        f(0, n);
}
}  // namespace

// Batch norm + ReLU after an MLP layer: the normalised values, their inverse deviations.
struct CpuTrainingStep::Norm {
    torch::nn::BatchNorm1dImpl* module;
    torch::Tensor normalised, output;  // x-hat and relu(gamma x-hat + beta)
    std::vector<float> inverseStd;
    std::vector<float> mean, variance;  // of the last forward; scratch in the backward
};

bool CpuTrainingStep::supports(const FeatureAdapter& fam, const torch::Tensor& classText) {
    return classText.is_cpu() && classText.scalar_type() == torch::kFloat && fam->fc1->weight.is_cpu() &&
           fam->fc1->weight.scalar_type() == torch::kFloat;
}

CpuTrainingStep::CpuTrainingStep(FeatureAdapter fam, MaskedMlp mlp, torch::Tensor classText, double logitScale,
                                 const FedMedClipOptions& options, StepProducts products)
    : fam_(std::move(fam)), mlp_(std::move(mlp)), classText_(classText.contiguous()), logitScale_(logitScale),
      options_(options), ownProducts_(products == StepProducts::Automatic && ownProductsAvailable()) {
    const Index maxBatch = options.batchSize, dim = classText_.size(1), classes = classText_.size(0);
    auto matrix = [&](Index cols) { return torch::zeros({maxBatch, cols}, classText_.options()); };
    auto addLayer = [&](MaskedLinear& layer) {
        const Index out = layer->weight.size(0), in = layer->weight.size(1);
        layers_.push_back({layer.get(), torch::zeros({out * maxBatch}, classText_.options()), matrix(out), matrix(out),
                           matrix(out), matrix(out), matrix(in),
                           std::vector<float>(out), std::vector<float>(out), std::vector<float>(out),
                           std::vector<float>(out), std::vector<float>(out), {},
                           torch::zeros({out}, torch::kLong), torch::zeros({out * maxBatch}, classText_.options()),
                           torch::Tensor(), torch::zeros({std::min(out, kProductChunkRows) * in}, classText_.options()),
                           std::vector<float>(out), nullptr, -1});
    };
    addLayer(fam_->fc1);
    addLayer(fam_->fc2);
    if (options.useMlp) {
        for (auto* layer : {&mlp_->fc1, &mlp_->fc2, &mlp_->fc3, &mlp_->fc4}) addLayer(*layer);
        for (auto* norm : {&mlp_->bn1, &mlp_->bn2, &mlp_->bn3}) {
            const Index width = (*norm)->weight.size(0);
            norms_.push_back({norm->get(), matrix(width), matrix(width), std::vector<float>(width),
                              std::vector<float>(width), std::vector<float>(width)});
        }
    }
    normalised_ = matrix(dim);
    relu_ = matrix(dim);
    attention_ = matrix(dim);
    adapted_ = matrix(dim);
    gradAdapted_ = matrix(dim);
    ownText_ = matrix(dim);
    logits_ = torch::zeros({maxBatch * maxBatch}, classText_.options());  // B x B, packed
    gradLogits_ = torch::zeros({maxBatch * maxBatch}, classText_.options());
    similarity_ = matrix(classes);
    gradSimilarity_ = matrix(classes);
    if (ownProducts_) {
        Index widest = 0;
        for (const auto& layer : layers_) widest = std::max(widest, layer.module->weight.size(1));
        packedInput_.resize(static_cast<size_t>(std::max(packedBatchSize(maxBatch, widest), columnStripsSize(maxBatch, widest))));
    }
    famInverseStd_.resize(static_cast<size_t>(maxBatch));
    adaptedNorm_.resize(static_cast<size_t>(maxBatch));
}

CpuTrainingStep::~CpuTrainingStep() = default;

const float* CpuTrainingStep::rowScoresOf(const MaskedLinearImpl& layer) const {
    for (const auto& l : layers_)
        if (l.module == &layer) return fresh(l) ? l.nextScores.data() : nullptr;
    return nullptr;
}

bool CpuTrainingStep::fresh(const Layer& l) {
    const auto& weight = l.module->weight;
    return l.nextScoresOf == weight.unsafeGetTensorImpl() && l.nextScoresVersion == weight._version();
}

// y = (x W^T) * m + b with m_r = step(u_r - t_r > cutoff).
void CpuTrainingStep::forward(Layer& l, const torch::Tensor& x, Index batch) {
    auto& m = *l.module;
    const Index out = m.weight.size(0), in = m.weight.size(1);
    if (ownProducts_) {
        packBatchColumns(rows(x), batch, in, packedInput_.data());
        const float* w = rows(m.weight);
        float* p = rows(l.product);
        overRanges(out, 32, [&](Index begin, Index end) {
            productWeightInput(w, in, packedInput_.data(), batch, p, begin, end);
        });
    } else {
        // W x^T rather than x W^T: OpenBLAS runs this shape about a third faster for a batch of 32.
        auto product = l.product.narrow(0, 0, out * batch).view({out, batch});
        at::mm_out(product, m.weight, x.t());
    }
    if (m.enabled()) {
        // The row scores u: those the last fused step left if W has not changed since, else
        // computed here (into rowScale, reused).
        const bool scoresFresh = fresh(l);
        const float* u = scoresFresh ? l.nextScores.data() : l.rowScale.data();
        if (!scoresFresh) rowMeanAbs(rows(m.weight), out, in, l.rowScale.data());
        const float* t = rows(m.threshold);
        const auto cutoff = static_cast<float>(m.cutoff());
        const bool reversed = m.gradient() == MaskGradient::ReversedWindow;
        for (Index r = 0; r < out; ++r) {
            const float score = u[r] - t[r];
            l.mask[size_t(r)] = score > cutoff ? 1.0f : 0.0f;
            l.surrogate[size_t(r)] = surrogate(score, reversed);
        }
    } else {
        std::fill(l.mask.begin(), l.mask.end(), 1.0f);
    }
    l.keptRows.clear();
    for (Index r = 0; r < out; ++r)
        if (l.mask[size_t(r)] != 0) l.keptRows.push_back(r);
    std::copy(l.keptRows.begin(), l.keptRows.end(), l.keptIndex.data_ptr<std::int64_t>());
    float* productRows = rows(l.productRows);
    transpose(rows(l.product), out, batch, batch, productRows, out);
    maskRowsAddBias(productRows, l.mask.data(), rows(m.bias), batch, out, rows(l.output));
}

// From l.gradOutput: dL/dW = (g m)^T x + sign(W) s / in, dL/db = sum_b g, dL/dt = -s with
// s_r = surrogate_r sum_b g_br (x W^T)_br, and dL/dx = (g m) W where wanted.
void CpuTrainingStep::backward(Layer& l, const torch::Tensor& x, Index batch, bool inputGradient,
                               FusedAdamW* optimizer) {
    auto& m = *l.module;
    const Index out = m.weight.size(0);
    maskedLayerSums(rows(l.gradOutput), rows(l.productRows), l.mask.data(), batch, out, l.gradSum.data(),
                    l.scoreGradSum.data(), rows(l.kept));
    const auto keptCount = static_cast<Index>(l.keptRows.size());
    if (ownProducts_) {
        backwardOwnProducts(l, x, batch, inputGradient, keptCount, optimizer);
    } else {
        backwardBlas(l, x, batch, inputGradient, keptCount);
        if (optimizer) optimizer->step(m.weight);
    }
    if (optimizer) {
        optimizer->step(m.bias);
        if (m.enabled()) optimizer->step(m.threshold);
    }
}

// The bias and threshold gradients, and the row scales s_r / in of the weight's sign term.
void CpuTrainingStep::rowGradients(Layer& l) {
    auto& m = *l.module;
    const Index out = m.weight.size(0), in = m.weight.size(1);
    float* gradBias = rows(gradientOf(m.bias));
    for (Index r = 0; r < out; ++r) gradBias[r] = l.gradSum[size_t(r)];
    if (m.enabled()) {
        float* gradThreshold = rows(gradientOf(m.threshold));
        for (Index r = 0; r < out; ++r) {
            const float s = l.scoreGradSum[size_t(r)] * l.surrogate[size_t(r)];
            l.rowScale[size_t(r)] = s / static_cast<float>(in);
            gradThreshold[r] = -s;
        }
    }
}

void CpuTrainingStep::backwardOwnProducts(Layer& l, const torch::Tensor& x, Index batch, bool inputGradient,
                                          Index keptCount, FusedAdamW* optimizer) {
    auto& m = *l.module;
    const Index out = m.weight.size(0), in = m.weight.size(1);
    const float* w = rows(m.weight);
    const float* kept = rows(l.kept);
    if (inputGradient) {
        float* gradInput = rows(l.gradInput);
        overRanges(in, 64, [&](Index begin, Index end) {
            productInputGradient(kept, batch, w, out, in, l.keptRows.data(), keptCount, gradInput, begin, end);
        });
    }
    rowGradients(l);
    // (g m)^T, every row (the pruned ones 0), for the weight gradient's tiles.
    float* keptT = rows(l.keptT);
    transpose(kept, batch, out, out, keptT, batch);
    packColumnStrips(rows(x), batch, in, packedInput_.data());
    const WeightGradient product{keptT, packedInput_.data(), batch, in, m.enabled() ? l.rowScale.data() : nullptr,
                                 l.mask.data()};
    FusedAdamW::FusedStep step;
    if (optimizer && optimizer->beginFusedStep(m.weight, step)) {
        float* weight = rows(m.weight);
        float* scores = m.enabled() ? l.nextScores.data() : nullptr;
        overRanges(out, 32, [&](Index begin, Index end) {
            weightGradientAdamW(product, weight, step.expAvg, step.expAvgSq, step.scalars, scores, begin, end);
        });
        // W changed outside torch's operations: count it as they would.
        m.weight.unsafeGetTensorImpl()->bump_version();
        l.nextScoresOf = scores ? m.weight.unsafeGetTensorImpl() : nullptr;
        l.nextScoresVersion = m.weight._version();
        return;
    }
    float* gw = rows(gradientOf(m.weight));
    overRanges(out, 32, [&](Index begin, Index end) { weightGradient(product, w, gw, begin, end); });
    if (optimizer) optimizer->step(m.weight);
}

void CpuTrainingStep::backwardBlas(Layer& l, const torch::Tensor& x, Index batch, bool inputGradient,
                                   Index keptCount) {
    auto& m = *l.module;
    const Index out = m.weight.size(0), in = m.weight.size(1);
    const auto kept = l.kept.narrow(0, 0, batch);
    // g m packed to the kept rows (kept x batch), for products that skip the pruned ones.
    if (keptCount < out) {
        const float* g = rows(l.gradOutput);
        float* keptT = rows(l.keptT);
        for (Index c = 0; c < keptCount; ++c)
            for (Index i = 0; i < batch; ++i) keptT[c * batch + i] = g[i * out + l.keptRows[size_t(c)]];
    }
    const auto keptRowsT = l.keptT.narrow(0, 0, keptCount * batch).view({keptCount, batch});
    // The input's gradient first: its product leaves W in cache for the sign term below.
    if (inputGradient) {
        auto gradInput = l.gradInput.narrow(0, 0, batch);
        if (keptCount == out) {
            at::mm_out(gradInput, kept, m.weight);
        } else if (keptCount == 0) {
            gradInput.zero_();
        } else {
            // Over the kept rows of W alone (a pruned row's column of g m is 0).
            if (!l.keptWeight.defined()) l.keptWeight = torch::empty({out * in}, m.weight.options());
            auto keptWeight = l.keptWeight.narrow(0, 0, keptCount * in).view({keptCount, in});
            at::index_select_out(keptWeight, m.weight, 0, l.keptIndex.narrow(0, 0, keptCount));
            at::mm_out(gradInput, keptRowsT.t(), keptWeight);
        }
    }
    rowGradients(l);
    auto& gradWeight = gradientOf(m.weight);
    float* gw = rows(gradWeight);
    const float* w = rows(m.weight);
    if (keptCount == out) {
        if (m.enabled())
            setSignedRowScale(gw, w, l.rowScale.data(), out, in);
        else
            gradWeight.zero_();
        // Added to (beta 1): OpenBLAS then skips clearing the output before the product.
        gradWeight.addmm_(kept.t(), x);
    } else {
        // (g m)^T x is exactly 0 in the rows the mask pruned (only a mask prunes): those rows
        // get the sign term alone, and the product runs over the kept rows, a cache-sized
        // chunk of them at a time, added to their sign terms there.
        Index next = 0;  // the first row not written yet
        for (Index c = 0; c <= keptCount; ++c) {
            const Index end = c < keptCount ? l.keptRows[size_t(c)] : out;
            if (end > next) setSignedRowScale(gw + next * in, w + next * in, l.rowScale.data() + next, end - next, in);
            next = end + 1;
        }
        float* chunk = rows(l.chunkProduct);
        for (Index c0 = 0; c0 < keptCount; c0 += kProductChunkRows) {
            const Index count = std::min(keptCount - c0, kProductChunkRows);
            gatherSignedRowScale(chunk, w, l.rowScale.data(), l.keptRows.data() + c0, count, in);
            l.chunkProduct.narrow(0, 0, count * in).view({count, in}).addmm_(keptRowsT.narrow(0, c0, count), x);
            for (Index c = 0; c < count; ++c) std::copy_n(chunk + c * in, in, gw + l.keptRows[size_t(c0 + c)] * in);
        }
    }
}

// Training-mode batch norm of a layer's output, then ReLU; running statistics updated.
void CpuTrainingStep::forwardNorm(Norm& n, const Layer& from, Index batch) {
    auto& bn = *n.module;
    const Index width = bn.weight.size(0);
    // As BatchNorm1d::forward: the count first; without a momentum, the cumulative average.
    bn.num_batches_tracked += 1;
    const double momentum = bn.options.momentum() ? *bn.options.momentum()
                                                   : 1.0 / bn.num_batches_tracked.item<double>();
    batchNormReluForward(rows(from.output), batch, width, rows(bn.weight), rows(bn.bias), static_cast<float>(bn.options.eps()),
                         rows(n.normalised), rows(n.output), n.mean.data(), n.variance.data(), n.inverseStd.data());
    float *runningMean = rows(bn.running_mean), *runningVar = rows(bn.running_var);
    const double unbiased = static_cast<double>(batch) / static_cast<double>(batch - 1);
    for (Index j = 0; j < width; ++j) {
        runningMean[j] = static_cast<float>(momentum * n.mean[size_t(j)] + (1 - momentum) * runningMean[j]);
        runningVar[j] = static_cast<float>(momentum * n.variance[size_t(j)] * unbiased + (1 - momentum) * runningVar[j]);
    }
}

// From dL/d(ReLU output) to the gradients of gamma, beta and into.gradOutput.
void CpuTrainingStep::backwardNorm(Norm& n, const torch::Tensor& gradOutput, Layer& into, Index batch,
                                   FusedAdamW* optimizer) {
    auto& bn = *n.module;
    batchNormReluBackward(rows(gradOutput), rows(n.output), rows(n.normalised), batch, bn.weight.size(0),
                          rows(bn.weight), n.inverseStd.data(), rows(into.gradOutput), rows(gradientOf(bn.weight)),
                          rows(gradientOf(bn.bias)), n.mean.data(), n.variance.data());
    if (optimizer) {
        optimizer->step(bn.weight);
        optimizer->step(bn.bias);
    }
}

StepLoss CpuTrainingStep::run(const torch::Tensor& input, const std::int64_t* labels, FusedAdamW* optimizer) {
    torch::NoGradGuard noGrad;
    const auto& o = options_;
    const Index batch = input.size(0), dim = input.size(1), classes = classText_.size(0);
    if (batch < 2 || batch > o.batchSize || !input.is_contiguous())
        throw Error("training step: batch of " + std::to_string(batch) + " rows (expected 2.." +
                    std::to_string(o.batchSize) + ", contiguous)");
    auto view = [batch](const torch::Tensor& t) { return t.narrow(0, 0, batch); };
    const float* x0 = rows(input);
    StepLoss loss;

    // FAM forward: fc1 -> instance norm -> ReLU -> fc2 -> softmax, times the input, L2-normalised.
    auto &fc1 = layers_[0], &fc2 = layers_[1];
    forward(fc1, input, batch);
    instanceNormReluForward(rows(fc1.output), batch, dim, rows(normalised_), rows(relu_), famInverseStd_.data());
    forward(fc2, view(relu_), batch);
    attendAndNormalise(rows(fc2.output), x0, batch, dim, rows(attention_), rows(adapted_), adaptedNorm_.data());
    const auto adapted = view(adapted_);

    // Symmetric contrastive loss against each sample's own class prompt.
    {
        const float* text = rows(classText_);
        float* own = rows(ownText_);
        for (Index i = 0; i < batch; ++i) std::copy_n(text + labels[i] * dim, dim, own + i * dim);
        auto square = [batch](const torch::Tensor& t) { return t.narrow(0, 0, batch * batch).view({batch, batch}); };
        auto logits = square(logits_);
        at::mm_out(logits, adapted, view(ownText_).t());
        const float* z = rows(logits_);
        float* g = rows(gradLogits_);
        const double s = logitScale_;
        double rowLoss = 0, columnLoss = 0;
        for (Index i = 0; i < batch; ++i) {
            const double lse = logSumExp(z + i * batch, batch, 1, s);
            rowLoss += lse - s * z[i * batch + i];
            for (Index j = 0; j < batch; ++j) g[i * batch + j] = static_cast<float>(std::exp(s * z[i * batch + j] - lse));
        }
        for (Index j = 0; j < batch; ++j) {
            const double lse = logSumExp(z + j, batch, batch, s);
            columnLoss += lse - s * z[j * batch + j];
            for (Index i = 0; i < batch; ++i) {
                const double sum = g[i * batch + j] + std::exp(s * z[i * batch + j] - lse) - (i == j ? 2 : 0);
                g[i * batch + j] = static_cast<float>(s * sum / (2.0 * static_cast<double>(batch)));
            }
        }
        loss.contrastive = (rowLoss + columnLoss) / (2.0 * static_cast<double>(batch));
        loss.total = loss.contrastive;
        auto gradAdapted = view(gradAdapted_);
        at::mm_out(gradAdapted, square(gradLogits_), view(ownText_));
    }

    if (o.useMlp) {
        auto &m1 = layers_[2], &m2 = layers_[3], &m3 = layers_[4], &m4 = layers_[5];
        forward(m1, adapted, batch);
        forwardNorm(norms_[0], m1, batch);
        forward(m2, view(norms_[0].output), batch);
        forwardNorm(norms_[1], m2, batch);
        forward(m3, view(norms_[1].output), batch);
        forwardNorm(norms_[2], m3, batch);
        forward(m4, view(norms_[2].output), batch);
        const float* logits = rows(m4.output);
        float* g = rows(m4.gradOutput);
        double ce = 0;
        for (Index i = 0; i < batch; ++i) {
            const double lse = logSumExp(logits + i * classes, classes, 1, 1.0);
            ce += lse - logits[i * classes + labels[i]];
            for (Index c = 0; c < classes; ++c)
                g[i * classes + c] = static_cast<float>(
                    (std::exp(logits[i * classes + c] - lse) - (c == labels[i] ? 1 : 0)) / static_cast<double>(batch));
        }
        loss.mlp = ce / static_cast<double>(batch);
        loss.total += loss.mlp;

        if (o.useDistillation) {
            auto similarity = view(similarity_);
            at::mm_out(similarity, adapted, classText_.t());
            const float* sim = rows(similarity_);
            if (o.adaptiveWeighting) {
                // alpha = mean(w_M / (w_F + w_M)), w = 1 / (H + 1e-8): no gradient.
                double sum = 0;
                for (Index i = 0; i < batch; ++i) {
                    const double wF = 1 / (entropy(sim + i * classes, classes, 100.0, o.entropyOnSoftmaxTwice) + 1e-8);
                    const double wM = 1 / (entropy(logits + i * classes, classes, 1.0, o.entropyOnSoftmaxTwice) + 1e-8);
                    sum += wM / (wF + wM);
                }
                loss.alpha = sum / static_cast<double>(batch);
            }
            float* gradSim = rows(gradSimilarity_);
            std::fill_n(gradSim, batch * classes, 0.0f);
            const double lambda = o.distillationWeight, T = o.distillationTemperature;
            const bool attached = !o.detachTeacher;
            loss.mlpTeaches = classwiseKl(logits, sim, batch, classes, T, lambda * loss.alpha / 2, gradSim,
                                          attached ? g : nullptr);
            loss.famTeaches = classwiseKl(sim, logits, batch, classes, T, lambda * (1 - loss.alpha) / 2, g,
                                          attached ? gradSim : nullptr);
            loss.distillation = (loss.alpha * loss.mlpTeaches + (1 - loss.alpha) * loss.famTeaches) / 2;
            loss.total += lambda * loss.distillation;
            view(gradAdapted_).addmm_(view(gradSimilarity_), classText_);
        }

        backward(m4, view(norms_[2].output), batch, true, optimizer);
        backwardNorm(norms_[2], m4.gradInput, m3, batch, optimizer);
        backward(m3, view(norms_[1].output), batch, true, optimizer);
        backwardNorm(norms_[1], m3.gradInput, m2, batch, optimizer);
        backward(m2, view(norms_[0].output), batch, true, optimizer);
        backwardNorm(norms_[0], m2.gradInput, m1, batch, optimizer);
        backward(m1, adapted, batch, true, optimizer);
        view(gradAdapted_).add_(view(m1.gradInput));
    }

    // FAM backward: through the normalisation, the attention product, softmax, fc2, ReLU,
    // instance norm and fc1 (whose input needs no gradient).
    attendAndNormaliseBackward(rows(gradAdapted_), rows(adapted_), rows(attention_), x0, adaptedNorm_.data(), batch,
                               dim, rows(fc2.gradOutput));
    backward(fc2, view(relu_), batch, true, optimizer);
    instanceNormReluBackward(rows(fc2.gradInput), rows(normalised_), rows(relu_), famInverseStd_.data(), batch, dim,
                             rows(fc1.gradOutput));
    backward(fc1, input, batch, false, optimizer);
    return loss;
}

}  // namespace fmc::detail
