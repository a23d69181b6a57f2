#pragma once
// Applies the Settings' device and CPU threads to LibTorch and remembers what the machine
// offers (CUDA or not, which BLAS), for the Settings dialog and the status bar.
#include <QString>

namespace fmc::ui {

struct RuntimeStatus {
    QString device;  // what is used: "cpu" or "cuda"
    bool cudaAvailable = false;
    int threads = 0;
    bool referenceBlas = false;  // LibTorch on the slow reference BLAS
    QString warning;             // plain words, e.g. CUDA asked for but not present
};

// Reads AppSettings; never throws (falls back to the CPU with a warning).
RuntimeStatus applyRuntimeSettings();
const RuntimeStatus& currentRuntime();

}  // namespace fmc::ui
