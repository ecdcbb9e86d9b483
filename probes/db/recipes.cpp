// How each server is initialised and started inside an Instance's private directory: the command lines and
// configuration files of PostgreSQL, PgBouncer and MariaDB, and the table every server serves
// (docs/METHODOLOGY.md, "The db.* probes").
#include <fstream>
#include <string>

#include "engine/probe.hpp"
#include "probes/db/blocking_client.hpp"
#include "probes/db/instance.hpp"

namespace ctxbench::db {

namespace {

constexpr int kTableRows = 10000;

}  // namespace

void Instance::start_postgres(int max_connections, int port) {
  const std::string bin = postgres_bin_dir();
  setup_command({bin + "/initdb", "-D", dir_ + "/pg", "-U", db_user_, "--auth=trust", "--no-sync", "--encoding=UTF8",
                 "--locale=C"},
                "initdb");
  // Unix socket in the private directory only (listen_addresses empty: no TCP port at all). fsync off and
  // no autovacuum: the workload is read-only, and nothing in the background should run in the window.
  Program& pg = launch({bin + "/postgres",
                        "-D",
                        dir_ + "/pg",
                        "-k",
                        dir_,
                        "-p",
                        std::to_string(port),
                        "-c",
                        "listen_addresses=",
                        "-c",
                        "max_connections=" + std::to_string(max_connections),
                        "-c",
                        "shared_buffers=32MB",
                        "-c",
                        "fsync=off",
                        "-c",
                        "synchronous_commit=off",
                        "-c",
                        "autovacuum=off",
                        "-c",
                        "huge_pages=off",
                        "-c",
                        "log_min_messages=warning"},
                       "postgres.log");
  socket_ = dir_ + "/.s.PGSQL." + std::to_string(port);
  database_ = "postgres";
  wait_until_login(socket_, Protocol::Postgres, database_, 60, pg, "postgres.log");
  BlockingClient setup(socket_, Protocol::Postgres, db_user_, database_, 60000);
  setup.run(
      "CREATE TABLE sbtest1 (id INTEGER PRIMARY KEY, k INTEGER NOT NULL, c CHAR(120) NOT NULL, "
      "pad CHAR(60) NOT NULL)");
  setup.run("INSERT INTO sbtest1 SELECT g, g, repeat('c', 120), repeat('p', 60) FROM generate_series(1, " +
            std::to_string(kTableRows) + ") g");
  setup.run("VACUUM ANALYZE sbtest1");
}

void Instance::start_pgbouncer(int max_clients, int pool) {
  const std::string ini = dir_ + "/pgbouncer.ini";
  {
    std::ofstream f(ini);
    // Transaction pooling to `pool` backends; unix socket only (no listen_addr); auth_type any: the
    // client's user name is ignored and the pool logs in as the trust user.
    f << "[databases]\npostgres = host=" << dir_ << " port=" << kPostgresPort << " user=" << db_user_
      << " dbname=postgres\n"
      << "[pgbouncer]\nunix_socket_dir = " << dir_ << "\nlisten_port = " << kPgBouncerPort
      << "\nauth_type = any\npool_mode = transaction\ndefault_pool_size = " << pool << "\nmin_pool_size = " << pool
      << "\nmax_client_conn = " << max_clients
      << "\nignore_startup_parameters = extra_float_digits\nlog_connections = 0\nlog_disconnections = 0\n";
    if (!f) throw ProbeError("cannot write " + ini);
  }
  Program& bouncer = launch({kPgBouncer, ini}, "pgbouncer.log");
  socket_ = dir_ + "/.s.PGSQL." + std::to_string(kPgBouncerPort);
  wait_until_login(socket_, Protocol::Postgres, database_, 30, bouncer, "pgbouncer.log");
}

void Instance::start_mariadb(bool pool_of_threads, int max_connections, int pool) {
  const std::string data = dir_ + "/my";
  setup_command(
      {kMariaDbInstall, "--no-defaults", "--datadir=" + data, "--skip-test-db",
       "--auth-root-authentication-method=normal", "--innodb-log-file-size=8M", "--innodb-buffer-pool-size=32M"},
      "mariadb-install-db");
  const std::string init = dir_ + "/init.sql";
  {
    std::ofstream f(init);
    // Runs once at start-up, before the first client: the same table as the PostgreSQL servers, and a
    // password-less user that may only use it.
    f << "CREATE DATABASE ctx;\nUSE ctx;\n"
         "CREATE TABLE ctx.sbtest1 (id INTEGER PRIMARY KEY, k INTEGER NOT NULL, c CHAR(120) NOT NULL, "
         "pad CHAR(60) NOT NULL) ENGINE=InnoDB;\n"
         "INSERT INTO ctx.sbtest1 SELECT seq, seq, REPEAT('c', 120), REPEAT('p', 60) FROM seq_1_to_"
      << kTableRows << ";\nCREATE USER '" << db_user_ << "'@'localhost';\nGRANT SELECT ON ctx.* TO '" << db_user_
      << "'@'localhost';\n";
    if (!f) throw ProbeError("cannot write " + init);
  }
  socket_ = dir_ + "/mariadb.sock";
  database_ = "ctx";
  Program& server =
      launch({kMariaDbd, "--no-defaults", "--datadir=" + data, "--socket=" + socket_, "--skip-networking",
              "--pid-file=" + dir_ + "/mariadbd.pid", "--tmpdir=" + dir_, "--init-file=" + init,
              std::string("--thread-handling=") + (pool_of_threads ? "pool-of-threads" : "one-thread-per-connection"),
              "--thread-pool-size=" + std::to_string(pool), "--max-connections=" + std::to_string(max_connections),
              "--innodb-buffer-pool-size=64M", "--innodb-log-file-size=8M", "--skip-name-resolve", "--skip-log-bin"},
             "mariadbd.log");
  wait_until_login(socket_, Protocol::MySql, database_, 60, server, "mariadbd.log");
}

}  // namespace ctxbench::db
