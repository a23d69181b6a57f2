#include "workspace/run_journal.h"

#include "workspace/workspace_service.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QMutex>
#include <QSaveFile>

namespace fmc::ui {
namespace {

class RunJournalText {
    Q_DECLARE_TR_FUNCTIONS(RunJournal)
};

QMutex& journalMutex() {
    static QMutex mutex;
    return mutex;
}

QJsonObject load(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

void save(const QString& path, const QJsonObject& json) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(QJsonDocument(json).toJson()) < 0 || !file.commit())
        throw Error(path.toStdString() + ": cannot be written");
}

const char* reasonName(RunInterruption::Reason reason) {
    switch (reason) {
    case RunInterruption::Reason::Cancelled: return "cancelled";
    case RunInterruption::Reason::Failed: return "failed";
    case RunInterruption::Reason::Stopped: return "stopped";
    }
    return "cancelled";
}

RunInterruption::Reason reasonOf(const QString& name) {
    if (name == QLatin1String("failed")) return RunInterruption::Reason::Failed;
    if (name == QLatin1String("stopped")) return RunInterruption::Reason::Stopped;
    return RunInterruption::Reason::Cancelled;
}

}  // namespace

RunJournal::RunJournal(const QString& workspaceRoot) : path_(QDir(workspaceRoot).filePath(QStringLiteral("run-journal.json"))) {}

QString RunJournal::federationRun(const QString& federationId) const {
    QMutexLocker lock(&journalMutex());
    return load(path_).value("federations").toObject().value(federationId).toString();
}

void RunJournal::setFederationRun(const QString& federationId, const QString& runId) {
    QMutexLocker lock(&journalMutex());
    auto json = load(path_);
    auto federations = json.value("federations").toObject();
    federations.insert(federationId, runId);
    json.insert("federations", federations);
    save(path_, json);
}

void RunJournal::markOpen(const QString& runId, bool open) {
    QMutexLocker lock(&journalMutex());
    auto json = load(path_);
    auto runs = json.value("runs").toObject();
    auto run = runs.value(runId).toObject();
    if (run.value("open").toBool() == open && run.contains("open")) return;
    run.insert("open", open);
    runs.insert(runId, run);
    json.insert("runs", runs);
    save(path_, json);
}

bool RunJournal::isOpen(const QString& runId) const {
    QMutexLocker lock(&journalMutex());
    return load(path_).value("runs").toObject().value(runId).toObject().value("open").toBool();
}

void RunJournal::addInterruption(const QString& runId, const RunInterruption& interruption) {
    QMutexLocker lock(&journalMutex());
    auto json = load(path_);
    auto runs = json.value("runs").toObject();
    auto run = runs.value(runId).toObject();
    auto list = run.value("interruptions").toArray();
    list.append(QJsonObject{{"reason", QLatin1String(reasonName(interruption.reason))},
                            {"after_round", interruption.afterRound},
                            {"at", interruption.at.toUTC().toString(Qt::ISODate)}});
    run.insert("interruptions", list);
    run.insert("open", false);
    runs.insert(runId, run);
    json.insert("runs", runs);
    save(path_, json);
}

QList<RunInterruption> RunJournal::interruptions(const QString& runId) const {
    QMutexLocker lock(&journalMutex());
    QList<RunInterruption> result;
    for (const auto& value : load(path_).value("runs").toObject().value(runId).toObject().value("interruptions").toArray()) {
        const auto object = value.toObject();
        result.append({reasonOf(object.value("reason").toString()), object.value("after_round").toInt(),
                       QDateTime::fromString(object.value("at").toString(), Qt::ISODate).toLocalTime()});
    }
    return result;
}

QString runForFederation(WorkspaceService& workspace, const QString& federationId, const TrainingRun& newRun) {
    RunJournal journal(workspace.rootPath());
    const auto known = journal.federationRun(federationId);
    if (!known.isEmpty()) {
        const auto runs = workspace.runs();
        const bool exists = std::any_of(runs.begin(), runs.end(), [&](const TrainingRun& run) { return run.id == known; });
        if (exists) {
            if (journal.isOpen(known)) {
                const auto rows = workspace.history(known);
                journal.addInterruption(known, {RunInterruption::Reason::Stopped, rows.isEmpty() ? 0 : rows.last().round,
                                                rows.isEmpty() ? QDateTime::currentDateTime() : rows.last().finishedAt});
            }
            return known;
        }
    }
    const auto id = workspace.addRun(newRun);
    journal.setFederationRun(federationId, id);
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
