#pragma once
// A procedural, deterministic DEMO image set for offline demos of FedMedCLIP Desktop.
//
// The pictures are synthetic drawings that only look vaguely like dermoscopy photos of skin
// lesions. They are NOT medical images and carry no medical meaning; every class name starts
// with "demo", each image has a small "DEMO" mark, and the generated folder holds a README.txt
// saying so.
//
// What the generator guarantees:
//  * Classes differ visibly by shape, colour and texture (with the default 4 classes):
//      0 round, smooth, uniformly brown blob
//      1 large irregular, asymmetric blob with several colours (black, brown, blue-grey, red)
//      2 scaly, rough, light-brown/grey patch with cracks and bright dots
//      3 cluster of red / purple round dots ("lacunae")
//    More classes reuse these four patterns with a different hue, so they stay separable.
//    Size, position, rotation, skin tone, hairs and noise vary randomly per image.
//  * Each site looks like a different dermatoscope: its own colour cast, contrast, brightness,
//    sharpness, noise level and (for some) a dark circular vignette.
//  * Each site has its own class proportions (label skew): labelSkew = 0 gives equal counts,
//    1 gives strongly unbalanced ones; every class has at least min(3, imagesPerSite/classes)
//    images (at least 1) at every site.
//  * Deterministic: the same spec (seed included) gives byte-identical files on the same
//    platform. Each image has its own generator seeded from (seed, site, class, index), using
//    std::mt19937 with our own mapping to floats (no std:: distributions).
#include <cstdint>
#include <string>
#include <vector>

#include "common/types.h"

namespace fmc {

struct DemoDatasetSpec {
    int sites = 3;
    int imagesPerSite = 120;
    int imageSize = 96;
    std::uint32_t seed = 7;
    std::vector<std::string> classNames{"demo nevus", "demo melanoma", "demo keratosis", "demo vascular lesion"};
    double labelSkew = 0.5;  // 0..1
};

struct DemoDatasetSummary {
    std::string rootDir;
    std::vector<std::string> siteNames;                  // folder names: "demo-site-1", ...
    std::vector<std::vector<int>> countsPerSiteAndClass;  // [site][class]
};

// Writes <root>/<site>/<class>/<n>.png (n = 0 .. count-1 per site and class), plus
// <root>/README.txt saying it is synthetic demo data, not medical images, and
// <root>/labels.csv with the header "path,label,site" (path relative to root, '/' separated).
// rootDir is created if needed and must be empty or absent (nothing is ever overwritten).
// Throws fmc::Error naming the field (DemoDatasetSpec.*) or the path at fault.
DemoDatasetSummary generateDemoDataset(const std::string& rootDir, const DemoDatasetSpec& spec = {});

// The class counts generateDemoDataset would produce, without writing anything.
std::vector<std::vector<int>> demoDatasetClassCounts(const DemoDatasetSpec& spec = {});

}  // namespace fmc
