#pragma once
// What the history of a workspace needs beyond its rounds: which run a federation's rounds
// go into (one federation is one run, across cancels, quits and restarts), and where a run
// was interrupted. Kept in <workspace>/run-journal.json, written atomically; safe to use
// from any thread (one lock for every journal of the process).
#include <QDateTime>
#include <QList>
#include <QString>

namespace fmc::ui {

class WorkspaceService;
struct TrainingRun;

struct RunInterruption {
    enum class Reason { Cancelled, Failed, Stopped };  // Stopped: the app was closed or stopped while it ran
    Reason reason = Reason::Cancelled;
    int afterRound = 0;  // the last round recorded before it
    QDateTime at;        // local time
};

class RunJournal {
public:
    explicit RunJournal(const QString& workspaceRoot);

    QString path() const { return path_; }

    // The run a federation's rounds are recorded in ("" when none yet).
    QString federationRun(const QString& federationId) const;
    void setFederationRun(const QString& federationId, const QString& runId);

    // A run is open from its first round until it finishes or is interrupted; a run still
    // open when it is resumed was stopped without a word (the app closed, a crash).
    void markOpen(const QString& runId, bool open);
    bool isOpen(const QString& runId) const;

    void addInterruption(const QString& runId, const RunInterruption& interruption);
    QList<RunInterruption> interruptions(const QString& runId) const;

private:
    QString path_;
};

// The run a federation's rounds go into: the one it already has in this workspace (marked
// Stopped after its last round when it was left open), or `newRun` added now.
QString runForFederation(WorkspaceService& workspace, const QString& federationId, const TrainingRun& newRun);

// "cancelled after round 3 (1 Dec, 21:10)", in the app's language.
QString interruptionText(const RunInterruption& interruption);

}  // namespace fmc::ui
