#pragma once
// Small RAII layer over the sqlite3 C API: a connection, prepared statements and
// transactions. sqlite3.h stays in sqlite.cpp; only opaque handles appear here.
//
// Every value reaches SQL through bind(), never through string building, so no image
// label, path or DICOM attribute can change a statement or show up in an error: error
// messages name the database file and the statement's SQL text, never bound values.
#include "common/types.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace fmc::sqlite {

class Statement;

class Database {
public:
    enum class Access { ReadWriteCreate, ReadWrite, ReadOnly };

    // Opens with extended error codes, foreign keys on, WAL journal (except read-only),
    // synchronous=NORMAL (durable at checkpoints, never corrupt) and a busy timeout, so a
    // second process waits for a writer instead of failing at once.
    static Database open(const std::string& path, Access access = Access::ReadWriteCreate,
                         int busyTimeoutMs = 10'000);

    Database(Database&&) noexcept = default;
    Database& operator=(Database&&) noexcept = default;
    ~Database();

    // Runs SQL without parameters (schema, pragmas); several statements allowed.
    void execute(const std::string& sql);
    Statement prepare(const std::string& sql);

    // First column of the first row of a parameterless query, as text / integer.
    std::string queryText(const std::string& sql);
    std::int64_t queryInt(const std::string& sql);

    std::int64_t lastInsertRowId() const;
    int changes() const;
    bool inTransaction() const;
    const std::string& path() const { return path_; }

private:
    struct Closer {
        void operator()(sqlite3* db) const;
    };
    Database(std::unique_ptr<sqlite3, Closer> db, std::string path);

    std::unique_ptr<sqlite3, Closer> db_;
    std::string path_;
};

using Blob = std::vector<std::uint8_t>;

class Statement {
public:
    Statement(Statement&&) noexcept = default;
    Statement& operator=(Statement&&) noexcept = default;
    ~Statement();

    // 1-based parameter index, as in SQL ("?1" or the n-th "?").
    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    Statement& bind(int index, double value);
    Statement& bind(int index, const std::string& value);
    Statement& bind(int index, const char* value) { return bind(index, std::string(value)); }
    Statement& bind(int index, const Blob& value);
    Statement& bind(int index, const float* values, std::size_t count);  // as a BLOB of raw floats
    Statement& bindNull(int index);
    // Empty optional binds NULL.
    template <typename T>
    Statement& bind(int index, const std::optional<T>& value) {
        return value ? bind(index, *value) : bindNull(index);
    }

    // Binds the arguments to ?1, ?2, ... in order.
    template <typename... Args>
    Statement& bindAll(const Args&... args) {
        int index = 0;
        (bind(++index, args), ...);
        return *this;
    }

    // Advances; true while a row is available. Throws fmc::Error naming the database and SQL.
    bool step();
    // Steps to completion (INSERT/UPDATE/DELETE), then resets for reuse.
    void run();
    // Clears bindings and rewinds, so the statement can run again.
    void reset();

    bool isNull(int column) const;
    std::int64_t columnInt(int column) const;
    double columnDouble(int column) const;
    std::string columnText(int column) const;  // "" for NULL
    std::optional<std::string> columnOptionalText(int column) const;
    Blob columnBlob(int column) const;
    std::vector<float> columnFloats(int column) const;  // a BLOB written by bind(float*, n)

private:
    friend class Database;
    struct Finalizer {
        void operator()(sqlite3_stmt* statement) const;
    };
    explicit Statement(sqlite3_stmt* statement);
    [[noreturn]] void fail(const char* what) const;
    void check(int rc, const char* what) const;

    std::unique_ptr<sqlite3_stmt, Finalizer> statement_;
};

// BEGIN IMMEDIATE on construction (takes the write lock at once, so the busy timeout
// applies here rather than deadlocking later), ROLLBACK on destruction unless committed.
class Transaction {
public:
    explicit Transaction(Database& database);
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    ~Transaction();
    void commit();

private:
    Database& database_;
    bool open_ = true;
};

}  // namespace fmc::sqlite
