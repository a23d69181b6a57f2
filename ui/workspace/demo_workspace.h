#pragma once
// The ready-made demo: a random-weight demo bundle, synthetic demo images of four demo
// sites (fmc::prepareDemoFederation), a workspace holding demo-site-1's images, and a
// finished demo federation with demo-sites 2 and 3 run on this computer, so that every page
// has something to show within minutes. Everything it makes says DEMO: no medical model,
// no medical images.
//
//   <workDir>/federation/   bundle-demo-tiny/, demo-images/, feature-cache/
//   <workDir>/demo-site-1/  the demo site's workspace
#include <QString>

namespace fmc::ui {

class TaskContext;

struct DemoWorkspaceOptions {
    int federatedRounds = 30;
    int localRounds = 15;
};

// Reuses a finished demo workspace; rebuilds one left unfinished (e.g. by a crash or a
// cancel). Returns the workspace folder. Throws fmc::Error naming what failed.
QString prepareDemoWorkspace(const QString& workDir, const QString& vocabularyPath, const DemoWorkspaceOptions& options,
                             TaskContext& context);

// True when `workspaceDir` is a demo workspace with its federation finished.
bool isFinishedDemoWorkspace(const QString& workspaceDir);

}  // namespace fmc::ui
