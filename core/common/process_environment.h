#pragma once
// The process environment the maths runtimes read once, when they are loaded.
namespace fmc {

// Idle OpenMP (and so OpenBLAS) threads must sleep, not spin: on a shared workstation a
// spinning thread takes a core from the GUI, a PACS client or the other worker threads.
// libgomp reads OMP_WAIT_POLICY and GOMP_SPINCOUNT when it is loaded, before main(), so
// setting them later has no effect: when OMP_WAIT_POLICY is not set, this sets
// OMP_WAIT_POLICY=PASSIVE and GOMP_SPINCOUNT=0 and re-executes the program (/proc/self/exe,
// same arguments) so that they take effect; it returns when the policy is already set (by
// the user or by the re-executed start) and when re-executing fails. Call it first in main().
void ensurePassiveThreadWaiting(char** argv);

}  // namespace fmc
