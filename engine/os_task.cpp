// Owned child processes and partner threads (os.hpp). Everything here either returns, throws
// ProbeError/ProbeSkip/Interrupted, or — in a forked child and in the signal handler — only calls async-signal-safe
// functions and _exits.
#include "engine/os.hpp"
#include "engine/os_internal.hpp"

namespace ctxbench {

using namespace os_detail;

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
      throw ProbeSkip("CPU " + std::to_string(cpu) +
                      " is not in this process's affinity mask (allowed: " + cpu_list_text(allowed_cpus()) + ")");
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

}  // namespace ctxbench
