#pragma once
// The coordinator's HTTPS front: Qt HttpServer on a TLS server socket, behind a guard that
// checks every connection before Qt's parser sees it. Qt HTTP Server 6.4 is a technical
// preview, so the guard enforces the limits that keep garbage, slow and oversized requests
// from costing memory or state: a syntax check of the request line and headers, a header
// size limit (431), a body size limit from Content-Length (413, refused before the body
// is read), no chunked bodies (411), no bare-LF framing (400), header/request/idle/handshake
// timeouts (408), a connection limit (503) and, before a site has authenticated, a short
// idle timeout and a small, globally bounded body budget (401/503). The TLS handshakes are
// accounted here, not in QSslServer, with a per-address connection limit, and a liveness
// self-check feeds systemd's watchdog. Between networks nginx stands in front (installer/nginx/).
#include "coordinator/coordinator_config.h"
#include "coordinator/coordinator_service.h"

#include <QObject>

#include <memory>
#include <optional>

namespace fmc::federation {

class CoordinatorServer : public QObject {
    Q_OBJECT

public:
    // Opens the state database and loads the certificate and key; throws fmc::Error naming
    // the file at fault.
    explicit CoordinatorServer(const CoordinatorConfig& config, QObject* parent = nullptr);
    ~CoordinatorServer() override;

    // Starts listening and the deadline timer; returns the port. Throws when it cannot bind.
    quint16 listen();

    CoordinatorService& service();
    // The metrics listener's port once listen() ran, when the configuration asks for one.
    std::optional<quint16> metricsPort() const;

    // How often the liveness self-check had to reopen the listening socket.
    int listenerRestarts() const;
    // The most connections (handshaking or established, from every address) held at once.
    int peakConnections() const;
    // Stops accepting as a wedged listener would (for the self-check's test).
    void pauseAcceptingForTest();

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

}  // namespace fmc::federation
