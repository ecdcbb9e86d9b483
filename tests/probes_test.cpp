// Probes and OS helpers: every registered probe starts, runs and tears down in each placement without
// leaving a child process or a thread behind; failures and stops surface as the contract says.
#include <dirent.h>
#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engine/os.hpp"
#include "engine/partner.hpp"
#include "engine/probe.hpp"
#include "probes/byte_relay.hpp"
#include "tests/probe_table.hpp"
#include "tests/run_util.hpp"

namespace ctxbench {
namespace {

using ctxbench_test::too_slow_under_sanitizer;

int thread_count() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  return -1;
}

// Every process whose parent is us, zombies included (an unreaped child is a leak too).
std::vector<pid_t> our_children() {
  std::vector<pid_t> out;
  const pid_t self = getpid();
  DIR* d = opendir("/proc");
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (pid <= 0 || *end != '\0') continue;
    std::ifstream in(std::string("/proc/") + e->d_name + "/stat");
    std::string stat;
    std::getline(in, stat);
    std::size_t close = stat.rfind(')');  // comm may contain spaces and parentheses
    if (close == std::string::npos) continue;
    char state = 0;
    long ppid = 0;
    if (std::sscanf(stat.c_str() + close + 1, " %c %ld", &state, &ppid) == 2 && ppid == self) {
      out.push_back(static_cast<pid_t>(pid));
    }
  }
  closedir(d);
  return out;
}

// A joined thread can still be counted for a moment (the kernel releases it after the join wakes up).
bool eventually(const std::function<bool()>& pred, int timeout_ms = 2000) {
  for (int waited = 0; waited < timeout_ms; waited += 5) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return pred();
}

int g_baseline_threads = 1;

extern "C" void noop_handler(int) {}

// What main() does at start-up: capture the affinity mask and install the stop handlers (SIGPIPE
// ignored: a dead pipe partner must become EPIPE, not kill the test).
class ProbesEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    allowed_cpus();
    install_stop_handlers();
    struct sigaction sa {};
    sa.sa_handler = noop_handler;  // no SA_RESTART: used to kick a blocked call with EINTR
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, nullptr);
    // Sanitizer runtimes start a helper thread with the first user thread; count it in the baseline. The
    // joined thread is counted until the kernel releases it: wait for its /proc entry to go (not a fixed
    // 50 ms sleep, which every test process paid), bounded by 2 s.
    pid_t tid = 0;
    std::thread([&tid] { tid = gettid_now(); }).join();
    const std::string task = "/proc/self/task/" + std::to_string(tid);
    eventually([&task] { return !ctxbench_test::exists(task); });
    g_baseline_threads = thread_count();
  }
};
const auto* const g_env = ::testing::AddGlobalTestEnvironment(new ProbesEnvironment);

void expect_nothing_left_behind() {
  EXPECT_TRUE(eventually([] { return our_children().empty(); })) << our_children().size() << " children left";
  EXPECT_TRUE(eventually([] { return thread_count() == g_baseline_threads; }))
      << thread_count() << " threads, expected " << g_baseline_threads;
}

bool is_creation_probe(const ProbeInfo& info) { return info.family == "process" || info.family == "thread"; }

// The server.* points are one loopback server each with up to 4096 connections; tests/server_test.cpp
// drives them through the binary. Here only the one-connection points take part, where a test needs
// every probe family.
// The server.* and db.* sweeps repeat one Session class over connection counts (and, for db.*, starts a
// real database server per point, ~2 s each): the stop check covers one connection of each model, and of
// db.* the persistent scenario only.
bool is_repeated_load_point(const ProbeInfo& info) {
  if (info.family != "server" && info.family != "db") return false;
  bool repeated = true;
  for (const auto& [k, v] : info.params) {
    if (k == "connections") repeated = v != "1";
    if (info.family == "db" && k == "scenario" && v != "persistent") return true;
  }
  return repeated;
}

bool is_skipped(const ProbeInfo& info, PlacementKind k) {
  for (const auto& [kind, reason] : info.where.skipped) {
    if (kind == k) return true;
  }
  return false;
}

const Probe& probe_named(const std::string& name) {
  for (const auto& p : default_probe_table()) {
    if (p->info().name == name) return *p;
  }
  throw std::runtime_error("no probe " + name);
}

// Pins the caller as the runner does, and restores the start-up mask when the scope ends.
struct CallerPlacement {
  Placement placement;
  explicit CallerPlacement(PlacementKind kind) {
    const std::vector<int> cpus = allowed_cpus();
    placement.kind = kind;
    if (kind == PlacementKind::SameCpu) placement.cpu_a = placement.cpu_b = cpus.front();
    if (kind == PlacementKind::CrossCpu) {
      placement.cpu_a = cpus.front();
      placement.cpu_b = cpus.back();
    }
    if (placement.cpu_a >= 0) pin_to_cpu(placement.cpu_a);
  }
  ~CallerPlacement() { unpin(); }
};

// ---------------------------------------------------------------- every probe, every placement

class EveryProbe : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryProbe, RunsInEachPlacementAndLeavesNothingBehind) {
  const Probe& probe = probe_named(GetParam());
  const ProbeInfo& info = probe.info();
#ifdef CTXBENCH_SANITIZED
  if (too_slow_under_sanitizer(info.name))
    GTEST_SKIP() << "a sanitizer build forks a big parent too slowly; the Release pass runs it";
#endif
  // Enough ops to exercise the hand-off many times, few enough that the long ops (a fork of a 1 GiB
  // parent, a 16 MiB working set, a 1 MiB message, a 500 us timer tick) keep the test short.
  const bool long_op = is_creation_probe(info) || info.family == "wakeup" || info.family == "bw" ||
                       info.name.rfind("ctxswitch.ws.", 0) == 0;
  const std::uint64_t n = long_op ? 5 : 1000;
  for (PlacementKind kind : info.where.kinds) {
    if (is_skipped(info, kind)) continue;
    if (kind == PlacementKind::CrossCpu && allowed_cpus().size() < 2) continue;
    SCOPED_TRACE(static_cast<int>(kind));
    {
      CallerPlacement where(kind);
      std::unique_ptr<Session> s;
      try {
        s = probe.start(where.placement);
      } catch (const ProbeSkip& e) {
        GTEST_SKIP() << e.what();
      }
      s->run_ops(n);
      s->run_ops(n);  // sessions are driven sample after sample
      const std::vector<TaskId> tasks = s->tasks();
      // Creation probes run same-cpu and unpinned with one long-lived task: what they create dies in the op.
      const bool two_tasks = kind != PlacementKind::None && !is_creation_probe(info);
      // Two-task probes have at least two (a ring of N has N); one-task probes exactly one.
      if (two_tasks) {
        ASSERT_GE(tasks.size(), 2u);
      } else {
        ASSERT_EQ(tasks.size(), 1u);
      }
      EXPECT_EQ(tasks[0].pid, getpid());
      EXPECT_EQ(tasks[0].tid, gettid_now());
      if (two_tasks) {
        EXPECT_NE(tasks[1].tid, tasks[0].tid);
        // A blocking partner is alive and has switched (a spinning one may never have).
        SwitchCounts c = read_switch_counts(tasks[1].pid, tasks[1].tid);
        if (info.expected_switches_per_op > 0) {
          EXPECT_GT(c.voluntary + c.involuntary, 0u);
        }
      }
      if (kind == PlacementKind::SameCpu || kind == PlacementKind::CrossCpu) {
        EXPECT_EQ(current_cpu(), where.placement.cpu_a);
      }
    }
    expect_nothing_left_behind();
  }
}

std::vector<std::string> probe_names() {
  std::vector<std::string> names;
  for (const auto& p : default_probe_table())
    // server.* and db.* drive a separate server through one client task: tests/server_test.cpp and
    // tests/db_test.cpp run them through the binary.
    if (p->info().family != "server" && p->info().family != "db") names.push_back(p->info().name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Registry, EveryProbe, ::testing::ValuesIn(probe_names()),
                         [](const ::testing::TestParamInfo<std::string>& i) {
                           std::string s = i.param;
                           for (char& c : s) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return s;
                         });

TEST(Registry, NamesUniqueAndInfoComplete) {
  std::set<std::string> names;
  const std::set<std::string> families = {"baseline", "ctxswitch", "process", "thread", "ipc",
                                          "shm",      "wakeup",    "bw",      "server", "db"};
  for (const auto& p : default_probe_table()) {
    const ProbeInfo& info = p->info();
    EXPECT_TRUE(names.insert(info.name).second) << "duplicate " << info.name;
    EXPECT_FALSE(info.op.empty()) << info.name;
    EXPECT_FALSE(info.family.empty()) << info.name;
    EXPECT_TRUE(families.count(info.family)) << info.name << " family " << info.family;
    EXPECT_EQ(info.name.rfind(info.family + ".", 0), 0u) << info.name << " not under " << info.family;
    EXPECT_FALSE(info.where.kinds.empty()) << info.name;
    EXPECT_TRUE(info.unit == "ns" || (info.unit == "B/s" && info.bytes_per_op > 0)) << info.name;
    for (const auto& [kind, reason] : info.where.skipped) {
      EXPECT_FALSE(reason.empty()) << info.name;
      bool listed = false;
      for (PlacementKind k : info.where.kinds) listed = listed || k == kind;
      EXPECT_TRUE(listed) << info.name << ": skipped placement not listed";
    }
  }
  EXPECT_GE(names.size(), 13u);
  // The mode switch must never be sold as a context switch.
  EXPECT_NE(probe_named("baseline.syscall").info().op.find("NOT a context switch"), std::string::npos);
}

// The table is a function of its config alone: the sweep points, and the test.* probes only when asked
// (and only in a build with the CTXBENCH_TEST_PROBES option, which ./test.sh's build has).
TEST(Registry, TableComesFromItsConfig) {
  auto names = [](const ProbeTableConfig& config) {
    std::vector<std::string> out;
    for (const auto& p : build_probe_table(config)) out.push_back(p->info().name);
    return out;
  };
  auto count_prefix = [](const std::vector<std::string>& v, const std::string& prefix) {
    return std::count_if(v.begin(), v.end(), [&](const std::string& n) { return n.rfind(prefix, 0) == 0; });
  };
  const std::vector<std::string> plain = names({});
  EXPECT_EQ(names({}), plain);  // built twice, the same table in the same order
  EXPECT_EQ(count_prefix(plain, "test."), 0);
  ProbeTableConfig with_tests;
  with_tests.test_probes = true;
  const std::vector<std::string> tested = names(with_tests);
#ifdef CTXBENCH_TEST_PROBES_BUILD
  EXPECT_GT(count_prefix(tested, "test."), 0);
#endif
  EXPECT_EQ(std::vector<std::string>(tested.begin(), tested.begin() + static_cast<std::ptrdiff_t>(plain.size())),
            plain);
  ProbeTableConfig sweep;
  sweep.sweep.work_ns = {2000};
  sweep.sweep.connections = {3};
  sweep.sweep.user_connections = true;
  const std::vector<std::string> swept = names(sweep);
  EXPECT_NE(std::find(swept.begin(), swept.end(), "server.event_loop.persistent/connections:3/work_ns:2000"),
            swept.end());
  EXPECT_EQ(std::find(swept.begin(), swept.end(), "server.event_loop.persistent/connections:1/work_ns:1000"),
            swept.end());
  // The db suite follows its own sweep: the quick one keeps every server and scenario at one point.
  ProbeTableConfig quick;
  quick.sweep = quick_server_sweep();
  const std::vector<std::string> quick_names = names(quick);
  EXPECT_NE(std::find(quick_names.begin(), quick_names.end(), "db.postgresql.direct.per_request/connections:4"),
            quick_names.end());
  EXPECT_EQ(std::find(quick_names.begin(), quick_names.end(), "db.postgresql.direct.per_request/connections:256"),
            quick_names.end());
  EXPECT_EQ(count_prefix(quick_names, "db."), count_prefix(plain, "db.") / 5);  // 1 of the 5 default points
}

// The headline cross-cpu ping-pongs carry the keep-awake twin (src/plan.cpp repeats them with spinners).
TEST(Registry, KeepAwakeTwinsAreThePipeAndFutexPingPongs) {
  std::set<std::string> twins;
  for (const auto& p : default_probe_table())
    if (p->info().where.keep_awake_twin) twins.insert(p->info().name);
  EXPECT_EQ(twins, (std::set<std::string>{"ctxswitch.pipe.process", "ctxswitch.pipe.thread", "ctxswitch.futex.process",
                                          "ctxswitch.futex.thread"}));
}

TEST(Registry, SkippedPlacementIsRefusedWithItsReason) {
  const Probe& shm = probe_named("shm.pingpong");
  Placement p{PlacementKind::Unpinned, -1, -1};
  try {
    shm.start(p);
    FAIL() << "unpinned shm.pingpong started";
  } catch (const ProbeSkip& e) {
    EXPECT_NE(std::string(e.what()).find("scheduler"), std::string::npos);
  }
}

TEST(Probes, StaticHelperIsInstalledNextToTheBinary) {
  const std::string path = executable_dir() + "/ctxbench-true-static";
  EXPECT_EQ(access(path.c_str(), X_OK), 0) << path << " missing: build target ctxbench-true-static";
}

// ---------------------------------------------------------------- children and failures

TEST(Child, BlockedForeverIsKilledAndReapedByDestructor) {
  pid_t pid = 0;
  {
    Child c = Child::spawn([] {
      for (;;) pause();
      return 0;
    });
    pid = c.pid();
    ASSERT_GT(pid, 0);
    EXPECT_EQ(kill(pid, 0), 0);
  }
  errno = 0;
  EXPECT_EQ(kill(pid, 0), -1);
  EXPECT_EQ(errno, ESRCH);
  expect_nothing_left_behind();
}

TEST(Child, ExitStatusIsReported) {
  Child c = Child::spawn([] { return 7; });
  int st = c.wait();
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 7);
  EXPECT_TRUE(c.exited());
}

// One body, both kinds: the relay answers through a process and through a thread alike, the task ids
// say which kind ran it, and stop() leaves nothing behind.
class PartnerKinds : public ::testing::TestWithParam<bool> {};

TEST_P(PartnerKinds, OneBodyRelaysAndStopLeavesNothing) {
  const bool process = GetParam();
  Pipe to_b = make_pipe(), to_a = make_pipe();
  auto b_in = std::make_shared<UniqueFd>(std::move(to_b.read_end));
  auto b_out = std::make_shared<UniqueFd>(std::move(to_a.write_end));
  UniqueFd a_write = std::move(to_b.write_end), a_read = std::move(to_a.read_end);
  Partner p = Partner::start(
      process, -1,
      [b_in, b_out] {
        const int rc = relay_bytes(b_in->get(), b_out->get());
        b_in->reset();
        b_out->reset();
        return rc;
      },
      [&a_write] { a_write.reset(); }, Partner::closing({a_write.get(), a_read.get()}));
  b_in.reset();
  b_out.reset();
  EXPECT_EQ(p.is_process(), process);
  EXPECT_EQ(p.task().pid == getpid(), !process);
  EXPECT_NE(p.task().tid, gettid_now());
  char c = 'p';
  write_all(a_write.get(), &c, 1);
  c = 0;
  read_all(a_read.get(), &c, 1);
  EXPECT_EQ(c, 'p');
  EXPECT_FALSE(p.exited());
  a_write.reset();
  p.stop();
  expect_nothing_left_behind();
}

INSTANTIATE_TEST_SUITE_P(ProcessAndThread, PartnerKinds, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& i) {
                           return i.param ? std::string("process") : std::string("thread");
                         });

class PartnerKilled : public ::testing::TestWithParam<std::string> {};

TEST_P(PartnerKilled, RunOpsThrowsProbeError) {
  std::unique_ptr<Session> s = probe_named(GetParam()).start(Placement{PlacementKind::Unpinned, -1, -1});
  s->run_ops(100);
  const pid_t partner = s->tasks().at(1).pid;
  ASSERT_NE(partner, getpid());
  ASSERT_EQ(kill(partner, SIGKILL), 0);
  EXPECT_THROW(s->run_ops(1'000'000), ProbeError);
  EXPECT_THROW(s->run_ops(1), ProbeError);  // the session stays failed
  s.reset();
  expect_nothing_left_behind();
}

INSTANTIATE_TEST_SUITE_P(ProcessPartners, PartnerKilled,
                         ::testing::Values("ctxswitch.pipe.process", "ctxswitch.futex.process"),
                         [](const ::testing::TestParamInfo<std::string>& i) {
                           return i.param == "ctxswitch.pipe.process" ? std::string("pipe") : std::string("futex");
                         });

// The same for the ipc.* and shm.ring partners: fd channels see EPIPE/EOF, timed waits check the child.
INSTANTIATE_TEST_SUITE_P(CatalogueProcessPartners, PartnerKilled,
                         ::testing::Values("ipc.pipe.process/size:64", "ipc.tcp.process/size:64", "ipc.futex.process",
                                           "shm.ring.futex"),
                         [](const ::testing::TestParamInfo<std::string>& i) {
                           std::string s = i.param;
                           for (char& c : s)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return s;
                         });

TEST(Pinning, UnavailableCpuIsASkip) {
  const std::vector<int> cpus = allowed_cpus();
  ASSERT_FALSE(cpus.empty());
  EXPECT_THROW(pin_to_cpu(cpus.back() + 1), ProbeSkip);
  EXPECT_THROW(pin_to_cpu(-1), ProbeSkip);
  // A partner asked for an unavailable CPU: the session refuses with a skip and leaves nothing.
  for (const char* name : {"ctxswitch.pipe.process", "ctxswitch.pipe.thread", "ctxswitch.futex.thread"}) {
    Placement p{PlacementKind::CrossCpu, cpus.front(), cpus.back() + 1};
    EXPECT_THROW(probe_named(name).start(p), ProbeSkip) << name;
  }
  expect_nothing_left_behind();
}

TEST(Pinning, PinAndUnpin) {
  const std::vector<int> cpus = allowed_cpus();
  pin_to_cpu(cpus.back());
  EXPECT_EQ(current_cpu(), cpus.back());
  unpin();
  cpu_set_t s;
  CPU_ZERO(&s);
  ASSERT_EQ(sched_getaffinity(0, sizeof s, &s), 0);
  EXPECT_EQ(static_cast<std::size_t>(CPU_COUNT(&s)), cpus.size());
}

// ---------------------------------------------------------------- stop requests

// Blocks run_ops by stopping the partner process, then stops the run from another thread: either the
// real SIGINT handler (first signal) or request_stop(); SIGUSR1 kicks repeat in case the signal landed
// just before the caller blocked.
void expect_blocked_run_interrupted(const std::string& probe, bool real_sigint) {
  std::unique_ptr<Session> s = probe_named(probe).start(Placement{PlacementKind::Unpinned, -1, -1});
  s->run_ops(10);
  const pid_t partner = s->tasks().at(1).pid;
  ASSERT_EQ(kill(partner, SIGSTOP), 0);
  const pthread_t caller = pthread_self();
  std::atomic<bool> done{false};
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (real_sigint) {
      pthread_kill(caller, SIGINT);
    } else {
      request_stop(SIGTERM);
      pthread_kill(caller, SIGUSR1);
    }
    while (!done.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      if (!done.load()) pthread_kill(caller, SIGUSR1);
    }
  });
  EXPECT_THROW(s->run_ops(1'000'000'000), Interrupted);
  done = true;
  stopper.join();
  EXPECT_EQ(stop_signal(), real_sigint ? SIGINT : SIGTERM);
  s.reset();  // SIGKILL works on a stopped process
  reset_stop_for_tests();
  EXPECT_FALSE(stop_requested());
  expect_nothing_left_behind();
}

TEST(Stop, SigintInterruptsBlockedPipeRun) { expect_blocked_run_interrupted("ctxswitch.pipe.process", true); }
TEST(Stop, RequestStopInterruptsBlockedPipeRun) { expect_blocked_run_interrupted("ctxswitch.pipe.process", false); }
TEST(Stop, SigintInterruptsBlockedFutexRun) { expect_blocked_run_interrupted("ctxswitch.futex.process", true); }
TEST(Stop, RequestStopInterruptsBlockedFutexRun) { expect_blocked_run_interrupted("ctxswitch.futex.process", false); }

TEST(Stop, EveryProbeChecksTheFlagOnEachCall) {
  for (const auto& p : default_probe_table()) {
    const ProbeInfo& info = p->info();
    if (is_repeated_load_point(info)) continue;
#ifdef CTXBENCH_SANITIZED
    if (too_slow_under_sanitizer(info.name)) continue;
#endif
    PlacementKind kind = PlacementKind::None;
    for (PlacementKind k : info.where.kinds) {
      if (!is_skipped(info, k)) kind = k;
    }
    if (kind == PlacementKind::CrossCpu && allowed_cpus().size() < 2) continue;
    CallerPlacement where(kind);
    std::unique_ptr<Session> s;
    try {
      s = p->start(where.placement);
    } catch (const ProbeSkip&) {
      continue;
    }
    request_stop(SIGTERM);
    EXPECT_THROW(s->run_ops(1), Interrupted) << info.name;
    reset_stop_for_tests();
  }
  expect_nothing_left_behind();
}

TEST(Stop, SecondSignalExitsAtOnce) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    install_stop_handlers();
    raise(SIGTERM);  // first: sets the flag only
    if (stop_signal() != SIGTERM) _exit(1);
    raise(SIGTERM);  // second: _exit(128 + SIGTERM)
    _exit(2);
  }
  int st = 0;
  ASSERT_EQ(waitpid(pid, &st, 0), pid);
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 128 + SIGTERM);
}

// ---------------------------------------------------------------- small helpers

TEST(Os, SwitchCountsOfSelfAndOfAMissingTask) {
  SwitchCounts before = read_switch_counts(getpid(), gettid_now());
  std::this_thread::sleep_for(std::chrono::milliseconds(2));  // sleeping is a voluntary switch
  SwitchCounts after = read_switch_counts(getpid(), gettid_now());
  EXPECT_GT(after.voluntary, before.voluntary);
  SwitchCounts gone = read_switch_counts(getpid(), 0x3fffffff);
  EXPECT_EQ(gone.voluntary + gone.involuntary, 0u);
}

TEST(Os, ExecutableDirIsAbsolute) {
  const std::string d = executable_dir();
  ASSERT_FALSE(d.empty());
  EXPECT_EQ(d[0], '/');
}

TEST(Os, PipeEofIsProbeError) {
  Pipe p = make_pipe();
  p.write_end.reset();
  char c;
  EXPECT_THROW(read_all(p.read_end.get(), &c, 1), ProbeError);
  Pipe q = make_pipe();
  q.read_end.reset();
  EXPECT_THROW(write_all(q.write_end.get(), &c, 1), ProbeError);  // EPIPE, SIGPIPE ignored
}

}  // namespace
}  // namespace ctxbench
