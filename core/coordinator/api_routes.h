#pragma once
// The coordinator's routes as templates ("{federation_id}", "{round}" stand for one path
// segment): what CoordinatorService::route() dispatches, plus the metrics listener's
// /metrics. docs/openapi.json describes exactly these (tst_openapi checks both ways), and
// the request metrics are labelled with them.
#include <QByteArray>
#include <QString>

#include <vector>

namespace fmc::federation {

struct ApiRoute {
    QByteArray method;
    QString path;  // e.g. "/api/v1/federations/{federation_id}/rounds/{round}/uploads"
};

// The API routes under /api/v1, in dispatch order (a literal segment before a placeholder).
const std::vector<ApiRoute>& apiRoutes();
// Served on the separate metrics listener (CoordinatorConfig::metrics).
const ApiRoute& metricsRoute();

// The template of the API route `path` belongs to (any method), or "" for none. A
// placeholder matches one non-empty segment.
QString routeTemplateOf(const QString& path);

}  // namespace fmc::federation
