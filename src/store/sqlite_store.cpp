// The SQLite backend: one file, SQLite's C library (libsqlite3). Writers serialise on the file's lock
// (BEGIN IMMEDIATE, busy timeout 30 s); the rollback journal makes a killed write leave the file as the
// last commit left it (the next open rolls the journal back).
#include <sqlite3.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "src/store/store.hpp"

namespace ctxbench::store {
namespace {

constexpr int kBusyTimeoutMs = 30000;

class SqliteRow : public Row {
 public:
  explicit SqliteRow(sqlite3_stmt* s) : s_(s) {}
  bool null(int c) const override { return sqlite3_column_type(s_, c) == SQLITE_NULL; }
  std::string text(int c) const override {
    const unsigned char* t = sqlite3_column_text(s_, c);
    return t == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(t));
  }
  double real(int c) const override { return sqlite3_column_double(s_, c); }
  std::int64_t integer(int c) const override { return sqlite3_column_int64(s_, c); }

 private:
  sqlite3_stmt* s_;
};

// $1..$n (the PostgreSQL form every statement is written in) -> ?1..?n.
std::string sqlite_parameters(const std::string& sql) {
  std::string out = sql;
  for (std::size_t i = 0; i < out.size(); ++i)
    if (out[i] == '$' && i + 1 < out.size() && out[i + 1] >= '0' && out[i + 1] <= '9') out[i] = '?';
  return out;
}

class SqliteConnection : public Connection {
 public:
  SqliteConnection(const std::string& path, sqlite3* db) : Connection(path), db_(db) {}
  ~SqliteConnection() override {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close(db_);
  }
  Backend backend() const override { return Backend::Sqlite; }
  void begin_write() override { run_plain("BEGIN IMMEDIATE"); }
  void commit() override { run_plain("COMMIT"); }
  void rollback() noexcept override { sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr); }

  std::int64_t execute(const std::string& sql, const std::vector<Value>& params) override {
    sqlite3_stmt* s = prepare(sql, params);
    for (int rc = sqlite3_step(s);; rc = sqlite3_step(s)) {
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) fail(sql);
    }
    sqlite3_reset(s);
    return sqlite3_changes64(db_);
  }

  void query(const std::string& sql, const std::vector<Value>& params,
             const std::function<void(const Row&)>& each) override {
    sqlite3_stmt* s = prepare(sql, params);
    SqliteRow row(s);
    try {
      for (int rc = sqlite3_step(s); rc != SQLITE_DONE; rc = sqlite3_step(s)) {
        if (rc != SQLITE_ROW) fail(sql);
        each(row);
      }
    } catch (...) {
      sqlite3_reset(s);
      throw;
    }
    sqlite3_reset(s);
  }

 private:
  [[noreturn]] void fail(const std::string& what) {
    std::string message = sqlite3_errmsg(db_);
    for (auto& [sql, stmt] : statements_) sqlite3_reset(stmt);
    throw StoreError(name() + ": " + message + " (" + what.substr(0, what.find('(')) + ")");
  }

  void run_plain(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(sql);
  }

  // Statements are prepared once per connection and reused (a run file is hundreds of inserts).
  sqlite3_stmt* prepare(const std::string& sql, const std::vector<Value>& params) {
    sqlite3_stmt*& s = statements_[sql];
    if (s == nullptr && sqlite3_prepare_v2(db_, sqlite_parameters(sql).c_str(), -1, &s, nullptr) != SQLITE_OK) {
      statements_.erase(sql);
      fail(sql);
    }
    sqlite3_clear_bindings(s);
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int at = static_cast<int>(i) + 1;
      const Value& v = params[i];
      int rc = SQLITE_OK;
      switch (v.kind) {
        case Value::Kind::Integer:
          rc = sqlite3_bind_int64(s, at, v.integer);
          break;
        case Value::Kind::Real:
          rc = sqlite3_bind_double(s, at, v.real);
          break;
        case Value::Kind::Text:
          rc = sqlite3_bind_text(s, at, v.text.data(), static_cast<int>(v.text.size()), SQLITE_TRANSIENT);
          break;
        case Value::Kind::Null:
          rc = sqlite3_bind_null(s, at);
          break;
      }
      if (rc != SQLITE_OK) fail(sql);
    }
    return s;
  }

  sqlite3* db_;
  std::map<std::string, sqlite3_stmt*> statements_;
};

}  // namespace

std::unique_ptr<Connection> open_sqlite(const std::string& path, bool create) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode)) throw StoreError(path + ": not a regular file (--store takes an SQLite file)");
  } else if (!create) {
    throw StoreError(path + ": no such store (history add creates it)");
  }
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    const std::string why = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    throw StoreError(path + ": cannot open (" + why + ")");
  }
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  sqlite3_extended_result_codes(db, 1);
  std::unique_ptr<Connection> c = std::make_unique<SqliteConnection>(path, db);
  // Foreign keys on: a record never points at a run that is not there.
  c->execute("PRAGMA foreign_keys = ON");
  return c;
}

}  // namespace ctxbench::store
