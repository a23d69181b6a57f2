#include "workspace/workspace_helpers.h"

#include "shell/app_settings.h"
#include "common/resource_paths.h"
#include "engine/model_bundle.h"
#include "shell/runtime_setup.h"
#include "workspace/site_training.h"
#include "workspace/workspace_service.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace fmc::ui {

QString effectiveBundleDirectory(const WorkspaceService& workspace) {
    const auto own = workspace.bundleDirectory();
    return own.isEmpty() ? AppSettings::bundleDirectory() : own;
}

QString effectivePromptTemplate(const WorkspaceService& workspace) {
    const auto setup = workspace.federationSetup();
    return setup.isComplete() && !setup.promptTemplate.isEmpty() ? setup.promptTemplate : kDefaultPromptTemplate;
}

ClassifierConfig classifierConfigFor(const WorkspaceService& workspace) {
    ClassifierConfig config;
    config.bundleDirectory = effectiveBundleDirectory(workspace);
    config.device = currentRuntime().device.isEmpty() ? QStringLiteral("cpu") : currentRuntime().device;
    config.classNames = workspace.classNames();
    config.promptTemplate = effectivePromptTemplate(workspace);
    // A model trained for other classes (e.g. before joining a federation) does not apply.
    if (workspace.siteModelClassNames() == config.classNames) config.modelVersion = workspace.siteModelVersion();
    return config;
}

bool isDemoBundle(const QString& bundleDirectory) {
    if (bundleDirectory.isEmpty()) return false;
    try {
        return readManifestFile(QDir(bundleDirectory).filePath(QLatin1String(kBundleManifestFileName)).toStdString()).demo;
    } catch (const std::exception&) {
        return false;
    }
}

QString vocabularyPath() { return QString::fromStdString(clipVocabularyPath()); }

}  // namespace fmc::ui
