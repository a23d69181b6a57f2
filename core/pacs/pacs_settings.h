#pragma once
// Where the site's PACS is and how to reach it, kept in the workspace's settings (keys
// "pacs.*"): the protocol, the DICOMweb URL, authentication kind, user name and CA file, the
// DIMSE host, port, AE titles and retrieval (C-GET, or C-MOVE with the move destination's
// AE title and port). Never the password or token: those live in the
// CredentialStore (the platform's secret store, or a file only the user can read).
#include "pacs/pacs_source.h"

#include <memory>

namespace fmc {
class SiteStore;
}

namespace fmc::pacs {

enum class PacsProtocol { DicomWeb, Dimse };

struct PacsSettings {
    PacsProtocol protocol = PacsProtocol::DicomWeb;
    DicomWebSettings dicomWeb;  // secret always empty when loaded
    DimseSettings dimse;
};

const char* pacsProtocolName(PacsProtocol protocol);  // "dicomweb", "dimse"
PacsProtocol parsePacsProtocol(const QString& text);  // throws fmc::Error naming the value
const char* authKindName(AuthKind kind);              // "none", "basic", "bearer"
AuthKind parseAuthKind(const QString& text);          // throws fmc::Error naming the value
const char* dimseRetrieveName(DimseRetrieve retrieve);  // "get", "move"
DimseRetrieve parseDimseRetrieve(const QString& text);  // throws fmc::Error naming the value

// Defaults where a key is unset; throws fmc::Error naming the key whose value is invalid.
PacsSettings loadPacsSettings(SiteStore& store);
// Writes every key except the secret (which it ignores).
void savePacsSettings(SiteStore& store, const PacsSettings& settings);

// The credential store's account name for a DICOMweb server: "<user>@<url>" (bearer: "token@<url>").
QString credentialAccount(const DicomWebSettings& settings);

// A client for the configured protocol (DicomWebClient or DimseClient).
std::unique_ptr<PacsSource> makePacsSource(const PacsSettings& settings);

}  // namespace fmc::pacs
