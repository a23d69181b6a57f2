#pragma once
// The desktop app's own preferences (per user, QSettings): model bundle folder, device,
// CPU threads, language, data limits, the PACS connection (never its password: that is in
// pacs::CredentialStore) and the recent workspaces. What belongs to a site
// (its images, history, federation setup) lives in the workspace instead.
#include "imaging/image_loader.h"
#include "pacs/pacs_settings.h"

#include <QString>
#include <QStringList>

namespace fmc::ui {

class AppSettings {
public:
    static constexpr int kMaxRecentWorkspaces = 8;

    // Empty: the workspace's own bundle (e.g. the demo bundle) is used.
    static QString bundleDirectory();
    static void setBundleDirectory(const QString& directory);

    // "cpu" or "cuda".
    static QString device();
    static void setDevice(const QString& device);

    // 0: one per CPU core.
    static int cpuThreads();
    static void setCpuThreads(int threads);

    // "" follows the system locale; otherwise "en", "fr" or "de".
    static QString language();
    static void setLanguage(const QString& language);
    static QStringList availableLanguages();  // {"en", "fr", "de"}

    // Files over this size, and images over this pixel count, are refused at import.
    static int maxFileMegabytes();
    static void setMaxFileMegabytes(int megabytes);
    static int maxMegapixels();
    static void setMaxMegapixels(int megapixels);
    static ImageLimits imageLimits();

    // The PACS connection of Settings and Import from PACS; secret always empty.
    static pacs::PacsSettings pacsConnection();
    static void setPacsConnection(const pacs::PacsSettings& connection);  // ignores the secret

    // Most recent first, without duplicates, at most kMaxRecentWorkspaces.
    static QStringList recentWorkspaces();
    static void addRecentWorkspace(const QString& path);
    static void removeRecentWorkspace(const QString& path);
};

}  // namespace fmc::ui
