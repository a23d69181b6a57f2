#pragma once
// Labelled image lists for simulated federations: the paper's folder layouts, CSV files
// with chosen columns, Dirichlet label-skew partitions and per-site train/val/test splits.
#include "common/types.h"

#include <cstdint>
#include <string>
#include <vector>

namespace fmc {

struct ImageRecord {
    std::string path;
    int label = -1;
    std::string site;  // empty: unknown site (may serve as the unseen global site)
};

struct ImageDataset {
    std::vector<std::string> classNames;
    std::vector<ImageRecord> records;
    std::vector<std::string> skipped;  // "path: reason" for files that are not images

    std::vector<std::string> siteNames() const;  // sorted, unique, without the empty site
};

// <root>/<site>/<class>/<image>: one folder per site, one sub-folder per class.
ImageDataset loadSiteFolders(const std::string& root);
// <root>/<class>/<image>, with no site attribute.
ImageDataset loadClassFolders(const std::string& root);

struct CsvColumns {
    std::string path = "path";
    std::string label = "label";
    std::string site = "site";  // empty: no site column
};
// Paths in the CSV are relative to the CSV's folder unless absolute.
ImageDataset loadCsv(const std::string& csvPath, const CsvColumns& columns = {});

// Assigns every record to one of `sites` sites with per-class site proportions drawn from
// Dirichlet(alpha): small alpha, strong label skew. Names the sites "site1".."siteK".
void partitionDirichlet(ImageDataset& dataset, int sites, double alpha, std::uint64_t seed);

struct SiteSplit {
    std::string site;
    std::vector<int> train, validation, test;  // indices into ImageDataset::records
};

// Per site, a stratified 60/20/20 split with a fixed seed (a class with at least 3 images
// at a site has at least one in each part).
std::vector<SiteSplit> splitSites(const ImageDataset& dataset, const std::vector<std::string>& sites,
                                  std::uint64_t seed, double trainShare = 0.6, double validationShare = 0.2);
// Every image of one site, e.g. the unseen global site, as a test set.
std::vector<int> recordsOfSite(const ImageDataset& dataset, const std::string& site);

// Throws fmc::Error naming the empty class or site.
void requireUsable(const ImageDataset& dataset, const std::vector<std::string>& sites);

}  // namespace fmc
