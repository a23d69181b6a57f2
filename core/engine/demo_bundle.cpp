#include "engine/demo_bundle.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>

namespace fs = std::filesystem;

namespace fmc {
namespace {

constexpr const char* kVocabularyFileName = "bpe_simple_vocab_16e6.txt.gz";
constexpr std::int64_t kClipVocabSize = 49408;  // CLIP BPE: 49406 = <start>, 49407 = <end>

struct VisionConfig {
    std::int64_t inputSize, patch, width, layers, heads;
};
struct TextConfig {
    std::int64_t width, layers, heads, vocab, context;
};
struct DemoConfig {
    VisionConfig vision;
    TextConfig text;
    std::int64_t embedding;
};

DemoConfig configFor(DemoBundleShape shape) {
    switch (shape) {
        case DemoBundleShape::Tiny:
            return {{64, 16, 128, 2, 4}, {128, 2, 4, kClipVocabSize, 77}, 128};
        case DemoBundleShape::VitB32:
            return {{224, 32, 768, 12, 12}, {512, 12, 8, kClipVocabSize, 77}, 512};
    }
    throw Error("createDemoBundle: unknown DemoBundleShape");
}

// Pre-LN residual attention blocks shared by both encoders. Per-layer weights are
// stacked along dim 0 (e.g. attn_in_proj_weight [layers, 3W, W]) so the forward can loop.
const char* kTransformerSource = R"TS(
def _ln(self, x: Tensor, w: Tensor, b: Tensor) -> Tensor:
    return torch.layer_norm(x, [x.size(-1)], w, b, 1e-05)

def _attention(self, x: Tensor, i: int, mask: Optional[Tensor]) -> Tensor:
    n = x.size(0)
    t = x.size(1)
    c = x.size(2)
    h = self.heads
    hd = c // h
    qkv = torch.matmul(x, self.attn_in_proj_weight[i].t()) + self.attn_in_proj_bias[i]
    qkv = qkv.reshape(n, t, 3, h, hd).permute(2, 0, 3, 1, 4)
    q = qkv[0] * (float(hd) ** -0.5)
    k = qkv[1]
    v = qkv[2]
    scores = torch.matmul(q, k.transpose(-2, -1))
    if mask is not None:
        scores = scores + mask
    attn = torch.softmax(scores, -1)
    o = torch.matmul(attn, v).permute(0, 2, 1, 3).reshape(n, t, c)
    return torch.matmul(o, self.attn_out_proj_weight[i].t()) + self.attn_out_proj_bias[i]

def _mlp(self, x: Tensor, i: int) -> Tensor:
    y = torch.matmul(x, self.mlp_c_fc_weight[i].t()) + self.mlp_c_fc_bias[i]
    y = y * torch.sigmoid(1.702 * y)
    return torch.matmul(y, self.mlp_c_proj_weight[i].t()) + self.mlp_c_proj_bias[i]

def _transformer(self, x: Tensor, mask: Optional[Tensor]) -> Tensor:
    for i in range(self.layers):
        x = x + self._attention(self._ln(x, self.ln_1_weight[i], self.ln_1_bias[i]), i, mask)
        x = x + self._mlp(self._ln(x, self.ln_2_weight[i], self.ln_2_bias[i]), i)
    return x
)TS";

// float [N,3,S,S] -> [N,D], as CLIP's VisionTransformer.
const char* kImageForwardSource = R"TS(
def forward(self, x: Tensor) -> Tensor:
    w = self.conv1_weight
    p = w.size(3)
    x = torch.conv2d(x, w, None, [p, p])
    n = x.size(0)
    c = x.size(1)
    x = x.reshape(n, c, -1).permute(0, 2, 1)
    cls = self.class_embedding.to(x.dtype).reshape(1, 1, c).expand(n, 1, c)
    x = torch.cat([cls, x], 1) + self.positional_embedding
    x = self._ln(x, self.ln_pre_weight, self.ln_pre_bias)
    x = self._transformer(x, None)
    x = self._ln(x[:, 0, :], self.ln_post_weight, self.ln_post_bias)
    return torch.matmul(x, self.proj)
)TS";

// int64 [N,L] -> [N,D], as CLIP's encode_text: causal mask, features taken at the
// position of the highest token id (the end token, 49407).
const char* kTextForwardSource = R"TS(
def forward(self, text: Tensor) -> Tensor:
    L = text.size(1)
    x = torch.embedding(self.token_embedding, text)
    x = x + self.positional_embedding[:L]
    mask = torch.full([L, L], float("-inf"), dtype=x.dtype, device=x.device).triu(1)
    x = self._transformer(x, mask)
    x = self._ln(x, self.ln_final_weight, self.ln_final_bias)
    idx = text.argmax(-1)
    x = x[torch.arange(x.size(0), device=x.device), idx]
    return torch.matmul(x, self.text_projection)
)TS";

class Init {
public:
    explicit Init(std::uint64_t seed) : gen_(at::detail::createCPUGenerator(seed)) {}
    torch::Tensor normal(at::IntArrayRef shape, double stdev) {
        return torch::randn(shape, gen_, torch::kFloat).mul_(stdev);
    }
    static torch::Tensor zeros(at::IntArrayRef shape) { return torch::zeros(shape, torch::kFloat); }
    static torch::Tensor ones(at::IntArrayRef shape) { return torch::ones(shape, torch::kFloat); }

private:
    at::Generator gen_;
};

void addParameter(torch::jit::Module& m, const std::string& name, torch::Tensor t) {
    m.register_parameter(name, t.contiguous(), /*is_buffer=*/false);
}

// CLIP's initialisation (model.py initialize_parameters) for the residual blocks.
void addTransformer(torch::jit::Module& m, Init& init, std::int64_t width, std::int64_t layers, std::int64_t heads) {
    const double attnStd = std::pow(double(width), -0.5);
    const double projStd = attnStd * std::pow(2.0 * double(layers), -0.5);
    const double fcStd = std::pow(2.0 * double(width), -0.5);
    m.register_attribute("layers", c10::IntType::get(), layers);
    m.register_attribute("heads", c10::IntType::get(), heads);
    addParameter(m, "ln_1_weight", Init::ones({layers, width}));
    addParameter(m, "ln_1_bias", Init::zeros({layers, width}));
    addParameter(m, "attn_in_proj_weight", init.normal({layers, 3 * width, width}, attnStd));
    addParameter(m, "attn_in_proj_bias", Init::zeros({layers, 3 * width}));
    addParameter(m, "attn_out_proj_weight", init.normal({layers, width, width}, projStd));
    addParameter(m, "attn_out_proj_bias", Init::zeros({layers, width}));
    addParameter(m, "ln_2_weight", Init::ones({layers, width}));
    addParameter(m, "ln_2_bias", Init::zeros({layers, width}));
    addParameter(m, "mlp_c_fc_weight", init.normal({layers, 4 * width, width}, fcStd));
    addParameter(m, "mlp_c_fc_bias", Init::zeros({layers, 4 * width}));
    addParameter(m, "mlp_c_proj_weight", init.normal({layers, width, 4 * width}, projStd));
    addParameter(m, "mlp_c_proj_bias", Init::zeros({layers, width}));
}

torch::jit::Module buildImageEncoder(const VisionConfig& c, std::int64_t embedding, Init& init) {
    if (c.inputSize % c.patch != 0 || c.width % c.heads != 0) throw Error("createDemoBundle: inconsistent vision shape");
    torch::jit::Module m("DemoImageEncoder");
    const std::int64_t grid = c.inputSize / c.patch;
    const double scale = std::pow(double(c.width), -0.5);
    addParameter(m, "conv1_weight", init.normal({c.width, 3, c.patch, c.patch}, std::pow(3.0 * c.patch * c.patch, -0.5)));
    addParameter(m, "class_embedding", init.normal({c.width}, scale));
    addParameter(m, "positional_embedding", init.normal({grid * grid + 1, c.width}, scale));
    addParameter(m, "ln_pre_weight", Init::ones({c.width}));
    addParameter(m, "ln_pre_bias", Init::zeros({c.width}));
    addTransformer(m, init, c.width, c.layers, c.heads);
    addParameter(m, "ln_post_weight", Init::ones({c.width}));
    addParameter(m, "ln_post_bias", Init::zeros({c.width}));
    addParameter(m, "proj", init.normal({c.width, embedding}, scale));
    m.define(std::string(kTransformerSource) + kImageForwardSource);
    m.eval();
    return m;
}

torch::jit::Module buildTextEncoder(const TextConfig& c, std::int64_t embedding, Init& init) {
    if (c.width % c.heads != 0) throw Error("createDemoBundle: inconsistent text shape");
    torch::jit::Module m("DemoTextEncoder");
    addParameter(m, "token_embedding", init.normal({c.vocab, c.width}, 0.02));
    addParameter(m, "positional_embedding", init.normal({c.context, c.width}, 0.01));
    addTransformer(m, init, c.width, c.layers, c.heads);
    addParameter(m, "ln_final_weight", Init::ones({c.width}));
    addParameter(m, "ln_final_bias", Init::zeros({c.width}));
    addParameter(m, "text_projection", init.normal({c.width, embedding}, std::pow(double(c.width), -0.5)));
    m.define(std::string(kTransformerSource) + kTextForwardSource);
    m.eval();
    return m;
}

void saveModule(torch::jit::Module& m, const std::string& path) {
    try {
        m.save(path);
    } catch (const std::exception& e) {
        throw Error(path + ": cannot save TorchScript module: " + e.what());
    }
}

}  // namespace

std::string demoBundleName(DemoBundleShape shape) {
    return shape == DemoBundleShape::Tiny ? "fedmedclip-demo-tiny" : "fedmedclip-demo-vitb32-random";
}

BundleManifest createDemoBundle(const std::string& dir, DemoBundleShape shape, const std::string& vocabularyPath,
                                std::uint64_t seed) {
    const DemoConfig cfg = configFor(shape);
    std::error_code ec;
    if (!fs::is_regular_file(vocabularyPath, ec))
        throw Error(vocabularyPath + ": CLIP BPE vocabulary file not found (needed for the demo bundle)");
    fs::create_directories(dir, ec);
    if (!fs::is_directory(dir, ec)) throw Error(dir + ": cannot create the model bundle folder");
    const fs::path root(dir);

    BundleManifest m;
    m.name = demoBundleName(shape);
    m.version = "1.0.0";
    m.demo = true;
    m.description = "RANDOM WEIGHTS, DEMO ONLY, NOT FOR CLINICAL USE. Randomly initialised CLIP-like " +
                    std::string(shape == DemoBundleShape::Tiny ? "tiny ViT" : "ViT-B/32-shaped") +
                    " encoders (seed " + std::to_string(seed) +
                    ") for trying the software offline; its features and predictions carry no medical meaning.";
    m.embeddingDim = cfg.embedding;
    m.inputSize = cfg.vision.inputSize;
    m.mean = {0.48145466, 0.4578275, 0.40821073};  // OpenAI CLIP
    m.std = {0.26862954, 0.26130258, 0.27577711};
    m.resizeMode = kResizeShorterSideCenterCrop;
    m.tokenizer = kClipBpeTokenizer;
    m.contextLength = cfg.text.context;
    m.logitScale = 100.0;
    m.imageEncoder.path = "image_encoder.pt";
    m.textEncoder.path = "text_encoder.pt";
    m.vocabulary.path = kVocabularyFileName;

    {
        // Image and text weights draw from separate streams so one never shifts the other.
        Init imageInit(seed * 2 + 0);
        auto image = buildImageEncoder(cfg.vision, cfg.embedding, imageInit);
        saveModule(image, (root / m.imageEncoder.path).string());
    }
    {
        Init textInit(seed * 2 + 1);
        auto text = buildTextEncoder(cfg.text, cfg.embedding, textInit);
        saveModule(text, (root / m.textEncoder.path).string());
    }
    const fs::path vocabTarget = root / m.vocabulary.path;
    if (!(fs::exists(vocabTarget, ec) && fs::equivalent(vocabularyPath, vocabTarget, ec))) {
        fs::copy_file(vocabularyPath, vocabTarget, fs::copy_options::overwrite_existing, ec);
        if (ec) throw Error(vocabTarget.string() + ": cannot copy the vocabulary from " + vocabularyPath + ": " + ec.message());
    }
    finalizeBundle(dir, m);
    return m;
}

void writeScriptModule(const std::string& path, const std::string& className, const std::string& source) {
    torch::jit::Module m(className);
    try {
        m.define(source);
    } catch (const std::exception& e) {
        throw Error(path + ": TorchScript source for " + className + " does not compile: " + e.what());
    }
    saveModule(m, path);
}

}  // namespace fmc
