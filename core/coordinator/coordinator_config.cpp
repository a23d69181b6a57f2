#include "coordinator/coordinator_config.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

namespace fmc::federation {
namespace {

class ConfigReader {
public:
    explicit ConfigReader(QString path) : path_(std::move(path)) {}

    [[noreturn]] void fail(const QString& key, const std::string& message) const {
        throw Error(ss(path_) + ": " + ss(key) + ": " + message);
    }

    QString string(const QJsonObject& object, const QString& key, const QString& prefix, const QString& fallback) const {
        const auto value = object.value(key);
        if (value.isUndefined()) return fallback;
        if (!value.isString()) fail(prefix + key, "must be a string");
        return value.toString();
    }

    std::int64_t integer(const QJsonObject& object, const QString& key, const QString& prefix, std::int64_t fallback,
                         std::int64_t low, std::int64_t high) const {
        const auto value = object.value(key);
        if (value.isUndefined()) return fallback;
        const double number = value.toDouble(std::nan(""));
        if (!value.isDouble() || number != std::floor(number) || number < low || number > high)
            fail(prefix + key, "must be an integer in " + std::to_string(low) + ".." + std::to_string(high));
        return static_cast<std::int64_t>(number);
    }

    void onlyKnownKeys(const QJsonObject& object, const QString& prefix, const QStringList& known) const {
        for (const auto& key : object.keys())
            if (!known.contains(key)) fail(prefix + key, "unknown key (known: " + ss(known.join(", ")) + ")");
    }

    QJsonObject object(const QJsonObject& parent, const QString& key) const {
        const auto value = parent.value(key);
        if (value.isUndefined()) return {};
        if (!value.isObject()) fail(key, "must be an object");
        return value.toObject();
    }

    QString resolve(const QString& path) const {
        if (path.isEmpty() || QDir::isAbsolutePath(path)) return path;
        return QFileInfo(path_).absoluteDir().absoluteFilePath(path);
    }

private:
    QString path_;
};

}  // namespace

CoordinatorConfig loadCoordinatorConfig(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) throw Error(ss(path) + ": cannot read the configuration file");
    QJsonParseError parseError;
    const auto document = QJsonDocument::fromJson(file.read(1 << 20), &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        throw Error(ss(path) + ": not a JSON object (" + ss(parseError.errorString()) + " at offset " +
                    std::to_string(parseError.offset) + ")");
    const auto root = document.object();
    const ConfigReader reader(path);
    static const QStringList known{"listen", "tls", "database", "limits", "trusted_proxies", "privacy_capture_dir",
                                   "tick_interval_ms"};
    for (const auto& key : root.keys())
        if (!known.contains(key)) reader.fail(key, "unknown key (known: " + ss(known.join(", ")) + ")");

    CoordinatorConfig config;
    config.path = QFileInfo(path).absoluteFilePath();

    const auto listen = reader.object(root, "listen");
    const auto address = reader.string(listen, "address", "listen.", "127.0.0.1");
    if (!config.listenAddress.setAddress(address)) reader.fail("listen.address", "'" + ss(address) + "' is not an IP address");
    config.port = static_cast<quint16>(reader.integer(listen, "port", "listen.", 8443, 0, 65535));

    const auto tls = reader.object(root, "tls");
    config.certificatePath = reader.resolve(reader.string(tls, "certificate", "tls.", {}));
    config.keyPath = reader.resolve(reader.string(tls, "key", "tls.", {}));
    if (config.certificatePath.isEmpty()) reader.fail("tls.certificate", "missing: the coordinator serves HTTPS only");
    if (config.keyPath.isEmpty()) reader.fail("tls.key", "missing: the coordinator serves HTTPS only");

    const auto database = reader.object(root, "database");
    reader.onlyKnownKeys(database, "database.",
                         {"driver", "path", "host", "port", "name", "user", "password", "connect_options"});
    config.database.driver = reader.string(database, "driver", "database.", "QSQLITE");
    config.database.path = reader.resolve(reader.string(database, "path", "database.", {}));
    config.database.host = reader.string(database, "host", "database.", "localhost");
    config.database.port = static_cast<int>(reader.integer(database, "port", "database.", 5432, 1, 65535));
    config.database.databaseName = reader.string(database, "name", "database.", "fedmedclip");
    config.database.user = reader.string(database, "user", "database.", {});
    config.database.password = reader.string(database, "password", "database.", {});
    config.database.connectOptions = reader.string(database, "connect_options", "database.", {});
    if (config.database.driver == QLatin1String("QSQLITE") && config.database.path.isEmpty())
        reader.fail("database.path", "missing (the SQLite state file)");

    const auto limits = reader.object(root, "limits");
    auto& l = config.limits;
    l.maxBodyBytes = reader.integer(limits, "max_body_bytes", "limits.", l.maxBodyBytes, 1024, 256LL << 20);
    l.maxHeaderBytes = static_cast<int>(reader.integer(limits, "max_header_bytes", "limits.", l.maxHeaderBytes, 1024, 1 << 20));
    l.handshakeTimeoutMs = static_cast<int>(reader.integer(limits, "handshake_timeout_ms", "limits.", l.handshakeTimeoutMs, 100, 600'000));
    l.headerTimeoutMs = static_cast<int>(reader.integer(limits, "header_timeout_ms", "limits.", l.headerTimeoutMs, 100, 600'000));
    l.requestTimeoutMs = static_cast<int>(reader.integer(limits, "request_timeout_ms", "limits.", l.requestTimeoutMs, 100, 3'600'000));
    l.idleTimeoutMs = static_cast<int>(reader.integer(limits, "idle_timeout_ms", "limits.", l.idleTimeoutMs, 100, 3'600'000));
    l.maxConnections = static_cast<int>(reader.integer(limits, "max_connections", "limits.", l.maxConnections, 1, 100'000));

    const auto proxies = root.value("trusted_proxies");
    if (!proxies.isUndefined()) {
        if (!proxies.isArray()) reader.fail("trusted_proxies", "must be an array of IP addresses");
        for (const auto& proxy : proxies.toArray()) {
            if (!proxy.isString() || QHostAddress(proxy.toString()).isNull())
                reader.fail("trusted_proxies", "every entry must be an IP address string");
            config.trustedProxies << QHostAddress(proxy.toString()).toString();
        }
    }
    config.privacyCaptureDir = reader.resolve(reader.string(root, "privacy_capture_dir", {}, {}));
    config.tickIntervalMs = static_cast<int>(reader.integer(root, "tick_interval_ms", {}, 1000, 50, 60'000));
    return config;
}

}  // namespace fmc::federation
