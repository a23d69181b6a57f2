#pragma once
// Forward-only schema migrations. The table schema_migrations records every migration
// applied (version, name, time); PRAGMA user_version mirrors the highest version so tools
// such as the sqlite3 shell can see it. Pending migrations run in order inside ONE
// transaction: either the database reaches the newest version or it stays as it was.
#include "site/sqlite.h"

#include <string>
#include <vector>

namespace fmc::sqlite {

struct Migration {
    int version = 0;   // 1, 2, 3, ... strictly increasing, never reused
    std::string name;  // what it does, for the schema_migrations table
    std::string sql;   // one or more statements
};

// Highest applied version, 0 for a fresh database.
int schemaVersion(Database& database);

// Applies the migrations newer than the database's version. Throws fmc::Error naming the
// database when the list is not strictly increasing, when the database is newer than the
// newest migration (written by a later release; never downgraded), or when a migration
// fails (naming it; nothing of the run is kept). Returns the number applied.
int migrate(Database& database, const std::vector<Migration>& migrations);

}  // namespace fmc::sqlite
