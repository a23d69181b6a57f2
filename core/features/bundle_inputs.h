#pragma once
// What a bundle's encoders are fed: images preprocessed the bundle's way, class prompts
// from the federation's template. One definition for the simulator, the site workspace,
// the federation site agent and the desktop app.
#include "engine/model_bundle.h"
#include "imaging/image_loader.h"

#include <string>

namespace fmc {

// The bundle's own preprocessing (input size, mean/std, resize mode).
Preprocessing preprocessingFor(const BundleManifest& manifest);

// "a picture of a {}" + "nevus" -> "a picture of a nevus"; a template without "{}" gets the
// class name appended after a space.
std::string classPrompt(const std::string& promptTemplate, const std::string& className);

}  // namespace fmc
