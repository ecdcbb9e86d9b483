// What each database server needs installed, where its programs are, and the user it runs as: the db.*
// probes skip with the missing package's name before they make anything (docs/METHODOLOGY.md, "The db.*
// probes").
#pragma once

#include <sys/types.h>

#include <string>

namespace ctxbench::db {

enum class Server { PostgresDirect, PostgresPgBouncer, MariaDbThreadPerConnection, MariaDbPoolOfThreads };

inline constexpr const char* kMariaDbd = "/usr/sbin/mariadbd";
inline constexpr const char* kMariaDbInstall = "/usr/bin/mariadb-install-db";
inline constexpr const char* kPgBouncer = "/usr/sbin/pgbouncer";

// The newest /usr/lib/postgresql/<major>/bin holding a postgres binary; empty when none.
std::string postgres_bin_dir();

// Throws ProbeSkip naming the missing package when a program the server needs is not installed.
void check_installed(Server kind);

// The user the servers run as: `nobody` when ctxbench runs as root (PostgreSQL refuses root), else the
// calling user. Empty name: no such user (the probe is skipped).
struct RunAs {
  uid_t uid = 0;
  gid_t gid = 0;
  std::string name;
};
RunAs server_user();

}  // namespace ctxbench::db
