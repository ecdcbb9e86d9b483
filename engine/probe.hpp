// The probe contract (docs/METHODOLOGY.md, "Timing: common to every probe"): what one measurement is, and how the
// runner drives it.
//
// A Probe is a stateless description plus a factory. start() creates a Session: the partner tasks
// (processes or threads) exist exactly as long as the Session object. The runner times
// Session::run_ops(n) from the calling thread, so timing code lives in one place (runner.cpp) and
// every probe only has to do its operation n times.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace ctxbench {

enum class PlacementKind {
  None,      // one-task probe: runs on the calling thread (pinned to cpu_a when cpu_a >= 0)
  SameCpu,   // both tasks pinned to cpu_a (== cpu_b): every hand-off is a real context switch
  CrossCpu,  // tasks pinned to cpu_a and cpu_b (different CPUs): wake-up/IPI + cache-line transfer
  Unpinned,  // the scheduler decides; cpu_a/cpu_b are -1
};

struct Placement {
  PlacementKind kind = PlacementKind::None;
  int cpu_a = -1;  // the initiating task, i.e. the thread that calls run_ops()
  int cpu_b = -1;  // the partner task
};

// A task whose context switches the runner counts, read from /proc/<pid>/task/<tid>/status.
struct TaskId {
  pid_t pid = 0;
  pid_t tid = 0;
};

// The OS refused something the probe needs (fork failed, futex error ...): the result is "failed".
class ProbeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The OS call `what` failed with errno: a ProbeError naming both ("connect(/tmp/x): No such file or directory").
[[noreturn]] void throw_probe_errno(const std::string& what);

// This machine cannot run the probe as asked (one CPU, missing helper, no permission): "skipped".
class ProbeSkip : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A SIGINT/SIGTERM arrived while the probe was running; the run stops after cleanup.
class Interrupted : public std::runtime_error {
 public:
  Interrupted() : std::runtime_error("interrupted by signal") {}
};

// Counters a session keeps besides the kernel's switch counts of tasks() (the server probes: requests
// the server answered, its CPU time and switches, its memory), read around each repetition's timed
// samples: the runner keeps after - before of `totals` and the closing reading of `levels`.
struct SessionCounters {
  std::vector<std::pair<std::string, double>> totals;
  std::vector<std::pair<std::string, double>> levels;
};

// A live measurement. The destructor must stop, kill and reap every partner task it created, whatever
// state they are in (blocked, spinning, already dead), and must not throw.
class Session {
 public:
  virtual ~Session() = default;
  // Performs n operations on the calling thread. Throws ProbeError on OS failure and Interrupted when
  // stop_requested() became true (checked at least once per call and on every EINTR).
  virtual void run_ops(std::uint64_t n) = 0;
  // Every task whose switches count toward switches_per_op, the calling thread included.
  virtual std::vector<TaskId> tasks() const = 0;
  // The CPU each task of tasks() is pinned to, in the same order (-1: not pinned), for a probe that pins its
  // tasks otherwise than the placement's A on cpu_a and B on cpu_b (the futex contention family spreads its
  // threads over the CPUs). Empty (the default): the placement's. The record's pinned_elsewhere check
  // compares where each task was seen with this.
  virtual std::vector<int> task_pins() const { return {}; }
  // Self-timed sessions (one-way latency from CLOCK_MONOTONIC timestamps carried between the tasks,
  // timer wake-up latency, create-to-first-instruction): run_ops() appends one measured value per op
  // (ns) to this vector, and the runner records those values as the samples instead of batch time / ops.
  // nullptr (the default): the runner times whole batches.
  virtual std::vector<double>* own_samples() { return nullptr; }
  // Self-timed sessions whose every value is the length of one window of the calling thread's now_ns()
  // (server.* and db.*: a request's send, or connect, to its reply read): the windows of the values
  // own_samples() holds now, [start0, end0, start1, end1, ...] in the same order. --explain splits these
  // windows instead of run_ops(1)'s (docs/METHODOLOGY.md, "A request, explained"). Empty: run_ops(1)'s.
  virtual std::vector<std::uint64_t> own_windows() const { return {}; }
  // Called right before the timed samples (closing = false) and right after them (closing = true).
  virtual std::optional<SessionCounters> counters(bool /*closing*/) { return std::nullopt; }
};

// What one value of a probe's records is (docs/contracts.md, "Schema 2": the record's `measure`). Records
// of different measures never share an axis or a comparison. PerSwitch and PerMib are derived only
// (analysis/derived.cpp).
enum class Measure { RoundTrip, OneWay, SingleOp, Lateness, PerRequest, Bandwidth, PerSwitch, PerMib };

// Where a probe runs: the plan (src/plan.cpp) turns it and the options into planned runs.
struct PlacementRule {
  // Placements this probe runs in. One-task probes list only None.
  std::vector<PlacementKind> kinds;
  // Why a listed placement is not run (e.g. spinning on one CPU); empty when all are run.
  // Pairs of (placement, reason) become "skipped" records with that reason.
  std::vector<std::pair<PlacementKind, std::string>> skipped;
  // Pinned placements of this probe use these CPUs instead of --cpus (shm.c2c: one probe per CPU pair).
  int fixed_cpu_a = -1, fixed_cpu_b = -1;
  // Runs in exactly one placement: cross-cpu (cpu_a for the initiator, the rest of the mask for the
  // partner side), or same-cpu when the affinity mask holds one CPU. --placement does not multiply it.
  bool cross_cpu_or_shared = false;
  // A headline cross-cpu ping-pong: without --keep-awake its cross-cpu run is repeated right after with
  // keep-awake spinners, so the table shows how much of the figure is the woken CPU's idle-state exit.
  bool keep_awake_twin = false;
};

// Caps on the runner's budget for probes that must stay cheap (a matrix of many pairs) or whose one op is
// long (fork of a 1 GiB parent); 0 = the runner's setting (engine/runner.cpp applies them).
struct Budget {
  int max_repetitions = 0;
  std::uint64_t max_sample_budget_ns = 0;
  // Timed samples per repetition; self-timed probes with one value per request raise it so that a tail
  // percentile rests on enough values.
  int max_samples = 0;
  // Each sample's batch lasts at least this long (0: the runner's). For a probe whose ops the runner's work
  // between samples (its /proc reads of every task's CPU) would change: futex_lock_pi, where a read after every
  // ~10 lock+unlocks moved who waits for the lock (docs/METHODOLOGY.md, "Futex contention").
  std::uint64_t min_batch_ns = 0;
};

struct ProbeInfo {
  std::string name;    // "ctxswitch.pipe.process"
  std::string family;  // "baseline", "ctxswitch", "process", "thread", "ipc", "shm"
  std::string op;      // what ONE operation is, in words
  std::string unit = "ns";
  Measure measure = Measure::SingleOp;  // one task doing one thing unless the probe says otherwise
  PlacementRule where;
  Budget budget;
  // Context switches one op implies across all tasks, or < 0 when the op implies none we can state.
  double expected_switches_per_op = -1;
  // The implied count is of sleeps (voluntary switches) only: an op that wakes more of its own tasks at once
  // than there are CPUs also has wake-up preemptions among them, which the scheduler decides and no count
  // states (the futex contention family; docs/METHODOLOGY.md, "Denominator check"). The check then compares
  // the kernel's voluntary switches with it; the involuntary ones are reported beside them.
  bool expected_switches_are_sleeps = false;
  // Add the switches of children reaped during sampling (getrusage RUSAGE_CHILDREN): creation probes.
  bool counts_reaped_children = false;

  // Named suites holding this probe (--suite NAME). Every probe is also in "full"; "default" is the
  // representative subset a plain run takes (<= 60 s on a 2-vCPU machine).
  std::vector<std::string> suites = {"default"};
  // Parameters of this variant (("size", "64")), also encoded in `name` as "/key:value" so ids stay
  // unique and --filter can pick them; records carry them as data.
  std::vector<std::pair<std::string, std::string>> params;
  // Each of the n ops run_ops(n) performs holds this many reported ops (a lap of a ring of N tasks is N
  // hops; a cache-line round trip is 2 one-way transfers): samples are divided by it, op counts times it.
  std::uint64_t inner_ops = 1;
  // unit "B/s": bytes one op moves; samples stay ns per op and reporters show bytes_per_op x 1e9 / ns.
  double bytes_per_op = 0;
  // --explain traces it (docs/METHODOLOGY.md, "Where the time went"): its ops are batch-timed hand-offs or
  // creations whose whole critical path runs in tasks the probe creates, a self-timed one whose run_ops(1)
  // window holds whole samples (one-way ipc.*: explain_ops_per_window), or a timer wake-up (explain_model).
  bool explainable = false;
  // How --explain splits its op: the critical path of the run_ops(1) window (hand-offs, creations), or a
  // timer wake-up's lateness from the tick it slept to (wakeup.timer*; docs/METHODOLOGY.md, "A timer
  // wake-up, explained").
  enum class ExplainModel { CriticalPath, TimerWakeup };
  ExplainModel explain_model = ExplainModel::CriticalPath;
  // Reported ops in one traced window (run_ops(1)) when not inner_ops: a self-timed one-way ipc.* record's
  // window is the round trip that yields its two samples, A->B and B->A (0: inner_ops).
  std::uint64_t explain_ops_per_window = 0;
  // The op's critical path runs only through Session::tasks(); the probe's other tasks are a load running
  // beside them (ctxswitch.pairs: the other pairs). --explain never follows a load task: the time a measured
  // task waited while load tasks held its CPU is one phase (docs/METHODOLOGY.md, "Many pairs, explained").
  bool explain_measured_tasks_only = false;
  // Names the tasks other than the initiator (server.*, db.*: "server"): each phase of the walk's stretches in
  // them carries it (key "server_user_space", words "server: user space"), so the handler's work and the
  // server's wait to run are told from the client's own. Empty: the phases of every task share their names.
  std::string explain_other_side;
  // The traced pass records from its first op, not from the measuring process's start: the tasks are followed
  // from the start, but the kernel events of the session's set-up (db.*: initdb or mariadb-install-db, the
  // server's start and the table's load, ~10^6 events) would fill the ring buffer before the first op. The
  // runner makes a marker system call right before it (engine/explain/trace_event.h).
  bool explain_from_first_op = false;
  // Not explainable, and why: with --explain the record's explain says so (status skipped) instead of
  // having none. Empty: a probe with no hand-off to explain (one task), no explain at all.
  std::string explain_why_not;
  // The same as a stable snake_case key (explain.reason_key: what readers key on, never reworded);
  // empty: "not_explainable".
  std::string explain_why_not_key;
};

class Probe {
 public:
  virtual ~Probe() = default;
  virtual const ProbeInfo& info() const = 0;
  // Creates partner tasks placed as asked and returns once they are ready to run ops.
  // Throws ProbeSkip / ProbeError.
  virtual std::unique_ptr<Session> start(const Placement& placement) const = 0;
};

}  // namespace ctxbench
