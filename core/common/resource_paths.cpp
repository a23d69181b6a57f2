#include "common/resource_paths.h"

#include "common/types.h"

#include <cstdlib>
#include <filesystem>
#include <vector>

namespace fs = std::filesystem;

namespace fmc {

std::string findResourceFile(const std::string& relativePath) {
    std::vector<fs::path> roots;
    if (const char* overridden = std::getenv("FMC_RESOURCE_DIR")) roots.emplace_back(overridden);
    std::error_code error;
    const auto executable = fs::read_symlink("/proc/self/exe", error);
    if (!error) roots.push_back(executable.parent_path() / ".." / "share" / "fedmedclip");
    std::string searched;
    for (const auto& root : roots) {
        const auto candidate = root / relativePath;
        if (fs::is_regular_file(candidate)) return fs::weakly_canonical(candidate).string();
        searched += (searched.empty() ? "" : ", ") + root.lexically_normal().string();
    }
    throw Error("resource not found: " + relativePath + " (searched " + searched + "; set FMC_RESOURCE_DIR)");
}

std::string clipVocabularyPath() { return findResourceFile("clip/bpe_simple_vocab_16e6.txt.gz"); }

}  // namespace fmc
