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

// Group "pacs": the keys File > Import from PACS… has always used, plus the C-MOVE ones.
pacs::PacsSettings AppSettings::pacsConnection() {
    QSettings saved;
    saved.beginGroup(QStringLiteral("pacs"));
    pacs::PacsSettings c;
    c.protocol = saved.value(QStringLiteral("protocol"), 0).toInt() == 1 ? pacs::PacsProtocol::Dimse : pacs::PacsProtocol::DicomWeb;
    c.dicomWeb.baseUrl = saved.value(QStringLiteral("url")).toString();
    c.dicomWeb.auth = static_cast<pacs::AuthKind>(qBound(0, saved.value(QStringLiteral("auth"), 0).toInt(), 2));
    c.dicomWeb.username = saved.value(QStringLiteral("user")).toString();
    c.dicomWeb.caCertificatesPath = saved.value(QStringLiteral("ca")).toString();
    c.dimse.host = saved.value(QStringLiteral("host"), c.dimse.host).toString();
    c.dimse.port = qBound(1, saved.value(QStringLiteral("port"), c.dimse.port).toInt(), 65535);
    c.dimse.callingAeTitle = saved.value(QStringLiteral("calling_ae"), c.dimse.callingAeTitle).toString();
    c.dimse.calledAeTitle = saved.value(QStringLiteral("called_ae")).toString();
    c.dimse.retrieve = saved.value(QStringLiteral("retrieve")).toString() == QLatin1String("move") ? pacs::DimseRetrieve::Move
                                                                                                    : pacs::DimseRetrieve::Get;
    c.dimse.moveDestinationAeTitle = saved.value(QStringLiteral("move_ae")).toString();
    c.dimse.moveDestinationPort = qBound(1, saved.value(QStringLiteral("move_port"), c.dimse.moveDestinationPort).toInt(), 65535);
    return c;
}

void AppSettings::setPacsConnection(const pacs::PacsSettings& c) {
    QSettings saved;
    saved.beginGroup(QStringLiteral("pacs"));
    saved.setValue(QStringLiteral("protocol"), c.protocol == pacs::PacsProtocol::Dimse ? 1 : 0);
    saved.setValue(QStringLiteral("url"), c.dicomWeb.baseUrl);
    saved.setValue(QStringLiteral("auth"), static_cast<int>(c.dicomWeb.auth));
    saved.setValue(QStringLiteral("user"), c.dicomWeb.username);
    saved.setValue(QStringLiteral("ca"), c.dicomWeb.caCertificatesPath);
    saved.setValue(QStringLiteral("host"), c.dimse.host);
    saved.setValue(QStringLiteral("port"), c.dimse.port);
    saved.setValue(QStringLiteral("calling_ae"), c.dimse.callingAeTitle);
    saved.setValue(QStringLiteral("called_ae"), c.dimse.calledAeTitle);
    saved.setValue(QStringLiteral("retrieve"), QLatin1String(pacs::dimseRetrieveName(c.dimse.retrieve)));
    saved.setValue(QStringLiteral("move_ae"), c.dimse.moveDestinationAeTitle);
    saved.setValue(QStringLiteral("move_port"), c.dimse.moveDestinationPort);
}

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
