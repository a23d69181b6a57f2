#pragma once
// The coordinator's configuration file (JSON; docs/federation-api.md lists every key).
// Relative paths are relative to the file's folder.
#include "coordinator/coordinator_store.h"

#include <QHostAddress>
#include <QString>
#include <QStringList>

#include <cstdint>

namespace fmc::federation {

// What the HTTP layer enforces before a request reaches the API.
struct HttpLimits {
    std::int64_t maxBodyBytes = 8 << 20;
    int maxHeaderBytes = 16 << 10;   // request line and headers together
    int handshakeTimeoutMs = 10'000; // TLS handshake
    int headerTimeoutMs = 10'000;    // from a request's first byte to the end of its headers
    int requestTimeoutMs = 60'000;   // from a request's first byte to the end of its body
    int idleTimeoutMs = 30'000;      // a kept-alive connection with no request
    int maxConnections = 64;         // each may hold a body of up to maxBodyBytes
    // A connection that has not yet made an authenticated request is closed sooner.
    int unauthenticatedIdleTimeoutMs = 5'000;
    // Per client address (handshaking and established together); trusted proxies are exempt
    // (nginx limits its clients itself).
    int maxConnectionsPerAddress = 16;
    int maxPendingHandshakes = 64;   // beyond this a new connection is closed at once
    // Bodies without a valid site token (enrollment) may be this large...
    std::int64_t maxUnauthenticatedBodyBytes = 64 << 10;
    // ...and all such bodies being received at once together this large (503 beyond).
    std::int64_t maxUnauthenticatedBufferedBytes = 1 << 20;
    // The self-check: how often the coordinator connects to its own port to prove it still
    // accepts; after two failures in a row it reopens the listening socket.
    int livenessCheckIntervalMs = 5'000;
    // Refused enrollments per client address and minute before it gets 429 (ServiceOptions).
    int enrollmentRefusalsPerMinute = 10;
};

struct CoordinatorConfig {
    QString path;  // the file it was read from
    QHostAddress listenAddress = QHostAddress::LocalHost;
    quint16 port = 8443;  // 0: any free port (printed at start)
    QString certificatePath;  // PEM: the server certificate, then any intermediates
    QString keyPath;          // PEM private key (RSA or EC), unencrypted, readable by the service only
    DatabaseConfig database;
    HttpLimits limits;
    AggregationGuards aggregationGuards;  // "aggregation"
    // Addresses of reverse proxies (nginx) whose X-Real-IP header names the real client.
    QStringList trustedProxies;
    // Privacy audit: writes every request body the coordinator receives into this folder
    // (no headers, so no tokens). Empty: off.
    QString privacyCaptureDir;
    int tickIntervalMs = 1000;  // how often deadlines are checked
    // The Prometheus /metrics listener (plain HTTP; coordinator_metrics.h): "metrics":
    // {"address": ..., "port": ...}. Absent: no listener. Port 0: any free port.
    bool metricsEnabled = false;
    QHostAddress metricsAddress = QHostAddress::LocalHost;
    quint16 metricsPort = 0;
    // ServiceOptions::streamingAggregation and parseUploadsOnWorkers; not coordinator.json
    // keys: only the benchmark switches them off, to compare with the path before.
    bool streamingAggregation = true;
    bool parseUploadsOnWorkers = true;
};

// Throws fmc::Error naming the file and the key at fault.
CoordinatorConfig loadCoordinatorConfig(const QString& path);

}  // namespace fmc::federation
