// server.<model>.<scenario>/connections:C/work_ns:W — the connection-model experiment (docs/METHODOLOGY.md).
// ctxbench is the closed-loop load generator: one thread, pinned to cpu_a, keeps C connections to a
// loopback ctxbench-server busy, each with exactly one request outstanding. One op is one request
// answered; its sample is that request's latency as the client saw it (send, or connect for
// connect-per-request, to the reply read). The server is a separate program (probes/server/) pinned to
// the other CPUs of the mask, or sharing cpu_a when the mask holds one CPU.
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <string>

#include "engine/os.hpp"
#include "engine/probe_util.hpp"
#include "probes/closed_loop.hpp"
#include "probes/families.hpp"
#include "probes/server/protocol.hpp"

namespace ctxbench {

namespace {

using server::Control;
using server::ControlKind;
using server::Message;
using server::Model;

// epoll data of the control socket; connections use their index.
constexpr std::uint64_t kControlTag = ~0ULL;

enum class Scenario { Persistent, ConnectPerRequest };

const char* scenario_name(Scenario s) { return s == Scenario::Persistent ? "persistent" : "connect-per-request"; }
const char* scenario_id(Scenario s) { return s == Scenario::Persistent ? "persistent" : "per_request"; }

struct ServerPoint {
  Model model;
  Scenario scenario;
  int connections;
  std::uint64_t work_ns;
  std::uint64_t ws_bytes;
};

// Each side holds C sockets plus a few of its own; the soft limit is raised within the hard limit, and a
// point the hard limit cannot hold is skipped with the numbers.
void ensure_fd_limit(int connections) {
  const rlim_t need = static_cast<rlim_t>(connections) + 64;
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) throw_probe_errno("getrlimit(RLIMIT_NOFILE)");
  if (lim.rlim_cur >= need) return;
  if (lim.rlim_max != RLIM_INFINITY && lim.rlim_max < need)
    throw ProbeSkip("connections:" + std::to_string(connections) + " needs " + std::to_string(need) +
                    " file descriptors per process; the RLIMIT_NOFILE hard limit is " + std::to_string(lim.rlim_max));
  lim.rlim_cur = need;
  if (::setrlimit(RLIMIT_NOFILE, &lim) != 0) throw_probe_errno("setrlimit(RLIMIT_NOFILE)");
}

// Per-connection and per-thread models need one task per connection.
void ensure_task_limit(const ServerPoint& p) {
  if (p.model != Model::ProcessPerConnection && p.model != Model::ThreadPerConnection) return;
  rlimit lim{};
  if (::getrlimit(RLIMIT_NPROC, &lim) != 0 || lim.rlim_cur == RLIM_INFINITY) return;
  // The limit counts every task of this user, so leave generous room for what already runs.
  if (lim.rlim_cur < static_cast<rlim_t>(p.connections) * 2 + 256)
    throw ProbeSkip("connections:" + std::to_string(p.connections) +
                    " needs one task per connection; "
                    "RLIMIT_NPROC is " +
                    std::to_string(lim.rlim_cur));
}

class LoadSession final : public ClosedLoopSession {
 public:
  LoadSession(const ServerPoint& point, const Placement& placement);
  ~LoadSession() override;
  std::vector<TaskId> tasks() const override { return {caller_}; }
  std::optional<SessionCounters> counters(bool closing) override;

 private:
  struct Conn {
    UniqueFd fd;
    bool connecting = false;
    std::uint64_t seq = 0;
    std::uint64_t started_at = 0;  // send (persistent) or connect (connect-per-request) of the request
    bool outstanding = false;      // a request (or its connect) is under way
    std::size_t filled = 0;
    Message reply;
    std::uint64_t answered = 0;
  };

  void start_server(const Placement& placement);
  Control read_control(int timeout_ms);
  [[noreturn]] void server_gone(const std::string& what);
  void open_connection(std::size_t i);
  void send_request(std::size_t i);
  void handle(std::size_t i, std::uint32_t events);
  void pump(const std::function<bool()>& done) override;
  std::size_t connection_count() const override { return conns_.size(); }
  bool outstanding(std::size_t i) const override { return conns_[i].outstanding; }
  std::uint64_t answered(std::size_t i) const override { return conns_[i].answered; }
  void restart(std::size_t i) override;
  // Sends a control command and waits for the answer (the client sends no request meanwhile).
  Control ask_server(char command);
  void wait_until_server_accepted_all();

  ServerPoint point_;
  TaskId caller_;
  sockaddr_in address_{};
  UniqueFd control_;
  UniqueFd epoll_;
  Child server_;
  std::vector<Conn> conns_;
  std::size_t connecting_ = 0;  // connections whose connect() has not completed
  bool hold_requests_ = false;  // set-up of persistent connections: connect first, load later
  std::string server_cpus_;
  std::size_t server_cpu_count_ = 0;
};

LoadSession::LoadSession(const ServerPoint& point, const Placement& placement) : point_(point), caller_(this_task()) {
  ensure_fd_limit(point.connections);
  ensure_task_limit(point);
  start_server(placement);
  epoll_ = UniqueFd(::epoll_create1(EPOLL_CLOEXEC));
  if (epoll_.get() < 0) throw_probe_errno("epoll_create1");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kControlTag;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, control_.get(), &ev) != 0) throw_probe_errno("epoll_ctl(add control)");
  conns_.resize(static_cast<std::size_t>(point.connections));
  if (point.scenario == Scenario::Persistent) {
    // Persistent connections exist before the load starts: connect all, wait until the server has
    // handed every one to its task (forked, thread created, registered), then send the first requests.
    // Loading them one by one instead starves a per-connection acceptor behind hundreds of busy tasks.
    hold_requests_ = true;
    for (std::size_t i = 0; i < conns_.size(); ++i) open_connection(i);
    pump([this] { return connecting_ == 0; });
    wait_until_server_accepted_all();
    hold_requests_ = false;
    for (std::size_t i = 0; i < conns_.size(); ++i) send_request(i);
  } else {
    for (std::size_t i = 0; i < conns_.size(); ++i) open_connection(i);
  }
  // Every connection answers once before the runner calibrates, so the timed window sees the steady
  // state and not the set-up.
  pump_until_every_connection_answers();
}

void LoadSession::wait_until_server_accepted_all() {
  const std::uint64_t deadline = now_ns() + 60'000'000'000ULL;
  for (;;) {
    const Control c = ask_server(server::kProgress);
    if (c.accounting.accepted >= conns_.size()) return;
    if (now_ns() > deadline)
      server_gone("the server handed over only " + std::to_string(c.accounting.accepted) + " of " +
                  std::to_string(conns_.size()) + " connections in 60 s");
    ::usleep(2000);
  }
}

void LoadSession::start_server(const Placement& placement) {
  const std::string path = executable_dir() + "/ctxbench-server";
  if (::access(path.c_str(), X_OK) != 0)
    throw ProbeSkip("the server helper " + path + " is missing or not executable: " + std::strerror(errno));
  std::vector<int> cpus;
  if (placement.kind == PlacementKind::SameCpu) {
    cpus = {placement.cpu_a};
  } else {
    for (int c : allowed_cpus())
      if (c != placement.cpu_a) cpus.push_back(c);
  }
  if (cpus.empty()) throw ProbeError("no CPU left for the server");
  server_cpus_ = cpu_list_text(cpus);
  server_cpu_count_ = cpus.size();

  UniqueFd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (listener.get() < 0) throw_probe_errno("socket");
  address_.sin_family = AF_INET;
  address_.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address_.sin_port = 0;  // ephemeral: never a fixed port another program may hold
  if (::bind(listener.get(), reinterpret_cast<sockaddr*>(&address_), sizeof address_) != 0)
    throw_probe_errno("bind(127.0.0.1:0)");
  if (::listen(listener.get(), std::max(point_.connections, 128)) != 0) throw_probe_errno("listen");
  socklen_t len = sizeof address_;
  if (::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&address_), &len) != 0)
    throw_probe_errno("getsockname");

  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) throw_probe_errno("socketpair");
  control_ = UniqueFd(pair[0]);
  UniqueFd server_end(pair[1]);

  // Everything the child needs is built before fork(): it only dup2()s and execs.
  std::vector<std::string> args = {path, server::model_name(point_.model), std::to_string(point_.work_ns),
                                   std::to_string(point_.ws_bytes), server_cpus_};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // Copies above the target numbers: dup2 onto 3 and 4 must neither clobber a source nor be a no-op
  // that keeps FD_CLOEXEC (dup2(3, 3)).
  UniqueFd listen_high(::fcntl(listener.get(), F_DUPFD_CLOEXEC, 10));
  UniqueFd control_high(::fcntl(server_end.get(), F_DUPFD_CLOEXEC, 10));
  if (listen_high.get() < 0 || control_high.get() < 0) throw_probe_errno("fcntl(F_DUPFD_CLOEXEC)");
  const int listen_fd = listen_high.get(), control_fd = control_high.get();
  server_ = Child::spawn([&]() -> int {
    // dup2 clears FD_CLOEXEC on the copies, so exactly these two survive the exec.
    if (::dup2(listen_fd, server::kListenFd) < 0 || ::dup2(control_fd, server::kControlFd) < 0) return 126;
    ::execv(argv[0], argv.data());
    return 127;
  });
  const Control ready = read_control(10'000);
  if (ready.kind != ControlKind::Ready) server_gone("server did not start");
}

Control LoadSession::read_control(int timeout_ms) {
  Control c;
  for (int waited = 0;; waited += 100) {
    pollfd pfd{control_.get(), POLLIN, 0};
    const int r = ::poll(&pfd, 1, 100);
    if (r < 0 && errno == EINTR) {
      throw_if_stopped();
      continue;
    }
    throw_if_stopped();
    if (r > 0) {
      const ssize_t got = ::recv(control_.get(), &c, sizeof c, 0);
      if (got == static_cast<ssize_t>(sizeof c)) {
        if (c.kind == ControlKind::Error) {
          c.text[sizeof c.text - 1] = '\0';
          if (c.limit != 0) throw ProbeSkip(std::string("server hit a resource limit: ") + c.text);
          throw ProbeError(std::string("server failed: ") + c.text);
        }
        return c;
      }
      if (got < 0 && errno == EINTR) continue;
      server_gone("control channel closed");
    }
    if (waited >= timeout_ms) server_gone("no answer on the control channel for " + std::to_string(timeout_ms) + " ms");
  }
}

// The server stopped serving: report its own explanation when it left one, else how it ended.
void LoadSession::server_gone(const std::string& what) {
  Control c;
  if (::recv(control_.get(), &c, sizeof c, MSG_DONTWAIT) == static_cast<ssize_t>(sizeof c) &&
      c.kind == ControlKind::Error) {
    c.text[sizeof c.text - 1] = '\0';
    if (c.limit != 0) throw ProbeSkip(std::string("server hit a resource limit: ") + c.text);
    throw ProbeError(std::string("server failed: ") + c.text);
  }
  if (server_.exited()) {
    const int st = server_.status();
    throw ProbeError(what + " (server " +
                     (WIFSIGNALED(st) ? "killed by signal " + std::to_string(WTERMSIG(st))
                                      : "exited with status " + std::to_string(WEXITSTATUS(st))) +
                     ")");
  }
  throw ProbeError(what);
}

void LoadSession::open_connection(std::size_t i) {
  Conn& c = conns_[i];
  c.fd = UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (c.fd.get() < 0) throw_probe_errno("socket");
  int one = 1;
  ::setsockopt(c.fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  // Closing with a reset (linger 0) keeps no TIME_WAIT state on the client: connect-per-request opens
  // tens of thousands of connections and must not run out of ephemeral ports.
  linger lg{1, 0};
  ::setsockopt(c.fd.get(), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  c.started_at = now_ns();
  c.filled = 0;
  c.connecting = true;
  c.outstanding = true;
  ++connecting_;
  if (::connect(c.fd.get(), reinterpret_cast<const sockaddr*>(&address_), sizeof address_) != 0 && errno != EINPROGRESS)
    throw_probe_errno("connect(127.0.0.1)");
  epoll_event ev{};
  ev.events = EPOLLOUT;
  ev.data.u64 = i;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, c.fd.get(), &ev) != 0) throw_probe_errno("epoll_ctl(add)");
}

void LoadSession::send_request(std::size_t i) {
  Conn& c = conns_[i];
  Message m;
  m.seq = ++c.seq;
  m.connection = i;
  if (point_.scenario == Scenario::Persistent) c.started_at = now_ns();
  c.outstanding = true;
  const ssize_t w = ::send(c.fd.get(), &m, sizeof m, MSG_NOSIGNAL);
  if (w != static_cast<ssize_t>(sizeof m))
    server_gone("sending a request on connection " + std::to_string(i) + " failed");
}

void LoadSession::handle(std::size_t i, std::uint32_t events) {
  Conn& c = conns_[i];
  if (c.connecting) {
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(c.fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) server_gone("connect to the server failed: " + std::string(std::strerror(err)));
    if ((events & EPOLLOUT) == 0) return;
    c.connecting = false;
    --connecting_;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = i;
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, c.fd.get(), &ev) != 0) throw_probe_errno("epoll_ctl(mod)");
    if (!hold_requests_) send_request(i);
    return;
  }
  auto* p = reinterpret_cast<char*>(&c.reply);
  const ssize_t r = ::read(c.fd.get(), p + c.filled, sizeof c.reply - c.filled);
  if (r < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (r <= 0) server_gone("the server closed connection " + std::to_string(i) + " without replying");
  c.filled += static_cast<std::size_t>(r);
  if (c.filled < sizeof c.reply) return;
  c.filled = 0;
  if (c.reply.seq != c.seq || c.reply.connection != i || c.reply.check != server::reply_check(c.seq, i))
    throw ProbeError("wrong reply on connection " + std::to_string(i) + " (request " + std::to_string(c.seq) +
                     "): the server mixed up or corrupted requests");
  completed(c.started_at);
  ++c.answered;
  c.outstanding = false;
  if (point_.scenario == Scenario::Persistent) {
    if (!draining_) send_request(i);
  } else {
    c.fd.reset();  // RST (linger 0); closing also removes it from the epoll set
    if (!draining_) open_connection(i);
  }
}

void LoadSession::pump(const std::function<bool()>& done) {
  std::uint64_t last_progress = now_ns();
  epoll_event events[256];
  while (!done()) {
    throw_if_stopped();
    const int n = ::epoll_wait(epoll_.get(), events, 256, 100);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_probe_errno("epoll_wait");
    if (n == 0) {
      // Nothing for 100 ms: fine while thousands of connections are being set up, not for long.
      if (server_.exited()) server_gone("the server exited");
      if (now_ns() - last_progress > 20'000'000'000ULL) server_gone("the server answered nothing for 20 s");
      continue;
    }
    last_progress = now_ns();
    for (int k = 0; k < n; ++k) {
      if (events[k].data.u64 == kControlTag) {
        // Unasked, the server only speaks to report a failure: read_control throws with its reason.
        read_control(0);
        continue;
      }
      handle(static_cast<std::size_t>(events[k].data.u64), events[k].events);
    }
  }
}

void LoadSession::restart(std::size_t i) {
  if (point_.scenario == Scenario::Persistent) {
    send_request(i);
  } else {
    open_connection(i);
  }
}

Control LoadSession::ask_server(char command) {
  if (::send(control_.get(), &command, 1, MSG_NOSIGNAL) != 1) server_gone("the control channel is closed");
  return read_control(60'000);
}

// The window (probes/closed_loop.hpp). The server's snapshots are taken with it quiet: a server busy with
// C connections would starve its own main thread (one task among C) for seconds while it reads /proc,
// and a client that stopped reading meanwhile would put that pause into the latencies. Throughput counts
// replies between the two stamps.
std::optional<SessionCounters> LoadSession::counters(bool closing) {
  Control c;
  const Window w = window(closing, [&] { c = ask_server(closing ? server::kCloseWindow : server::kOpenWindow); });
  const server::Accounting& a = c.accounting;
  SessionCounters s;
  s.totals = {{"wall_ns", static_cast<double>(w.wall_ns)},
              {"completions", static_cast<double>(w.completions)},
              {"client_cpu_ns", static_cast<double>(w.client_cpu_ns)},
              {"server_requests", static_cast<double>(a.requests)},
              {"client_requests_between_snapshots", static_cast<double>(w.served)},
              {"server_cpu_ns", static_cast<double>(a.cpu_ns)},
              {"server_user_ns", static_cast<double>(a.user_ns)},
              {"server_sys_ns", static_cast<double>(a.sys_ns)},
              {"server_voluntary_switches", static_cast<double>(a.voluntary)},
              {"server_involuntary_switches", static_cast<double>(a.involuntary)}};
  if (closing) {
    s.levels = {{"server_rss_bytes", static_cast<double>(a.rss_bytes)},
                {"server_pss_bytes", static_cast<double>(a.pss_bytes)},
                {"server_tasks", static_cast<double>(a.tasks)},
                {"server_cpu_count", static_cast<double>(server_cpu_count_)}};
  }
  return s;
}

LoadSession::~LoadSession() {
  // Client sockets first (connection tasks see EOF), then the control channel: the server kills and
  // reaps its own children and exits; the Child destructor kills it if it has not within 2 s.
  conns_.clear();
  control_.reset();
  for (int i = 0; i < 2000 && !server_.exited(); ++i) ::usleep(1000);
}

// ---------------------------------------------------------------- the sweep

const char* model_id(Model m) {
  switch (m) {
    case Model::ProcessPerConnection:
      return "process_per_connection";
    case Model::ProcessPool:
      return "process_pool";
    case Model::ThreadPerConnection:
      return "thread_per_connection";
    case Model::WorkerPool:
      return "worker_pool";
    case Model::EventLoop:
      return "event_loop";
  }
  return "?";
}

std::unique_ptr<Probe> make_server_probe(const ServerPoint& p, std::vector<std::string> suites) {
  ProbeInfo info;
  info.measure = Measure::PerRequest;
  info.name = std::string("server.") + model_id(p.model) + "." + scenario_id(p.scenario) +
              "/connections:" + std::to_string(p.connections) + "/work_ns:" + std::to_string(p.work_ns);
  if (p.ws_bytes > 0) info.name += "/ws:" + std::to_string(p.ws_bytes);
  info.family = "server";
  info.params = {{"model", server::model_name(p.model)},
                 {"scenario", scenario_name(p.scenario)},
                 {"connections", std::to_string(p.connections)},
                 {"work_ns", std::to_string(p.work_ns)},
                 {"ws_bytes", std::to_string(p.ws_bytes)}};
  info.op =
      std::string("one request answered by a loopback TCP server (") + server::model_name(p.model) + ", " +
      std::to_string(p.work_ns) + " ns of CPU work per request" +
      (p.ws_bytes > 0 ? ", " + std::to_string(p.ws_bytes) + " B per-connection working set touched" : "") + ") with " +
      std::to_string(p.connections) +
      (p.connections == 1 ? " closed-loop client connection, " : " closed-loop client connections, ") +
      (p.scenario == Scenario::Persistent ? "each persistent"
                                          : "each a new connection per request (connect, request, reply, close)") +
      "; the sample is the client-side latency of one request";
  info.where.kinds = {PlacementKind::CrossCpu, PlacementKind::SameCpu};
  info.where.cross_cpu_or_shared = true;
  info.suites = std::move(suites);
  // Budget (--suite server <= 60 s on 2 vCPUs): the set-up of hundreds of connections (a fork or a
  // thread each) dominates the big points, so 256 connections take 2 repetitions, 1024 and more 1
  // (thousands of requests each all the same), the small points 3.
  info.budget.max_repetitions = p.connections >= 1024 ? 1 : p.connections >= 256 ? 2 : 3;
  info.budget.max_sample_budget_ns = 150'000'000;
  info.budget.max_samples = 4000;
  set_closed_loop_explain(info, p.connections);
  return std::make_unique<SimpleProbe>(std::move(info), [p](const Placement& placement) -> std::unique_ptr<Session> {
    return std::make_unique<LoadSession>(p, placement);
  });
}

}  // namespace

void add_server_load_probes(ProbeTable& table, const ProbeTableConfig& config) {
  const ServerSweep& sweep = config.sweep;
  const Model models[] = {Model::ProcessPerConnection, Model::ProcessPool, Model::ThreadPerConnection,
                          Model::WorkerPool, Model::EventLoop};
  for (Scenario scenario : {Scenario::Persistent, Scenario::ConnectPerRequest}) {
    for (std::uint64_t work_ns : sweep.work_ns) {
      for (Model model : models) {
        for (int connections : sweep.connections) {
          // By default 4096 connections only in the full suite: setting them up costs seconds a point.
          std::vector<std::string> suites = {"server"};
          if (connections > 1024 && !sweep.user_connections) suites.clear();
          // The synthetic models the db suite reads its real servers against (scripts/db_table.py): 50 us
          // of work is the order of one point select's server CPU.
          if (work_ns == 50000 && connections <= 256 &&
              (model == Model::ProcessPerConnection || model == Model::ThreadPerConnection ||
               model == Model::WorkerPool))
            suites.push_back("db");
          table.push_back(make_server_probe({model, scenario, connections, work_ns, 0}, std::move(suites)));
        }
      }
    }
  }
  // The indirect cost: each connection's 256 KiB of state touched per request, so switching between
  // connections refills the caches (suite server-ws, and full).
  for (Model model : models)
    for (int connections : {4, 64, 256})
      table.push_back(make_server_probe({model, Scenario::Persistent, connections, 1000, 256 * 1024}, {"server-ws"}));
}

}  // namespace ctxbench
