// fedmedclip-engine-bench: how close the engine comes to the machine (not a test).
//
//   round   FedMedCLIP rounds on cached features (ViT-B/32 shapes: D = 512, 3 sites) by the
//           engine and by the Python peer (bench/fedmedclip_round_peer.py, eager PyTorch) back
//           to back on the same features; seconds per round of both, their ratio, and the share
//           of the GEMM rate measured in the same run that the engine reaches for the round's
//           matrix-product FLOPs. --busy-core adds the default thread count against one thread
//           while a process of the benchmark's own keeps one core busy.
//   load    a cold prediction's engine steps with a ViT-B/32-shaped bundle: load (verify,
//           read, probe), the class prompts' text features, one image's features; run it twice
//           to see the second process use the remembered verification.
//   encode  image-encoder throughput of a ViT-B/32-shaped random bundle (images/s), the same
//           comparison of thread counts under --busy-core.
//   products the training step's three products for one D x D masked layer and a batch of 32
//           (one thread): GFLOP/s of each with one layer's weight and AdamW moments over and over
//           (in cache) and with as many layers in turn as the round's sites hold (streamed from
//           memory), beside the GEMM rate, AdamW alone and memcpy copies of the same memory,
//           measured in the same run: where the round's time goes and what bounds it.
//
// Qt-free: the engine-only preset builds it (tools/gpu-check.sh runs it with --device cuda).
#include "common/aggregation.h"
#include "common/resource_paths.h"
#include "common/types.h"
#include "engine/cpu_kernels.h"
#include "engine/cpu_products.h"
#include "engine/demo_bundle.h"
#include "engine/fedmedclip_site.h"
#include "engine/model_bundle.h"
#include "engine/runtime.h"
#include "common/process_environment.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <signal.h>
#include <sstream>
#include <string>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;
using namespace fmc;

namespace {
using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Seconds since the kernel started this process (/proc, to its clock tick), so that a cold
// start's figure includes what runs before main: loading the libraries and their static
// initialisers (LibTorch registers its operators). Negative when /proc cannot tell.
double secondsSinceProcessStart() {
    std::ifstream stat("/proc/self/stat"), uptime("/proc/uptime");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const auto afterName = text.rfind(')');
    double upSeconds = 0;
    if (afterName == std::string::npos || !(uptime >> upSeconds)) return -1;
    std::istringstream fields(text.substr(afterName + 2));
    std::string field;
    for (int k = 3; k < 22 && fields >> field; ++k) {
    }
    unsigned long long startTicks = 0;
    if (!(fields >> startTicks)) return -1;
    return upSeconds - static_cast<double>(startTicks) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double median(std::vector<double> values) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

struct Options {
    std::string command = "round";
    std::string device = "cpu";
    std::string python = "/usr/bin/python3";
    std::string peer = FMC_ROUND_PEER_SCRIPT;
    std::string workDir;
    std::string bundleDir;
    int threads = 0;  // 0: the engine's default
    int rounds = 5;
    int repeats = 3;
    int images = 855;
    int classes = 9;
    int dim = 512;
    int sites = 3;
    bool peerRun = true;
    bool busyCore = false;
    bool reverify = false;
};

[[noreturn]] void usage(int code) {
    std::fprintf(code ? stderr : stdout,
                 "usage: fedmedclip-engine-bench [round|encode|load|products] [--device cpu|cuda] [--threads N] [--rounds N]\n"
                 "         [--repeats N] [--images N] [--classes N] [--dim D] [--sites K] [--no-peer]\n"
                 "         [--python PATH] [--peer SCRIPT] [--busy-core] [--work-dir DIR] [--bundle DIR]\n");
    std::exit(code);
}

Options parse(int argc, char** argv) {
    Options o;
    int i = 1;
    if (i < argc && argv[i][0] != '-') o.command = argv[i++];
    if (o.command != "round" && o.command != "encode" && o.command != "load" && o.command != "products") usage(2);
    for (; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "fedmedclip-engine-bench: %s needs a value\n", arg.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        auto number = [&]() {
            const auto text = value();
            char* end = nullptr;
            const long parsed = std::strtol(text.c_str(), &end, 10);
            if (*end || parsed < 0 || parsed > 1000000) {
                std::fprintf(stderr, "fedmedclip-engine-bench: %s: '%s' is not a count\n", arg.c_str(), text.c_str());
                std::exit(2);
            }
            return static_cast<int>(parsed);
        };
        if (arg == "--device") o.device = value();
        else if (arg == "--threads") o.threads = number();
        else if (arg == "--rounds") o.rounds = std::max(1, number());
        else if (arg == "--repeats") o.repeats = std::max(1, number());
        else if (arg == "--images") o.images = number();
        else if (arg == "--classes") o.classes = number();
        else if (arg == "--dim") o.dim = number();
        else if (arg == "--sites") o.sites = std::max(1, number());
        else if (arg == "--python") o.python = value();
        else if (arg == "--peer") o.peer = value();
        else if (arg == "--no-peer") o.peerRun = false;
        else if (arg == "--busy-core") o.busyCore = true;
        else if (arg == "--work-dir") o.workDir = value();
        else if (arg == "--bundle") o.bundleDir = value();
        else if (arg == "--reverify") o.reverify = true;
        else if (arg == "--help" || arg == "-h") usage(0);
        else {
            std::fprintf(stderr, "fedmedclip-engine-bench: unknown option %s\n", arg.c_str());
            usage(2);
        }
    }
    if (o.images < 2 * o.sites || o.classes < 2 || o.dim < 8) {
        std::fprintf(stderr, "fedmedclip-engine-bench: need at least 2 images per site, 2 classes, dimension 8\n");
        std::exit(2);
    }
    if (o.workDir.empty()) o.workDir = (fs::temp_directory_path() / "fedmedclip-engine-bench").string();
    return o;
}

// A process of our own that keeps one core busy until it is stopped (or we exit).
class BusyCore {
public:
    BusyCore() {
        pid_ = fork();
        if (pid_ == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            volatile unsigned long spin = 0;
            for (;;) ++spin;
        }
        if (pid_ < 0) throw Error("benchmark: could not start the busy-core process");
        usleep(100000);  // let it reach a core
    }
    ~BusyCore() {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
    BusyCore(const BusyCore&) = delete;
    BusyCore& operator=(const BusyCore&) = delete;

private:
    pid_t pid_ = -1;
};

// The benchmark's task: Gaussian clusters around random class directions, the text features
// pointing at the centres (the features of a CLIP-like encoder, as far as timing goes).
struct Task {
    FloatMatrix text;
    std::vector<FloatMatrix> features;
    std::vector<std::vector<int>> labels;
    float logitScale = 100;
    std::int64_t images() const {
        std::int64_t n = 0;
        for (const auto& f : features) n += f.rows;
        return n;
    }
};

Task makeTask(const Options& o) {
    std::mt19937 rng(19);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    Task task{FloatMatrix(o.classes, o.dim), {}, {}};
    for (auto& v : task.text.data) v = normal(rng);
    for (int s = 0; s < o.sites; ++s) {
        const int rows = o.images / o.sites + (s < o.images % o.sites ? 1 : 0);
        FloatMatrix features(rows, o.dim);
        std::vector<int> labels;
        for (int i = 0; i < rows; ++i) {
            const int label = static_cast<int>(rng() % static_cast<unsigned>(o.classes));
            labels.push_back(label);
            for (int j = 0; j < o.dim; ++j) features.at(i, j) = task.text.at(label, j) + 2.0f * normal(rng);
        }
        task.features.push_back(std::move(features));
        task.labels.push_back(std::move(labels));
    }
    return task;
}

void writeFloats(const fs::path& path, const FloatMatrix& matrix) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(matrix.data.data()), static_cast<std::streamsize>(matrix.data.size() * 4));
    if (!out) throw Error("benchmark: cannot write " + path.string());
}

void writeTask(const Task& task, const fs::path& dir) {
    fs::create_directories(dir);
    writeFloats(dir / "text.f32", task.text);
    std::ostringstream json;
    json << "{\"dim\": " << task.text.cols << ", \"classes\": " << task.text.rows << ", \"logit_scale\": " << task.logitScale
         << ", \"text\": \"text.f32\", \"sites\": [";
    for (size_t s = 0; s < task.features.size(); ++s) {
        const auto name = "site" + std::to_string(s) + ".f32";
        writeFloats(dir / name, task.features[s]);
        json << (s ? ", " : "") << "{\"features\": \"" << name << "\", \"labels\": [";
        for (size_t i = 0; i < task.labels[s].size(); ++i) json << (i ? "," : "") << task.labels[s][i];
        json << "]}";
    }
    json << "]}\n";
    std::ofstream(dir / "task.json") << json.str();
}

// Matrix-product FLOPs of one round (2 per multiply-add; backward = the input gradient where
// one is needed plus the weight gradient), the cost a GEMM-speed implementation pays.
double roundGemmFlops(const Task& task, int batch, int hidden) {
    const double d = task.text.cols, c = task.text.rows, h = hidden;
    double flops = 0;
    for (const auto& f : task.features) {
        for (std::int64_t begin = 0; begin < f.rows; begin += batch) {
            const double b = static_cast<double>(std::min<std::int64_t>(batch, f.rows - begin));
            if (b < 2) break;
            const double famFirst = 2 * b * d * d * 2;   // forward + weight gradient (its input needs none)
            const double famSecond = 2 * b * d * d * 3;  // forward + input + weight gradient
            const double mlp = 2 * b * (d * h + 2 * h * h + h * c) * 3;
            const double similarity = 2 * b * d * c * 3;
            const double contrastive = 2 * b * b * d * 2;  // the own-prompt side has no gradient
            flops += famFirst + famSecond + mlp + similarity + contrastive;
        }
    }
    return flops;
}

// Wall-clock and CPU seconds of each round. On a loaded machine the CPU time is the steadier
// figure (wall time includes waiting for a core); both are printed.
struct Rounds {
    std::vector<double> seconds, cpuSeconds;
    void dropWarmUp() {
        if (!seconds.empty()) seconds.erase(seconds.begin());
        if (!cpuSeconds.empty()) cpuSeconds.erase(cpuSeconds.begin());
    }
};

double processCpuSeconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

Rounds runEngineRounds(const Task& task, int rounds, const std::string& device) {
    // The sites' rounds at the feature-space thread count, as the simulator runs them: each
    // change of LibTorch's thread count starts a new thread pool whose threads spin a while.
    const ScopedComputeThreads scoped(device == "cpu" ? featureSpaceThreads() : 0);
    std::vector<FedMedClipSite> sites;
    for (size_t s = 0; s < task.features.size(); ++s)
        sites.emplace_back(task.text, task.logitScale, FedMedClipOptions{}, 1 + s, device);
    Rounds result;
    for (int round = 0; round < rounds; ++round) {
        const auto start = Clock::now();
        const double cpuStart = processCpuSeconds();
        std::vector<ParameterSet> uploads;
        for (size_t s = 0; s < sites.size(); ++s) {
            sites[s].trainRound(task.features[s], task.labels[s]);
            uploads.push_back(sites[s].famParameters());
        }
        const auto global = federatedAverage(uploads);
        for (auto& site : sites) site.setFamParameters(global);
        result.seconds.push_back(secondsSince(start));
        result.cpuSeconds.push_back(processCpuSeconds() - cpuStart);
    }
    return result;
}

// The numbers of the JSON list `key` in `json` (the peer's one-line output).
std::vector<double> jsonNumbers(const std::string& json, const std::string& key) {
    std::vector<double> numbers;
    const auto at = json.find("\"" + key + "\"");
    if (at == std::string::npos) return numbers;
    const auto open = json.find('[', at), close = json.find(']', at);
    if (open == std::string::npos || close == std::string::npos) return numbers;
    std::istringstream values(json.substr(open + 1, close - open - 1));
    std::string item;
    while (std::getline(values, item, ',')) numbers.push_back(std::stod(item));
    return numbers;
}

// Runs the Python peer; its rounds, empty (with a message) when it cannot run.
Rounds runPeerRounds(const Options& o, const fs::path& taskDir, int rounds, int threads) {
    const std::string command = "'" + o.python + "' '" + o.peer + "' '" + taskDir.string() + "' " +
                                std::to_string(rounds) + " " + std::to_string(threads);
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) return {};
    std::string output;
    char buffer[4096];
    while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
    if (pclose(pipe) != 0) {
        std::fprintf(stderr, "Python peer failed (%s): %s\n", command.c_str(), output.c_str());
        return {};
    }
    return {jsonNumbers(output, "round_seconds"), jsonNumbers(output, "round_cpu_seconds")};
}

// CPU seconds this process spends while its threads should be idle: how much idle OpenMP
// threads spin (the waiting policy).
double idleCpuSeconds() {
    (void)measureGemmGflops("cpu", 256, 0.05);  // wake every thread
    rusage before{}, after{};
    getrusage(RUSAGE_SELF, &before);
    usleep(200000);
    getrusage(RUSAGE_SELF, &after);
    auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
    return seconds(after.ru_utime) + seconds(after.ru_stime) - seconds(before.ru_utime) - seconds(before.ru_stime);
}

void printRuntime(const Options& o, const RuntimeInfo& info) {
    const char* policy = std::getenv("OMP_WAIT_POLICY");
    // OPENBLAS_CORETYPE overrides the kernels OpenBLAS chooses for this CPU: said beside the figures.
    const char* forcedKernels = std::getenv("OPENBLAS_CORETYPE");
    std::printf("machine: %d hardware threads, load average %s; BLAS %s (kernels %s%s%s)\n", hardwareThreads(),
                loadAverageText().c_str(), info.blasLibrary.c_str(),
                info.blasKernels.empty() ? "not OpenBLAS" : info.blasKernels.c_str(),
                forcedKernels ? ", forced by OPENBLAS_CORETYPE=" : "", forcedKernels ? forcedKernels : "");
    std::printf("device %s, default compute threads %d (feature-space training %d), OMP_WAIT_POLICY=%s\n",
                info.device.c_str(), info.threads, featureSpaceThreads(), policy ? policy : "(unset)");
    if (o.device == "cpu")
        std::printf("idle threads: %.0f ms of CPU in a 200 ms pause after a parallel product\n",
                    1000 * idleCpuSeconds());
}

int runRound(const Options& o) {
    const auto info = configureRuntime(o.device, o.threads);
    printRuntime(o, info);
    const auto task = makeTask(o);
    const fs::path taskDir = fs::path(o.workDir) / "round-task";
    writeTask(task, taskDir);
    const int threads = o.device == "cpu" ? (o.threads > 0 ? o.threads : featureSpaceThreads()) : 1;
    const double flops = roundGemmFlops(task, FedMedClipOptions{}.batchSize, FedMedClipOptions{}.mlpHiddenSize);
    std::printf("task: %d sites, %lld images, D = %d, %d classes, batch %d; %.2f GFLOP of matrix products per round\n",
                o.sites, static_cast<long long>(task.images()), o.dim, o.classes, FedMedClipOptions{}.batchSize,
                flops / 1e9);

    // Per run: the median round of the engine and of the peer, wall and CPU time.
    std::vector<double> engineWall, engineCpu, peerWall, peerCpu, wallRatios, cpuRatios, gemmRates, gemmCpuRates;
    for (int repeat = 0; repeat < o.repeats; ++repeat) {
        {
            const ScopedComputeThreads scoped(o.device == "cpu" ? threads : 0);
            double perCpuSecond = 0;
            gemmRates.push_back(measureGemmGflops(o.device, 512, 0.5, &perCpuSecond));
            gemmCpuRates.push_back(perCpuSecond);
        }
        // Round 0 warms the allocator and the kernels; it is not counted.
        auto engine = runEngineRounds(task, o.rounds + 1, o.device);
        engine.dropWarmUp();
        engineWall.push_back(median(engine.seconds));
        engineCpu.push_back(median(engine.cpuSeconds));
        std::string peerText = "n/a";
        if (o.peerRun) {
            auto peer = runPeerRounds(o, taskDir, o.rounds + 1, threads);
            peer.dropWarmUp();
            if (!peer.seconds.empty() && !peer.cpuSeconds.empty()) {
                peerWall.push_back(median(peer.seconds));
                peerCpu.push_back(median(peer.cpuSeconds));
                wallRatios.push_back(peerWall.back() / engineWall.back());
                cpuRatios.push_back(peerCpu.back() / engineCpu.back());
                char text[64];
                std::snprintf(text, sizeof text, "%.4f s (CPU %.4f s)", peerWall.back(), peerCpu.back());
                peerText = text;
            }
        }
        std::printf("run %d: engine %.4f s/round (CPU %.4f s), Python peer %s, GEMM %.1f GFLOP/s (%.1f per CPU s), "
                    "load %s\n",
                    repeat + 1, engineWall.back(), engineCpu.back(), peerText.c_str(), gemmRates.back(),
                    gemmCpuRates.back(), loadAverageText().c_str());
        std::fflush(stdout);
    }
    const double engine = median(engineWall), engineCpuMedian = median(engineCpu), gemm = median(gemmRates),
                 gemmCpu = median(gemmCpuRates);
    std::printf("\nmedian of %d runs (%d rounds each after a warm-up round, %s, %d thread%s):\n", o.repeats, o.rounds,
                o.device.c_str(), threads, threads == 1 ? "" : "s");
    std::printf("  engine round:        %.4f s, CPU %.4f s (%.0f images/s of training)\n", engine, engineCpuMedian,
                task.images() / engine);
    if (!peerWall.empty()) {
        std::printf("  Python peer round:   %.4f s, CPU %.4f s (eager PyTorch, same features, same threads)\n",
                    median(peerWall), median(peerCpu));
        std::printf("  engine vs peer:      %.2fx faster in wall time, %.2fx in CPU time (medians of the runs' ratios; "
                    "target >= 5x)\n",
                    median(wallRatios), median(cpuRatios));
    }
    std::printf("  machine GEMM:        %.1f GFLOP/s, %.1f per CPU second (512^3 SGEMM, %d thread%s, measured in this "
                "run)\n",
                gemm, gemmCpu, threads, threads == 1 ? "" : "s");
    std::printf("  engine reaches:      %.0f%% of the GEMM rate for the round's %.2f GFLOP in wall time (%.1f GFLOP/s), "
                "%.0f%% in CPU time (%.1f GFLOP per CPU second); target >= 30%%\n",
                100 * flops / engine / 1e9 / gemm, flops / 1e9, flops / engine / 1e9,
                100 * flops / engineCpuMedian / 1e9 / gemmCpu, flops / engineCpuMedian / 1e9);

    if (o.busyCore && o.device == "cpu") {
        std::printf("\nwith one core kept busy by another process:\n");
        const BusyCore busy;
        for (const int requested : {0, 1, hardwareThreads()}) {
            configureRuntime(o.device, requested);
            const int t = featureSpaceThreads();
            auto rounds = runEngineRounds(task, o.rounds + 1, o.device);
            rounds.dropWarmUp();
            std::printf("  %s: %d thread%s, %.4f s/round (CPU %.4f s)\n", requested ? "--threads" : "default", t,
                        t == 1 ? "" : "s", median(rounds.seconds), median(rounds.cpuSeconds));
        }
        configureRuntime(o.device, o.threads);
    }
    return 0;
}

std::string benchmarkBundle(const Options& o) {
    if (!o.bundleDir.empty()) return o.bundleDir;
    const auto dir = (fs::path(o.workDir) / "bundle-vitb32-random").string();
    if (!fs::exists(fs::path(dir) / kBundleManifestFileName)) {
        std::printf("creating a ViT-B/32-shaped random-weight bundle in %s (once)\n", dir.c_str());
        createDemoBundle(dir, DemoBundleShape::VitB32, clipVocabularyPath(), 32);
    }
    return dir;
}

int runLoad(const Options& o) {
    const double beforeMain = secondsSinceProcessStart();
    const auto processStart = Clock::now();
    configureRuntime(o.device, o.threads);
    const auto dir = benchmarkBundle(o);
    auto start = Clock::now();
    BundleLoadOptions loadOptions;
    loadOptions.reverify = o.reverify;
    auto bundle = ModelBundle::load(dir, o.device, loadOptions);
    const double load = secondsSince(start);
    std::vector<std::string> prompts;
    for (int c = 0; c < o.classes; ++c) prompts.push_back("a picture of a class " + std::to_string(c));
    start = Clock::now();
    (void)bundle.encodeTexts(prompts);
    const double text = secondsSince(start);
    const bool textEncoded = bundle.textEncoderLoaded();
    const auto s = bundle.manifest().inputSize;
    std::vector<float> pixels(static_cast<size_t>(3 * s * s), 0.1f);
    start = Clock::now();
    (void)bundle.encodeImages(pixels.data(), 1);
    const double image = secondsSince(start);
    start = Clock::now();
    auto again = ModelBundle::load(dir, o.device, loadOptions);
    const double reload = secondsSince(start);
    std::printf("bundle %s (%s): load %.2f s (%s), %d prompts %.2f s (%s), first image %.2f s; %.2f s since main "
                "began, %.2f s since the process started; a second load in this process %.3f s\n",
                bundle.manifest().name.c_str(), o.device.c_str(), load,
                bundle.verifiedFromRecord() ? "verification remembered" : "hashed and probed", o.classes, text,
                textEncoded ? "text encoder loaded" : "kept features, text encoder not loaded", image,
                secondsSince(processStart), beforeMain < 0 ? -1.0 : beforeMain + secondsSince(processStart), reload);
    return 0;
}

int runEncode(const Options& o) {
    const auto info = configureRuntime(o.device, o.threads);
    printRuntime(o, info);
    auto bundle = ModelBundle::load(benchmarkBundle(o), o.device);
    const auto& m = bundle.manifest();
    const int images = std::max(8, std::min(o.images, 64));
    std::vector<float> pixels(static_cast<size_t>(images) * 3 * m.inputSize * m.inputSize);
    std::mt19937 rng(7);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (auto& v : pixels) v = normal(rng);
    auto throughput = [&]() {
        (void)bundle.encodeImages(pixels.data(), std::min<std::int64_t>(bundle.batchSize(), images));  // warm-up
        const auto start = Clock::now();
        (void)bundle.encodeImages(pixels.data(), images);
        return images / secondsSince(start);
    };
    std::printf("image encoder (%s, %d images): %.1f images/s on %s\n", m.name.c_str(), images, throughput(),
                o.device.c_str());
    if (o.busyCore && o.device == "cpu") {
        std::printf("with one core kept busy by another process:\n");
        const BusyCore busy;
        for (const int requested : {0, 1, hardwareThreads()}) {
            configureRuntime(o.device, requested);
            const int t = encoderThreads();
            std::printf("  %s: %d thread%s, %.1f images/s\n", requested ? "--threads" : "default", t, t == 1 ? "" : "s",
                        throughput());
        }
        configureRuntime(o.device, o.threads);
    }
    return 0;
}


// One D x D masked layer's weight and AdamW moments, as the step keeps them.
struct LayerState {
    std::vector<float> w, m, v;
};

int runProducts(const Options& o) {
    const auto info = configureRuntime("cpu", 1);
    printRuntime(o, info);
    if (!detail::ownProductsAvailable()) {
        std::printf("this CPU has no AVX-512 (or FMC_CPU_PRODUCTS=blas): the step runs BLAS's products, not these\n");
        return 0;
    }
    const std::int64_t d = o.dim, batch = FedMedClipOptions{}.batchSize;
    // FAM fc1, fc2 and the MLP's three hidden layers are D x D at ViT-B/32's D = hidden = 512.
    const int streamedLayers = 5 * o.sites;
    std::mt19937 rng(23);
    std::normal_distribution<float> normal(0.0f, 0.02f);
    std::vector<LayerState> layers(static_cast<size_t>(streamedLayers));
    for (auto& l : layers) {
        l.w.resize(static_cast<size_t>(d * d));
        for (auto& x : l.w) x = normal(rng);
        l.m.assign(l.w.size(), 1e-4f);
        l.v.assign(l.w.size(), 1e-6f);
    }
    std::vector<float> x(static_cast<size_t>(batch * d)), kept(static_cast<size_t>(batch * d)),
        keptT(static_cast<size_t>(d * batch)), product(static_cast<size_t>(d * batch)),
        gradInput(static_cast<size_t>(batch * d)), rowScale(static_cast<size_t>(d), 1e-5f),
        rowKept(static_cast<size_t>(d), 1.0f), scores(static_cast<size_t>(d)), gradWeight(static_cast<size_t>(d * d));
    for (auto& value : x) value = normal(rng);
    for (auto& value : kept) value = normal(rng);
    detail::transpose(kept.data(), batch, d, d, keptT.data(), batch);
    std::vector<float> packedBatch(static_cast<size_t>(detail::packedBatchSize(batch, d))),
        strips(static_cast<size_t>(detail::columnStripsSize(batch, d)));
    detail::packBatchColumns(x.data(), batch, d, packedBatch.data());
    detail::packColumnStrips(x.data(), batch, d, strips.data());
    std::vector<std::int64_t> keptRows(static_cast<size_t>(d));
    for (std::int64_t r = 0; r < d; ++r) keptRows[size_t(r)] = r;
    const detail::WeightGradient gradient{keptT.data(), strips.data(), batch, d, rowScale.data(), rowKept.data()};
    // AdamW's scalars at step 10 of lr 1e-4, weight decay 0.01 (their values do not change the time).
    const detail::AdamWScalars adam{1 - 1e-6f, 0.9f, 0.1f, 0.999f, 0.001f, std::sqrt(1 - std::pow(0.999f, 10.0f)),
                                    1e-8f, -1e-4f / (1 - std::pow(0.9f, 10.0f))};

    // Seconds per call of f(layer) over `count` layers in turn (at least 0.3 s, after a pass).
    auto secondsPerCall = [&](int count, const auto& f) {
        for (int l = 0; l < count; ++l) f(layers[size_t(l)]);
        std::int64_t calls = 0;
        const auto start = Clock::now();
        double elapsed = 0;
        do {
            for (int l = 0; l < count; ++l) f(layers[size_t(l)]);
            calls += count;
            elapsed = secondsSince(start);
        } while (elapsed < 0.3);
        return elapsed / static_cast<double>(calls);
    };
    const double flops = 2.0 * static_cast<double>(d * d * batch);
    const double stateBytes = 3.0 * 4 * static_cast<double>(d * d);  // w, m, v
    struct Row {
        const char* name;
        bool product;         // its GFLOP/s are printed (2 D^2 B per call)
        double bytesPerCall;  // what the call must read and write of the layer's state
        std::function<void(LayerState&)> call;
    };
    const std::vector<Row> rowsToTime = {
        {"forward W x^T", true, 4.0 * static_cast<double>(d * d),
         [&](LayerState& l) { detail::productWeightInput(l.w.data(), d, packedBatch.data(), batch, product.data(), 0, d); }},
        {"input gradient (g m) W", true, 4.0 * static_cast<double>(d * d),
         [&](LayerState& l) {
             detail::productInputGradient(kept.data(), batch, l.w.data(), d, d, keptRows.data(), d, gradInput.data(), 0, d);
         }},
        {"weight gradient, written out", true, 8.0 * static_cast<double>(d * d),
         [&](LayerState& l) { detail::weightGradient(gradient, l.w.data(), gradWeight.data(), 0, d); }},
        {"weight gradient + AdamW in its tiles", true, 2 * stateBytes,
         [&](LayerState& l) {
             detail::weightGradientAdamW(gradient, l.w.data(), l.m.data(), l.v.data(), adam, scores.data(), 0, d);
         }},
        {"AdamW alone (gradient in cache)", false, 2 * stateBytes,
         [&](LayerState& l) { detail::adamwUpdate(l.w.data(), gradWeight.data(), l.m.data(), l.v.data(), d * d, adam); }},
        // The least any step can do to the state: read and write each of w, m and v once (as
        // copies among them: the values no longer matter, this row runs last).
        {"w -> m -> v -> w copies (memcpy)", false, 2 * stateBytes,
         [&](LayerState& l) {
             const size_t bytes = l.w.size() * sizeof(float);
             std::memcpy(l.m.data(), l.w.data(), bytes);
             std::memcpy(l.v.data(), l.m.data(), bytes);
             std::memcpy(l.w.data(), l.v.data(), bytes);
         }},
    };
    double gemm = 0;
    {
        const ScopedComputeThreads scoped(1);
        gemm = measureGemmGflops("cpu", 512, 0.5);
    }
    std::printf("one %lld x %lld masked layer, batch %lld, 1 thread (AVX-512 tiles); machine GEMM %.1f GFLOP/s (512^3 "
                "SGEMM, 1 thread, this run)\n",
                static_cast<long long>(d), static_cast<long long>(d), static_cast<long long>(batch), gemm);
    char cachedHeading[64], streamedHeading[96];
    std::snprintf(cachedHeading, sizeof cachedHeading, "one layer over and over (%.0f MB)", stateBytes / 1e6);
    std::snprintf(streamedHeading, sizeof streamedHeading, "%d layers in turn (%.0f MB, %d sites' D x D layers)",
                  streamedLayers, streamedLayers * stateBytes / 1e6, o.sites);
    std::printf("  %-38s %-39s %s\n", "", cachedHeading, streamedHeading);
    for (const auto& row : rowsToTime) {
        const double cached = secondsPerCall(1, row.call), streamed = secondsPerCall(streamedLayers, row.call);
        auto cell = [&](double seconds) {
            char text[96];
            if (row.product)
                std::snprintf(text, sizeof text, "%6.1f GFLOP/s (%3.0f%% of GEMM) %5.1f GB/s", flops / seconds / 1e9,
                              100 * flops / seconds / 1e9 / gemm, row.bytesPerCall / seconds / 1e9);
            else
                std::snprintf(text, sizeof text, "%31.1f GB/s", row.bytesPerCall / seconds / 1e9);
            return std::string(text);
        };
        std::printf("  %-38s %-39s %s\n", row.name, cell(cached).c_str(), cell(streamed).c_str());
    }
    std::printf("  (GFLOP/s of 2 D^2 B per product and its share of the GEMM rate; GB/s of the layer's state that each row\n"
                "   must read and write: w for a product, w, m and v for AdamW and the copies, which bound them)\n");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    ensurePassiveThreadWaiting(argv);
    const auto options = parse(argc, argv);
    try {
        if (options.command == "load") return runLoad(options);
        if (options.command == "products") return runProducts(options);
        return options.command == "encode" ? runEncode(options) : runRound(options);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "fedmedclip-engine-bench: error: %s\n", error.what());
        return 1;
    }
}
