// The coordinator's API (CoordinatorService::handle: routing, authentication, enrollment,
// uploads and their validation, aggregation) on arbitrary requests, against a real store
// (SQLite in a temporary folder) holding one federation with two enrolled sites. Every
// request gets an answer with a status and, for JSON, a JSON object; nothing escapes.
//
// Input: byte 0 picks the method; then the path up to '\n', the Authorization value up to
// '\n', and the body. "{F}", "{S}" and "{T}" stand for the federation id, the first site's
// id and its token, so that inputs reach past routing and authentication.
#include "coordinator/coordinator_service.h"
#include "coordinator/coordinator_store.h"
#include "fuzz_support.h"

#include <QCoreApplication>
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>

#include <cstdlib>

using namespace fmc::federation;

namespace {

// Kept until the process ends, never destroyed: Qt's SQL connection registry goes before
// this file's statics would, and a store closing after it crashes.
QCoreApplication* application = nullptr;
CoordinatorStore* store = nullptr;
CoordinatorService* service = nullptr;
std::int64_t now = 1'700'000'000'000;
QByteArray federationId, siteId, token;

QByteArray substitute(QByteArray text) {
    return text.replace("{F}", federationId).replace("{S}", siteId).replace("{T}", token);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    application = new QCoreApplication(*argc, *argv);
    QLoggingCategory::setFilterRules(QStringLiteral("fmc.*=false"));  // millions of log lines otherwise
    const auto dir = QDir::temp().filePath(QStringLiteral("fmc-fuzz-routes-%1").arg(QCoreApplication::applicationPid()));
    QDir(dir).removeRecursively();
    QDir().mkpath(dir);
    DatabaseConfig database;
    database.path = dir + "/state.sqlite";
    store = CoordinatorStore::open(database).release();
    ServiceOptions options;
    options.clock = [] { return now; };
    options.maxBodyBytes = 1 << 20;
    service = new CoordinatorService(*store, options);
    FederationSettings settings;
    settings.name = "fuzz";
    settings.classNames = {"a", "b"};
    settings.bundleName = "tiny";
    settings.bundleHash = std::string(64, 'f');
    settings.embeddingDim = 4;
    settings.rounds = 1000;
    settings.minSites = 2;
    settings.roundDeadlineSeconds = 60;
    settings.codec = fmc::CodecKind::Fp32Raw;
    federationId = QByteArray::fromStdString(service->createFederation(settings));
    for (const char* name : {"fuzz site A", "fuzz site B"}) {
        const auto issued = service->issueEnrollmentCode(federationId.toStdString(), name, 3600);
        const auto enrolled = QJsonDocument::fromJson(
                                  service->handle({"POST", "/api/v1/enroll", {},
                                                   QJsonDocument(QJsonObject{{"code", QString::fromStdString(issued.code)}})
                                                       .toJson(),
                                                   "127.0.0.1"})
                                      .body)
                                  .object();
        if (token.isEmpty()) {
            siteId = enrolled.value("site_id").toString().toLatin1();
            token = "Bearer " + enrolled.value("token").toString().toLatin1();
        }
    }
    if (token.size() < 10) {
        std::fprintf(stderr, "fuzz_coordinator_routes: enrollment failed\n");
        std::exit(1);
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const char* const methods[] = {"GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS", "BREW"};
    if (size == 0) return 0;
    const QByteArray input(reinterpret_cast<const char*>(data) + 1, static_cast<qsizetype>(size - 1));
    ApiRequest request;
    request.method = methods[data[0] % 8];
    const auto pathEnd = input.indexOf('\n');
    request.path = QString::fromUtf8(substitute(input.left(pathEnd < 0 ? input.size() : pathEnd)));
    if (pathEnd >= 0) {
        const auto authEnd = input.indexOf('\n', pathEnd + 1);
        request.authorization = substitute(input.mid(pathEnd + 1, authEnd < 0 ? -1 : authEnd - pathEnd - 1));
        if (authEnd >= 0) request.body = substitute(input.mid(authEnd + 1));
    }
    request.remoteAddress = QStringLiteral("192.0.2.%1").arg(data[0]);
    now += 1000;  // deadlines pass, throttling windows end
    const auto response = service->handle(request);
    if (response.status < 200 || response.status > 599) __builtin_trap();
    if (response.contentType == "application/json" && !QJsonDocument::fromJson(response.body).isObject())
        __builtin_trap();
    if (data[0] & 0x80) service->tick();
    return 0;
}
