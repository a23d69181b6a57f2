#include "workspace/run_journal.h"

#include "workspace/workspace_service.h"

#include <QCoreApplication>
#include <QLocale>

namespace fmc::ui {
namespace {

class RunJournalText {
    Q_DECLARE_TR_FUNCTIONS(RunJournal)
};

}  // namespace

QString runForFederation(WorkspaceService& workspace, const QString& federationId, const TrainingRun& newRun) {
    const auto known = workspace.federationRun(federationId);
    if (!known.isEmpty()) {
        workspace.resumeRun(known);
        return known;
    }
    const auto id = workspace.addRun(newRun);
    workspace.setFederationRun(federationId, id);
    return id;
}

QString interruptionText(const RunInterruption& interruption) {
    const auto when = interruption.at.isValid() ? QLocale().toString(interruption.at, QLocale::ShortFormat) : QString();
    QString what;
    switch (interruption.reason) {
    case RunInterruption::Reason::Cancelled:
        what = RunJournalText::tr("cancelled after round %1").arg(interruption.afterRound);
        break;
    case RunInterruption::Reason::Failed: what = RunJournalText::tr("stopped by an error after round %1").arg(interruption.afterRound); break;
    case RunInterruption::Reason::Stopped:
        what = RunJournalText::tr("interrupted after round %1 (the app was closed)").arg(interruption.afterRound);
        break;
    }
    return when.isEmpty() ? what : RunJournalText::tr("%1 (%2)").arg(what, when);
}

}  // namespace fmc::ui
