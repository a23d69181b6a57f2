#include "engine/runtime.h"

#include "common/types.h"

#include <torch/torch.h>

#include <chrono>
#include <climits>
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

}  // namespace

RuntimeInfo configureRuntime(const std::string& preference, int threads) {
    RuntimeInfo info;
    info.cudaAvailable = torch::cuda::is_available();
    if (preference == "cuda" && !info.cudaAvailable)
        throw Error("device: CUDA was requested but LibTorch sees no GPU (is this a CUDA build of LibTorch?)");
    if (preference != "auto" && preference != "cpu" && preference != "cuda")
        throw Error("device: '" + preference + "' is not one of auto, cpu, cuda");
    info.device = (preference == "cuda" || (preference == "auto" && info.cudaAvailable)) ? "cuda" : "cpu";
    const int hardware = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    info.threads = threads > 0 ? threads : hardware;
    torch::set_num_threads(info.threads);
    {
        // Touch a matrix product so the BLAS library is mapped before we look for it.
        torch::NoGradGuard noGrad;
        (void)torch::mm(torch::ones({8, 8}), torch::ones({8, 8})).sum().item<float>();
    }
    info.blasLibrary = loadedBlasLibrary();
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

double measureCpuGemmGflops(int n, double minSeconds) {
    torch::NoGradGuard noGrad;
    const auto a = torch::randn({n, n});
    const auto b = torch::randn({n, n});
    (void)torch::mm(a, b);  // warm-up
    int repetitions = 0;
    const auto start = std::chrono::steady_clock::now();
    double elapsed = 0;
    do {
        auto c = torch::mm(a, b);
        (void)c.data_ptr<float>();
        ++repetitions;
        elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    } while (elapsed < minSeconds);
    return 2.0 * n * n * static_cast<double>(n) * repetitions / elapsed / 1e9;
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
