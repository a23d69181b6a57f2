#include "features/bundle_inputs.h"

namespace fmc {

Preprocessing preprocessingFor(const BundleManifest& manifest) {
    Preprocessing prep;
    prep.inputSize = static_cast<int>(manifest.inputSize);
    for (int c = 0; c < 3; ++c) {
        prep.mean[c] = static_cast<float>(manifest.mean[c]);
        prep.std[c] = static_cast<float>(manifest.std[c]);
    }
    prep.mode = manifest.resizeMode == kResizeStretch ? ResizeMode::Stretch : ResizeMode::ShorterSideCenterCrop;
    return prep;
}

std::string classPrompt(const std::string& promptTemplate, const std::string& className) {
    auto prompt = promptTemplate;
    const auto at = prompt.find("{}");
    if (at == std::string::npos) return prompt + " " + className;
    return prompt.replace(at, 2, className);
}

}  // namespace fmc
