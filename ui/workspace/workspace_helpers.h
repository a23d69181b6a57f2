#pragma once
// Small decisions several pages share about the open workspace.
#include "workspace/classifier_engine.h"

#include <QString>

namespace fmc::ui {

class WorkspaceService;

// The workspace's own bundle when it has one, otherwise the one chosen in Settings.
QString effectiveBundleDirectory(const WorkspaceService& workspace);
// The federation's prompt template once joined, otherwise the default.
QString effectivePromptTemplate(const WorkspaceService& workspace);
// What the Classify page loads: bundle, classes, prompt and the trained state's version
// (the state itself is read only when the model must be (re)loaded).
ClassifierConfig classifierConfigFor(const WorkspaceService& workspace);
// True when the bundle's manifest says demo (random weights); false when it cannot be read.
bool isDemoBundle(const QString& bundleDirectory);
// The CLIP BPE vocabulary shipped in resources/ (installed or in the source tree).
QString vocabularyPath();

}  // namespace fmc::ui
