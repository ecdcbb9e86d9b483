// Process creation variants: vfork+exec, clone(CLONE_VM|CLONE_VFORK)+exec, fork+exec of the static
// helper vs the same program linked dynamically, `sh -c` (lmbench lat_proc's shell case), and fork with
// a parent resident set of 0 ... 1 GiB touched (how fork's cost grows with the page tables it copies;
// analysis fits ns per MiB). Every child is adopted by a Child while it lives and reaped within its op.
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include "engine/probe_util.hpp"
#include "probes/families.hpp"

namespace ctxbench {

namespace {

void reap_ok(Child& child, const std::string& what) {
  const int status = child.wait();
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  if (WIFEXITED(status))
    throw ProbeError(what + " exited with status " + std::to_string(WEXITSTATUS(status)) +
                     (WEXITSTATUS(status) == 127 ? " (execve failed)" : ""));
  throw ProbeError(what + " ended with wait status " + std::to_string(status));
}

// argv/envp prepared before the child exists: between vfork/clone and execve the child may only call
// async-signal-safe functions and must not touch the heap.
struct Exec {
  std::vector<std::string> args;
  std::vector<char*> argv;
  char* envp[1] = {nullptr};
  explicit Exec(std::vector<std::string> a) : args(std::move(a)) {
    for (std::string& s : args) argv.push_back(s.data());
    argv.push_back(nullptr);
  }
  const char* path() const { return args[0].c_str(); }
};

std::shared_ptr<Exec> exec_or_skip(std::vector<std::string> args) {
  if (::access(args[0].c_str(), X_OK) != 0)
    throw ProbeSkip("exec target " + args[0] + " is missing or not executable: " + std::strerror(errno));
  return std::make_shared<Exec>(std::move(args));
}

std::string helper(const char* name) { return executable_dir() + "/" + name; }

// The raw system call: a sanitizer's execve interceptor must not run on a borrowed (CLONE_VM) stack,
// and no sanitizer bookkeeping either (the clone child shares the suspended parent's thread state).
[[noreturn]] __attribute__((no_sanitize_address, no_sanitize_thread, noinline)) void exec_or_die(const Exec* e) {
  ::syscall(SYS_execve, e->path(), e->argv.data(), e->envp);
  ::_exit(127);
}

extern "C" __attribute__((no_sanitize_address, no_sanitize_thread)) int clone_child(void* arg) {
  exec_or_die(static_cast<const Exec*>(arg));
}

std::unique_ptr<Session> start_vfork_exec(std::shared_ptr<Exec> e) {
  return make_loop_session([e] {
    throw_if_stopped();
    const Exec* target = e.get();
    const pid_t pid = ::vfork();
    if (pid == 0) exec_or_die(target);
    if (pid < 0) throw ProbeError(std::string("vfork: ") + std::strerror(errno));
    Child child = Child::adopt(pid);
    reap_ok(child, target->args[0]);
  });
}

// The child borrows the parent's memory and runs on its own small stack until execve; the parent is
// suspended until then (CLONE_VFORK), exactly what glibc's posix_spawn does.
class CloneStack {
 public:
  CloneStack() {
    void* p = ::mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (p == MAP_FAILED) throw ProbeError(std::string("mmap clone stack: ") + std::strerror(errno));
    base_ = static_cast<char*>(p);
  }
  ~CloneStack() { ::munmap(base_, kBytes); }
  CloneStack(const CloneStack&) = delete;
  CloneStack& operator=(const CloneStack&) = delete;
  void* top() const { return base_ + kBytes; }

 private:
  static constexpr std::size_t kBytes = 256 * 1024;
  char* base_;
};

std::unique_ptr<Session> start_clone_exec(std::shared_ptr<Exec> e) {
  auto stack = std::make_shared<CloneStack>();
  return make_loop_session([e, stack] {
    throw_if_stopped();
    const pid_t pid = ::clone(clone_child, stack->top(), CLONE_VM | CLONE_VFORK | SIGCHLD, e.get());
    if (pid < 0) throw ProbeError(std::string("clone: ") + std::strerror(errno));
    Child child = Child::adopt(pid);
    reap_ok(child, e->args[0]);
  });
}

std::unique_ptr<Session> start_fork_exec(std::shared_ptr<Exec> e) {
  return make_loop_session([e] {
    throw_if_stopped();
    const pid_t pid = ::fork();
    if (pid == 0) exec_or_die(e.get());
    if (pid < 0) throw ProbeError(std::string("fork: ") + std::strerror(errno));
    Child child = Child::adopt(pid);
    reap_ok(child, e->args[0]);
  });
}

// ---------------------------------------------------------------- fork with a resident set

// R MiB of private anonymous memory, every page written (resident), on 4 KiB pages: fork copies one
// page-table entry per page (huge pages would copy one entry per 2 MiB and hide the growth).
class Resident {
 public:
  explicit Resident(std::size_t mib) : bytes_(mib << 20) {
    if (bytes_ == 0) return;
    void* p = ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) throw ProbeSkip("cannot map " + std::to_string(mib) + " MiB: " + std::strerror(errno));
    base_ = static_cast<char*>(p);
    ::madvise(base_, bytes_, MADV_NOHUGEPAGE);
    // Prefaulted in one call, then written: filling 256 MiB by memset alone took 1.0 s here (a page fault
    // costs ~15 us in this VM) once per repetition. Populated but not written, the fork measured 8.6-9.9 ms
    // against 5.8-6.2 ms written (3.6 switches per op against 2.0), cause not known: the pages are written.
    ::madvise(base_, bytes_, MADV_POPULATE_WRITE);  // a hint: where it fails, memset faults the pages in
    std::memset(base_, 0x5a, bytes_);
  }
  ~Resident() {
    if (base_ != nullptr) ::munmap(base_, bytes_);
  }
  Resident(const Resident&) = delete;
  Resident& operator=(const Resident&) = delete;

 private:
  std::size_t bytes_;
  char* base_ = nullptr;
};

std::size_t mem_available_mib() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  std::size_t kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit)
    if (key == "MemAvailable:") return kib / 1024;
  return 0;
}

ProbeInfo info_of(std::string name, std::string op, std::vector<std::string> suites = {"process"}) {
  ProbeInfo info;
  info.name = std::move(name);
  info.explainable = true;
  info.family = "process";
  info.op = std::move(op);
  info.where.kinds = kCreationPlacements;
  info.counts_reaped_children = true;
  info.suites = std::move(suites);
  return info;
}

}  // namespace

void add_process_variants_probes(ProbeTable& table, const ProbeTableConfig&) {
  table.push_back(std::make_unique<SimpleProbe>(
      info_of("process.vfork_exec.static",
              "vfork(); the child execve()s the static ctxbench-true-static with an empty environment (the "
              "parent is suspended until then and shares its memory: no page tables are copied), the "
              "parent waitpid()s it",
              {"default", "process"}),
      [](const Placement&) { return start_vfork_exec(exec_or_skip({helper("ctxbench-true-static")})); }));
  table.push_back(std::make_unique<SimpleProbe>(
      info_of("process.clone_vm_vfork_exec.static",
              "clone(CLONE_VM|CLONE_VFORK|SIGCHLD) onto a separate 256 KiB stack; the child execve()s the "
              "static ctxbench-true-static (what glibc's posix_spawn does inside), the parent waitpid()s it"),
      [](const Placement&) { return start_clone_exec(exec_or_skip({helper("ctxbench-true-static")})); }));
  table.push_back(std::make_unique<SimpleProbe>(
      info_of("process.fork_exec.dynamic",
              "fork(); the child execve()s ctxbench-true-dynamic (the same do-nothing C program as "
              "ctxbench-true-static, linked dynamically: ld.so maps libc and relocates), the parent "
              "waitpid()s it; compare with process.fork_exec.static"),
      [](const Placement&) { return start_fork_exec(exec_or_skip({helper("ctxbench-true-dynamic")})); }));
  table.push_back(std::make_unique<SimpleProbe>(
      info_of("process.sh_c",
              "fork(); the child execve()s /bin/sh -c <ctxbench-true-static> (lmbench lat_proc shell: the "
              "shell starts, parses the command and runs the static helper), the parent waitpid()s it",
              {"default", "process"}),
      [](const Placement&) {
        return start_fork_exec(exec_or_skip({"/bin/sh", "-c", helper("ctxbench-true-static")}));
      }));

  // The largest step must leave the machine room: at most a quarter of MemAvailable at start-up.
  const std::size_t available = mem_available_mib();
  const std::size_t cap = available / 4;
  std::size_t largest = 1024;
  while (largest > 64 && largest > cap) largest /= 2;
  std::vector<std::size_t> steps = {0, 64};
  if (largest >= 128) steps.push_back(std::min<std::size_t>(largest, 256));
  if (largest > 256) steps.push_back(largest);
  const std::string sizing = largest == 1024 ? "largest step 1 GiB: a quarter of MemAvailable (" +
                                                   std::to_string(available) + " MiB at start-up) allows it"
                                             : "largest step " + std::to_string(largest) +
                                                   " MiB, not 1 GiB: capped at a quarter of "
                                                   "MemAvailable (" +
                                                   std::to_string(available) + " MiB at start-up)";
  for (std::size_t mib : steps) {
    ProbeInfo info =
        info_of("process.fork_rss/rss_mib:" + std::to_string(mib),
                "fork() by a parent with " + std::to_string(mib) +
                    " MiB of private anonymous memory written (resident, 4 KiB pages: MADV_NOHUGEPAGE); the child "
                    "_exit(0)s at once, the parent waitpid()s it: fork copies the page tables, exit tears them down (" +
                    sizing + ")",
                // The 1 GiB step alone takes ~10 s (filling it, ~70 ms forks): default has 0 and 256 MiB.
                (mib == 0 || mib == 256) ? std::vector<std::string>{"default", "process"}
                                         : std::vector<std::string>{"process"});
    info.params = {{"rss_mib", std::to_string(mib)}};
    // A 1 GiB step costs tens of ms per op and a second to fill: fewer, shorter repetitions.
    info.budget.max_repetitions = mib >= 256 ? 3 : 5;
    table.push_back(std::make_unique<SimpleProbe>(std::move(info), [mib](const Placement&) {
      auto resident = std::make_shared<Resident>(mib);
      return make_loop_session([resident] {
        throw_if_stopped();
        const pid_t pid = ::fork();
        if (pid == 0) ::_exit(0);
        if (pid < 0) throw ProbeError(std::string("fork: ") + std::strerror(errno));
        Child child = Child::adopt(pid);
        reap_ok(child, "forked child");
      });
    }));
  }
}

}  // namespace ctxbench
