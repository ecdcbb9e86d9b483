// OS helpers shared by every probe: clocks, pinning, owned file descriptors, owned child processes and
// threads, and the process-wide stop flag that signals set.
//
// Ownership rule: every task a probe creates is held by a Child or a PartnerThread object whose
// destructor kills/stops and reaps it. Children also die with their parent (PR_SET_PDEATHSIG), so even
// a SIGKILLed ctxbench leaves nothing running. Two-task probes hold theirs through a Partner
// (partner.hpp), which is one or the other behind one body.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace ctxbench {

// CLOCK_MONOTONIC in nanoseconds (vDSO; no syscall on most machines).
std::uint64_t now_ns();

// Pins the calling thread to one CPU. Throws ProbeSkip when the CPU is not in the affinity mask.
void pin_to_cpu(int cpu);
// Restores the calling thread's affinity to the mask it had at process start (for unpinned runs).
void unpin();
// CPUs of the process affinity mask at start, ascending. The mask is captured at the FIRST call, so
// main() calls allowed_cpus() at start-up, before anything pins a thread; unpin() restores that mask.
std::vector<int> allowed_cpus();
// The one way CPU lists are written: the kernel's cpulist form with ranges ("0-3,6"), so a 256-CPU mask
// stays readable in a message; "none" for an empty list.
std::string cpu_list_text(const std::vector<int>& cpus);
// The CPU the calling thread runs on now (sched_getcpu).
int current_cpu();

// Kernel thread id of the calling thread.
pid_t gettid_now();

// ---------------------------------------------------------------- stop flag
// Set by the SIGINT/SIGTERM handler (install_stop_handlers). Blocking loops check it on EINTR, spinning
// loops check it periodically, and throw Interrupted.
bool stop_requested();
int stop_signal();  // the signal that set the flag, 0 if none
void request_stop(int sig);
// Installs SIGINT/SIGTERM handlers without SA_RESTART (so blocked syscalls return EINTR) and ignores
// SIGPIPE (a dead partner turns into EPIPE, not a silent death). A second signal kills every registered
// child and exits at once with 128+sig.
void install_stop_handlers();
// Throws Interrupted if stop_requested().
void throw_if_stopped();
// Clears the flag so a test can raise it again. Never called by ctxbench itself.
void reset_stop_for_tests();
// The measuring process (probe_host.hpp) turns the second-signal emergency exit off: its owner forwards
// the stop it got, so a Ctrl-C that reached both must count once; the owner's own second signal
// SIGKILLs the measuring process, whose partners then die by PR_SET_PDEATHSIG.
void set_second_stop_signal_exits(bool exits);

// ---------------------------------------------------------------- file descriptors
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }
  int get() const { return fd_; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }
  void reset(int fd = -1);
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

struct Pipe {
  UniqueFd read_end, write_end;
};
Pipe make_pipe();  // O_CLOEXEC; throws ProbeError

// Full-length read/write that retries on EINTR unless a stop was requested (then throws Interrupted),
// and throws ProbeError on EOF/EPIPE/other errors (the partner died).
void write_all(int fd, const void* buf, std::size_t len);
void read_all(int fd, void* buf, std::size_t len);
// Their core, for code that must not throw (partner bodies, IPC channels): 0 once all `len` bytes
// moved, else the errno that stopped it, or kEndOfFile when a read met EOF first. EINTR is retried
// while `retry_eintr()` says so.
inline constexpr int kEndOfFile = -1;
using RetryEintr = bool (*)();
int write_full(int fd, const void* buf, std::size_t len, RetryEintr retry_eintr) noexcept;
int read_full(int fd, void* buf, std::size_t len, RetryEintr retry_eintr) noexcept;
// For tasks that see no stop request of their own (a forked child, a thread with signals blocked).
inline bool always_retry() { return true; }

// ---------------------------------------------------------------- child processes
// Owns one forked process. The child runs `body` and _exits with its return value. In the child:
// PR_SET_PDEATHSIG(SIGKILL), SIGINT/SIGTERM back to default, signal mask cleared, pinned to `cpu` when
// cpu >= 0. The destructor SIGKILLs the child if it is still running and reaps it.
class Child {
 public:
  Child() = default;
  static Child spawn(const std::function<int()>& body, int cpu = -1);
  // Takes ownership of an already created child (fork/posix_spawn in creation probes) and registers it.
  static Child adopt(pid_t pid);
  Child(Child&& o) noexcept;
  Child& operator=(Child&& o) noexcept;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child();
  pid_t pid() const { return pid_; }
  // Waits for exit; returns the wait status. Retries EINTR (throws Interrupted on stop).
  int wait();
  // Non-blocking: true (and the child reaped) when it has exited. Used to detect a dead partner.
  bool exited() noexcept;
  void kill_and_reap() noexcept;
  // The wait status once wait() or exited() has reaped the child (0 before).
  int status() const { return status_; }

 private:
  explicit Child(pid_t pid);
  pid_t pid_ = -1;
  bool reaped_ = false;  // pid_ stays readable after reaping (tasks() reports it)
  int status_ = 0;
};

// Registry used by the emergency path of the signal handler: pids of live children. Child registers
// and unregisters itself; creation probes that fork many short-lived children use these directly.
void register_child(pid_t pid);
void unregister_child(pid_t pid);
// "11 (Segmentation fault)": how a reason names a signal that ended a task.
std::string signal_text(int sig);
// SIGKILLs every registered child; async-signal-safe (the watchdog's last resort uses it).
void kill_all_registered_children() noexcept;
// Fork helper for creation probes: fork(), and in the child run prepare_child_after_fork() first.
// `parent` is getpid() taken before fork(): when getppid() differs, the parent died before
// PR_SET_PDEATHSIG took effect and the child _exits at once. 0 skips that check.
void prepare_child_after_fork(int cpu, pid_t parent = 0);

// ---------------------------------------------------------------- partner threads
// Owns one std::thread created with every signal blocked (so SIGINT lands on the main thread and
// interrupts its blocking call). `on_stop` must make the body return promptly (close an fd, set a flag
// and wake a futex); the destructor calls it and then joins.
class PartnerThread {
 public:
  PartnerThread() = default;
  PartnerThread(std::function<void()> body, std::function<void()> on_stop, int cpu = -1);
  PartnerThread(PartnerThread&&) noexcept = default;
  // Stops and joins the thread this object owned before taking o's (a defaulted move would call
  // std::terminate on a joinable std::thread).
  PartnerThread& operator=(PartnerThread&& o) noexcept;
  ~PartnerThread();
  // tid of the thread, available once the constructor returns.
  pid_t tid() const { return *tid_; }
  void stop_and_join() noexcept;

 private:
  std::function<void()> on_stop_;
  std::unique_ptr<std::atomic<pid_t>> tid_;
  std::thread thread_;
};

// ---------------------------------------------------------------- shared memory and futex
// An anonymous MAP_SHARED mapping: visible to children forked after it is created; never a named object.
class SharedMapping {
 public:
  SharedMapping() = default;
  explicit SharedMapping(std::size_t bytes);
  SharedMapping(SharedMapping&& o) noexcept;
  SharedMapping& operator=(SharedMapping&& o) noexcept;
  SharedMapping(const SharedMapping&) = delete;
  SharedMapping& operator=(const SharedMapping&) = delete;
  ~SharedMapping();
  void* get() const { return addr_; }

 private:
  void* addr_ = nullptr;
  std::size_t bytes_ = 0;
};

// futex(2) on a 32-bit word. `shared` selects the process-shared (non-PRIVATE) op.
// futex_wait returns on wake, value mismatch or EINTR (caller re-checks its condition).
void futex_wait(std::atomic<std::uint32_t>* word, std::uint32_t expected, bool shared);
// Same with a relative CLOCK_MONOTONIC timeout; false when it timed out (so the caller can check that
// its partner is still alive), true otherwise.
bool futex_wait_for(std::atomic<std::uint32_t>* word, std::uint32_t expected, bool shared, std::uint64_t timeout_ns);
void futex_wake(std::atomic<std::uint32_t>* word, bool shared);
// Their core, for code that must not throw: 0 when woken, else the errno (EAGAIN: the word had
// changed, EINTR, ETIMEDOUT ...). timeout_ns 0: no timeout.
int futex_wait_errno(std::atomic<std::uint32_t>* word, std::uint32_t expected, bool shared,
                     std::uint64_t timeout_ns) noexcept;
int futex_wake_errno(std::atomic<std::uint32_t>* word, bool shared) noexcept;

// ---------------------------------------------------------------- context-switch counts
struct SwitchCounts {
  std::uint64_t voluntary = 0;
  std::uint64_t involuntary = 0;
};
// The whole content of a small /proc or /sys file; empty when it cannot be read (the task is gone).
std::string read_small_file(const std::string& path);
// From /proc/<pid>/task/<tid>/status; zeros if the task is gone.
SwitchCounts read_switch_counts(pid_t pid, pid_t tid);
// The aggregate "cpu" line of /proc/stat in USER_HZ ticks: all time, and idle + iowait (the idle share of a
// window, ctxswitch.pairs). Zeros when unreadable.
struct CpuTicks {
  std::uint64_t total = 0, idle = 0;
};
CpuTicks read_cpu_ticks();

// ---------------------------------------------------------------- process trees (the server and db families)
// The roots and every live descendant of them, from the parent fields of /proc/<pid>/stat: a server's
// workers and backends whatever their names.
std::vector<pid_t> process_tree(const std::vector<pid_t>& roots);
// "Rss:" and "Pss:" of /proc/<pid>/smaps_rollup, in bytes; zeros when the process is gone.
struct MemoryUse {
  std::uint64_t rss_bytes = 0, pss_bytes = 0;
};
MemoryUse read_memory_use(pid_t pid);
// getrusage(RUSAGE_CHILDREN): switches of all children reaped so far.
SwitchCounts reaped_children_switch_counts();

// Resident set of the calling process now (VmRSS, /proc/self/statm), in KiB; 0 when unreadable.
std::uint64_t resident_kib();
// Peak resident set of the calling process's address space so far (VmHWM), in KiB; 0 when unreadable.
std::uint64_t peak_resident_kib();

// Directory of the running executable (/proc/self/exe), where helper binaries are installed.
std::string executable_dir();

}  // namespace ctxbench
