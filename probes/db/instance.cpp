// One server program after another in a private directory, counted by the kernel and stopped by the owner
// (instance.hpp); what each server runs is in recipes.cpp, what it needs installed in packages.cpp.
#include "probes/db/instance.hpp"

#include <fcntl.h>
#include <grp.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "engine/probe.hpp"
#include "probes/db/blocking_client.hpp"

namespace ctxbench::db {

namespace fs = std::filesystem;

namespace {

std::string tail_of(const std::string& path) {
  std::string text = read_small_file(path);
  if (text.size() > 400) text = "..." + text.substr(text.size() - 400);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

int perf_open(std::uint64_t config, pid_t pid) {
  perf_event_attr attr{};
  attr.type = PERF_TYPE_SOFTWARE;
  attr.size = sizeof attr;
  attr.config = config;
  attr.inherit = 1;  // every process and thread the program creates, and their exits fold back in
  return static_cast<int>(::syscall(SYS_perf_event_open, &attr, pid, -1, -1, PERF_FLAG_FD_CLOEXEC));
}

std::uint64_t perf_read(int fd) {
  std::uint64_t v = 0;
  return ::read(fd, &v, sizeof v) == static_cast<ssize_t>(sizeof v) ? v : 0;
}

bool process_alive(pid_t pid) { return ::kill(pid, 0) == 0 || errno == EPERM; }

}  // namespace

int remove_stale_dirs() {
  int removed = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/tmp", ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(kDirPrefix, 0) != 0) continue;
    const pid_t owner = static_cast<pid_t>(std::atoi(name.c_str() + std::strlen(kDirPrefix)));
    if (owner <= 0 || process_alive(owner)) continue;
    std::error_code rm;
    fs::remove_all(e.path(), rm);
    if (!rm) ++removed;
  }
  return removed;
}

// ---------------------------------------------------------------- one server program

struct Instance::Program {
  Child child;
  UniqueFd perf_clock, perf_switches;
  std::string name;
  int stop_signal = SIGKILL;  // postgres: SIGQUIT (immediate shutdown: it kills and reaps its backends)
};

Instance::Instance(Server kind, int connections, const std::vector<int>& cpus) : kind_(kind), cpus_(cpus) {
  check_installed(kind);
  as_ = server_user();
  if (as_.name.empty()) throw ProbeSkip("no unprivileged user 'nobody' to run the database servers as");
  remove_stale_dirs();
  make_directory();
  try {
    const int pool = static_cast<int>(std::max<std::size_t>(cpus.size(), 1));
    // Room for twice the clients: in connect-per-request a client reconnects as soon as it has closed,
    // before the server has released the closed connection's slot.
    const int limit = 2 * connections + 32;
    switch (kind) {
      case Server::PostgresDirect:
        start_postgres(limit, kPostgresPort);
        break;
      case Server::PostgresPgBouncer:
        start_postgres(pool + 16, kPostgresPort);
        start_pgbouncer(limit, pool);
        break;
      case Server::MariaDbThreadPerConnection:
      case Server::MariaDbPoolOfThreads:
        start_mariadb(kind == Server::MariaDbPoolOfThreads, limit, pool);
        break;
    }
  } catch (...) {
    stop_everything();
    throw;
  }
}

Instance::~Instance() { stop_everything(); }

Protocol Instance::protocol() const {
  return kind_ == Server::PostgresDirect || kind_ == Server::PostgresPgBouncer ? Protocol::Postgres : Protocol::MySql;
}

void Instance::make_directory() {
  // The process group names the run (ctxbench and its measuring processes share it), so whoever watches
  // one run can tell its directories from another run's.
  std::string templ = std::string("/tmp/") + kDirPrefix + std::to_string(::getpid()) + kDirRunTag +
                      std::to_string(::getpgrp()) + ".XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) throw_probe_errno("mkdtemp(" + templ + ")");
  dir_ = templ;
  // The server user owns it (PostgreSQL wants its data directory to be its own, mode 0700).
  if (::chown(dir_.c_str(), as_.uid, as_.gid) != 0) throw_probe_errno("chown(" + dir_ + ")");
}

Instance::Program& Instance::launch(const std::vector<std::string>& argv_in, const std::string& log_name) {
  // Everything the child needs is built before fork(): after it, it only changes identity and execs.
  std::vector<std::string> args = argv_in;
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string log = dir_ + "/" + log_name;
  UniqueFd log_fd(::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  if (log_fd.get() < 0) throw_probe_errno("open(" + log + ")");
  Pipe gate = make_pipe();
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int c : cpus_) CPU_SET(c, &set);
  const RunAs as = as_;
  const bool change_user = ::geteuid() == 0;
  const pid_t parent = ::getpid();
  const int gate_fd = gate.read_end.get(), out_fd = log_fd.get();
  const char* dir = dir_.c_str();
  auto program = std::make_unique<Program>();
  program->name = args[0];
  program->child = Child::spawn([&]() -> int {
    char go = 0;
    if (::read(gate_fd, &go, 1) != 1) return 120;  // the parent gave up before opening the counters
    if (change_user && (::setgroups(0, nullptr) != 0 || ::setgid(as.gid) != 0 || ::setuid(as.uid) != 0)) return 121;
    // A change of user clears the parent-death signal: set it again, then check the parent is still there.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) return 122;
    if (::sched_setaffinity(0, sizeof set, &set) != 0) return 123;
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd < 0 || ::dup2(null_fd, 0) < 0 || ::dup2(out_fd, 1) < 0 || ::dup2(out_fd, 2) < 0) return 124;
    if (::chdir(dir) != 0) return 125;
    ::execv(argv[0], argv.data());
    return 127;
  });
  program->perf_clock = UniqueFd(perf_open(PERF_COUNT_SW_TASK_CLOCK, program->child.pid()));
  const int perf_errno = errno;
  program->perf_switches = UniqueFd(perf_open(PERF_COUNT_SW_CONTEXT_SWITCHES, program->child.pid()));
  if (program->perf_clock.get() < 0 || program->perf_switches.get() < 0)
    throw ProbeSkip(std::string("perf_event_open refused the software counters that count the server's CPU time "
                                "and switches over every process and thread it creates: ") +
                    std::strerror(perf_errno) + " (kernel.perf_event_paranoid, seccomp or a container limit)");
  if (::write(gate.write_end.get(), "g", 1) != 1) throw_probe_errno("write(gate)");
  if (args[0].find("postgres") != std::string::npos) program->stop_signal = SIGQUIT;
  programs_.push_back(std::move(program));
  return *programs_.back();
}

// A program that runs to completion as the server user (initdb, mariadb-install-db).
void Instance::setup_command(const std::vector<std::string>& argv, const std::string& what) {
  Program& p = launch(argv, what + ".log");
  const std::uint64_t deadline = now_ns() + 120'000'000'000ULL;
  while (!p.child.exited()) {
    throw_if_stopped();
    if (now_ns() > deadline)
      throw ProbeError(what + " did not finish in 120 s: " + tail_of(dir_ + "/" + what + ".log"));
    ::usleep(5000);
  }
  const int st = p.child.status();
  programs_.pop_back();
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
    throw ProbeSkip(what + " failed (status " + std::to_string(st) + "): " + tail_of(dir_ + "/" + what + ".log"));
}

void Instance::wait_until_login(const std::string& socket, Protocol p, const std::string& database, int timeout_s,
                                Program& program, const std::string& log_name) {
  const std::uint64_t deadline = now_ns() + static_cast<std::uint64_t>(timeout_s) * 1'000'000'000ULL;
  std::string why;
  for (;;) {
    throw_if_stopped();
    try {
      BlockingClient probe(socket, p, db_user_, database, 5000);
      return;
    } catch (const WireError& e) {
      // The server answered: only "still starting" is worth waiting for.
      why = e.what();
      if (why.find("starting up") == std::string::npos)
        throw ProbeSkip(program.name + " refused the probe's login: " + why + " (" + tail_of(dir_ + "/" + log_name) +
                        ")");
    } catch (const ProbeError& e) {
      why = e.what();
    }
    if (program.child.exited()) throw ProbeSkip(program.name + " exited at start: " + tail_of(dir_ + "/" + log_name));
    if (now_ns() > deadline)
      throw ProbeSkip(program.name + " accepted no login in " + std::to_string(timeout_s) + " s (" + why +
                      "): " + tail_of(dir_ + "/" + log_name));
    ::usleep(20000);
  }
}

ServerCounts Instance::counts(bool memory) const {
  ServerCounts c;
  std::vector<pid_t> roots;
  for (const auto& p : programs_) {
    c.cpu_ns += perf_read(p->perf_clock.get());
    c.switches_all += perf_read(p->perf_switches.get());
    roots.push_back(p->child.pid());
  }
  for (pid_t pid : process_tree(roots)) {
    const std::string dir = "/proc/" + std::to_string(pid);
    ++c.processes;
    std::error_code ec;
    for (const auto& t : fs::directory_iterator(dir + "/task", ec)) {
      const pid_t tid = static_cast<pid_t>(std::atoi(t.path().filename().c_str()));
      c.live[tid] = read_switch_counts(pid, tid);
      ++c.tasks;
    }
    if (memory) {
      const MemoryUse use = read_memory_use(pid);
      c.rss_bytes += use.rss_bytes;
      c.pss_bytes += use.pss_bytes;
    }
  }
  return c;
}

void Instance::stop_everything() noexcept {
  // Newest first (pgbouncer before the postgres behind it). Every descendant is noted before the stop
  // signal: once its parent is gone, nothing else would lead to it.
  while (!programs_.empty()) {
    Program& p = *programs_.back();
    if (p.child.pid() > 0 && !p.child.exited()) {
      std::vector<pid_t> tree;
      try {
        tree = process_tree({p.child.pid()});
      } catch (...) {
      }
      ::kill(p.child.pid(), p.stop_signal);
      for (int i = 0; i < 500 && !p.child.exited(); ++i) ::usleep(10000);
      for (pid_t pid : tree)
        if (pid != p.child.pid()) ::kill(pid, SIGKILL);
    }
    programs_.pop_back();  // the Child destructor SIGKILLs and reaps what is left
  }
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    dir_.clear();
  }
}

}  // namespace ctxbench::db
