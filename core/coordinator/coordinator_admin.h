#pragma once
// Helpers behind fedmedclip-coordinator's administrator commands: reading a bundle's
// identity, tables for the terminal and the round history as CSV.
#include "coordinator/coordinator_store.h"

#include <QJsonObject>
#include <QString>

#include <string>
#include <vector>

namespace fmc::federation {

struct BundleIdentity {
    std::string name;
    std::string bundleHash;
    int embeddingDim = 0;
};
// Reads name, bundle_hash and embedding_dim from a bundle's manifest.json (the coordinator
// never loads the encoders). Throws fmc::Error naming the file and field.
BundleIdentity readBundleIdentity(const QString& manifestPath);

// Class names, one per line (blank lines and lines starting with '#' ignored).
std::vector<std::string> readClassNames(const QString& path);

std::string formatFederations(const std::vector<FederationRecord>& federations);
std::string formatSites(const std::vector<SiteRecord>& sites);
std::string formatRounds(const std::vector<RoundRecord>& rounds);
std::string formatAuditLog(const std::vector<AuditEntry>& entries);

// One row per (round, participating site) with its sample count and metrics.
QByteArray historyToCsv(const QJsonObject& history);

}  // namespace fmc::federation
