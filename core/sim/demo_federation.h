#pragma once
// The offline demo: a random-weight demo bundle and procedural demo images, made on the
// spot (once) under a work folder, and the simulation settings that run them.
// Everything it produces says DEMO: nothing here is a medical model or medical data.
#include "sim/simulator.h"

#include <string>

namespace fmc {

struct DemoFederation {
    SimulationConfig config;
    std::string bundleDir;
    std::string dataDir;
};

// Creates <workDir>/bundle-demo-tiny and <workDir>/demo-images if they are missing
// (4 demo sites; the 4th is held out as the unseen site) and returns the settings.
DemoFederation prepareDemoFederation(const std::string& workDir, const std::string& vocabularyPath, int rounds = 50);

}  // namespace fmc
