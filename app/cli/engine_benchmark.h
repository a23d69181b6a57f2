#pragma once
// The engine benchmark (not a test): feature extraction throughput against the machine's
// own GEMM throughput measured in the same run, peak memory, and seconds per FedMedCLIP
// round on cached features.
#include <functional>
#include <string>

namespace fmc {

struct EngineBenchmarkConfig {
    std::string bundleDir;  // empty: create (once) a ViT-B/32-shaped random bundle in workDir
    std::string workDir;
    std::string vocabularyPath;
    std::string imageDir;   // images to encode (recursively); empty: synthetic demo images
    int images = 256;
    int rounds = 5;
    std::string device = "cpu";
};

struct EngineBenchmarkResult {
    std::string bundleName;
    std::string device;
    int images = 0;
    double decodeSeconds = 0;       // decode + resize + normalise
    double encodeSeconds = 0;       // image encoder only
    double imagesPerSecond = 0;     // encoder throughput
    double gflopPerImage = 0;       // 0 when the architecture is not known
    double achievedGflops = 0;
    double gemmGflops = 0;          // measured LibTorch SGEMM, same process
    double peakResidentMb = 0;
    int sites = 3;
    double roundSeconds = 0;        // mean over rounds, FedMedCLIP on cached features, all sites
    double roundTrainingSeconds = 0;
    std::size_t uploadBytes = 0;
};

EngineBenchmarkResult runEngineBenchmark(const EngineBenchmarkConfig& config,
                                         const std::function<void(const std::string&)>& log = {});
std::string formatEngineBenchmark(const EngineBenchmarkResult& result);

// Forward FLOPs (2 per multiply-add) of a CLIP ViT image encoder.
double vitImageEncoderFlops(int inputSize, int patch, int width, int layers, int embeddingDim);

}  // namespace fmc
