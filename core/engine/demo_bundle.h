#pragma once
// Demo model bundles with RANDOM weights, built without Python: CLIP-shaped ViT image
// and text encoders written as TorchScript source, compiled and saved by LibTorch.
// They exercise the whole pipeline (preprocessing, caching, federation) offline; the
// features mean nothing. NOT FOR CLINICAL USE.
#include "engine/model_bundle.h"

#include <cstdint>
#include <string>

namespace fmc {

enum class DemoBundleShape {
    // Fast demo/test model: image 64x64, patch 16, width 128, 2 layers, 4 heads;
    // text width 128, 2 layers, 4 heads, vocab 49408, context 77; embedding 128.
    // About 28 MB on disk (mostly the 49408 x 128 token embedding).
    Tiny,
    // The ViT-B/32 shape of OpenAI CLIP: image 224, patch 32, width 768, 12 layers,
    // 12 heads; text width 512, 12 layers, 8 heads, vocab 49408, context 77;
    // embedding 512. About 600 MB on disk.
    VitB32,
};

std::string demoBundleName(DemoBundleShape shape);  // "fedmedclip-demo-tiny" / "fedmedclip-demo-vitb32-random"

// Writes <dir>/image_encoder.pt, text_encoder.pt, a copy of `vocabularyPath` (the CLIP
// BPE vocabulary, bpe_simple_vocab_16e6.txt.gz) and manifest.json; creates `dir` if
// needed and overwrites those four files. Weights come from a private generator seeded
// with `seed` (the global torch seed is untouched), so the same seed gives byte-identical
// files and the same bundle_hash. Returns the manifest written.
BundleManifest createDemoBundle(const std::string& dir, DemoBundleShape shape, const std::string& vocabularyPath,
                                std::uint64_t seed);

// Compiles TorchScript `source` (one or more `def ...(self, ...)` methods, no parameters)
// into a module of class `className` and saves it to `path`. For tests and tools that
// need hand-made encoders, e.g. ones with the wrong output shape.
void writeScriptModule(const std::string& path, const std::string& className, const std::string& source);

}  // namespace fmc
