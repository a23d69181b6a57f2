#pragma once
// Checks a model bundle folder without loading the models: the manifest parses, every file
// is there with its SHA-256, and the bundle hash follows from them. Quick enough for a
// wizard page even for a ViT-B/32 bundle (hashing ~600 MB takes a few seconds).
#include "engine/model_bundle.h"

#include <QString>

namespace fmc::ui {

// Throws fmc::Error naming the file at fault.
BundleManifest verifyBundleFiles(const QString& directory);

}  // namespace fmc::ui
