#pragma once
// Where the engine computes: CUDA when LibTorch sees a GPU, otherwise the CPU, with as many
// threads as the kind of work and the machine's load call for; which BLAS LibTorch really
// runs on (reference BLAS is ~25x slower).
#include <string>

namespace fmc {

struct RuntimeInfo {
    std::string device;       // "cpu" or "cuda"
    bool cudaAvailable = false;
    int threads = 0;          // LibTorch intra-op threads
    std::string blasLibrary;  // resolved path of the BLAS loaded into this process
    std::string blasKernels;  // OpenBLAS's kernel set (openblas_get_corename), empty for another BLAS
    bool referenceBlas = false;
};

// preference: "auto", "cpu" or "cuda". threads > 0 fixes LibTorch's intra-op threads for
// all work; threads <= 0 leaves the choice to the engine (chooseComputeThreads, decided
// afresh for each piece of work). Throws fmc::Error when "cuda" is asked for and no GPU is
// visible.
RuntimeInfo configureRuntime(const std::string& preference = "auto", int threads = 0);

enum class ComputeWork {
    FeatureSpace,  // FAM / MLP training and prediction on cached features (32 x 512 products)
    Encoder        // the frozen image and text encoders (large products)
};

// The thread count for `work` (a pure function). `requested` > 0 wins. Feature-space work
// runs on one thread: its products are so small that a second thread saves less than it
// costs to wake, and with a core taken by another process every parallel region waits for
// a descheduled thread. Encoders use the cores that are free: the hardware threads minus
// those other processes keep busy minus `reservedCores` (the desktop app keeps one for its
// GUI), at least one.
int chooseComputeThreads(ComputeWork work, int hardwareThreads, int busyElsewhere, int reservedCores, int requested);

// The threads the engine uses now for `work`: chooseComputeThreads with this machine's
// hardware threads, the runnable tasks of other processes (/proc/loadavg, sampled at the
// process's first encoder use and kept, so features do not depend on the load of the moment),
// the reserved cores and configureRuntime's explicit count.
int computeThreads(ComputeWork work);
inline int featureSpaceThreads() { return computeThreads(ComputeWork::FeatureSpace); }
inline int encoderThreads() { return computeThreads(ComputeWork::Encoder); }

// Cores the engine leaves to interactive work (the desktop app: 1 for its GUI thread).
void reserveCoresForInteractiveUse(int cores);

int hardwareThreads();
// Tasks running or runnable right now besides this one (the 4th field of /proc/loadavg
// counts every runnable thread of the machine, this one included); 0 where unknown.
int busyElsewhere();
std::string loadAverageText();  // "1.37 1.78 1.16", empty where unknown

// Sets LibTorch's intra-op threads for a scope and restores them after (threads <= 0: leaves
// them as they are).
class ScopedComputeThreads {
public:
    explicit ScopedComputeThreads(int threads);
    ~ScopedComputeThreads();
    ScopedComputeThreads(const ScopedComputeThreads&) = delete;
    ScopedComputeThreads& operator=(const ScopedComputeThreads&) = delete;

private:
    int previous_;
};

// Measured single-precision GEMM throughput of LibTorch (n x n matrices) on `device`, at the
// current intra-op thread count, in wall-clock time; `perCpuSecond`, when given, receives the
// rate per second of this process's CPU time (the steadier figure on a loaded machine).
double measureGemmGflops(const std::string& device = "cpu", int n = 1024, double minSeconds = 1.0,
                         double* perCpuSecond = nullptr);

// Peak resident set size of this process in bytes (VmHWM), 0 where unknown.
long long peakResidentBytes();

}  // namespace fmc
