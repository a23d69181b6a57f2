#include "coordinator/coordinator_admin.h"

#include "common/bundle_manifest.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include <cstdarg>
#include <cstdio>

namespace fmc::federation {

BundleIdentity readBundleIdentity(const QString& manifestPath) {
    const auto manifest = readManifestFile(ss(manifestPath));
    BundleIdentity identity;
    identity.name = manifest.name;
    identity.bundleHash = manifest.bundleHash;
    identity.embeddingDim = static_cast<int>(manifest.embeddingDim);
    return identity;
}

std::vector<std::string> readClassNames(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) throw Error(ss(path) + ": cannot read the class list");
    std::vector<std::string> names;
    while (!file.atEnd()) {
        const auto line = QString::fromUtf8(file.readLine()).trimmed();
        if (!line.isEmpty() && !line.startsWith(QLatin1Char('#'))) names.push_back(ss(line));
    }
    return names;
}

namespace {

std::string time(const std::optional<std::int64_t>& ms) { return ms ? isoTimeUtc(*ms) : "-"; }

std::string row(const char* format, ...) __attribute__((format(printf, 1, 2)));
std::string row(const char* format, ...) {
    char buffer[1024];
    va_list args;
    va_start(args, format);
    std::vsnprintf(buffer, sizeof buffer, format, args);
    va_end(args);
    return buffer;
}

}  // namespace

std::string formatFederations(const std::vector<FederationRecord>& federations) {
    std::string out = row("%-18s %-9s %-7s %-9s %s\n", "FEDERATION", "STATE", "ROUNDS", "MIN SITES", "NAME");
    for (const auto& f : federations)
        out += row("%-18s %-9s %-7d %-9d %s\n", f.task.federationId.c_str(), f.state.c_str(), f.task.settings.rounds,
                   f.task.settings.minSites, f.task.settings.name.c_str());
    return out;
}

std::string formatSites(const std::vector<SiteRecord>& sites) {
    std::string out = row("%-18s %-8s %-24s %-24s %s\n", "SITE", "STATE", "ENROLLED", "LAST SEEN", "NAME");
    for (const auto& s : sites)
        out += row("%-18s %-8s %-24s %-24s %s\n", s.id.c_str(), s.state.c_str(), isoTimeUtc(s.enrolledAt).c_str(),
                   time(s.lastSeenAt).c_str(), s.name.c_str());
    return out;
}

std::string formatRounds(const std::vector<RoundRecord>& rounds) {
    std::string out = row("%-6s %-12s %-12s %-8s %-24s %-24s %s\n", "ROUND", "STATE", "PARTICIPANTS", "SAMPLES",
                          "DEADLINE", "PUBLISHED", "WAITING FOR");
    for (const auto& r : rounds)
        out += row("%-6d %-12s %-12d %-8lld %-24s %-24s %s\n", r.number, r.state.c_str(), r.participants,
                   static_cast<long long>(r.totalSamples), time(r.deadlineAt).c_str(), time(r.publishedAt).c_str(),
                   r.waitingReason.c_str());
    return out;
}

std::string formatAuditLog(const std::vector<AuditEntry>& entries) {
    std::string out;
    for (const auto& e : entries)
        out += row("%s  %-18s %-22s %-20s %s %s\n", isoTimeUtc(e.at).c_str(), e.federationId.c_str(), e.actor.c_str(),
                   e.action.c_str(), e.detailJson.c_str(), e.remoteAddress.c_str());
    return out;
}

QByteArray historyToCsv(const QJsonObject& history) {
    const auto& metricNames = allowedMetricNames();
    QByteArray csv = "round,state,published_at,participants,total_samples,site_id,site_name,sample_count";
    for (const auto& name : metricNames) csv += ',' + QByteArray::fromStdString(name);
    csv += '\n';
    const auto quote = [](const QString& text) {
        QString escaped = text;
        escaped.replace(QLatin1Char('"'), QLatin1String("\"\""));
        return '"' + escaped.toUtf8() + '"';
    };
    for (const auto& roundValue : history.value("rounds").toArray()) {
        const auto round = roundValue.toObject();
        const QByteArray prefix = QByteArray::number(round.value("round").toInt()) + ',' +
                                  round.value("state").toString().toUtf8() + ',' +
                                  round.value("published_at").toString().toUtf8() + ',' +
                                  QByteArray::number(round.value("participants").toInt()) + ',' +
                                  QByteArray::number(round.value("total_samples").toInteger());
        const auto uploads = round.value("uploads").toArray();
        if (uploads.isEmpty()) csv += prefix + ",,," + QByteArray(static_cast<qsizetype>(metricNames.size()), ',') + '\n';
        for (const auto& uploadValue : uploads) {
            const auto upload = uploadValue.toObject();
            csv += prefix + ',' + upload.value("site_id").toString().toUtf8() + ',' +
                   quote(upload.value("site_name").toString()) + ',' +
                   QByteArray::number(upload.value("sample_count").toInteger());
            const auto metrics = upload.value("metrics").toObject();
            for (const auto& name : metricNames) {
                csv += ',';
                if (metrics.contains(qs(name))) csv += QByteArray::number(metrics.value(qs(name)).toDouble(), 'g', 10);
            }
            csv += '\n';
        }
    }
    return csv;
}

}  // namespace fmc::federation
