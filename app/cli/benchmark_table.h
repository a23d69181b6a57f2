#pragma once
// The reproduction benchmark's table: every method's simulation result side by side, and
// the ratios measured in the same run (FedMedCLIP against FedAVG; codec against codec).
#include <string>
#include <vector>

namespace fmc {

struct BenchmarkDescription {
    std::string machine;  // e.g. "2 cores, OpenBLAS"
    std::string bundle;
    std::string data;
    int projectedRounds = 50;  // end-to-end comparison horizon
};

// Reads each method's result JSON (written by writeResultFiles), writes <prefix>.md,
// <prefix>.csv and <prefix>.json, and returns the Markdown.
std::string writeBenchmarkTables(const std::vector<std::string>& resultJsonPaths, const BenchmarkDescription& description,
                                 const std::string& outputPrefix);

}  // namespace fmc
