#pragma once
// Where the project's read-only resources (CLIP vocabulary, ...) are found at run time:
// $FMC_RESOURCE_DIR, else <executable dir>/../share/fedmedclip. The build tree mirrors the
// installed layout (bin/ and share/fedmedclip/), so no build path is baked into a binary.
#include <string>

namespace fmc {

// Throws fmc::Error naming the resource and the folders searched.
std::string findResourceFile(const std::string& relativePath);

// The CLIP BPE vocabulary shipped with the project.
std::string clipVocabularyPath();

}  // namespace fmc
