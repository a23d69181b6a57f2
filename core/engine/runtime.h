#pragma once
// Where the engine computes: CUDA when LibTorch sees a GPU, otherwise the CPU with one
// thread per core; which BLAS LibTorch really runs on (reference BLAS is ~25x slower).
#include <string>

namespace fmc {

struct RuntimeInfo {
    std::string device;       // "cpu" or "cuda"
    bool cudaAvailable = false;
    int threads = 0;          // LibTorch intra-op threads
    std::string blasLibrary;  // resolved path of the BLAS loaded into this process
    bool referenceBlas = false;
};

// preference: "auto", "cpu" or "cuda". threads <= 0: one per hardware thread.
// Throws fmc::Error when "cuda" is asked for and no GPU is visible.
RuntimeInfo configureRuntime(const std::string& preference = "auto", int threads = 0);

// Sets LibTorch's intra-op threads for a scope and restores them after. The feature-space
// models are so small that one thread beats several (threads only spin and wait), while the
// encoders want every core.
class ScopedComputeThreads {
public:
    explicit ScopedComputeThreads(int threads);
    ~ScopedComputeThreads();
    ScopedComputeThreads(const ScopedComputeThreads&) = delete;
    ScopedComputeThreads& operator=(const ScopedComputeThreads&) = delete;

private:
    int previous_;
};

// Measured single-precision GEMM throughput of LibTorch on the CPU (n x n matrices).
double measureCpuGemmGflops(int n = 1024, double minSeconds = 1.0);

// Peak resident set size of this process in bytes (VmHWM), 0 where unknown.
long long peakResidentBytes();

}  // namespace fmc
