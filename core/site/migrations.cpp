#include "site/migrations.h"

namespace fmc::sqlite {
namespace {

void createLedger(Database& database) {
    database.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY,"
        " name TEXT NOT NULL,"
        " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))");
}

int appliedVersion(Database& database) {
    return static_cast<int>(database.queryInt("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
}

}  // namespace

int schemaVersion(Database& database) {
    const bool hasLedger =
        database.queryInt("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'") > 0;
    return hasLedger ? appliedVersion(database) : 0;
}

int migrate(Database& database, const std::vector<Migration>& migrations) {
    for (size_t i = 1; i < migrations.size(); ++i)
        if (migrations[i].version <= migrations[i - 1].version)
            throw Error(database.path() + ": migration '" + migrations[i].name + "' (version " +
                        std::to_string(migrations[i].version) + ") is not newer than the one before it");
    const int newest = migrations.empty() ? 0 : migrations.back().version;

    // The write lock is taken before the version is read, so two processes opening the same
    // fresh workspace cannot both apply the same migration.
    Transaction transaction(database);
    createLedger(database);
    const int current = appliedVersion(database);
    if (current > newest)
        throw Error(database.path() + ": schema version " + std::to_string(current) +
                    " is newer than this program knows (" + std::to_string(newest) +
                    "); open it with the release that wrote it");
    auto record = database.prepare("INSERT INTO schema_migrations (version, name) VALUES (?1, ?2)");
    int applied = 0;
    for (const auto& migration : migrations) {
        if (migration.version <= current) continue;
        try {
            database.execute(migration.sql);
        } catch (const Error& error) {
            std::string reason = error.what();
            if (reason.rfind(database.path() + ": ", 0) == 0) reason.erase(0, database.path().size() + 2);
            throw Error(database.path() + ": migration " + std::to_string(migration.version) + " '" + migration.name +
                        "' failed, database left at version " + std::to_string(current) + ": " + reason);
        }
        record.bindAll(static_cast<std::int64_t>(migration.version), migration.name).run();
        ++applied;
    }
    if (applied > 0) database.execute("PRAGMA user_version = " + std::to_string(newest));
    transaction.commit();
    return applied;
}

}  // namespace fmc::sqlite
