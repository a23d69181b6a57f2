#include "site/sqlite.h"

#include <sqlite3.h>

#include <cstring>

namespace fmc::sqlite {
namespace {

std::string describe(sqlite3* db, int rc) {
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    return message + " (" + sqlite3_errstr(rc) + ")";
}

std::string databaseName(sqlite3* db) {
    const char* name = db ? sqlite3_db_filename(db, "main") : nullptr;
    return name && *name ? name : "(in-memory database)";
}

}  // namespace

void Database::Closer::operator()(sqlite3* db) const { sqlite3_close_v2(db); }

Database::Database(std::unique_ptr<sqlite3, Closer> db, std::string path) : db_(std::move(db)), path_(std::move(path)) {}

Database::~Database() = default;

Database Database::open(const std::string& path, Access access, int busyTimeoutMs) {
    int flags = SQLITE_OPEN_NOMUTEX;
    switch (access) {
    case Access::ReadWriteCreate: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE; break;
    case Access::ReadWrite: flags |= SQLITE_OPEN_READWRITE; break;
    case Access::ReadOnly: flags |= SQLITE_OPEN_READONLY; break;
    }
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    std::unique_ptr<sqlite3, Closer> db(raw);
    if (rc != SQLITE_OK) throw Error(path + ": cannot open database: " + describe(raw, rc));
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, busyTimeoutMs);
    Database database(std::move(db), path);
    database.execute("PRAGMA foreign_keys = ON");
    if (access != Access::ReadOnly) {
        if (database.queryText("PRAGMA journal_mode = WAL") != "wal")
            throw Error(path + ": the file system does not support SQLite's WAL journal");
        database.execute("PRAGMA synchronous = NORMAL");
    }
    return database;
}

void Database::execute(const std::string& sql) {
    char* message = nullptr;
    const int rc = sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
        std::string text = message ? message : sqlite3_errstr(rc);
        sqlite3_free(message);
        throw Error(path_ + ": " + text + " in SQL: " + sql.substr(0, 200));
    }
}

Statement Database::prepare(const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    const int rc = sqlite3_prepare_v2(db_.get(), sql.c_str(), static_cast<int>(sql.size()), &statement, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(statement);
        throw Error(path_ + ": cannot prepare SQL: " + describe(db_.get(), rc) + ": " + sql.substr(0, 200));
    }
    return Statement(statement);
}

std::string Database::queryText(const std::string& sql) {
    auto statement = prepare(sql);
    if (!statement.step()) throw Error(path_ + ": no result row for SQL: " + sql);
    return statement.columnText(0);
}

std::int64_t Database::queryInt(const std::string& sql) {
    auto statement = prepare(sql);
    if (!statement.step()) throw Error(path_ + ": no result row for SQL: " + sql);
    return statement.columnInt(0);
}

std::int64_t Database::lastInsertRowId() const { return sqlite3_last_insert_rowid(db_.get()); }
int Database::changes() const { return sqlite3_changes(db_.get()); }
bool Database::inTransaction() const { return sqlite3_get_autocommit(db_.get()) == 0; }

void Statement::Finalizer::operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }

Statement::Statement(sqlite3_stmt* statement) : statement_(statement) {}
Statement::~Statement() = default;

void Statement::fail(const char* what) const {
    sqlite3* db = sqlite3_db_handle(statement_.get());
    throw Error(databaseName(db) + ": " + what + " failed: " + sqlite3_errmsg(db) + " (" +
                sqlite3_errstr(sqlite3_extended_errcode(db)) + ") in SQL: " +
                std::string(sqlite3_sql(statement_.get())).substr(0, 200));
}

void Statement::check(int rc, const char* what) const {
    if (rc != SQLITE_OK) fail(what);
}

Statement& Statement::bind(int index, std::int64_t value) {
    check(sqlite3_bind_int64(statement_.get(), index, value), "bind");
    return *this;
}

Statement& Statement::bind(int index, double value) {
    check(sqlite3_bind_double(statement_.get(), index, value), "bind");
    return *this;
}

Statement& Statement::bind(int index, const std::string& value) {
    check(sqlite3_bind_text64(statement_.get(), index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
          "bind");
    return *this;
}

Statement& Statement::bind(int index, const Blob& value) {
    // A zero-length blob must still be a BLOB, not NULL: sqlite3_bind_zeroblob keeps the type.
    if (value.empty()) check(sqlite3_bind_zeroblob(statement_.get(), index, 0), "bind");
    else check(sqlite3_bind_blob64(statement_.get(), index, value.data(), value.size(), SQLITE_TRANSIENT), "bind");
    return *this;
}

Statement& Statement::bind(int index, const float* values, std::size_t count) {
    check(sqlite3_bind_blob64(statement_.get(), index, values, count * sizeof(float), SQLITE_TRANSIENT), "bind");
    return *this;
}

Statement& Statement::bindNull(int index) {
    check(sqlite3_bind_null(statement_.get(), index), "bind");
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(statement_.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail("step");
}

void Statement::run() {
    while (step()) {
    }
    reset();
}

void Statement::reset() {
    sqlite3_reset(statement_.get());
    sqlite3_clear_bindings(statement_.get());
}

bool Statement::isNull(int column) const { return sqlite3_column_type(statement_.get(), column) == SQLITE_NULL; }

std::int64_t Statement::columnInt(int column) const { return sqlite3_column_int64(statement_.get(), column); }

double Statement::columnDouble(int column) const { return sqlite3_column_double(statement_.get(), column); }

std::string Statement::columnText(int column) const {
    const auto* text = sqlite3_column_text(statement_.get(), column);
    if (!text) return {};
    return std::string(reinterpret_cast<const char*>(text),
                       static_cast<std::size_t>(sqlite3_column_bytes(statement_.get(), column)));
}

std::optional<std::string> Statement::columnOptionalText(int column) const {
    if (isNull(column)) return std::nullopt;
    return columnText(column);
}

Blob Statement::columnBlob(int column) const {
    const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(statement_.get(), column));
    const auto size = static_cast<std::size_t>(sqlite3_column_bytes(statement_.get(), column));
    return data ? Blob(data, data + size) : Blob{};
}

std::vector<float> Statement::columnFloats(int column) const {
    const void* data = sqlite3_column_blob(statement_.get(), column);
    const auto size = static_cast<std::size_t>(sqlite3_column_bytes(statement_.get(), column));
    if (size % sizeof(float) != 0) fail("reading a float vector (BLOB size is not a multiple of 4)");
    std::vector<float> values(size / sizeof(float));
    if (size) std::memcpy(values.data(), data, size);
    return values;
}

Transaction::Transaction(Database& database) : database_(database) { database_.execute("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
    if (!open_) return;
    try {
        database_.execute("ROLLBACK");
    } catch (const Error&) {
        // SQLite already rolled back (e.g. after SQLITE_FULL); nothing else to undo.
    }
}

void Transaction::commit() {
    database_.execute("COMMIT");
    open_ = false;
}

}  // namespace fmc::sqlite
