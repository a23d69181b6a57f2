#include "engine/runtime.h"

#include "common/types.h"

#include <torch/torch.h>

#include <dlfcn.h>

#include <chrono>
#include <algorithm>
#include <atomic>
#include <climits>
#include <ctime>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace fmc {
namespace {

// The BLAS actually mapped into the process: Debian's LibTorch links libblas.so.3, which
// the alternatives system points at OpenBLAS or at the reference implementation.
std::string loadedBlasLibrary() {
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line)) {
        const auto slash = line.find('/');
        if (slash == std::string::npos) continue;
        const std::string path = line.substr(slash);
        if (path.find("blas") == std::string::npos && path.find("mkl") == std::string::npos) continue;
        char resolved[PATH_MAX];
        return realpath(path.c_str(), resolved) ? std::string(resolved) : path;
    }
    return {};
}

// OpenBLAS's kernel set for this CPU ("Haswell", "SkylakeX", ...), empty without OpenBLAS.
std::string loadedBlasKernels() {
    using CoreName = char* (*)();
    const auto coreName = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
    const char* name = coreName ? coreName() : nullptr;
    return name ? name : "";
}

// configureRuntime's explicit thread count (0: the engine chooses) and the reserved cores.
std::atomic<int> explicitThreads{0};
std::atomic<int> reservedCores{0};

}  // namespace

int chooseComputeThreads(ComputeWork work, int hardware, int busy, int reserved, int requested) {
    if (requested > 0) return requested;
    if (work == ComputeWork::FeatureSpace) return 1;
    return std::max(1, hardware - std::max(0, busy) - std::max(0, reserved));
}

int hardwareThreads() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

int busyElsewhere() {
    std::ifstream loadavg("/proc/loadavg");
    double one = 0, five = 0, fifteen = 0;
    char slash = 0;
    int runnable = 0, total = 0;
    if (!(loadavg >> one >> five >> fifteen >> runnable >> slash >> total)) return 0;
    return std::max(0, runnable - 1);
}

std::string loadAverageText() {
    std::ifstream loadavg("/proc/loadavg");
    std::string one, five, fifteen;
    if (!(loadavg >> one >> five >> fifteen)) return {};
    return one + " " + five + " " + fifteen;
}

int computeThreads(ComputeWork work) {
    const int requested = explicitThreads.load();
    if (requested > 0 || work == ComputeWork::FeatureSpace)
        return chooseComputeThreads(work, 0, 0, 0, requested);
    // Decided once per process: the encoders' results differ in the last bits with the thread
    // count, and an image's features must not depend on the machine's load at that moment.
    static const int encoderThreads =
        chooseComputeThreads(work, hardwareThreads(), busyElsewhere(), reservedCores.load(), 0);
    return encoderThreads;
}

void reserveCoresForInteractiveUse(int cores) { reservedCores = std::max(0, cores); }

RuntimeInfo configureRuntime(const std::string& preference, int threads) {
    RuntimeInfo info;
    info.cudaAvailable = torch::cuda::is_available();
    if (preference == "cuda" && !info.cudaAvailable)
        throw Error("device: CUDA was requested but LibTorch sees no GPU (is this a CUDA build of LibTorch?)");
    if (preference != "auto" && preference != "cpu" && preference != "cuda")
        throw Error("device: '" + preference + "' is not one of auto, cpu, cuda");
    info.device = (preference == "cuda" || (preference == "auto" && info.cudaAvailable)) ? "cuda" : "cpu";
    explicitThreads = std::max(0, threads);
    info.threads = computeThreads(ComputeWork::Encoder);
    torch::set_num_threads(info.threads);
    {
        // Touch a matrix product so the BLAS library is mapped before we look for it.
        torch::NoGradGuard noGrad;
        (void)torch::mm(torch::ones({8, 8}), torch::ones({8, 8})).sum().item<float>();
    }
    info.blasLibrary = loadedBlasLibrary();
    info.blasKernels = loadedBlasKernels();
    info.referenceBlas = info.blasLibrary.find("openblas") == std::string::npos &&
                         info.blasLibrary.find("mkl") == std::string::npos &&
                         info.blasLibrary.find("blis") == std::string::npos;
    return info;
}

ScopedComputeThreads::ScopedComputeThreads(int threads) : previous_(torch::get_num_threads()) {
    if (threads > 0 && threads != previous_) torch::set_num_threads(threads);
}

ScopedComputeThreads::~ScopedComputeThreads() {
    if (torch::get_num_threads() != previous_) torch::set_num_threads(previous_);
}

double measureGemmGflops(const std::string& device, int n, double minSeconds, double* perCpuSecond) {
    torch::NoGradGuard noGrad;
    const auto options = torch::TensorOptions().device(torch::Device(device));
    const auto a = torch::randn({n, n}, options);
    const auto b = torch::randn({n, n}, options);
    (void)torch::mm(a, b)[0][0].item<float>();  // warm-up
    auto cpuSeconds = [] {
        timespec t{};
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
    };
    int repetitions = 0;
    const double cpuStart = cpuSeconds();
    const auto start = std::chrono::steady_clock::now();
    double elapsed = 0;
    do {
        (void)torch::mm(a, b)[0][0].item<float>();  // waits for the product (a GPU runs asynchronously)
        ++repetitions;
        elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    } while (elapsed < minSeconds);
    const double flops = 2.0 * n * n * static_cast<double>(n) * repetitions;
    if (perCpuSecond) *perCpuSecond = flops / std::max(1e-9, cpuSeconds() - cpuStart) / 1e9;
    return flops / elapsed / 1e9;
}

long long peakResidentBytes() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmHWM:", 0) == 0) {
            std::istringstream fields(line.substr(6));
            long long kilobytes = 0;
            fields >> kilobytes;
            return kilobytes * 1024;
        }
    return 0;
}

}  // namespace fmc
