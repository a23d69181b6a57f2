#include "engine_benchmark.h"

#include "common/codec.h"
#include "common/aggregation.h"
#include "engine/demo_bundle.h"
#include "engine/fedmedclip_site.h"
#include "engine/model_bundle.h"
#include "engine/runtime.h"
#include "imaging/demo_dataset.h"
#include "imaging/image_loader.h"
#include "imaging/dataset.h"
#include "features/bundle_inputs.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <sstream>

namespace fs = std::filesystem;

namespace fmc {
namespace {
using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }
}  // namespace

double vitImageEncoderFlops(int inputSize, int patch, int width, int layers, int embeddingDim) {
    const double patches = double(inputSize / patch) * (inputSize / patch);
    const double tokens = patches + 1;
    const double w = width;
    const double patchEmbedding = 2 * patches * (3.0 * patch * patch) * w;
    // Per block: QKV + output projection (4 W^2), MLP (8 W^2) per token; scores and mixing 2 T^2 W.
    const double perLayer = 2 * tokens * w * w * 12 + 4 * tokens * tokens * w;
    return patchEmbedding + layers * perLayer + 2 * w * embeddingDim;
}

EngineBenchmarkResult runEngineBenchmark(const EngineBenchmarkConfig& config,
                                         const std::function<void(const std::string&)>& log) {
    auto say = [&](const std::string& line) {
        if (log) log(line);
    };
    EngineBenchmarkResult result;
    result.device = config.device;
    std::string bundleDir = config.bundleDir;
    if (bundleDir.empty()) {
        bundleDir = (fs::path(config.workDir) / "bundle-vitb32-random").string();
        if (!fs::exists(fs::path(bundleDir) / kBundleManifestFileName)) {
            say("creating a ViT-B/32-shaped random-weight bundle in " + bundleDir + " (once)");
            createDemoBundle(bundleDir, DemoBundleShape::VitB32, config.vocabularyPath, 32);
        }
    }
    auto bundle = ModelBundle::load(bundleDir, config.device);
    const auto& manifest = bundle.manifest();
    result.bundleName = manifest.name;
    if (manifest.name == demoBundleName(DemoBundleShape::VitB32))
        result.gflopPerImage = vitImageEncoderFlops(224, 32, 768, 12, 512) / 1e9;

    // Images: real ones when given, else demo drawings.
    std::string imageDir = config.imageDir;
    if (imageDir.empty()) {
        imageDir = (fs::path(config.workDir) / "demo-images").string();
        if (!fs::exists(fs::path(imageDir) / "labels.csv")) generateDemoDataset(imageDir);
    }
    std::vector<std::string> paths;
    std::vector<int> labels;
    {
        const auto dataset = loadClassFolders(imageDir);
        for (const auto& record : dataset.records) {
            paths.push_back(record.path);
            labels.push_back(record.label);
        }
    }
    // Spread the sample over every class folder.
    std::vector<std::string> chosen;
    std::vector<int> chosenLabels;
    const size_t stride = std::max<size_t>(1, paths.size() / std::max(1, config.images));
    for (size_t i = 0; i < paths.size() && static_cast<int>(chosen.size()) < config.images; i += stride) {
        chosen.push_back(paths[i]);
        chosenLabels.push_back(labels[i]);
    }
    if (chosen.size() < 8) throw Error("benchmark: fewer than 8 images found under " + imageDir);

    const auto prep = preprocessingFor(manifest);
    say("decoding " + std::to_string(chosen.size()) + " images from " + imageDir);
    auto start = Clock::now();
    std::vector<float> pixels;
    for (const auto& path : chosen) imageToTensor(loadImageFile(path), prep, pixels);
    result.decodeSeconds = secondsSince(start);
    result.images = static_cast<int>(chosen.size());

    (void)bundle.encodeImages(pixels.data(), std::min<std::int64_t>(bundle.batchSize(), result.images));  // warm-up
    say("encoding with " + manifest.name);
    start = Clock::now();
    const auto features = bundle.encodeImages(pixels.data(), result.images);
    result.encodeSeconds = secondsSince(start);
    result.imagesPerSecond = result.images / result.encodeSeconds;
    result.achievedGflops = result.imagesPerSecond * result.gflopPerImage;
    say("measuring SGEMM throughput");
    result.gemmGflops = measureGemmGflops(config.device, 1024, 2.0);

    // Rounds on cached features: the sample split over sites round-robin.
    std::vector<std::string> classNames;
    int numClasses = 0;
    for (int label : chosenLabels) numClasses = std::max(numClasses, label + 1);
    for (int c = 0; c < numClasses; ++c) classNames.push_back("class " + std::to_string(c));
    const auto text = bundle.encodeTexts(classNames);
    std::vector<FloatMatrix> siteFeatures(static_cast<size_t>(result.sites), FloatMatrix(0, features.cols));
    std::vector<std::vector<int>> siteLabels(static_cast<size_t>(result.sites));
    for (std::int64_t i = 0; i < features.rows; ++i) {
        const auto s = static_cast<size_t>(i % result.sites);
        siteFeatures[s].data.insert(siteFeatures[s].data.end(), features.row(i), features.row(i) + features.cols);
        ++siteFeatures[s].rows;
        siteLabels[s].push_back(chosenLabels[static_cast<size_t>(i)]);
    }
    std::vector<FedMedClipSite> sites;
    for (int s = 0; s < result.sites; ++s)
        sites.emplace_back(text, static_cast<float>(manifest.logitScale), FedMedClipOptions{}, 1 + s, config.device);
    const auto layout = sites[0].famParameters();
    say("timing " + std::to_string(config.rounds) + " FedMedCLIP rounds on cached features");
    const ScopedComputeThreads singleThread(1);
    for (int round = 0; round < config.rounds; ++round) {
        start = Clock::now();
        for (size_t s = 0; s < sites.size(); ++s) sites[s].trainRound(siteFeatures[s], siteLabels[s]);
        result.roundTrainingSeconds += secondsSince(start) / config.rounds;
        std::vector<ParameterSet> uploads;
        for (auto& site : sites) {
            const auto payload = encodeParameters(site.famParameters(), CodecKind::Fp16Zlib);
            result.uploadBytes = payload.size();
            uploads.push_back(decodeParameters(payload, layout));
        }
        const auto global = maskAwareAverage(uploads);
        for (auto& site : sites) site.receiveGlobalFam(global);
        result.roundSeconds += secondsSince(start) / config.rounds;
    }
    result.peakResidentMb = peakResidentBytes() / 1048576.0;
    return result;
}

std::string formatEngineBenchmark(const EngineBenchmarkResult& r) {
    std::ostringstream out;
    char line[256];
    out << "engine benchmark, bundle " << r.bundleName << " on " << r.device << "\n";
    std::snprintf(line, sizeof line, "decode+preprocess: %d images in %.2f s (%.1f images/s)\n", r.images,
                  r.decodeSeconds, r.images / r.decodeSeconds);
    out << line;
    std::snprintf(line, sizeof line, "image encoder:     %.1f images/s (%.2f s for %d)\n", r.imagesPerSecond,
                  r.encodeSeconds, r.images);
    out << line;
    std::snprintf(line, sizeof line, "machine SGEMM:     %.1f GFLOP/s (LibTorch, 1024^3, measured now)\n", r.gemmGflops);
    out << line;
    if (r.gflopPerImage > 0) {
        std::snprintf(line, sizeof line, "encoder compute:   %.2f GFLOP/image -> %.1f GFLOP/s = %.0f%% of SGEMM (target >= 50%%)\n",
                      r.gflopPerImage, r.achievedGflops, 100 * r.achievedGflops / r.gemmGflops);
        out << line;
    }
    std::snprintf(line, sizeof line, "FedMedCLIP round:  %.3f s for %d sites (%.3f s training), %zu bytes up per site\n",
                  r.roundSeconds, r.sites, r.roundTrainingSeconds, r.uploadBytes);
    out << line;
    std::snprintf(line, sizeof line, "peak resident memory: %.0f MB (target < 2048 MB)\n", r.peakResidentMb);
    out << line;
    return out.str();
}

}  // namespace fmc
