// The PostgreSQL backend, through libpq: a store a fleet of runners shares. Parameters go as text
// ($1..$n, PostgreSQL casts them to the column types). Messages show the URL with its password masked;
// libpq's own messages name host and port, never the password.
#include <libpq-fe.h>

#include <cstdio>
#include <cstdlib>

#include "src/store/store.hpp"

namespace ctxbench::store {
namespace {

class PgRow : public Row {
 public:
  PgRow(PGresult* r, int row) : r_(r), row_(row) {}
  bool null(int c) const override { return PQgetisnull(r_, row_, c) != 0; }
  std::string text(int c) const override { return PQgetvalue(r_, row_, c); }
  double real(int c) const override { return std::strtod(PQgetvalue(r_, row_, c), nullptr); }
  std::int64_t integer(int c) const override { return std::strtoll(PQgetvalue(r_, row_, c), nullptr, 10); }

 private:
  PGresult* r_;
  int row_;
};

std::string as_text(const Value& v) {
  if (v.kind == Value::Kind::Integer) return std::to_string(v.integer);
  if (v.kind == Value::Kind::Real) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v.real);
    return buf;
  }
  return v.text;
}

std::string trimmed(const char* message) {
  std::string s = message == nullptr ? "" : message;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  for (char& ch : s)
    if (ch == '\n') ch = ' ';
  return s;
}

class PgConnection : public Connection {
 public:
  PgConnection(const std::string& url, PGconn* conn) : Connection(mask_password(url)), url_(url), conn_(conn) {}
  ~PgConnection() override { PQfinish(conn_); }
  Backend backend() const override { return Backend::Postgres; }
  void begin_write() override { execute("BEGIN", {}); }
  void commit() override { execute("COMMIT", {}); }
  void rollback() noexcept override {
    if (PGresult* r = PQexec(conn_, "ROLLBACK")) PQclear(r);
  }

  std::int64_t execute(const std::string& sql, const std::vector<Value>& params) override {
    PGresult* r = run(sql, params);
    const char* changed = PQcmdTuples(r);
    const std::int64_t n = changed != nullptr && *changed != '\0' ? std::strtoll(changed, nullptr, 10) : 0;
    PQclear(r);
    return n;
  }

  void query(const std::string& sql, const std::vector<Value>& params,
             const std::function<void(const Row&)>& each) override {
    PGresult* r = run(sql, params);
    try {
      const int rows = PQntuples(r);
      for (int i = 0; i < rows; ++i) each(PgRow(r, i));
    } catch (...) {
      PQclear(r);
      throw;
    }
    PQclear(r);
  }

 private:
  PGresult* run(const std::string& sql, const std::vector<Value>& params) {
    std::vector<std::string> texts;
    std::vector<const char*> values;
    texts.reserve(params.size());
    for (const Value& v : params) {
      if (v.kind == Value::Kind::Null) {
        texts.emplace_back();
        values.push_back(nullptr);
      } else {
        texts.push_back(as_text(v));
        values.push_back(texts.back().c_str());
      }
    }
    PGresult* r =
        PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr, values.data(), nullptr, nullptr, 0);
    const ExecStatusType st = r == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      const std::string why = trimmed(r != nullptr ? PQresultErrorMessage(r) : PQerrorMessage(conn_));
      if (r != nullptr) PQclear(r);
      throw StoreError(name() + ": " + hide_password(why, url_));
    }
    return r;
  }

  std::string url_;  // kept only to hide its password from the server's messages
  PGconn* conn_;
};

}  // namespace

std::unique_ptr<Connection> open_postgres(const std::string& url) {
  const std::string masked = mask_password(url);
  // A bounded connect: an unreachable host fails in seconds, not at the TCP default of minutes.
  const char* keywords[] = {"dbname", "connect_timeout", "application_name", nullptr};
  const char* values[] = {url.c_str(), "10", "ctxbench", nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, 1);
  if (conn == nullptr) throw StoreError(masked + ": cannot connect (out of memory)");
  if (PQstatus(conn) != CONNECTION_OK) {
    const std::string why = hide_password(trimmed(PQerrorMessage(conn)), url);
    PQfinish(conn);
    throw StoreError(masked + ": cannot connect (" + why + ")");
  }
  // Notices (e.g. "relation already exists, skipping") are not the user's business.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return std::make_unique<PgConnection>(url, conn);
}

}  // namespace ctxbench::store
