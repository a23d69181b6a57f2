#include "shell/app_settings.h"

#include <QDir>
#include <QSettings>

namespace fmc::ui {
namespace {

constexpr auto kBundleKey = "model/bundleDirectory";
constexpr auto kDeviceKey = "engine/device";
constexpr auto kThreadsKey = "engine/cpuThreads";
constexpr auto kLanguageKey = "ui/language";
constexpr auto kMaxFileKey = "limits/maxFileMegabytes";
constexpr auto kMaxPixelsKey = "limits/maxMegapixels";
constexpr auto kRecentKey = "workspaces/recent";

// Defaults match fmc::ImageLimits: 256 MB files, 100 megapixels.
constexpr int kDefaultMaxFileMegabytes = 256;
constexpr int kDefaultMaxMegapixels = 100;

}  // namespace

QString AppSettings::bundleDirectory() { return QSettings().value(kBundleKey).toString(); }
void AppSettings::setBundleDirectory(const QString& directory) { QSettings().setValue(kBundleKey, directory); }

QString AppSettings::device() {
    const auto device = QSettings().value(kDeviceKey, QStringLiteral("cpu")).toString();
    return device == QLatin1String("cuda") ? device : QStringLiteral("cpu");
}
void AppSettings::setDevice(const QString& device) { QSettings().setValue(kDeviceKey, device); }

int AppSettings::cpuThreads() { return qMax(0, QSettings().value(kThreadsKey, 0).toInt()); }
void AppSettings::setCpuThreads(int threads) { QSettings().setValue(kThreadsKey, qMax(0, threads)); }

QString AppSettings::language() {
    const auto language = QSettings().value(kLanguageKey).toString();
    return availableLanguages().contains(language) ? language : QString();
}
void AppSettings::setLanguage(const QString& language) { QSettings().setValue(kLanguageKey, language); }
QStringList AppSettings::availableLanguages() {
    return {QStringLiteral("en"), QStringLiteral("fr"), QStringLiteral("de")};
}

int AppSettings::maxFileMegabytes() {
    return qBound(1, QSettings().value(kMaxFileKey, kDefaultMaxFileMegabytes).toInt(), 4096);
}
void AppSettings::setMaxFileMegabytes(int megabytes) { QSettings().setValue(kMaxFileKey, megabytes); }
int AppSettings::maxMegapixels() {
    return qBound(1, QSettings().value(kMaxPixelsKey, kDefaultMaxMegapixels).toInt(), 2000);
}
void AppSettings::setMaxMegapixels(int megapixels) { QSettings().setValue(kMaxPixelsKey, megapixels); }

ImageLimits AppSettings::imageLimits() {
    ImageLimits limits;
    limits.maxFileBytes = static_cast<std::uint64_t>(maxFileMegabytes()) << 20;
    limits.maxPixels = static_cast<std::uint64_t>(maxMegapixels()) * 1'000'000ull;
    return limits;
}

QStringList AppSettings::recentWorkspaces() { return QSettings().value(kRecentKey).toStringList(); }

void AppSettings::addRecentWorkspace(const QString& path) {
    const auto cleaned = QDir::cleanPath(QDir(path).absolutePath());
    auto recent = recentWorkspaces();
    recent.removeAll(cleaned);
    recent.prepend(cleaned);
    while (recent.size() > kMaxRecentWorkspaces) recent.removeLast();
    QSettings().setValue(kRecentKey, recent);
}

void AppSettings::removeRecentWorkspace(const QString& path) {
    auto recent = recentWorkspaces();
    recent.removeAll(QDir::cleanPath(QDir(path).absolutePath()));
    QSettings().setValue(kRecentKey, recent);
}

}  // namespace fmc::ui
