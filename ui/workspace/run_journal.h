#pragma once
// A run's journal beyond its rounds, kept in the site store: which run a federation's rounds
// go into (one federation is one run, across cancels, quits and restarts) and, in words,
// where a run was interrupted (WorkspaceService::interruptRun records it).
#include "workspace/workspace_types.h"

#include <QString>

namespace fmc::ui {

class WorkspaceService;

// The run a federation's rounds go into: the one it already has in this workspace, resumed
// (marked stopped after its last round when it was left running), or `newRun` added now.
QString runForFederation(WorkspaceService& workspace, const QString& federationId, const TrainingRun& newRun);

// "cancelled after round 3 (1 Dec, 21:10)", in the app's language.
QString interruptionText(const RunInterruption& interruption);

}  // namespace fmc::ui
