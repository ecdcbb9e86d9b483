// db.<server>.<model>.<persistent|per_request>/connections:C — the connection-model question asked of real
// servers (docs/METHODOLOGY.md, "The db.* probes"). Like server.* (probes/server_load.cpp), one client
// thread pinned to cpu_a keeps C connections busy, each with exactly one query outstanding; one op is one
// query answered, its sample the latency the client saw (send, or connect for connect-per-request, to the
// last byte of the result). The server is a fresh real instance (probes/db/instance.hpp) on the other CPUs.
#include <errno.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <string>

#include "engine/probe_util.hpp"
#include "probes/closed_loop.hpp"
#include "probes/db/instance.hpp"
#include "probes/db/wire.hpp"
#include "probes/families.hpp"

namespace ctxbench {

namespace {

using db::Instance;
using db::Phase;
using db::Server;
using db::WireState;

struct DbPoint {
  Server server;
  bool per_request;
  int connections;
};

const char* server_id(Server s) {
  switch (s) {
    case Server::PostgresDirect:
      return "postgresql.direct";
    case Server::PostgresPgBouncer:
      return "postgresql.pgbouncer";
    case Server::MariaDbThreadPerConnection:
      return "mariadb.thread_per_connection";
    case Server::MariaDbPoolOfThreads:
      return "mariadb.pool_of_threads";
  }
  return "?";
}

// The synthetic server.* model each real one is read against (scripts/db_table.py puts them side by side).
const char* synthetic_model(Server s) {
  switch (s) {
    case Server::PostgresDirect:
      return "process-per-connection";
    case Server::PostgresPgBouncer:
      return "worker-pool";
    case Server::MariaDbThreadPerConnection:
      return "thread-per-connection";
    case Server::MariaDbPoolOfThreads:
      return "worker-pool";
  }
  return "?";
}

class DbSession final : public ClosedLoopSession {
 public:
  DbSession(const DbPoint& point, const Placement& placement);
  std::vector<TaskId> tasks() const override { return {caller_}; }
  std::optional<SessionCounters> counters(bool closing) override;

 private:
  struct Conn {
    UniqueFd fd;
    WireState wire;
    std::string in;
    bool outstanding = false;  // a query (per_request: its connect and login too) is under way
    bool retry_connect = false;
    std::uint64_t started_at = 0;
    std::uint64_t answered = 0;
  };

  static std::vector<int> server_cpus(const Placement& placement);
  void open_connection(std::size_t i);
  void try_connect(std::size_t i);
  void send(Conn& c, const std::string& bytes, std::size_t i);
  void send_query(std::size_t i);
  void handle(std::size_t i);
  void finished(std::size_t i);
  void pump(const std::function<bool()>& done) override;
  std::size_t connection_count() const override { return conns_.size(); }
  bool outstanding(std::size_t i) const override { return conns_[i].outstanding; }
  std::uint64_t answered(std::size_t i) const override { return conns_[i].answered; }
  void restart(std::size_t i) override;

  DbPoint point_;
  TaskId caller_;
  std::vector<int> cpus_;
  Instance instance_;  // declared before the sockets: destroyed after them
  std::string login_;
  UniqueFd epoll_;
  std::vector<Conn> conns_;
  std::uint64_t queries_sent_ = 0;
  std::size_t waiting_to_connect_ = 0;
  bool hold_queries_ = false;
  std::map<pid_t, SwitchCounts> live_at_open_;
};

std::vector<int> DbSession::server_cpus(const Placement& placement) {
  std::vector<int> cpus;
  if (placement.kind == PlacementKind::SameCpu) return {placement.cpu_a};
  for (int c : allowed_cpus())
    if (c != placement.cpu_a) cpus.push_back(c);
  if (cpus.empty()) throw ProbeError("no CPU left for the server");
  return cpus;
}

DbSession::DbSession(const DbPoint& point, const Placement& placement)
    : point_(point),
      caller_(this_task()),
      cpus_(server_cpus(placement)),
      instance_(point.server, point.connections, cpus_) {
  login_ = db::login_message(instance_.protocol(), instance_.user(), instance_.database());
  epoll_ = UniqueFd(::epoll_create1(EPOLL_CLOEXEC));
  if (epoll_.get() < 0) throw_probe_errno("epoll_create1");
  conns_.resize(static_cast<std::size_t>(point.connections));
  // Persistent connections all log in before the load starts; connect-per-request starts at once.
  hold_queries_ = !point.per_request;
  for (std::size_t i = 0; i < conns_.size(); ++i) open_connection(i);
  if (!point.per_request) {
    pump([this] {
      for (const Conn& c : conns_)
        if (c.outstanding) return false;
      return true;
    });
    hold_queries_ = false;
    for (std::size_t i = 0; i < conns_.size(); ++i) send_query(i);
  }
  pump_until_every_connection_answers();
}

void DbSession::open_connection(std::size_t i) {
  Conn& c = conns_[i];
  c.fd = UniqueFd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (c.fd.get() < 0) throw_probe_errno("socket(AF_UNIX)");
  c.wire = WireState();
  c.in.clear();
  if (instance_.protocol() == db::Protocol::MySql) c.wire.greeting_answer = login_;
  c.outstanding = true;
  c.started_at = now_ns();
  try_connect(i);
}

// A unix-socket connect either completes at once or fails with EAGAIN when the listen backlog is full:
// then it is tried again on the next turn of the loop.
void DbSession::try_connect(std::size_t i) {
  Conn& c = conns_[i];
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::memcpy(a.sun_path, instance_.socket_path().c_str(), instance_.socket_path().size() + 1);
  if (::connect(c.fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    if (errno != EAGAIN) throw_probe_errno("connect(" + instance_.socket_path() + ")");
    if (!c.retry_connect) ++waiting_to_connect_;
    c.retry_connect = true;
    return;
  }
  if (c.retry_connect) --waiting_to_connect_;
  c.retry_connect = false;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = i;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, c.fd.get(), &ev) != 0) throw_probe_errno("epoll_ctl(add)");
  if (instance_.protocol() == db::Protocol::Postgres) send(c, login_, i);
}

void DbSession::send(Conn& c, const std::string& bytes, std::size_t i) {
  if (::send(c.fd.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(bytes.size()))
    throw_probe_errno("send on connection " + std::to_string(i));
}

void DbSession::send_query(std::size_t i) {
  Conn& c = conns_[i];
  // Point selects spread over the whole table, the same statement text for every server.
  const std::uint64_t id = (queries_sent_++ * 7919) % 10000 + 1;
  c.wire.phase = Phase::Query;
  c.wire.first_packet = true;
  c.wire.eofs = 0;
  if (!point_.per_request) c.started_at = now_ns();
  c.outstanding = true;
  send(c, db::query_message(instance_.protocol(), "SELECT c FROM sbtest1 WHERE id = " + std::to_string(id)), i);
}

void DbSession::handle(std::size_t i) {
  Conn& c = conns_[i];
  char buf[16384];
  const ssize_t got = ::recv(c.fd.get(), buf, sizeof buf, 0);
  if (got < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (got <= 0)
    throw ProbeError("the server closed connection " + std::to_string(i) + " (" +
                     (got == 0 ? std::string("EOF") : std::strerror(errno)) + ")");
  c.in.append(buf, static_cast<std::size_t>(got));
  std::size_t used = 0;
  std::string reply;
  bool done = false;
  try {
    done = db::consume(instance_.protocol(), c.wire, c.in.data(), c.in.size(), used, reply);
  } catch (const db::WireError& e) {
    throw ProbeError(std::string("connection ") + std::to_string(i) + ": " + e.what());
  }
  c.in.erase(0, used);
  if (!reply.empty()) send(c, reply, i);
  if (!done) return;
  if (c.wire.phase == Phase::Login) {
    c.outstanding = false;
    if (!hold_queries_) send_query(i);
    return;
  }
  finished(i);
}

void DbSession::finished(std::size_t i) {
  Conn& c = conns_[i];
  completed(c.started_at);
  ++c.answered;
  c.outstanding = false;
  if (!point_.per_request) {
    if (!draining_) send_query(i);
    return;
  }
  const std::string bye = db::quit_message(instance_.protocol());
  ssize_t ignored = ::send(c.fd.get(), bye.data(), bye.size(), MSG_NOSIGNAL);  // best effort: we close anyway
  (void)ignored;
  c.fd.reset();
  if (!draining_) open_connection(i);
}

void DbSession::pump(const std::function<bool()>& done) {
  std::uint64_t last_progress = now_ns();
  epoll_event events[256];
  while (!done()) {
    throw_if_stopped();
    if (waiting_to_connect_ > 0)
      for (std::size_t i = 0; i < conns_.size(); ++i)
        if (conns_[i].retry_connect) try_connect(i);
    const int n = ::epoll_wait(epoll_.get(), events, 256, waiting_to_connect_ > 0 ? 1 : 100);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_probe_errno("epoll_wait");
    if (n == 0) {
      if (now_ns() - last_progress > 30'000'000'000ULL)
        throw ProbeError("the server answered nothing for 30 s (logs in " + instance_.directory() + ")");
      continue;
    }
    last_progress = now_ns();
    for (int k = 0; k < n; ++k) handle(static_cast<std::size_t>(events[k].data.u64));
  }
}

void DbSession::restart(std::size_t i) {
  if (point_.per_request) {
    open_connection(i);
  } else {
    send_query(i);
  }
}

// The window: probes/closed_loop.hpp. The voluntary/involuntary split counts the tasks alive at the
// closing snapshot, each from its value at the opening one (0 when it was born since): a task that exited
// inside the window is only in the perf totals (server_switches_all). The runner keeps closing - opening.
std::optional<SessionCounters> DbSession::counters(bool closing) {
  db::ServerCounts k;
  const Window w = window(closing, [&] { k = instance_.counts(closing); });
  std::uint64_t vol = 0, invol = 0;
  if (!closing) {
    live_at_open_ = k.live;
  } else {
    for (const auto& [tid, sw] : k.live) {
      const auto before = live_at_open_.find(tid);
      vol += sw.voluntary - (before != live_at_open_.end() ? before->second.voluntary : 0);
      invol += sw.involuntary - (before != live_at_open_.end() ? before->second.involuntary : 0);
    }
  }
  SessionCounters s;
  s.totals = {{"wall_ns", static_cast<double>(w.wall_ns)},
              {"completions", static_cast<double>(w.completions)},
              {"client_cpu_ns", static_cast<double>(w.client_cpu_ns)},
              {"server_requests", static_cast<double>(w.served)},
              {"server_cpu_ns", static_cast<double>(k.cpu_ns)},
              {"server_switches_all", static_cast<double>(k.switches_all)},
              {"server_voluntary_switches", static_cast<double>(vol)},
              {"server_involuntary_switches", static_cast<double>(invol)}};
  if (closing) {
    s.levels = {{"server_rss_bytes", static_cast<double>(k.rss_bytes)},
                {"server_pss_bytes", static_cast<double>(k.pss_bytes)},
                {"server_tasks", static_cast<double>(k.tasks)},
                {"server_processes", static_cast<double>(k.processes)},
                {"server_cpu_count", static_cast<double>(cpus_.size())}};
  }
  return s;
}

std::unique_ptr<Probe> make_db_probe(const DbPoint& p) {
  ProbeInfo info;
  info.measure = Measure::PerRequest;
  const char* scenario = p.per_request ? "per_request" : "persistent";
  info.name =
      std::string("db.") + server_id(p.server) + "." + scenario + "/connections:" + std::to_string(p.connections);
  info.family = "db";
  const std::string user = db::server_user().name;
  info.params = {{"server", server_id(p.server)},
                 {"scenario", p.per_request ? "connect-per-request" : "persistent"},
                 {"connections", std::to_string(p.connections)},
                 {"synthetic_model", synthetic_model(p.server)},
                 {"server_user", user.empty() ? "none" : user},
                 {"transport", "unix socket in the private directory"}};
  info.op = std::string(
                "one point select (SELECT c FROM sbtest1 WHERE id = N, 10000 rows in memory) answered by a "
                "fresh ") +
            server_id(p.server) + " instance run as user " + (user.empty() ? "?" : user) + " with " +
            std::to_string(p.connections) +
            (p.connections == 1 ? " closed-loop client connection, " : " closed-loop client connections, ") +
            (p.per_request ? "each a new connection per query (connect, log in, query, quit)" : "each persistent") +
            "; the sample is the client-side latency of one query";
  info.where.kinds = {PlacementKind::CrossCpu, PlacementKind::SameCpu};
  info.where.cross_cpu_or_shared = true;
  info.suites = {"db"};
  // Budget (--suite db within ~5 min on 2 vCPUs): start-up (initdb or mariadb-install-db, a second or
  // more) dominates every point, so 3 repetitions of at most 150 ms of samples each.
  info.budget.max_repetitions = 3;
  info.budget.max_sample_budget_ns = 150'000'000;
  info.budget.max_samples = 4000;
  // --explain: one request with one connection, as server.* (probes/closed_loop.hpp). The servers are the
  // measuring process's descendants by creation: each program (postgres, pgbouncer, mariadbd) is fork+exec'd
  // by the session (instance.cpp, launch; in the foreground: no pg_ctl or mysqld_safe to daemonise them), and
  // every backend and thread is created by those, which is what the tracer follows
  // (sched_process_fork from a traced task); nothing else on the machine is followed. Their start-up is not
  // recorded (explain_from_first_op): followed, but only the traced requests fill the ring buffer.
  set_closed_loop_explain(info, p.connections);
  info.explain_from_first_op = true;
  return std::make_unique<SimpleProbe>(std::move(info), [p](const Placement& placement) -> std::unique_ptr<Session> {
    return std::make_unique<DbSession>(p, placement);
  });
}

}  // namespace

void add_db_load_probes(ProbeTable& table, const ProbeTableConfig& config) {
  for (bool per_request : {false, true})
    for (Server s : {Server::PostgresDirect, Server::PostgresPgBouncer, Server::MariaDbThreadPerConnection,
                     Server::MariaDbPoolOfThreads})
      for (int connections : config.sweep.db_connections) table.push_back(make_db_probe({s, per_request, connections}));
}

}  // namespace ctxbench
