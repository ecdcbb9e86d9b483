// The results store's connection: one small interface, two backends (SQLite file, PostgreSQL server).
// Everything above it (src/store/history_store.*) is the same SQL for both, with $1..$n parameters.
// docs/contracts.md, "The results store".
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace ctxbench::store {

// A store that cannot be opened, read or written: what() names it (a path, or a URL with its password
// masked). Exit 2.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Backend { Sqlite, Postgres };

// A statement parameter: NULL, an integer, a double or text. (A struct, not std::variant: GCC 12 reports
// a variant's moves as maybe-uninitialized, a known false positive that -Werror would stop on.)
struct Value {
  enum class Kind { Null, Integer, Real, Text };
  Kind kind = Kind::Null;
  std::int64_t integer = 0;
  double real = 0;
  std::string text;
  Value() = default;
  Value(std::int64_t v) : kind(Kind::Integer), integer(v) {}
  Value(double v) : kind(Kind::Real), real(v) {}
  Value(std::string v) : kind(Kind::Text), text(std::move(v)) {}
  Value(const char* v) : kind(Kind::Text), text(v) {}
};

// One result row; columns by position, as the SELECT lists them.
class Row {
 public:
  virtual ~Row() = default;
  virtual bool null(int column) const = 0;
  virtual std::string text(int column) const = 0;
  virtual double real(int column) const = 0;
  virtual std::int64_t integer(int column) const = 0;
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Backend backend() const = 0;
  const std::string& name() const { return name_; }  // what messages show: path or masked URL
  // A write transaction: SQLite takes the file's write lock at once (BEGIN IMMEDIATE, waiting up to the
  // busy timeout for another writer); PostgreSQL starts a plain transaction (unique keys and ON CONFLICT
  // DO NOTHING keep rows single under concurrent writers).
  virtual void begin_write() = 0;
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;
  // One statement; returns the rows it changed.
  virtual std::int64_t execute(const std::string& sql, const std::vector<Value>& params = {}) = 0;
  virtual void query(const std::string& sql, const std::vector<Value>& params,
                     const std::function<void(const Row&)>& each) = 0;

 protected:
  explicit Connection(std::string name) : name_(std::move(name)) {}

 private:
  std::string name_;
};

// Opens `spec`: a postgresql:// (or postgres://) URL, else a path to an SQLite file. `create`: an SQLite
// file that does not exist yet is created (history add); otherwise it is a StoreError.
std::unique_ptr<Connection> open_store(const std::string& spec, bool create);
std::unique_ptr<Connection> open_sqlite(const std::string& path, bool create);
std::unique_ptr<Connection> open_postgres(const std::string& url);

bool is_postgres_url(const std::string& spec);
// The URL with any password (user:PASSWORD@ or password=PASSWORD) replaced by ***: the only form of a
// URL that is ever printed.
std::string mask_password(const std::string& url);
// `text` (a driver's message about `url`) with every occurrence of the URL's password replaced by ***: a
// driver may quote a malformed part of the URL back.
std::string hide_password(std::string text, const std::string& url);
// --store's default: $CTXBENCH_STORE, else ./ctxbench-history.sqlite.
std::string default_store_spec();

}  // namespace ctxbench::store
