// System-call numbers -> names for --explain's phases (analysis/explain.hpp), per architecture: the kernel
// reports the number of the traced program's own architecture. Generated from the kernels' asm/unistd.h
// (x86-64's own table; arm64 uses the generic one of asm-generic/unistd.h): the calls the probes and their
// start-up make. Pure: looked up by architecture name, so both tables are tested on any machine.
#include <map>
#include <string>
#include <string_view>

#include "analysis/explain.hpp"

namespace ctxbench {
namespace {

const std::map<long, const char*> kX86_64 = {{0, "read"},
                                             {1, "write"},
                                             {3, "close"},
                                             {7, "poll"},
                                             {9, "mmap"},
                                             {10, "mprotect"},
                                             {11, "munmap"},
                                             {12, "brk"},
                                             {13, "rt_sigaction"},
                                             {14, "rt_sigprocmask"},
                                             {23, "select"},
                                             {24, "sched_yield"},
                                             {39, "getpid"},
                                             {44, "sendto"},
                                             {45, "recvfrom"},
                                             {46, "sendmsg"},
                                             {47, "recvmsg"},
                                             {56, "clone"},
                                             {57, "fork"},
                                             {58, "vfork"},
                                             {59, "execve"},
                                             {60, "exit"},
                                             {61, "wait4"},
                                             {62, "kill"},
                                             {64, "semget"},
                                             {65, "semop"},
                                             {69, "msgsnd"},
                                             {70, "msgrcv"},
                                             {110, "getppid"},
                                             {128, "rt_sigtimedwait"},
                                             {130, "rt_sigsuspend"},
                                             {158, "arch_prctl"},
                                             {186, "gettid"},
                                             {200, "tkill"},
                                             {202, "futex"},
                                             {218, "set_tid_address"},
                                             {231, "exit_group"},
                                             {232, "epoll_wait"},
                                             {234, "tgkill"},
                                             {242, "mq_timedsend"},
                                             {243, "mq_timedreceive"},
                                             {247, "waitid"},
                                             {257, "openat"},
                                             {270, "pselect6"},
                                             {271, "ppoll"},
                                             {273, "set_robust_list"},
                                             {281, "epoll_pwait"},
                                             {302, "prlimit64"},
                                             {334, "rseq"},
                                             {435, "clone3"}};
const std::map<long, const char*> kAarch64 = {{22, "epoll_pwait"},
                                              {56, "openat"},
                                              {57, "close"},
                                              {63, "read"},
                                              {64, "write"},
                                              {72, "pselect6"},
                                              {73, "ppoll"},
                                              {93, "exit"},
                                              {94, "exit_group"},
                                              {95, "waitid"},
                                              {96, "set_tid_address"},
                                              {98, "futex"},
                                              {99, "set_robust_list"},
                                              {124, "sched_yield"},
                                              {129, "kill"},
                                              {130, "tkill"},
                                              {131, "tgkill"},
                                              {133, "rt_sigsuspend"},
                                              {134, "rt_sigaction"},
                                              {135, "rt_sigprocmask"},
                                              {137, "rt_sigtimedwait"},
                                              {172, "getpid"},
                                              {173, "getppid"},
                                              {178, "gettid"},
                                              {182, "mq_timedsend"},
                                              {183, "mq_timedreceive"},
                                              {188, "msgrcv"},
                                              {189, "msgsnd"},
                                              {190, "semget"},
                                              {193, "semop"},
                                              {206, "sendto"},
                                              {207, "recvfrom"},
                                              {211, "sendmsg"},
                                              {212, "recvmsg"},
                                              {214, "brk"},
                                              {215, "munmap"},
                                              {220, "clone"},
                                              {221, "execve"},
                                              {222, "mmap"},
                                              {226, "mprotect"},
                                              {260, "wait4"},
                                              {261, "prlimit64"},
                                              {293, "rseq"},
                                              {435, "clone3"}};

// The architecture this ctxbench was compiled for: the one whose numbers its traced probes use.
constexpr std::string_view kBuildArch =
#if defined(__x86_64__)
    "x86_64";
#elif defined(__aarch64__)
    "aarch64";
#else
    "";
#endif

}  // namespace

std::string syscall_name_of(std::string_view arch, long nr) {
  const std::map<long, const char*>* names = arch == "x86_64" ? &kX86_64 : arch == "aarch64" ? &kAarch64 : nullptr;
  if (names != nullptr)
    if (const auto it = names->find(nr); it != names->end()) return it->second;
  return "syscall " + std::to_string(nr);
}

std::string syscall_name(long nr) { return syscall_name_of(kBuildArch, nr); }

}  // namespace ctxbench
