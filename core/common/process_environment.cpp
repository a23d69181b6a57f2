#include "common/process_environment.h"

#include <cstdlib>
#include <unistd.h>

namespace fmc {

void ensurePassiveThreadWaiting(char** argv) {
    if (std::getenv("OMP_WAIT_POLICY")) return;
    setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    setenv("GOMP_SPINCOUNT", "0", 0);
    execv("/proc/self/exe", argv);
    // Re-executing failed (no /proc): the rest of the program still runs, its runtimes with
    // their default waiting.
}

}  // namespace fmc
