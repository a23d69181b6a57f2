#pragma once
// The coordinator's Prometheus metrics (text exposition format 0.0.4), served on a listener
// of their own (CoordinatorConfig::metrics: plain HTTP, loopback by default, so only the
// host's monitoring agent or an operator's tunnel reaches it; it serves nothing but
// GET /metrics, and nothing in it identifies a site beyond counts).
//
// State comes from the store at each scrape, so it is right after a restart and with several
// coordinator processes on one database: federations, rounds and sites by state, uploads
// accepted and rejected by reason, aggregation seconds (from the "round.published" audit
// entries). Requests are counted in this process: by method, route template (api_routes.h)
// and status, with a latency histogram; requests refused by the HTTP guard before they
// reach the API (408, 411, 413, 431, 503) are not among them.
#include "coordinator/coordinator_store.h"

#include <QByteArray>
#include <QHostAddress>
#include <QObject>

#include <functional>
#include <map>
#include <memory>
#include <tuple>

class QTcpServer;

namespace fmc::federation {

class CoordinatorMetrics : public QObject {
    Q_OBJECT

public:
    explicit CoordinatorMetrics(CoordinatorStore& store, QObject* parent = nullptr);
    ~CoordinatorMetrics() override;

    // One API request answered: its path is mapped to its route template ("unmatched" for
    // none), so the labels stay few whatever clients send.
    void recordRequest(const QByteArray& method, const QString& path, int status, double seconds);

    // The HTTPS listener's connections (handshaking or open, every client address): now, and
    // the most at once since the process started; read at each scrape.
    struct ConnectionCounts {
        int open = 0, peak = 0;
    };
    void setConnectionCounts(std::function<ConnectionCounts()> source);

    // The whole exposition, one scrape.
    QByteArray exposition();

    // Starts the metrics listener; returns its port. Throws fmc::Error when it cannot bind.
    quint16 listen(const QHostAddress& address, quint16 port);

    // The latency histogram's upper bounds (seconds), +Inf implied.
    static const std::vector<double>& latencyBuckets();

private:
    struct RequestSeries {
        std::int64_t count = 0;
        double sum = 0;
        std::vector<std::int64_t> buckets;  // cumulative at exposition, per bucket here
    };
    using RequestKey = std::tuple<QByteArray, QString, int>;  // method, route, status

    void serve();

    CoordinatorStore& store_;
    std::map<RequestKey, RequestSeries> requests_;
    // Aggregation seconds read from the audit log so far (it only grows).
    std::int64_t lastAuditId_ = 0;
    double aggregationSeconds_ = 0;
    std::int64_t aggregations_ = 0;
    std::function<ConnectionCounts()> connections_;
    QTcpServer* server_ = nullptr;
};

}  // namespace fmc::federation
