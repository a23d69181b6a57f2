// docs/openapi.json against the coordinator: every route the server dispatches is in the file
// and every route in the file is dispatched (a wrong method on it gives 405, not 404); the
// examples and the service's real answers validate against the file's schemas (a JSON Schema
// subset: type, nullable, enum, required, properties, additionalProperties, items, minItems,
// minimum, maximum, minLength, maxLength, pattern, $ref).
#include "coordinator/api_routes.h"
#include "coordinator/coordinator_service.h"
#include "federation_test_support.h"

#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <set>

using namespace fmc;
using namespace fmc::federation;
using namespace fmc::federation::test;

namespace {

constexpr int kDim = 4;

class SchemaValidator {
public:
    explicit SchemaValidator(QJsonObject document) : document_(std::move(document)) {}

    // Empty when `value` fits `schema`; else where and why not.
    QString validate(const QJsonValue& value, const QJsonObject& schema, const QString& where = "$") const {
        if (schema.contains("$ref")) {
            const auto target = resolve(schema.value("$ref").toString());
            if (target.isEmpty()) return where + ": unresolvable $ref " + schema.value("$ref").toString();
            return validate(value, target, where);
        }
        if (value.isNull() && schema.value("nullable").toBool()) return {};
        if (schema.contains("enum") && !schema.value("enum").toArray().contains(value))
            return where + ": not one of the enum values";
        const auto type = schema.value("type").toString();
        if (type == "object") {
            if (!value.isObject()) return where + ": not an object";
            const auto object = value.toObject();
            const auto properties = schema.value("properties").toObject();
            for (const auto& required : schema.value("required").toArray())
                if (!object.contains(required.toString())) return where + ": missing required " + required.toString();
            for (auto it = object.begin(); it != object.end(); ++it) {
                if (properties.contains(it.key())) {
                    const auto problem = validate(it.value(), properties.value(it.key()).toObject(), where + "." + it.key());
                    if (!problem.isEmpty()) return problem;
                } else if (schema.value("additionalProperties") == QJsonValue(false)) {
                    return where + ": undocumented property " + it.key();
                }
            }
        } else if (type == "array") {
            if (!value.isArray()) return where + ": not an array";
            const auto array = value.toArray();
            if (schema.contains("minItems") && array.size() < schema.value("minItems").toInt()) return where + ": too few items";
            for (int i = 0; i < array.size(); ++i) {
                const auto problem =
                    validate(array[i], schema.value("items").toObject(), where + "[" + QString::number(i) + "]");
                if (!problem.isEmpty()) return problem;
            }
        } else if (type == "string") {
            if (!value.isString()) return where + ": not a string";
            const auto text = value.toString();
            if (schema.contains("minLength") && text.size() < schema.value("minLength").toInt()) return where + ": too short";
            if (schema.contains("maxLength") && text.size() > schema.value("maxLength").toInt()) return where + ": too long";
            if (schema.contains("pattern") &&
                !QRegularExpression(schema.value("pattern").toString()).match(text).hasMatch())
                return where + ": does not match " + schema.value("pattern").toString();
        } else if (type == "integer" || type == "number") {
            if (!value.isDouble()) return where + ": not a number";
            const double number = value.toDouble();
            if (type == "integer" && number != std::floor(number)) return where + ": not an integer";
            if (schema.contains("minimum") && number < schema.value("minimum").toDouble()) return where + ": below minimum";
            if (schema.contains("maximum") && number > schema.value("maximum").toDouble()) return where + ": above maximum";
        } else if (type == "boolean") {
            if (!value.isBool()) return where + ": not a boolean";
        } else if (!type.isEmpty()) {
            return where + ": the validator does not know type " + type;
        }
        return {};
    }

    QJsonObject resolve(const QString& ref) const {
        if (!ref.startsWith("#/")) return {};
        QJsonValue node = document_;
        for (const auto& part : ref.mid(2).split('/')) node = node.toObject().value(part);
        return node.toObject();
    }

private:
    QJsonObject document_;
};

// Every (method, path) the file documents.
std::set<std::pair<QByteArray, QString>> documentedRoutes(const QJsonObject& document) {
    std::set<std::pair<QByteArray, QString>> routes;
    const auto paths = document.value("paths").toObject();
    for (auto path = paths.begin(); path != paths.end(); ++path)
        for (const auto& method : path.value().toObject().keys())
            if (method != "parameters") routes.insert({method.toUpper().toLatin1(), path.key()});
    return routes;
}

QString describe(const std::set<std::pair<QByteArray, QString>>& routes) {
    QStringList out;
    for (const auto& [method, path] : routes) out << QString::fromLatin1(method) + " " + path;
    return out.join(", ");
}

}  // namespace

class TestOpenApi : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    QJsonObject document_;
    std::unique_ptr<CoordinatorStore> store_;
    std::unique_ptr<CoordinatorService> service_;
    std::string federation_;
    std::string siteId_, token_;

    ApiResponse call(const QByteArray& method, const QString& path, const QByteArray& body = {}) {
        ApiRequest request;
        request.method = method;
        request.path = path;
        request.authorization = QByteArray::fromStdString("Bearer " + token_);
        request.body = body;
        request.remoteAddress = "127.0.0.1";
        return service_->handle(request);
    }

    QString concrete(const QString& path) const {
        return QString(path).replace("{federation_id}", QString::fromStdString(federation_)).replace("{round}", "1");
    }

    // The schema the file documents for an answer (route, status), or an empty object.
    QJsonObject responseSchema(const QString& path, const QByteArray& method, int status) const {
        const auto operation = document_.value("paths").toObject().value(path).toObject().value(QString::fromLatin1(method).toLower()).toObject();
        const auto response = operation.value("responses").toObject().value(QString::number(status)).toObject();
        return response.value("content").toObject().value("application/json").toObject().value("schema").toObject();
    }

    void checkAnswer(const QString& path, const QByteArray& method, const ApiResponse& response) {
        const auto schema = responseSchema(path, method, response.status);
        QVERIFY2(!schema.isEmpty(), qPrintable(QString("%1 %2: status %3 is not documented").arg(QString(method), path).arg(response.status)));
        const auto problem = SchemaValidator(document_).validate(QJsonDocument::fromJson(response.body).object(), schema);
        QVERIFY2(problem.isEmpty(), qPrintable(QString(method) + " " + path + ": " + problem + "\n" + response.body));
    }

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QFile file(QStringLiteral(FMC_SOURCE_DIR "/docs/openapi.json"));
        QVERIFY2(file.open(QIODevice::ReadOnly), "docs/openapi.json is missing");
        QJsonParseError error{};
        document_ = QJsonDocument::fromJson(file.readAll(), &error).object();
        QVERIFY2(!document_.isEmpty(), qPrintable(error.errorString()));

        DatabaseConfig database;
        database.path = dir_.filePath("state.sqlite");
        store_ = CoordinatorStore::open(database);
        service_ = std::make_unique<CoordinatorService>(*store_);
        FederationSettings settings;
        settings.name = "openapi";
        settings.classNames = {"a", "b"};
        settings.bundleName = "tiny";
        settings.bundleHash = std::string(64, 'e');
        settings.embeddingDim = kDim;
        settings.rounds = 2;
        settings.minSites = 1;
        settings.imageDomain.modalities = {"photo"};  // the answer then carries image_domain
        settings.imageDomain.photometric = {"colour"};
        federation_ = service_->createFederation(settings);
        const auto code = service_->issueEnrollmentCode(federation_, "Hospital A", 3600).code;
        ApiRequest enroll;
        enroll.method = "POST";
        enroll.path = "/api/v1/enroll";
        enroll.body = QJsonDocument(QJsonObject{{"code", QString::fromStdString(code)}}).toJson();
        const auto enrolled = service_->handle(enroll);
        QCOMPARE(enrolled.status, 201);
        checkAnswer("/api/v1/enroll", "POST", enrolled);
        const auto json = QJsonDocument::fromJson(enrolled.body).object();
        siteId_ = json.value("site_id").toString().toStdString();
        token_ = json.value("token").toString().toStdString();
    }

    void isOpenApi3WithResolvableReferences() {
        QVERIFY(document_.value("openapi").toString().startsWith("3."));
        SchemaValidator validator(document_);
        const std::function<void(const QJsonValue&)> walk = [&](const QJsonValue& node) {
            if (node.isObject()) {
                const auto object = node.toObject();
                if (object.contains("$ref"))
                    QVERIFY2(!validator.resolve(object.value("$ref").toString()).isEmpty(),
                             qPrintable(object.value("$ref").toString()));
                for (const auto& child : object) walk(child);
            } else if (node.isArray()) {
                for (const auto& child : node.toArray()) walk(child);
            }
        };
        walk(document_);
    }

    void routesMatchTheServerBothWays() {
        std::set<std::pair<QByteArray, QString>> server;
        for (const auto& route : apiRoutes()) server.insert({route.method, route.path});
        server.insert({metricsRoute().method, metricsRoute().path});
        const auto documented = documentedRoutes(document_);
        std::set<std::pair<QByteArray, QString>> undocumented, unserved;
        std::set_difference(server.begin(), server.end(), documented.begin(), documented.end(),
                            std::inserter(undocumented, undocumented.end()));
        std::set_difference(documented.begin(), documented.end(), server.begin(), server.end(),
                            std::inserter(unserved, unserved.end()));
        QVERIFY2(undocumented.empty(), qPrintable("served but not in docs/openapi.json: " + describe(undocumented)));
        QVERIFY2(unserved.empty(), qPrintable("in docs/openapi.json but not served: " + describe(unserved)));
    }

    // The route table is what the service dispatches: each documented API path is known to
    // route() (a method it does not serve there gives 405, the documented one no 404/405),
    // and the metrics label of each concrete path is its own template.
    void everyDocumentedApiRouteIsDispatched() {
        for (const auto& [method, path] : documentedRoutes(document_)) {
            if (path == metricsRoute().path) continue;
            const auto concretePath = concrete(path);
            QCOMPARE(routeTemplateOf(concretePath), path);
            const auto wrong = call(method == "GET" ? "DELETE" : "GET", concretePath);
            QVERIFY2(wrong.status == 405, qPrintable(path + ": a wrong method gave " + QString::number(wrong.status)));
            const auto right = call(method, concretePath, method == "POST" ? QByteArray("{}") : QByteArray());
            QVERIFY2(right.status != 405 && !(right.status == 404 && right.body.contains("no route")),
                     qPrintable(path + ": " + right.body));
        }
        QVERIFY(routeTemplateOf("/api/v1/nothing").isEmpty());
        QCOMPARE(call("GET", "/api/v1/nothing").status, 404);
    }

    void examplesValidate() {
        SchemaValidator validator(document_);
        int checked = 0;
        const auto paths = document_.value("paths").toObject();
        for (auto path = paths.begin(); path != paths.end(); ++path) {
            const auto operations = path.value().toObject();
            for (auto op = operations.begin(); op != operations.end(); ++op) {
                QList<QPair<QString, QJsonObject>> media;
                const auto body = op.value().toObject().value("requestBody").toObject().value("content").toObject();
                for (auto m = body.begin(); m != body.end(); ++m) media.append({"request", m.value().toObject()});
                const auto responses = op.value().toObject().value("responses").toObject();
                for (auto r = responses.begin(); r != responses.end(); ++r) {
                    const auto content = r.value().toObject().value("content").toObject();
                    for (auto m = content.begin(); m != content.end(); ++m) media.append({r.key(), m.value().toObject()});
                }
                for (const auto& [what, entry] : media) {
                    if (!entry.contains("example")) continue;
                    const auto problem = validator.validate(entry.value("example"), entry.value("schema").toObject());
                    QVERIFY2(problem.isEmpty(), qPrintable(op.key() + " " + path.key() + " " + what + ": " + problem));
                    ++checked;
                }
            }
        }
        QVERIFY2(checked >= 15, qPrintable(QString::number(checked)));
        // The validator can say no: a task without its hash, an upload with an extra key.
        auto task = validator.resolve("#/components/schemas/Task");
        QVERIFY(!validator.validate(QJsonObject{{"protocol_version", 1}}, task).isEmpty());
        QVERIFY(!validator.validate(QJsonObject{{"accepted", true}, {"duplicate", false}, {"round", 1}, {"round_state", "open"},
                                                {"extra", 1}},
                                    validator.resolve("#/components/schemas/UploadResponse"))
                     .isEmpty());
    }

    // The service's real answers fit the documented schemas.
    void realAnswersValidate() {
        ApiRequest health;
        health.method = "GET";
        health.path = "/api/v1/health";
        checkAnswer("/api/v1/health", "GET", service_->handle(health));
        const QString base = "/api/v1/federations/{federation_id}";
        checkAnswer(base + "/task", "GET", call("GET", concrete(base + "/task")));
        checkAnswer(base + "/rounds/current", "GET", call("GET", concrete(base + "/rounds/current")));
        checkAnswer(base + "/rounds/{round}", "GET", call("GET", concrete(base + "/rounds/{round}")));
        checkAnswer(base + "/rounds/{round}", "GET", call("GET", concrete(base + "/rounds/9")));

        const auto upload = uploadJson(federation_, 1, siteId_, encodeParameters(syntheticFam(kDim, 1), CodecKind::Fp16Zlib), 10,
                                       "openapi-upload-1");
        const auto uploadSchema = SchemaValidator(document_).resolve("#/components/schemas/UploadRequest");
        const auto problem = SchemaValidator(document_).validate(QJsonDocument::fromJson(upload).object(), uploadSchema);
        QVERIFY2(problem.isEmpty(), qPrintable("the client's upload body: " + problem));
        const auto accepted = call("POST", concrete(base + "/rounds/{round}/uploads"), upload);
        QCOMPARE(accepted.status, 201);
        checkAnswer(base + "/rounds/{round}/uploads", "POST", accepted);
        checkAnswer(base + "/rounds/{round}/uploads", "POST", call("POST", concrete(base + "/rounds/{round}/uploads"), upload));
        checkAnswer(base + "/rounds/{round}", "GET", call("GET", concrete(base + "/rounds/{round}")));
        checkAnswer(base + "/rounds/current", "GET", call("GET", concrete(base + "/rounds/current")));
        // Errors: a rejected upload, a bad token.
        checkAnswer(base + "/rounds/{round}/uploads", "POST",
                    call("POST", concrete(base + "/rounds/{round}/uploads").replace("/rounds/1/", "/rounds/2/"),
                         uploadJson(federation_, 2, siteId_, nanPayload(syntheticFam(kDim, 2)), 10, "openapi-upload-2",
                                    CodecKind::Fp32Raw)));
        token_ = "fmcs_unknown";
        checkAnswer(base + "/task", "GET", call("GET", concrete(base + "/task")));
    }
};

QTEST_MAIN(TestOpenApi)
#include "tst_openapi.moc"
