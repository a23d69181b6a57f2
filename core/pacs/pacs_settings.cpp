#include "pacs/pacs_settings.h"

#include "common/types.h"
#include "pacs/dicomweb_client.h"
#include "pacs/dimse_client.h"
#include "site/site_store.h"

namespace fmc::pacs {
namespace {

namespace key {
constexpr const char* kProtocol = "pacs.protocol";
constexpr const char* kUrl = "pacs.dicomweb.url";
constexpr const char* kAuth = "pacs.dicomweb.auth";
constexpr const char* kUser = "pacs.dicomweb.username";
constexpr const char* kCa = "pacs.dicomweb.ca_certificates";
constexpr const char* kHost = "pacs.dimse.host";
constexpr const char* kPort = "pacs.dimse.port";
constexpr const char* kCalling = "pacs.dimse.calling_ae";
constexpr const char* kCalled = "pacs.dimse.called_ae";
constexpr const char* kRetrieve = "pacs.dimse.retrieve";
constexpr const char* kMoveAe = "pacs.dimse.move_ae";
constexpr const char* kMovePort = "pacs.dimse.move_port";
}  // namespace key

QString value(SiteStore& store, const char* name, const QString& fallback) {
    const auto stored = store.setting(name);
    return stored ? QString::fromStdString(*stored) : fallback;
}

}  // namespace

const char* pacsProtocolName(PacsProtocol protocol) { return protocol == PacsProtocol::Dimse ? "dimse" : "dicomweb"; }

PacsProtocol parsePacsProtocol(const QString& text) {
    if (text == QLatin1String("dicomweb")) return PacsProtocol::DicomWeb;
    if (text == QLatin1String("dimse")) return PacsProtocol::Dimse;
    throw Error("PACS protocol must be dicomweb or dimse, not '" + text.toStdString() + "'");
}

const char* authKindName(AuthKind kind) {
    switch (kind) {
    case AuthKind::Basic: return "basic";
    case AuthKind::Bearer: return "bearer";
    default: return "none";
    }
}

AuthKind parseAuthKind(const QString& text) {
    if (text == QLatin1String("none")) return AuthKind::None;
    if (text == QLatin1String("basic")) return AuthKind::Basic;
    if (text == QLatin1String("bearer")) return AuthKind::Bearer;
    throw Error("PACS authentication must be none, basic or bearer, not '" + text.toStdString() + "'");
}

const char* dimseRetrieveName(DimseRetrieve retrieve) { return retrieve == DimseRetrieve::Move ? "move" : "get"; }

DimseRetrieve parseDimseRetrieve(const QString& text) {
    if (text == QLatin1String("get")) return DimseRetrieve::Get;
    if (text == QLatin1String("move")) return DimseRetrieve::Move;
    throw Error("DIMSE retrieval must be get or move, not '" + text.toStdString() + "'");
}

PacsSettings loadPacsSettings(SiteStore& store) {
    PacsSettings settings;
    settings.protocol = parsePacsProtocol(value(store, key::kProtocol, QStringLiteral("dicomweb")));
    settings.dicomWeb.baseUrl = value(store, key::kUrl, {});
    settings.dicomWeb.auth = parseAuthKind(value(store, key::kAuth, QStringLiteral("none")));
    settings.dicomWeb.username = value(store, key::kUser, {});
    settings.dicomWeb.caCertificatesPath = value(store, key::kCa, {});
    settings.dimse.host = value(store, key::kHost, settings.dimse.host);
    bool ok = false;
    settings.dimse.port = value(store, key::kPort, QString::number(settings.dimse.port)).toInt(&ok);
    if (!ok || settings.dimse.port < 1 || settings.dimse.port > 65535)
        throw Error(std::string("workspace setting ") + key::kPort + ": not a port number");
    settings.dimse.callingAeTitle = value(store, key::kCalling, settings.dimse.callingAeTitle);
    settings.dimse.calledAeTitle = value(store, key::kCalled, {});
    settings.dimse.retrieve = parseDimseRetrieve(value(store, key::kRetrieve, QStringLiteral("get")));
    settings.dimse.moveDestinationAeTitle = value(store, key::kMoveAe, {});
    settings.dimse.moveDestinationPort =
        value(store, key::kMovePort, QString::number(settings.dimse.moveDestinationPort)).toInt(&ok);
    if (!ok || settings.dimse.moveDestinationPort < 1 || settings.dimse.moveDestinationPort > 65535)
        throw Error(std::string("workspace setting ") + key::kMovePort + ": not a port number");
    return settings;
}

void savePacsSettings(SiteStore& store, const PacsSettings& settings) {
    const auto set = [&](const char* name, const QString& text) { store.setSetting(name, text.toStdString()); };
    set(key::kProtocol, QLatin1String(pacsProtocolName(settings.protocol)));
    set(key::kUrl, settings.dicomWeb.baseUrl);
    set(key::kAuth, QLatin1String(authKindName(settings.dicomWeb.auth)));
    set(key::kUser, settings.dicomWeb.username);
    set(key::kCa, settings.dicomWeb.caCertificatesPath);
    set(key::kHost, settings.dimse.host);
    set(key::kPort, QString::number(settings.dimse.port));
    set(key::kCalling, settings.dimse.callingAeTitle);
    set(key::kCalled, settings.dimse.calledAeTitle);
    set(key::kRetrieve, QLatin1String(dimseRetrieveName(settings.dimse.retrieve)));
    set(key::kMoveAe, settings.dimse.moveDestinationAeTitle);
    set(key::kMovePort, QString::number(settings.dimse.moveDestinationPort));
}

QString credentialAccount(const DicomWebSettings& settings) {
    const auto user = settings.auth == AuthKind::Bearer ? QStringLiteral("token") : settings.username;
    return user + QLatin1Char('@') + settings.baseUrl;
}

std::unique_ptr<PacsSource> makePacsSource(const PacsSettings& settings) {
    if (settings.protocol == PacsProtocol::Dimse) return std::make_unique<DimseClient>(settings.dimse);
    if (settings.dicomWeb.baseUrl.isEmpty()) throw Error("PACS: no DICOMweb URL is set");
    return std::make_unique<DicomWebClient>(settings.dicomWeb);
}

}  // namespace fmc::pacs
