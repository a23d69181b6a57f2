#include "imaging/dataset.h"

#include "common/csv.h"
#include "common/types.h"
#include "imaging/image_loader.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <random>
#include <set>

namespace fs = std::filesystem;

namespace fmc {
namespace {

std::vector<fs::path> sortedChildren(const fs::path& dir, bool directories) {
    std::vector<fs::path> children;
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.is_directory() == directories && entry.path().filename().string().front() != '.')
            children.push_back(entry.path());
    std::sort(children.begin(), children.end());
    return children;
}

int classIndex(ImageDataset& dataset, const std::string& name) {
    auto it = std::find(dataset.classNames.begin(), dataset.classNames.end(), name);
    if (it != dataset.classNames.end()) return static_cast<int>(it - dataset.classNames.begin());
    dataset.classNames.push_back(name);
    return static_cast<int>(dataset.classNames.size() - 1);
}

void addClassFolder(ImageDataset& dataset, const fs::path& classDir, const std::string& site) {
    const int label = classIndex(dataset, classDir.filename().string());
    for (const auto& entry : fs::recursive_directory_iterator(classDir)) {
        if (!entry.is_regular_file()) continue;
        const auto path = entry.path().string();
        if (looksLikeImageFile(path))
            dataset.records.push_back({path, label, site});
        else
            dataset.skipped.push_back(path + ": not an image file (extension)");
    }
}

// Sorted class names give the same label ids whatever order folders were listed in.
void sortClasses(ImageDataset& dataset) {
    std::vector<std::string> sorted = dataset.classNames;
    std::sort(sorted.begin(), sorted.end());
    std::vector<int> remap(dataset.classNames.size());
    for (size_t i = 0; i < dataset.classNames.size(); ++i)
        remap[i] = static_cast<int>(std::find(sorted.begin(), sorted.end(), dataset.classNames[i]) - sorted.begin());
    for (auto& record : dataset.records) record.label = remap[static_cast<size_t>(record.label)];
    dataset.classNames = sorted;
}

void requireFolder(const std::string& root) {
    if (!fs::is_directory(root)) throw Error("data folder not found: " + root);
}

}  // namespace

std::vector<std::string> ImageDataset::siteNames() const {
    std::set<std::string> names;
    for (const auto& record : records)
        if (!record.site.empty()) names.insert(record.site);
    return {names.begin(), names.end()};
}

ImageDataset loadSiteFolders(const std::string& root) {
    requireFolder(root);
    ImageDataset dataset;
    for (const auto& siteDir : sortedChildren(root, true))
        for (const auto& classDir : sortedChildren(siteDir, true))
            addClassFolder(dataset, classDir, siteDir.filename().string());
    sortClasses(dataset);
    return dataset;
}

ImageDataset loadClassFolders(const std::string& root) {
    requireFolder(root);
    ImageDataset dataset;
    for (const auto& classDir : sortedChildren(root, true)) addClassFolder(dataset, classDir, "");
    sortClasses(dataset);
    return dataset;
}

ImageDataset loadCsv(const std::string& csvPath, const CsvColumns& columns) {
    std::ifstream in(csvPath, std::ios::binary);
    if (!in) throw Error("cannot open CSV file " + csvPath);
    CsvReader reader(in);
    std::vector<std::string> header, fields;
    auto read = [&](std::vector<std::string>& into) {
        try {
            return reader.next(into);
        } catch (const Error& error) {
            throw Error(csvPath + ":" + std::to_string(reader.recordLine()) + ": " + error.what());
        }
    };
    if (!read(header)) throw Error(csvPath + ": empty CSV file");
    auto column = [&](const std::string& name) -> int {
        auto it = std::find(header.begin(), header.end(), name);
        if (it == header.end()) throw Error(csvPath + ": no column named '" + name + "'");
        return static_cast<int>(it - header.begin());
    };
    const int pathColumn = column(columns.path);
    const int labelColumn = column(columns.label);
    const int siteColumn = columns.site.empty() ? -1 : column(columns.site);
    const fs::path base = fs::path(csvPath).parent_path();

    ImageDataset dataset;
    while (read(fields)) {
        const auto lineNumber = std::to_string(reader.recordLine());
        if (fields.size() == 1 && fields[0].empty()) continue;  // blank line
        const int needed = std::max({pathColumn, labelColumn, siteColumn});
        if (static_cast<int>(fields.size()) <= needed) {
            dataset.skipped.push_back(csvPath + ":" + lineNumber + ": too few fields");
            continue;
        }
        const std::string& label = fields[static_cast<size_t>(labelColumn)];
        if (label.empty()) {
            dataset.skipped.push_back(csvPath + ":" + lineNumber + ": empty label");
            continue;
        }
        fs::path path = fields[static_cast<size_t>(pathColumn)];
        if (path.is_relative()) path = base / path;
        dataset.records.push_back({path.string(), classIndex(dataset, label),
                                   siteColumn >= 0 ? fields[static_cast<size_t>(siteColumn)] : ""});
    }
    sortClasses(dataset);
    return dataset;
}

void partitionDirichlet(ImageDataset& dataset, int sites, double alpha, std::uint64_t seed) {
    if (sites < 1) throw Error("number of sites must be at least 1");
    if (alpha <= 0) throw Error("Dirichlet alpha must be positive");
    std::mt19937_64 rng(seed);
    std::gamma_distribution<double> gamma(alpha, 1.0);
    for (int label = 0; label < static_cast<int>(dataset.classNames.size()); ++label) {
        std::vector<size_t> members;
        for (size_t i = 0; i < dataset.records.size(); ++i)
            if (dataset.records[i].label == label) members.push_back(i);
        std::shuffle(members.begin(), members.end(), rng);
        std::vector<double> share(static_cast<size_t>(sites));
        for (auto& s : share) s = gamma(rng) + 1e-12;
        const double total = std::accumulate(share.begin(), share.end(), 0.0);
        double cumulative = 0;
        size_t begin = 0;
        for (int s = 0; s < sites; ++s) {
            cumulative += share[static_cast<size_t>(s)] / total;
            const size_t end = s + 1 == sites ? members.size()
                                               : std::min(members.size(), static_cast<size_t>(cumulative * members.size() + 0.5));
            for (size_t i = begin; i < end; ++i) dataset.records[members[i]].site = "site" + std::to_string(s + 1);
            begin = end;
        }
    }
}

std::vector<SiteSplit> splitSites(const ImageDataset& dataset, const std::vector<std::string>& sites,
                                  std::uint64_t seed, double trainShare, double validationShare) {
    std::vector<SiteSplit> splits;
    for (size_t s = 0; s < sites.size(); ++s) {
        SiteSplit split{sites[s], {}, {}, {}};
        std::mt19937_64 rng(seed + 7919 * s);
        for (int label = 0; label < static_cast<int>(dataset.classNames.size()); ++label) {
            std::vector<int> members;
            for (size_t i = 0; i < dataset.records.size(); ++i)
                if (dataset.records[i].site == sites[s] && dataset.records[i].label == label)
                    members.push_back(static_cast<int>(i));
            std::shuffle(members.begin(), members.end(), rng);
            const int n = static_cast<int>(members.size());
            int validation = static_cast<int>(n * validationShare + 0.5);
            int test = static_cast<int>(n * (1 - trainShare - validationShare) + 0.5);
            if (n >= 3) {
                validation = std::max(validation, 1);
                test = std::max(test, 1);
            }
            const int train = std::max(0, n - validation - test);
            split.train.insert(split.train.end(), members.begin(), members.begin() + train);
            split.validation.insert(split.validation.end(), members.begin() + train, members.begin() + train + validation);
            split.test.insert(split.test.end(), members.begin() + train + validation, members.end());
        }
        splits.push_back(std::move(split));
    }
    return splits;
}

std::vector<int> recordsOfSite(const ImageDataset& dataset, const std::string& site) {
    std::vector<int> indices;
    for (size_t i = 0; i < dataset.records.size(); ++i)
        if (dataset.records[i].site == site) indices.push_back(static_cast<int>(i));
    return indices;
}

void requireUsable(const ImageDataset& dataset, const std::vector<std::string>& sites) {
    if (dataset.classNames.size() < 2)
        throw Error("the data set needs at least two classes, found " + std::to_string(dataset.classNames.size()));
    std::vector<int> perClass(dataset.classNames.size(), 0);
    for (const auto& record : dataset.records) ++perClass[static_cast<size_t>(record.label)];
    for (size_t c = 0; c < perClass.size(); ++c)
        if (perClass[c] == 0) throw Error("class '" + dataset.classNames[c] + "' has no images");
    for (const auto& site : sites)
        if (recordsOfSite(dataset, site).empty()) throw Error("site '" + site + "' has no images");
    if (sites.empty()) throw Error("the federation has no sites");
}

}  // namespace fmc
