#pragma once
// A throw-away PostgreSQL server for the coordinator's tests: initdb into a temporary folder,
// then `postgres` as a child of the test, listening only on a Unix socket in that folder,
// with trust authentication and without fsync. PostgreSQL refuses to run as root, so a test
// running as root (containers, CI) runs both as "nobody". The server dies with the test,
// even when the test crashes.
#include "coordinator/coordinator_store.h"

#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <algorithm>
#include <array>
#include <csignal>
#include <grp.h>
#include <memory>
#include <pwd.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace fmc::federation::test {

class PostgresTestServer {
public:
    static constexpr int kPort = 5432;  // names the socket file only: nothing listens on TCP

    static constexpr std::array<const char*, 4> kTools{"initdb", "postgres", "createuser", "createdb"};

    // The folder holding kTools: $FMC_POSTGRES_BIN, else the newest /usr/lib/postgresql/<version>/bin
    // (Debian), else the PATH's. Empty when none holds them all.
    static QString binDir() {
        QStringList candidates;
        if (qEnvironmentVariableIsSet("FMC_POSTGRES_BIN")) candidates << qEnvironmentVariable("FMC_POSTGRES_BIN");
        auto versions = QDir(QStringLiteral("/usr/lib/postgresql")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        std::sort(versions.begin(), versions.end(),
                  [](const QString& a, const QString& b) { return a.toInt() > b.toInt(); });
        for (const auto& version : versions) candidates << QStringLiteral("/usr/lib/postgresql/%1/bin").arg(version);
        const auto onPath = QStandardPaths::findExecutable(QStringLiteral("postgres"));
        if (!onPath.isEmpty()) candidates << QFileInfo(onPath).absolutePath();
        for (const auto& dir : candidates)
            if (std::all_of(kTools.begin(), kTools.end(),
                            [&](const char* tool) { return QFileInfo(dir + "/" + tool).isExecutable(); }))
                return dir;
        return {};
    }

    // Why no server can be started here; empty when one can.
    static QString unavailableReason() {
        if (binDir().isEmpty())
            return QStringLiteral(
                "the PostgreSQL server programs (initdb, postgres, createuser, createdb) are not "
                "installed (Debian: postgresql; or set FMC_POSTGRES_BIN to their folder)");
        if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL")))
            return QStringLiteral("the Qt SQL driver QPSQL is not installed (Debian: libqt6sql6-psql)");
        return {};
    }

    // Throws fmc::Error with initdb's or postgres's output when the server does not start.
    PostgresTestServer() {
        if (!dir_.isValid()) throw Error("postgres test server: cannot create a temporary folder");
        const auto bin = binDir();
        const bool root = ::geteuid() == 0;
        if (root) {
            const passwd* nobody = ::getpwnam("nobody");
            if (!nobody) throw Error("postgres test server: running as root, but there is no user 'nobody' to run as");
            uid_ = nobody->pw_uid;
            gid_ = nobody->pw_gid;
        }
        // The server's user must reach its folder; the root-only temporary folder is opened up
        // for traversal, and what the server writes is its own.
        QFile::setPermissions(
            dir_.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ExeGroup | QFile::ExeOther);
        QDir().mkpath(serverDir());
        if (root && ::chown(QFile::encodeName(serverDir()).constData(), uid_, gid_) != 0)
            throw Error("postgres test server: cannot hand " + ss(serverDir()) + " to user nobody");

        QProcess initdb;
        prepare(initdb);
        initdb.start(bin + "/initdb",
                     {"-D", dataDir(), "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"});
        if (!initdb.waitForFinished(120000) || initdb.exitStatus() != QProcess::NormalExit || initdb.exitCode() != 0)
            throw Error("postgres test server: initdb failed:\n" + initdb.readAll().toStdString());

        start();
    }

    ~PostgresTestServer() { stop(); }

    // A restart of the server (as an upgrade or a failover does): every connection is dropped.
    void restart() {
        stop();
        start();
    }

    PostgresTestServer(const PostgresTestServer&) = delete;
    PostgresTestServer& operator=(const PostgresTestServer&) = delete;

    QString serverDir() const { return dir_.filePath(QStringLiteral("server")); }  // also the socket's folder
    QString dataDir() const { return serverDir() + "/data"; }
    const QByteArray& output() const { return output_; }

    // What docs/operators.md tells operators to create, with the same commands: a login role
    // (createuser) and a database it owns (createdb --owner).
    DatabaseConfig createDatabase(const QString& name, const QString& role) {
        const QStringList connection{"-h", serverDir(), "-p", QString::number(kPort), "-U", "postgres"};
        for (const auto& [tool, arguments] :
             {std::pair{QStringLiteral("createuser"), QStringList{role}},
              std::pair{QStringLiteral("createdb"), QStringList{"--owner=" + role, name}}}) {
            QProcess process;
            process.setProcessChannelMode(QProcess::MergedChannels);
            process.start(binDir() + "/" + tool, connection + arguments);
            if (!process.waitForFinished(60000) || process.exitStatus() != QProcess::NormalExit ||
                process.exitCode() != 0)
                throw Error("postgres test server: " + ss(tool) + " failed:\n" + process.readAll().toStdString());
        }
        DatabaseConfig config;
        config.driver = QStringLiteral("QPSQL");
        config.host = serverDir();
        config.port = kPort;
        config.databaseName = name;
        config.user = role;
        return config;
    }

    // Runs statements as the superuser in `database`; throws fmc::Error on a failure.
    void execute(const QString& database, const QStringList& statements) {
        const auto connection = QStringLiteral("fmc-postgres-test-%1").arg(++connections_);
        {
            auto db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connection);
            db.setHostName(serverDir());
            db.setPort(kPort);
            db.setDatabaseName(database);
            db.setUserName(QStringLiteral("postgres"));
            std::string failure;
            if (!db.open()) failure = "opening " + ss(database) + ": " + ss(db.lastError().text());
            for (const auto& statement : statements) {
                if (!failure.empty()) break;
                QSqlQuery query(db);
                if (!query.exec(statement)) failure = ss(statement) + ": " + ss(query.lastError().text());
            }
            db.close();
            if (!failure.empty()) {
                db = {};
                QSqlDatabase::removeDatabase(connection);
                throw Error("postgres test server: " + failure);
            }
        }
        QSqlDatabase::removeDatabase(connection);
    }
    void execute(const QString& database, const QString& statement) { execute(database, QStringList{statement}); }

    // Every byte the server keeps on disk (tables, indexes, WAL), after a checkpoint.
    QByteArray everythingOnDisk() {
        execute(QStringLiteral("postgres"), QStringLiteral("CHECKPOINT"));
        QByteArray all;
        QDirIterator files(dataDir(), QDir::Files, QDirIterator::Subdirectories);
        while (files.hasNext()) {
            QFile file(files.next());
            if (file.open(QIODevice::ReadOnly)) all += file.readAll();
        }
        return all;
    }

private:
    void start() {
        output_.clear();
        postgres_ = std::make_unique<QProcess>();
        prepare(*postgres_);
        QObject::connect(postgres_.get(), &QProcess::readyRead, [this] { output_ += postgres_->readAll(); });
        postgres_->start(binDir() + "/postgres", {"-D", dataDir(), "-k", serverDir(), "-p", QString::number(kPort),
                                                  "-c", "listen_addresses=", "-F", "-c", "full_page_writes=off", "-c",
                                                  "synchronous_commit=off", "-c", "max_connections=30"});
        QElapsedTimer clock;
        clock.start();
        while (!output_.contains("ready to accept connections")) {
            if (postgres_->state() == QProcess::NotRunning || clock.elapsed() > 60000)
                throw Error("postgres test server: postgres did not start:\n" + output_.toStdString());
            postgres_->waitForReadyRead(200);
        }
    }

    void stop() {
        if (!postgres_ || postgres_->state() == QProcess::NotRunning) return;
        ::kill(static_cast<pid_t>(postgres_->processId()), SIGINT);  // "fast" shutdown
        if (!postgres_->waitForFinished(20000)) {
            postgres_->kill();
            postgres_->waitForFinished(5000);
        }
    }

    // Runs the child as "nobody" when the test is root, with LC_ALL=C, and makes it die with the test.
    void prepare(QProcess& process) const {
        process.setProcessChannelMode(QProcess::MergedChannels);
        auto environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("LC_ALL"), QStringLiteral("C"));
        process.setProcessEnvironment(environment);
        process.setWorkingDirectory(serverDir());
        const bool dropPrivileges = ::geteuid() == 0;
        const uid_t uid = uid_;
        const gid_t gid = gid_;
        process.setChildProcessModifier([dropPrivileges, uid, gid] {
            if (dropPrivileges && (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0))
                _exit(127);
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // after setuid, which clears it
        });
    }

    QTemporaryDir dir_{QDir::tempPath() + "/fmc-postgres-XXXXXX"};
    uid_t uid_ = 0;
    gid_t gid_ = 0;
    std::unique_ptr<QProcess> postgres_;
    QByteArray output_;
    int connections_ = 0;
};

}  // namespace fmc::federation::test
