#include "coordinator/coordinator_metrics.h"

#include "common/types.h"
#include "coordinator/api_routes.h"
#include "protocol/logging.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <limits>
#include <set>

namespace fmc::federation {
namespace {

constexpr int kMaxRequestBytes = 8192;
constexpr int kRequestTimeoutMs = 5000;

// Label values: backslash, double quote and newline escaped (exposition format 0.0.4).
QByteArray label(const QString& value) {
    QByteArray out;
    for (const char c : value.toUtf8()) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

QByteArray number(double value) {
    if (value == std::numeric_limits<double>::infinity()) return "+Inf";
    return QByteArray::number(value, 'g', 15);
}

void family(QByteArray& out, const char* name, const char* type, const char* help) {
    out += QByteArray("# HELP ") + name + ' ' + help + '\n';
    out += QByteArray("# TYPE ") + name + ' ' + type + '\n';
}

}  // namespace

CoordinatorMetrics::CoordinatorMetrics(CoordinatorStore& store, QObject* parent) : QObject(parent), store_(store) {}

CoordinatorMetrics::~CoordinatorMetrics() = default;

const std::vector<double>& CoordinatorMetrics::latencyBuckets() {
    static const std::vector<double> buckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    return buckets;
}

void CoordinatorMetrics::recordRequest(const QByteArray& method, const QString& path, int status, double seconds) {
    auto route = routeTemplateOf(path);
    if (route.isEmpty()) route = QStringLiteral("unmatched");
    auto& series = requests_[{method, route, status}];
    if (series.buckets.empty()) series.buckets.assign(latencyBuckets().size(), 0);
    ++series.count;
    series.sum += seconds;
    for (size_t i = 0; i < latencyBuckets().size(); ++i)
        if (seconds <= latencyBuckets()[i]) {
            ++series.buckets[i];
            break;
        }
}

void CoordinatorMetrics::setConnectionCounts(std::function<ConnectionCounts()> source) { connections_ = std::move(source); }

QByteArray CoordinatorMetrics::exposition() {
    std::map<std::string, int> federations{{"running", 0}, {"finished", 0}};
    std::map<std::string, int> rounds{{"open", 0}, {"collecting", 0}, {"aggregating", 0}, {"published", 0}};
    std::map<std::string, int> sites{{"active", 0}, {"revoked", 0}};
    std::map<std::string, std::int64_t> rejected;
    std::int64_t accepted = 0;
    for (const auto& federation : store_.federations()) {
        ++federations[federation.state];
        for (const auto& site : store_.sites(federation.task.federationId)) ++sites[site.state];
        for (const auto& round : store_.rounds(federation.task.federationId)) {
            ++rounds[round.state];
            accepted += store_.roundCounts(federation.task.federationId, round.number).uploads;
        }
        for (const auto& rejection : store_.rejections(federation.task.federationId)) ++rejected[rejection.code];
    }
    // The audit log only grows: read the entries added since the last scrape.
    const auto entries = store_.auditLog({}, lastAuditId_ == 0 ? std::numeric_limits<int>::max() : 100'000);
    for (const auto& entry : entries) {
        if (entry.id <= lastAuditId_) continue;
        lastAuditId_ = entry.id;
        if (entry.action != "round.published") continue;
        const auto detail = QJsonDocument::fromJson(QByteArray::fromStdString(entry.detailJson)).object();
        if (!detail.contains(QStringLiteral("aggregation_seconds"))) continue;
        aggregationSeconds_ += detail.value(QStringLiteral("aggregation_seconds")).toDouble();
        ++aggregations_;
    }

    QByteArray out;
    family(out, "fmc_coordinator_federations", "gauge", "Federations by state.");
    for (const auto& [state, count] : federations)
        out += "fmc_coordinator_federations{state=\"" + label(QString::fromStdString(state)) + "\"} " + QByteArray::number(count) + '\n';
    family(out, "fmc_coordinator_rounds", "gauge", "Rounds by state, over all federations.");
    for (const auto& [state, count] : rounds)
        out += "fmc_coordinator_rounds{state=\"" + label(QString::fromStdString(state)) + "\"} " + QByteArray::number(count) + '\n';
    family(out, "fmc_coordinator_sites", "gauge", "Enrolled sites by state (active: may upload).");
    for (const auto& [state, count] : sites)
        out += "fmc_coordinator_sites{state=\"" + label(QString::fromStdString(state)) + "\"} " + QByteArray::number(count) + '\n';
    family(out, "fmc_coordinator_uploads_accepted_total", "counter", "Uploads accepted into a round.");
    out += "fmc_coordinator_uploads_accepted_total " + QByteArray::number(accepted) + '\n';
    family(out, "fmc_coordinator_uploads_rejected_total", "counter", "Uploads rejected, by the error code given to the site.");
    for (const auto& [reason, count] : rejected)
        out += "fmc_coordinator_uploads_rejected_total{reason=\"" + label(QString::fromStdString(reason)) + "\"} " +
               QByteArray::number(count) + '\n';
    family(out, "fmc_coordinator_aggregation_seconds", "summary", "Seconds spent aggregating a round's uploads.");
    out += "fmc_coordinator_aggregation_seconds_sum " + number(aggregationSeconds_) + '\n';
    out += "fmc_coordinator_aggregation_seconds_count " + QByteArray::number(aggregations_) + '\n';
    if (connections_) {
        const auto counts = connections_();
        family(out, "fmc_coordinator_connections", "gauge", "HTTPS connections held now (handshaking or open).");
        out += "fmc_coordinator_connections " + QByteArray::number(counts.open) + '\n';
        family(out, "fmc_coordinator_connections_peak", "gauge", "The most HTTPS connections held at once since the start.");
        out += "fmc_coordinator_connections_peak " + QByteArray::number(counts.peak) + '\n';
    }

    family(out, "fmc_coordinator_http_requests_total", "counter",
           "API requests answered by this process, by method, route template and status.");
    for (const auto& [key, series] : requests_) {
        const auto& [method, route, status] = key;
        out += "fmc_coordinator_http_requests_total{method=\"" + label(QString::fromLatin1(method)) + "\",route=\"" +
               label(route) + "\",status=\"" + QByteArray::number(status) + "\"} " + QByteArray::number(series.count) + '\n';
    }
    family(out, "fmc_coordinator_http_request_duration_seconds", "histogram",
           "Seconds from a request's arrival at the API to its answer, by method, route template and status.");
    for (const auto& [key, series] : requests_) {
        const auto& [method, route, status] = key;
        const QByteArray labels = "method=\"" + label(QString::fromLatin1(method)) + "\",route=\"" + label(route) +
                                  "\",status=\"" + QByteArray::number(status) + "\"";
        std::int64_t cumulative = 0;
        for (size_t i = 0; i < latencyBuckets().size(); ++i) {
            cumulative += series.buckets[i];
            out += "fmc_coordinator_http_request_duration_seconds_bucket{" + labels + ",le=\"" +
                   number(latencyBuckets()[i]) + "\"} " + QByteArray::number(cumulative) + '\n';
        }
        out += "fmc_coordinator_http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " +
               QByteArray::number(series.count) + '\n';
        out += "fmc_coordinator_http_request_duration_seconds_sum{" + labels + "} " + number(series.sum) + '\n';
        out += "fmc_coordinator_http_request_duration_seconds_count{" + labels + "} " + QByteArray::number(series.count) + '\n';
    }
    return out;
}

quint16 CoordinatorMetrics::listen(const QHostAddress& address, quint16 port) {
    server_ = new QTcpServer(this);
    if (!server_->listen(address, port))
        throw Error("metrics: cannot listen on " + address.toString().toStdString() + ":" + std::to_string(port) + " (" +
                    server_->errorString().toStdString() + ")");
    connect(server_, &QTcpServer::newConnection, this, &CoordinatorMetrics::serve);
    return server_->serverPort();
}

// One request per connection: GET /metrics answers the exposition, anything else 404 or
// 405; the connection closes after the answer or after kRequestTimeoutMs.
void CoordinatorMetrics::serve() {
    while (auto* socket = server_->nextPendingConnection()) {
        QPointer<QTcpSocket> guarded(socket);
        auto buffer = std::make_shared<QByteArray>();
        QTimer::singleShot(kRequestTimeoutMs, socket, [guarded] {
            if (guarded) guarded->abort();
        });
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QTcpSocket::readyRead, this, [this, socket, buffer] {
            *buffer += socket->readAll();
            if (buffer->size() > kMaxRequestBytes) {
                socket->abort();
                return;
            }
            const auto end = buffer->indexOf("\r\n\r\n");
            if (end < 0) return;
            const auto requestLine = buffer->left(buffer->indexOf("\r\n")).split(' ');
            int status = 200;
            QByteArray body, type = "text/plain; version=0.0.4; charset=utf-8";
            const auto target = requestLine.value(1);
            const auto path = target.left(target.indexOf('?') < 0 ? target.size() : target.indexOf('?'));
            if (requestLine.size() != 3 || path != metricsRoute().path.toLatin1()) {
                status = 404;
                body = "not found: this listener serves GET /metrics only\n";
            } else if (requestLine.value(0) != metricsRoute().method) {
                status = 405;
                body = "method not allowed: use GET\n";
            } else {
                try {
                    body = exposition();
                } catch (const std::exception& error) {
                    qCCritical(lcCoordinator) << "metrics:" << error.what();
                    status = 500;
                    body = "the metrics could not be read; see the coordinator's log\n";
                }
            }
            const char* reason = status == 200 ? "OK" : status == 404 ? "Not Found" : status == 405 ? "Method Not Allowed"
                                                                                             : "Internal Server Error";
            socket->write("HTTP/1.1 " + QByteArray::number(status) + ' ' + reason + "\r\nContent-Type: " +
                          (status == 200 ? type : QByteArray("text/plain; charset=utf-8")) +
                          "\r\nContent-Length: " + QByteArray::number(body.size()) +
                          "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n" + body);
            socket->disconnectFromHost();
        });
    }
}

}  // namespace fmc::federation
