// OS helpers (os.hpp). Everything here either returns, throws ProbeError/ProbeSkip/Interrupted, or —
// in a forked child and in the signal handler — only calls async-signal-safe functions and _exits.
#include "probes/os.hpp"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <system_error>

#include "probes/probe.hpp"
#include "probes/watchdog.hpp"

namespace ctxbench {

namespace {

std::string errno_text(const char* what, int err) { return std::string(what) + ": " + std::strerror(err); }

[[noreturn]] void throw_errno(const char* what, int err = errno) { throw ProbeError(errno_text(what, err)); }

// Writes a message to stderr with write(2) only: usable in a forked child of a threaded process.
void child_say(const char* a, const char* b) {
  auto put = [](const char* s) {
    if (s != nullptr) {
      ssize_t r = ::write(STDERR_FILENO, s, std::strlen(s));
      (void)r;
    }
  };
  put("ctxbench child: ");
  put(a);
  put(b);
  put("\n");
}

}  // namespace

std::uint64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<std::uint64_t>(ts.tv_nsec);
}

pid_t gettid_now() { return static_cast<pid_t>(::syscall(SYS_gettid)); }

// ---------------------------------------------------------------- affinity

namespace {

// The affinity mask of the process as first seen. Sized dynamically: machines with more CPUs than
// CPU_SETSIZE (1024) exist, and sched_getaffinity fails with EINVAL when the buffer is too small.
struct StartMask {
  cpu_set_t* set = nullptr;
  std::size_t bytes = 0;
  std::vector<int> cpus;
  int error = 0;

  StartMask() {
    for (int ncpu = 1024; ncpu <= (1 << 22); ncpu *= 2) {
      cpu_set_t* s = CPU_ALLOC(ncpu);
      if (s == nullptr) {
        error = ENOMEM;
        return;
      }
      std::size_t b = CPU_ALLOC_SIZE(ncpu);
      CPU_ZERO_S(b, s);
      if (sched_getaffinity(0, b, s) == 0) {
        set = s;
        bytes = b;
        for (int c = 0; c < ncpu; ++c) {
          if (CPU_ISSET_S(c, b, s)) cpus.push_back(c);
        }
        return;
      }
      error = errno;
      CPU_FREE(s);
      if (error != EINVAL) return;
    }
  }
  ~StartMask() {
    if (set != nullptr) CPU_FREE(set);
  }
};

const StartMask& start_mask() {
  static const StartMask m;  // thread-safe first-call initialisation
  return m;
}

std::string cpu_list_text(const std::vector<int>& cpus) {
  // Compact "0-3,6" ranges: a 256-CPU mask stays readable in an error message.
  std::string out;
  for (std::size_t i = 0; i < cpus.size();) {
    std::size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(cpus[i]);
    if (j > i) out += '-' + std::to_string(cpus[j]);
    i = j + 1;
  }
  return out.empty() ? "none" : out;
}

}  // namespace

std::vector<int> allowed_cpus() {
  const StartMask& m = start_mask();
  if (m.set == nullptr) throw_errno("sched_getaffinity", m.error);
  return m.cpus;
}

void pin_to_cpu(int cpu) {
  const std::vector<int> cpus = allowed_cpus();
  bool allowed = false;
  for (int c : cpus) allowed = allowed || c == cpu;
  if (!allowed) {
    throw ProbeSkip("CPU " + std::to_string(cpu) +
                    " is not in this process's affinity mask (allowed: " + cpu_list_text(cpus) + ")");
  }
  cpu_set_t* s = CPU_ALLOC(cpu + 1);
  if (s == nullptr) throw_errno("CPU_ALLOC", ENOMEM);
  std::size_t b = CPU_ALLOC_SIZE(cpu + 1);
  CPU_ZERO_S(b, s);
  CPU_SET_S(cpu, b, s);
  int rc = sched_setaffinity(0, b, s);
  int err = errno;
  CPU_FREE(s);
  if (rc != 0) {
    // EINVAL: the CPU went offline or a cpuset shrank since start-up; the probe cannot run as asked.
    if (err == EINVAL)
      throw ProbeSkip("cannot pin to CPU " + std::to_string(cpu) + ": " + std::strerror(err));
    throw_errno("sched_setaffinity", err);
  }
}

void unpin() {
  const StartMask& m = start_mask();
  if (m.set == nullptr) throw_errno("sched_getaffinity", m.error);
  if (sched_setaffinity(0, m.bytes, m.set) != 0) throw_errno("sched_setaffinity (unpin)");
}

int current_cpu() { return sched_getcpu(); }

// ---------------------------------------------------------------- stop flag and child registry

namespace {

// The signal number that requested the stop, 0 if none. A plain lock-free atomic: the only state the
// signal handler touches besides the child registry.
std::atomic<int> g_stop_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);
std::atomic<bool> g_second_signal_exits{true};

// Live children, for the emergency path of the handler (second signal): it cannot take a lock or
// allocate, so this is a fixed array of lock-free slots; 0 means free. With more live children than
// slots the extra ones are simply not tracked — PR_SET_PDEATHSIG still kills them when we exit.
constexpr std::size_t kChildSlots = 4096;
std::atomic<pid_t> g_children[kChildSlots];
static_assert(std::atomic<pid_t>::is_always_lock_free);

void kill_registered_children() noexcept {
  for (auto& slot : g_children) {
    pid_t p = slot.load(std::memory_order_acquire);
    if (p > 0) ::kill(p, SIGKILL);
  }
}

extern "C" void stop_signal_handler(int sig) {
  int saved_errno = errno;  // kill() may change errno under the interrupted code
  int expected = 0;
  if (!g_stop_signal.compare_exchange_strong(expected, sig)) {
    if (!g_second_signal_exits.load(std::memory_order_relaxed)) {
      errno = saved_errno;
      return;
    }
    // Second signal: the user means it. Do not wait for cleanup that may be stuck.
    kill_registered_children();
    _exit(128 + sig);
  }
  watchdog_kick_on_stop();  // keeps kicking a blocked call until the probe has stopped
  errno = saved_errno;
}

}  // namespace

bool stop_requested() { return g_stop_signal.load(std::memory_order_relaxed) != 0; }
int stop_signal() { return g_stop_signal.load(std::memory_order_relaxed); }
void request_stop(int sig) {
  int expected = 0;
  g_stop_signal.compare_exchange_strong(expected, sig == 0 ? SIGTERM : sig);
}
void reset_stop_for_tests() { g_stop_signal.store(0); }
void set_second_stop_signal_exits(bool exits) { g_second_signal_exits.store(exits); }
void throw_if_stopped() {
  if (stop_requested()) throw Interrupted();
  throw_if_deadline_passed();  // --timeout: a ProbeTimeout, i.e. this probe fails and the run goes on
}

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = stop_signal_handler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocked read/futex/waitpid returns EINTR and sees the flag
  if (sigaction(SIGINT, &sa, nullptr) != 0) throw_errno("sigaction(SIGINT)");
  if (sigaction(SIGTERM, &sa, nullptr) != 0) throw_errno("sigaction(SIGTERM)");
  struct sigaction ign {};
  ign.sa_handler = SIG_IGN;
  sigemptyset(&ign.sa_mask);
  if (sigaction(SIGPIPE, &ign, nullptr) != 0) throw_errno("sigaction(SIGPIPE)");
}

void kill_all_registered_children() noexcept { kill_registered_children(); }

void register_child(pid_t pid) {
  if (pid <= 0) return;
  for (auto& slot : g_children) {
    pid_t expected = 0;
    if (slot.compare_exchange_strong(expected, pid, std::memory_order_acq_rel)) return;
  }
}

void unregister_child(pid_t pid) {
  if (pid <= 0) return;
  for (auto& slot : g_children) {
    pid_t expected = pid;
    if (slot.compare_exchange_strong(expected, 0, std::memory_order_acq_rel)) return;
  }
}

// ---------------------------------------------------------------- file descriptors

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) reset(o.release());
  return *this;
}

void UniqueFd::reset(int fd) {
  // Never retry close() on EINTR: on Linux the fd is released either way.
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

Pipe make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno("pipe2");
  Pipe p;
  p.read_end.reset(fds[0]);
  p.write_end.reset(fds[1]);
  return p;
}

int write_full(int fd, const void* buf, std::size_t len, RetryEintr retry_eintr) noexcept {
  const char* p = static_cast<const char*>(buf);
  while (len > 0) {
    const ssize_t n = ::write(fd, p, len);
    if (n > 0) {
      p += n;
      len -= static_cast<std::size_t>(n);
      continue;
    }
    const int err = n < 0 ? errno : EIO;
    if (err == EINTR && retry_eintr()) continue;
    return err;
  }
  return 0;
}

int read_full(int fd, void* buf, std::size_t len, RetryEintr retry_eintr) noexcept {
  char* p = static_cast<char*>(buf);
  while (len > 0) {
    const ssize_t n = ::read(fd, p, len);
    if (n > 0) {
      p += n;
      len -= static_cast<std::size_t>(n);
      continue;
    }
    if (n == 0) return kEndOfFile;
    if (errno == EINTR && retry_eintr()) continue;
    return errno;
  }
  return 0;
}

namespace {
bool no_interrupt_pending() { return !interrupt_pending(); }
}  // namespace

void write_all(int fd, const void* buf, std::size_t len) {
  const int err = write_full(fd, buf, len, no_interrupt_pending);
  if (err == 0) return;
  // Ctrl-C also reaches the children in our process group; their death is then part of the stop.
  throw_if_stopped();
  if (err == EPIPE) throw ProbeError("partner closed the pipe (write: EPIPE)");
  throw_errno("write", err);
}

void read_all(int fd, void* buf, std::size_t len) {
  const int err = read_full(fd, buf, len, no_interrupt_pending);
  if (err == 0) return;
  throw_if_stopped();
  if (err == kEndOfFile) throw ProbeError("partner closed the pipe (read: EOF)");
  throw_errno("read", err);
}

// ---------------------------------------------------------------- child processes

void prepare_child_after_fork(int cpu, pid_t parent) {
  // Die with the parent, even if it is SIGKILLed: nothing is ever left behind.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  // The parent may have died between fork() and prctl(): then no death signal will come.
  if (parent > 0 && getppid() != parent) _exit(1);
  // Back to default dispositions: Ctrl-C kills the child directly, a dead pipe peer gives SIGPIPE.
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  signal(SIGPIPE, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  if (cpu >= 0) {
    cpu_set_t s;
    CPU_ZERO(&s);
    if (cpu >= CPU_SETSIZE) {
      child_say("cannot pin: CPU number too large", "");
      _exit(125);
    }
    CPU_SET(cpu, &s);
    if (sched_setaffinity(0, sizeof s, &s) != 0) {
      child_say("sched_setaffinity: ", std::strerror(errno));
      _exit(125);
    }
  }
}

Child::Child(pid_t pid) : pid_(pid) { register_child(pid); }

Child Child::adopt(pid_t pid) { return Child(pid); }

Child Child::spawn(const std::function<int()>& body, int cpu) {
  // Refuse an impossible CPU here, where the error can still be reported as a skip.
  if (cpu >= 0) {
    bool ok = false;
    for (int c : allowed_cpus()) ok = ok || c == cpu;
    if (!ok || cpu >= CPU_SETSIZE) {
      throw ProbeSkip("CPU " + std::to_string(cpu) + " is not in this process's affinity mask (allowed: " +
                      cpu_list_text(allowed_cpus()) + ")");
    }
  }
  const pid_t parent = getpid();
  // Block every signal across fork(): our stop handler must never run in the child before the child
  // has reset it, and the parent must register the pid before a second signal could look for it.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  pid_t pid = ::fork();
  if (pid == 0) {
    prepare_child_after_fork(cpu, parent);  // also clears the signal mask
    int rc = 1;
    try {
      rc = body();
    } catch (const std::exception& e) {
      child_say("body failed: ", e.what());
    } catch (...) {
      child_say("body failed", "");
    }
    _exit(rc);  // never run the parent's atexit handlers or static destructors
  }
  int err = errno;
  Child c = pid > 0 ? Child(pid) : Child();
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0) throw_errno("fork", err);
  return c;
}

Child::Child(Child&& o) noexcept : pid_(o.pid_), reaped_(o.reaped_), status_(o.status_) {
  o.pid_ = -1;
  o.reaped_ = false;
}

Child& Child::operator=(Child&& o) noexcept {
  if (this != &o) {
    kill_and_reap();
    pid_ = o.pid_;
    reaped_ = o.reaped_;
    status_ = o.status_;
    o.pid_ = -1;
    o.reaped_ = false;
  }
  return *this;
}

Child::~Child() { kill_and_reap(); }

int Child::wait() {
  if (pid_ <= 0 || reaped_) throw ProbeError("Child::wait: no child to wait for");
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(pid_, &status, 0);
    if (r == pid_) break;
    if (r < 0 && errno == EINTR) {
      throw_if_stopped();  // the destructor still kills and reaps
      continue;
    }
    throw_errno("waitpid");
  }
  reaped_ = true;
  status_ = status;
  unregister_child(pid_);
  return status;
}

bool Child::exited() noexcept {
  if (pid_ <= 0 || reaped_) return true;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_ || (r < 0 && errno == ECHILD)) {
    reaped_ = true;
    if (r == pid_) status_ = status;
    unregister_child(pid_);
    return true;
  }
  return false;
}

void Child::kill_and_reap() noexcept {
  if (pid_ <= 0) return;
  if (!reaped_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    unregister_child(pid_);
  }
  pid_ = -1;
  reaped_ = false;
}

// ---------------------------------------------------------------- partner threads

namespace {
// Start-up report of a partner thread. Shared (not on the constructor's stack) because the thread may
// still be inside notify_one() when the constructor has already seen the state and returned.
struct ThreadStart {
  enum State : int { Pending = 0, Running = 1, Skip = 2, Error = 3 };
  std::atomic<int> state{Pending};
  std::string message;  // written before state is published
};
}  // namespace

PartnerThread::PartnerThread(std::function<void()> body, std::function<void()> on_stop, int cpu)
    : on_stop_(std::move(on_stop)), tid_(std::make_unique<std::atomic<pid_t>>(0)) {
  auto start = std::make_shared<ThreadStart>();
  std::atomic<pid_t>* tid = tid_.get();
  auto run = [body = std::move(body), start, tid, cpu]() {
    try {
      if (cpu >= 0) pin_to_cpu(cpu);
    } catch (const ProbeSkip& e) {
      start->message = e.what();
      start->state.store(ThreadStart::Skip, std::memory_order_release);
      start->state.notify_one();
      return;
    } catch (const std::exception& e) {
      start->message = e.what();
      start->state.store(ThreadStart::Error, std::memory_order_release);
      start->state.notify_one();
      return;
    }
    tid->store(gettid_now(), std::memory_order_release);
    start->state.store(ThreadStart::Running, std::memory_order_release);
    start->state.notify_one();
    try {
      body();
    } catch (...) {
      // A partner that fails just stops answering; its owner's fds/flags make the caller notice.
    }
  };
  // Block every signal while the thread is created: it inherits the mask, so SIGINT/SIGTERM are always
  // delivered to a thread that can react (the one calling run_ops), never to the partner.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  try {
    thread_ = std::thread(std::move(run));
  } catch (const std::system_error& e) {
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    throw ProbeError(std::string("creating partner thread: ") + e.what());
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  start->state.wait(ThreadStart::Pending, std::memory_order_acquire);
  int st = start->state.load(std::memory_order_acquire);
  if (st != ThreadStart::Running) {
    thread_.join();
    on_stop_ = nullptr;
    if (st == ThreadStart::Skip) throw ProbeSkip(start->message);
    throw ProbeError("partner thread: " + start->message);
  }
}

PartnerThread& PartnerThread::operator=(PartnerThread&& o) noexcept {
  if (this != &o) {
    stop_and_join();
    on_stop_ = std::move(o.on_stop_);
    tid_ = std::move(o.tid_);
    thread_ = std::move(o.thread_);
  }
  return *this;
}

PartnerThread::~PartnerThread() { stop_and_join(); }

void PartnerThread::stop_and_join() noexcept {
  if (!thread_.joinable()) return;
  if (on_stop_) {
    try {
      on_stop_();
    } catch (...) {
    }
  }
  thread_.join();
}

// ---------------------------------------------------------------- shared memory and futex

SharedMapping::SharedMapping(std::size_t bytes) {
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw_errno("mmap(MAP_SHARED|MAP_ANONYMOUS)");
  addr_ = p;
  bytes_ = bytes;
}

SharedMapping::SharedMapping(SharedMapping&& o) noexcept : addr_(o.addr_), bytes_(o.bytes_) {
  o.addr_ = nullptr;
  o.bytes_ = 0;
}

SharedMapping& SharedMapping::operator=(SharedMapping&& o) noexcept {
  if (this != &o) {
    if (addr_ != nullptr) ::munmap(addr_, bytes_);
    addr_ = o.addr_;
    bytes_ = o.bytes_;
    o.addr_ = nullptr;
    o.bytes_ = 0;
  }
  return *this;
}

SharedMapping::~SharedMapping() {
  if (addr_ != nullptr) ::munmap(addr_, bytes_);
}

namespace {
// std::atomic<uint32_t> is a plain 32-bit word (checked below), so the kernel may wait on its address.
static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));
static_assert(std::atomic<std::uint32_t>::is_always_lock_free);

long futex_call(std::atomic<std::uint32_t>* word, int op, std::uint32_t val, const timespec* timeout) {
  return ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), op, val, timeout, nullptr, 0);
}
}  // namespace

int futex_wait_errno(std::atomic<std::uint32_t>* word, std::uint32_t expected, bool shared,
                     std::uint64_t timeout_ns) noexcept {
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(timeout_ns / 1000000000ull);
  ts.tv_nsec = static_cast<long>(timeout_ns % 1000000000ull);
  const int op = shared ? FUTEX_WAIT : FUTEX_WAIT_PRIVATE;
  return futex_call(word, op, expected, timeout_ns == 0 ? nullptr : &ts) == 0 ? 0 : errno;
}

int futex_wake_errno(std::atomic<std::uint32_t>* word, bool shared) noexcept {
  return futex_call(word, shared ? FUTEX_WAKE : FUTEX_WAKE_PRIVATE, 1, nullptr) < 0 ? errno : 0;
}

bool futex_wait_for(std::atomic<std::uint32_t>* word, std::uint32_t expected, bool shared,
                    std::uint64_t timeout_ns) {
  switch (const int err = futex_wait_errno(word, expected, shared, timeout_ns)) {
    case 0:
    case EAGAIN:  // the word had already changed
    case EINTR:   // a signal: the caller checks stop_requested()
      return true;
    case ETIMEDOUT:
      return false;
    default:
      throw_errno(shared ? "futex(FUTEX_WAIT)" : "futex(FUTEX_WAIT_PRIVATE)", err);
  }
}

void futex_wait(std::atomic<std::uint32_t>* word, std::uint32_t expected, bool shared) {
  futex_wait_for(word, expected, shared, 0);
}

void futex_wake(std::atomic<std::uint32_t>* word, bool shared) {
  if (const int err = futex_wake_errno(word, shared); err != 0) {
    throw_errno(shared ? "futex(FUTEX_WAKE)" : "futex(FUTEX_WAKE_PRIVATE)", err);
  }
}

// ---------------------------------------------------------------- context-switch counts

std::string read_small_file(const std::string& path) {
  std::string text;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      text.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  ::close(fd);
  return text;
}

SwitchCounts read_switch_counts(pid_t pid, pid_t tid) {
  SwitchCounts c;
  const std::string text =
      read_small_file("/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/status");
  if (text.empty()) return c;
  auto field = [&text](const char* key) -> std::uint64_t {
    const std::string k = std::string("\n") + key + ":";
    std::size_t pos = text.find(k);
    if (pos == std::string::npos) return 0;
    return std::strtoull(text.c_str() + pos + k.size(), nullptr, 10);
  };
  c.voluntary = field("voluntary_ctxt_switches");
  c.involuntary = field("nonvoluntary_ctxt_switches");
  return c;
}

SwitchCounts reaped_children_switch_counts() {
  rusage ru{};
  if (getrusage(RUSAGE_CHILDREN, &ru) != 0) throw_errno("getrusage(RUSAGE_CHILDREN)");
  return SwitchCounts{static_cast<std::uint64_t>(ru.ru_nvcsw), static_cast<std::uint64_t>(ru.ru_nivcsw)};
}

std::uint64_t resident_kib() {
  // statm: size resident shared text lib data dt, in pages.
  const std::string statm = read_small_file("/proc/self/statm");
  const std::size_t space = statm.find(' ');
  if (space == std::string::npos) return 0;
  const std::uint64_t pages = std::strtoull(statm.c_str() + space + 1, nullptr, 10);
  return pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE)) / 1024;
}

std::uint64_t peak_resident_kib() {
  rusage ru{};
  if (::getrusage(RUSAGE_SELF, &ru) != 0) return 0;
  return static_cast<std::uint64_t>(ru.ru_maxrss);
}

std::string executable_dir() {
  char buf[PATH_MAX + 1];
  ssize_t n = ::readlink("/proc/self/exe", buf, PATH_MAX);
  if (n <= 0) throw_errno("readlink(/proc/self/exe)");
  std::string path(buf, static_cast<std::size_t>(n));
  std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace ctxbench
