#include "workspace/demo_workspace.h"

#include "common/app_identity.h"

#include "shell/app_settings.h"
#include "workspace/workspace_factory.h"
#include "imaging/demo_dataset.h"
#include "shell/logging.h"
#include "sim/demo_federation.h"
#include "workspace/site_training.h"
#include "workspace/task_runner.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QScopeGuard>

namespace fmc::ui {
namespace {

// The translation context of this file's messages.
class DemoWorkspace {
    Q_DECLARE_TR_FUNCTIONS(DemoWorkspace)
};

constexpr auto kOwnSite = "demo-site-1";

QString readyMarker(const QString& workspaceDir) { return QDir(workspaceDir).filePath(QLatin1String(kDemoReadyMarker)); }

}  // namespace

bool isFinishedDemoWorkspace(const QString& workspaceDir) {
    // Only a preparation that reached its end writes the marker: one cancelled, failed or
    // killed at any step (even after its federated run was recorded) is not finished.
    if (!QFileInfo::exists(readyMarker(workspaceDir)) || !isWorkspaceFolder(workspaceDir)) return false;
    try {
        const auto workspace = openWorkspaceAt(workspaceDir);
        if (!workspace->isDemo() || workspace->siteModelVersion().isEmpty()) return false;
        const auto runs = workspace->runs();
        return std::any_of(runs.begin(), runs.end(),
                           [](const TrainingRun& run) { return run.kind == kRunFederated && run.status == kRunFinished; });
    } catch (const std::exception&) {
        return false;
    }
}

QString prepareDemoWorkspace(const QString& workDir, const QString& vocabularyPath, const DemoWorkspaceOptions& options,
                             TaskContext& context) {
    const QDir root(workDir);
    const auto workspaceDir = root.filePath(QLatin1String(kOwnSite));
    if (isFinishedDemoWorkspace(workspaceDir)) return workspaceDir;

    // An unfinished demo workspace is ours to rebuild; anything else in the way is not.
    QDir existing(workspaceDir);
    if (existing.exists() && !existing.isEmpty()) {
        if (!isWorkspaceFolder(workspaceDir) || !openWorkspaceAt(workspaceDir)->isDemo())
            throw Error(workspaceDir.toStdString() + ": exists and is not a demo workspace; choose another folder");
        existing.removeRecursively();
    }

    // A cancelled or failed preparation leaves no half-made demo behind to be opened.
    auto removeUnfinished = qScopeGuard([&] { QDir(workspaceDir).removeRecursively(); });
    context.reportProgress(0, 0, DemoWorkspace::tr("Creating the demo model and demo images"));
    const auto demo = prepareDemoFederation(root.filePath(QString::fromLatin1(kDemoFederationFolder)).toStdString(),
                                            vocabularyPath.toStdString(), options.federatedRounds);
    context.throwIfCancelled();

    auto workspace = createWorkspaceAt(workspaceDir);
    workspace->setDemo(true);
    workspace->setBundleDirectory(QString::fromStdString(demo.bundleDir));
    QStringList classNames;
    for (const auto& name : DemoDatasetSpec{}.classNames) classNames << QString::fromStdString(name);
    workspace->setClassNames(classNames);

    ImportRequest request;
    request.paths << QDir(QString::fromStdString(demo.dataDir)).filePath(QLatin1String(kOwnSite));
    request.labelSource = LabelSource::FolderName;
    request.site = QLatin1String(kOwnSite);
    const auto report = workspace->importImages(
        request, AppSettings::imageLimits(),
        [&](int done, int total, const QString&) { context.reportProgress(done, total, DemoWorkspace::tr("Importing the demo images")); },
        context.cancelFlag());
    context.throwIfCancelled();
    if (report.imported == 0) throw Error(request.paths.first().toStdString() + ": no demo image could be imported");

    TrainingConfig config;
    config.bundleDirectory = workspace->bundleDirectory();
    config.device = AppSettings::device();
    config.threads = AppSettings::cpuThreads();
    config.limits = AppSettings::imageLimits();
    // A local run first, then the federation, whose model the site keeps.
    config.rounds = options.localRounds;
    if (config.rounds > 0) workspace->trainLocally(config, context);
    config.rounds = options.federatedRounds;
    runLocalFederation(*workspace, config, demoPeerSites(*workspace), context);
    context.throwIfCancelled();
    QFile marker(readyMarker(workspaceDir));
    if (!marker.open(QIODevice::WriteOnly) || marker.write("ready\n") < 0)
        throw Error(marker.fileName().toStdString() + ": cannot be written");
    marker.close();
    removeUnfinished.dismiss();
    qCInfo(lcApp) << "demo workspace ready:" << workspaceDir;
    return workspaceDir;
}

}  // namespace fmc::ui
