#include "coordinator/api_routes.h"

#include <QStringList>

namespace fmc::federation {

const std::vector<ApiRoute>& apiRoutes() {
    static const std::vector<ApiRoute> routes{
        {"GET", QStringLiteral("/api/v1/health")},
        {"POST", QStringLiteral("/api/v1/enroll")},
        {"GET", QStringLiteral("/api/v1/federations/{federation_id}/task")},
        {"GET", QStringLiteral("/api/v1/federations/{federation_id}/rounds/current")},
        {"GET", QStringLiteral("/api/v1/federations/{federation_id}/rounds/{round}")},
        {"GET", QStringLiteral("/api/v1/federations/{federation_id}/rounds/{round}/global")},
        {"POST", QStringLiteral("/api/v1/federations/{federation_id}/rounds/{round}/uploads")},
    };
    return routes;
}

const ApiRoute& metricsRoute() {
    static const ApiRoute route{"GET", QStringLiteral("/metrics")};
    return route;
}

QString routeTemplateOf(const QString& path) {
    const auto segments = path.split(QLatin1Char('/'));
    for (const auto& route : apiRoutes()) {
        const auto pattern = route.path.split(QLatin1Char('/'));
        if (pattern.size() != segments.size()) continue;
        bool match = true;
        for (qsizetype i = 0; i < pattern.size() && match; ++i) {
            if (pattern[i].startsWith(QLatin1Char('{'))) match = !segments[i].isEmpty();
            else match = pattern[i] == segments[i];
        }
        if (match) return route.path;
    }
    return {};
}

}  // namespace fmc::federation
