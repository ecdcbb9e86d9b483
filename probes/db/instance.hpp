// A real database server owned by one db.* session: a fresh instance in a private directory under /tmp
// (data, unix sockets, logs), run as an unprivileged user, pinned to the server CPUs, counted by the
// kernel, and stopped and deleted by the destructor. docs/METHODOLOGY.md, "The db.* probes".
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/os.hpp"
#include "probes/db/packages.hpp"
#include "probes/db/wire.hpp"

namespace ctxbench::db {

// Only name the socket files inside the private directory: the servers listen on no TCP port.
inline constexpr int kPostgresPort = 5432;
inline constexpr int kPgBouncerPort = 6432;

// Every private directory is /tmp/ctxbench-db.<pid of the measuring process>.g<its process group>.XXXXXX.
// A run removes the directories of dead processes (left by a SIGKILL) before it makes its own; the group
// is the run's (ctxbench's unless it was started inside another's group), tests/db_util.hpp reads it.
inline constexpr const char* kDirPrefix = "ctxbench-db.";
inline constexpr const char* kDirRunTag = ".g";
// Removes /tmp/ctxbench-db.<pid>.* whose process no longer exists; returns how many.
int remove_stale_dirs();

// Kernel counts over every process and thread of the server (db.* accounting).
struct ServerCounts {
  // perf software counters opened on each server program before its exec, inherited by every process
  // and thread it creates; exited ones fold their counts into it: nothing that came and went is lost.
  std::uint64_t cpu_ns = 0;        // PERF_COUNT_SW_TASK_CLOCK
  std::uint64_t switches_all = 0;  // PERF_COUNT_SW_CONTEXT_SWITCHES
  // voluntary / involuntary split from /proc/<pid>/task/<tid>/status, per live task (by tid).
  std::map<pid_t, SwitchCounts> live;
  std::uint64_t rss_bytes = 0, pss_bytes = 0;  // smaps_rollup, summed over the server's processes
  std::uint64_t processes = 0, tasks = 0;
};

class Instance {
 public:
  // Creates the directory, initialises the data, starts the server(s) and waits until a client can log
  // in. `connections`: the clients the point will hold open at once. `cpus`: where the server runs.
  Instance(Server kind, int connections, const std::vector<int>& cpus);
  ~Instance();
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  Protocol protocol() const;
  const std::string& socket_path() const { return socket_; }
  const std::string& user() const { return db_user_; }
  const std::string& database() const { return database_; }
  const std::string& directory() const { return dir_; }
  ServerCounts counts(bool memory) const;

 private:
  struct Program;  // one server program (postgres, pgbouncer, mariadbd) and its perf counters
  void make_directory();
  void start_postgres(int max_connections, int port);
  void start_pgbouncer(int max_clients, int pool);
  void start_mariadb(bool pool_of_threads, int max_connections, int pool);
  void setup_command(const std::vector<std::string>& argv, const std::string& what);
  Program& launch(const std::vector<std::string>& argv, const std::string& log_name);
  void wait_until_login(const std::string& socket, Protocol p, const std::string& database, int timeout_s,
                        Program& program, const std::string& log_name);
  void stop_everything() noexcept;

  Server kind_;
  RunAs as_;
  std::vector<int> cpus_;
  std::string dir_, socket_, db_user_ = "ctxbench", database_;
  std::vector<std::unique_ptr<Program>> programs_;  // in start order; stopped in reverse
};

}  // namespace ctxbench::db
