// The IPC mechanisms behind ipc.*: each one is a Channel (ipc_channel.hpp). Raw syscalls, result codes,
// no exceptions and no allocation in send/recv: B may run in a forked child.
//
// Dead partners: fd channels (pipe, sockets) read EOF/EPIPE once B is gone, and the futex channel waits
// with a timeout so the session can check; eventfd, POSIX mq, SysV msg/sem and signals have no "peer
// closed" notion, so a partner killed from outside leaves A blocked until Ctrl-C (EINTR) ends the run.
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <new>

#include "engine/os.hpp"
#include "engine/probe.hpp"
#include "probes/ipc_channel.hpp"

namespace ctxbench {

namespace {

[[noreturn]] void fail(const std::string& what, int err = errno) { throw ProbeError(what + ": " + std::strerror(err)); }

// EINTR: retry, unless a stop was requested (then report it so A can throw Interrupted).
bool retry_eintr() { return !stop_requested(); }

int peer_or_errno(int err) noexcept { return (err == EPIPE || err == ECONNRESET || err == ENOTCONN) ? kPeerGone : err; }

// The os.hpp full read/write with the channels' result codes.
int write_full(int fd, const char* buf, std::size_t len) noexcept {
  const int err = ctxbench::write_full(fd, buf, len, retry_eintr);
  return err == 0 ? 0 : peer_or_errno(err);
}

int read_full(int fd, char* buf, std::size_t len) noexcept {
  const int err = ctxbench::read_full(fd, buf, len, retry_eintr);
  if (err == kEndOfFile) return kPeerGone;
  return err == 0 ? 0 : peer_or_errno(err);
}

// One datagram per message: it arrives whole or not at all.
int send_datagram(int fd, const char* buf, std::size_t len) noexcept {
  for (;;) {
    const ssize_t n = ::send(fd, buf, len, 0);
    if (n == static_cast<ssize_t>(len)) return 0;
    if (n < 0 && errno == EINTR && retry_eintr()) continue;
    return n < 0 ? peer_or_errno(errno) : EMSGSIZE;
  }
}

int recv_datagram(int fd, char* buf, std::size_t len) noexcept {
  for (;;) {
    const ssize_t n = ::recv(fd, buf, len, 0);
    if (n == static_cast<ssize_t>(len)) return 0;
    if (n == 0) return kPeerGone;
    if (n < 0 && errno == EINTR && retry_eintr()) continue;
    return n < 0 ? peer_or_errno(errno) : EMSGSIZE;
  }
}

// ---------------------------------------------------------------- fd channels

// pipe, socketpair (stream/datagram), TCP, UDP, eventfd: each side has one fd to send on and one to
// receive on (the same fd for a socket) and owns the fds it holds.
class FdChannel final : public Channel {
 public:
  enum class Kind { Stream, Datagram, Counter };
  struct End {
    UniqueFd own1, own2;
    int send_fd = -1, recv_fd = -1;
  };
  FdChannel(Kind kind, End a, End b) : kind_(kind) {
    ends_[0] = std::move(a);
    ends_[1] = std::move(b);
  }
  int prepare(Side) noexcept override { return 0; }
  int send(Side s, const char* buf, std::size_t len) noexcept override {
    const int fd = ends_[static_cast<int>(s)].send_fd;
    switch (kind_) {
      case Kind::Stream:
        return write_full(fd, buf, len);
      case Kind::Datagram:
        return send_datagram(fd, buf, len);
      case Kind::Counter: {
        const std::uint64_t one = 1;
        return write_full(fd, reinterpret_cast<const char*>(&one), sizeof one);
      }
    }
    return EINVAL;
  }
  int recv(Side s, char* buf, std::size_t len) noexcept override {
    const int fd = ends_[static_cast<int>(s)].recv_fd;
    switch (kind_) {
      case Kind::Stream:
        return read_full(fd, buf, len);
      case Kind::Datagram:
        return recv_datagram(fd, buf, len);
      case Kind::Counter: {
        std::uint64_t v = 0;
        return read_full(fd, reinterpret_cast<char*>(&v), sizeof v);
      }
    }
    return EINVAL;
  }
  void drop(Side s) noexcept override {
    End& e = ends_[static_cast<int>(s)];
    e.own1.reset();
    e.own2.reset();
    e.send_fd = e.recv_fd = -1;
  }

 private:
  Kind kind_;
  End ends_[2];
};

FdChannel::End pipe_end(UniqueFd send, UniqueFd recv) {
  FdChannel::End e;
  e.send_fd = send.get();
  e.recv_fd = recv.get();
  e.own1 = std::move(send);
  e.own2 = std::move(recv);
  return e;
}

FdChannel::End socket_end(UniqueFd fd) {
  FdChannel::End e;
  e.send_fd = e.recv_fd = fd.get();
  e.own1 = std::move(fd);
  return e;
}

std::unique_ptr<Channel> make_pipe_channel() {
  Pipe ab = make_pipe(), ba = make_pipe();
  return std::make_unique<FdChannel>(FdChannel::Kind::Stream, pipe_end(std::move(ab.write_end), std::move(ba.read_end)),
                                     pipe_end(std::move(ba.write_end), std::move(ab.read_end)));
}

std::unique_ptr<Channel> make_socketpair_channel(int type, std::size_t size) {
  int sv[2];
  if (::socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv) != 0) fail("socketpair");
  UniqueFd a(sv[0]), b(sv[1]);
  if (type == SOCK_DGRAM) {
    // A datagram must fit the send buffer whole; ask for room for two (the stop message may queue).
    int want = static_cast<int>(2 * size + 4096);
    for (int fd : {sv[0], sv[1]}) ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &want, sizeof want);
  }
  return std::make_unique<FdChannel>(type == SOCK_DGRAM ? FdChannel::Kind::Datagram : FdChannel::Kind::Stream,
                                     socket_end(std::move(a)), socket_end(std::move(b)));
}

sockaddr_in loopback_any_port() {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

sockaddr_in bound_address(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) fail("getsockname");
  return addr;
}

UniqueFd inet_socket(int type) {
  UniqueFd fd(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
  if (!fd) {
    if (errno == EAFNOSUPPORT || errno == EACCES || errno == EPERM)
      throw ProbeSkip(std::string("no IPv4 loopback socket here: ") + std::strerror(errno));
    fail("socket");
  }
  return fd;
}

void bind_loopback(int fd) {
  sockaddr_in addr = loopback_any_port();
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno == EADDRNOTAVAIL) throw ProbeSkip("no 127.0.0.1 loopback interface here");
    fail("bind 127.0.0.1");
  }
}

// Loopback connect completes from the listen backlog, so one thread can connect and then accept.
std::unique_ptr<Channel> make_tcp_channel() {
  UniqueFd listener = inet_socket(SOCK_STREAM);
  bind_loopback(listener.get());
  if (::listen(listener.get(), 1) != 0) fail("listen");
  const sockaddr_in addr = bound_address(listener.get());
  UniqueFd client = inet_socket(SOCK_STREAM);
  if (::connect(client.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) fail("connect 127.0.0.1");
  UniqueFd server(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  if (!server) fail("accept");
  const int one = 1;
  for (int fd : {client.get(), server.get()})
    if (::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) fail("setsockopt TCP_NODELAY");
  return std::make_unique<FdChannel>(FdChannel::Kind::Stream, socket_end(std::move(client)),
                                     socket_end(std::move(server)));
}

std::unique_ptr<Channel> make_udp_channel(std::size_t size) {
  // IPv4 caps a UDP payload at 65535 - 20 (IP header) - 8 (UDP header).
  if (size > 65507)
    throw ProbeSkip("a UDP datagram carries at most 65507 bytes over IPv4; " + std::to_string(size) + " does not fit");
  UniqueFd a = inet_socket(SOCK_DGRAM), b = inet_socket(SOCK_DGRAM);
  bind_loopback(a.get());
  bind_loopback(b.get());
  const sockaddr_in aa = bound_address(a.get()), ba = bound_address(b.get());
  if (::connect(a.get(), reinterpret_cast<const sockaddr*>(&ba), sizeof ba) != 0) fail("connect udp");
  if (::connect(b.get(), reinterpret_cast<const sockaddr*>(&aa), sizeof aa) != 0) fail("connect udp");
  int want = static_cast<int>(2 * size + 4096);
  for (int fd : {a.get(), b.get()}) {
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &want, sizeof want);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof want);
  }
  return std::make_unique<FdChannel>(FdChannel::Kind::Datagram, socket_end(std::move(a)), socket_end(std::move(b)));
}

std::unique_ptr<Channel> make_eventfd_channel() {
  UniqueFd ab(::eventfd(0, EFD_CLOEXEC)), ba(::eventfd(0, EFD_CLOEXEC));
  if (!ab || !ba) fail("eventfd");
  // eventfd has no separate ends: B gets its own descriptors (dup) so each side can drop its own.
  UniqueFd b_ab(::fcntl(ab.get(), F_DUPFD_CLOEXEC, 0)), b_ba(::fcntl(ba.get(), F_DUPFD_CLOEXEC, 0));
  if (!b_ab || !b_ba) fail("dup eventfd");
  FdChannel::End a = pipe_end(std::move(ab), std::move(ba));
  FdChannel::End b = pipe_end(std::move(b_ba), std::move(b_ab));
  return std::make_unique<FdChannel>(FdChannel::Kind::Counter, std::move(a), std::move(b));
}

// ---------------------------------------------------------------- POSIX message queues

class MqChannel final : public Channel {
 public:
  explicit MqChannel(std::size_t size) {
    static std::atomic<unsigned> counter{0};
    for (int i = 0; i < 2; ++i) {
      const std::string name = "/ctxbench-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
      mq_attr attr{};
      attr.mq_maxmsg = 2;  // one message in flight, plus a stop message
      attr.mq_msgsize = static_cast<long>(size);
      q_[i] = ::mq_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600, &attr);
      if (q_[i] == static_cast<mqd_t>(-1)) {
        const int err = errno;
        if (err == ENOSYS) throw ProbeSkip("POSIX message queues are not available (ENOSYS)");
        if (err == EINVAL || err == EMFILE || err == ENOMEM || err == EACCES || err == EPERM)
          throw ProbeSkip("mq_open of a queue of " + std::to_string(size) + "-byte messages refused (" +
                          std::strerror(err) + "; see /proc/sys/fs/mqueue/msgsize_max and RLIMIT_MSGQUEUE)");
        fail("mq_open");
      }
      // Unlinked at once: the descriptors keep the queues alive, and nothing is left if ctxbench dies.
      ::mq_unlink(name.c_str());
    }
  }
  ~MqChannel() override {
    for (mqd_t q : q_)
      if (q != static_cast<mqd_t>(-1)) ::mq_close(q);
  }
  int prepare(Side) noexcept override { return 0; }
  // q_[0] carries A -> B, q_[1] carries B -> A.
  int send(Side s, const char* buf, std::size_t len) noexcept override {
    for (;;) {
      if (::mq_send(q_[static_cast<int>(s)], buf, len, 0) == 0) return 0;
      if (errno == EINTR && retry_eintr()) continue;
      return errno;
    }
  }
  int recv(Side s, char* buf, std::size_t len) noexcept override {
    for (;;) {
      const ssize_t n = ::mq_receive(q_[1 - static_cast<int>(s)], buf, len, nullptr);
      if (n == static_cast<ssize_t>(len)) return 0;
      if (n < 0 && errno == EINTR && retry_eintr()) continue;
      return n < 0 ? errno : EMSGSIZE;
    }
  }
  void drop(Side) noexcept override {}

 private:
  mqd_t q_[2] = {static_cast<mqd_t>(-1), static_cast<mqd_t>(-1)};
};

// ---------------------------------------------------------------- SysV message queue and semaphores

long read_proc_long(const char* path) {
  std::ifstream in(path);
  long v = -1;
  in >> v;
  return in ? v : -1;
}

class SysvMsgChannel final : public Channel {
 public:
  explicit SysvMsgChannel(std::size_t size) : size_(size) {
    const long msgmax = read_proc_long("/proc/sys/kernel/msgmax");
    const long msgmnb = read_proc_long("/proc/sys/kernel/msgmnb");
    if (msgmax >= 0 && static_cast<long>(size) > msgmax)
      throw ProbeSkip("a " + std::to_string(size) + "-byte SysV message exceeds /proc/sys/kernel/msgmax (" +
                      std::to_string(msgmax) + ")");
    if (msgmnb >= 0 && static_cast<long>(size) > msgmnb)
      throw ProbeSkip("a " + std::to_string(size) + "-byte SysV message exceeds /proc/sys/kernel/msgmnb (" +
                      std::to_string(msgmnb) + ")");
    id_ = ::msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    if (id_ < 0) {
      if (errno == ENOSYS) throw ProbeSkip("SysV IPC is not available (ENOSYS)");
      fail("msgget");
    }
    // One buffer per side (mtype + text), allocated here: B never allocates.
    for (auto& b : buf_) b.reset(new char[sizeof(long) + size]);
  }
  ~SysvMsgChannel() override {
    if (id_ >= 0) ::msgctl(id_, IPC_RMID, nullptr);
  }
  int prepare(Side) noexcept override { return 0; }
  // mtype 1 carries A -> B, mtype 2 carries B -> A, on one queue.
  int send(Side s, const char* buf, std::size_t len) noexcept override {
    char* m = buf_[static_cast<int>(s)].get();
    const long type = s == Side::A ? 1 : 2;
    std::memcpy(m, &type, sizeof type);
    std::memcpy(m + sizeof(long), buf, len);
    for (;;) {
      if (::msgsnd(id_, m, len, 0) == 0) return 0;
      if (errno == EINTR && retry_eintr()) continue;
      return errno == EIDRM ? kPeerGone : errno;
    }
  }
  int recv(Side s, char* buf, std::size_t len) noexcept override {
    char* m = buf_[static_cast<int>(s)].get();
    const long type = s == Side::A ? 2 : 1;
    for (;;) {
      const ssize_t n = ::msgrcv(id_, m, size_, type, 0);
      if (n == static_cast<ssize_t>(len)) {
        std::memcpy(buf, m + sizeof(long), len);
        return 0;
      }
      if (n < 0 && errno == EINTR && retry_eintr()) continue;
      return n < 0 ? (errno == EIDRM ? kPeerGone : errno) : EMSGSIZE;
    }
  }
  void drop(Side) noexcept override {}

 private:
  std::size_t size_;
  int id_ = -1;
  std::unique_ptr<char[]> buf_[2];
};

class SysvSemChannel final : public Channel {
 public:
  SysvSemChannel() {
    id_ = ::semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);  // Linux starts every semaphore at 0
    if (id_ < 0) {
      if (errno == ENOSYS) throw ProbeSkip("SysV IPC is not available (ENOSYS)");
      fail("semget");
    }
  }
  ~SysvSemChannel() override {
    if (id_ >= 0) ::semctl(id_, 0, IPC_RMID);
  }
  int prepare(Side) noexcept override { return 0; }
  // Semaphore 0 is posted for B, semaphore 1 for A.
  int send(Side s, const char*, std::size_t) noexcept override { return op(s == Side::A ? 0 : 1, +1); }
  int recv(Side s, char*, std::size_t) noexcept override { return op(s == Side::A ? 1 : 0, -1); }
  void drop(Side) noexcept override {}

 private:
  int op(unsigned short num, short delta) noexcept {
    sembuf b{num, delta, 0};
    for (;;) {
      if (::semop(id_, &b, 1) == 0) return 0;
      if (errno == EINTR && retry_eintr()) continue;
      return errno == EIDRM ? kPeerGone : errno;
    }
  }
  int id_ = -1;
};

// ---------------------------------------------------------------- signals

extern "C" void ignore_signal(int) {}

int channel_signal() { return SIGRTMIN + 2; }

// Each side blocks the signal and waits for it with sigwaitinfo; the other side queues it to that exact
// thread with rt_tgsigqueueinfo (sigqueue targets a process, and any thread of it could take it).
// The tids live in shared memory so a forked B can publish its own.
class SignalChannel final : public Channel {
 public:
  struct Ids {
    std::atomic<pid_t> pid[2];
    std::atomic<pid_t> tid[2];
  };
  SignalChannel() : map_(sizeof(Ids)), ids_(new (map_.get()) Ids) {
    sig_ = channel_signal();
    // A handler, not the default action (terminate): a signal left pending when a session ends is then
    // harmless. Installed once and kept.
    static const bool installed = [] {
      struct sigaction sa {};
      sa.sa_handler = ignore_signal;
      sigemptyset(&sa.sa_mask);
      return ::sigaction(channel_signal(), &sa, nullptr) == 0;
    }();
    if (!installed) fail("sigaction");
    sigemptyset(&set_);
    sigaddset(&set_, sig_);
  }
  int prepare(Side s) noexcept override {
    const int i = static_cast<int>(s);
    if (s == Side::A) {
      if (::pthread_sigmask(SIG_BLOCK, &set_, &old_mask_) != 0) return EINVAL;
      masked_ = true;
    } else if (::pthread_sigmask(SIG_BLOCK, &set_, nullptr) != 0) {
      return EINVAL;
    }
    ids_->pid[i].store(::getpid());
    ids_->tid[i].store(static_cast<pid_t>(::syscall(SYS_gettid)));
    return 0;
  }
  int send(Side s, const char*, std::size_t) noexcept override {
    const int to = 1 - static_cast<int>(s);
    siginfo_t info{};
    info.si_signo = sig_;
    info.si_code = SI_QUEUE;
    info.si_pid = ::getpid();
    info.si_uid = ::getuid();
    for (;;) {
      if (::syscall(SYS_rt_tgsigqueueinfo, ids_->pid[to].load(), ids_->tid[to].load(), sig_, &info) == 0) return 0;
      if (errno == EINTR && retry_eintr()) continue;
      return errno == ESRCH ? kPeerGone : errno;
    }
  }
  int recv(Side, char*, std::size_t) noexcept override {
    for (;;) {
      siginfo_t info;
      if (::sigwaitinfo(&set_, &info) == sig_) return 0;
      if (errno == EINTR && retry_eintr()) continue;
      return errno;
    }
  }
  void drop(Side) noexcept override {}
  // Drains what B may have sent after A stopped listening, then restores A's mask.
  void finish(Side s) noexcept override {
    if (s != Side::A || !masked_) return;
    const timespec zero{0, 0};
    siginfo_t info;
    while (::sigtimedwait(&set_, &info, &zero) == sig_) {
    }
    ::pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
    masked_ = false;
  }

 private:
  SharedMapping map_;
  Ids* ids_;
  int sig_ = 0;
  sigset_t set_{};
  sigset_t old_mask_{};
  bool masked_ = false;
};

// ---------------------------------------------------------------- futex

// Two sequence words in shared memory; a message bumps the receiver's word and wakes it. A waits with a
// timeout so the session can notice a dead partner.
class FutexChannel final : public Channel {
 public:
  struct Words {
    alignas(64) std::atomic<std::uint32_t> word[2];  // word[0]: messages to B, word[1]: messages to A
    alignas(64) std::uint32_t seen[2];               // each side's own count of messages taken
  };
  explicit FutexChannel(bool process) : shared_(process), map_(sizeof(Words)), w_(new (map_.get()) Words) {
    for (int i = 0; i < 2; ++i) {
      w_->word[i].store(0);
      w_->seen[i] = 0;
    }
  }
  int prepare(Side) noexcept override { return 0; }
  int send(Side s, const char*, std::size_t) noexcept override {
    std::atomic<std::uint32_t>* w = &w_->word[1 - static_cast<int>(s)];
    w->fetch_add(1, std::memory_order_release);
    return futex_wake_errno(w, shared_);
  }
  int recv(Side s, char*, std::size_t) noexcept override {
    const int i = static_cast<int>(s);
    std::atomic<std::uint32_t>* w = &w_->word[i];
    const std::uint32_t seen = w_->seen[i];
    const std::uint64_t timeout_ns = s == Side::A ? 100'000'000 : 0;
    for (;;) {
      if (w->load(std::memory_order_acquire) != seen) {
        w_->seen[i] = seen + 1;
        return 0;
      }
      const int err = futex_wait_errno(w, seen, shared_, timeout_ns);
      if (err == 0 || err == EAGAIN) continue;
      if (err == EINTR) {
        if (retry_eintr()) continue;
        return EINTR;
      }
      if (err == ETIMEDOUT) return kTimedOut;
      return err;
    }
  }
  void drop(Side) noexcept override {}

 private:
  bool shared_;
  SharedMapping map_;
  Words* w_;
};

}  // namespace

// The default suite (under a minute on 2 vCPUs) holds one mechanism per kind: socket (unix_stream, tcp),
// queue (posix_mq), semaphore (sysv_sem) and signal; pipe and futex are the ctxswitch probes.
const std::vector<Mechanism>& ipc_mechanisms() {
  static const std::vector<Mechanism> table = {
      {"pipe", "two pipes (write/read)", true, false, [](std::size_t, bool) { return make_pipe_channel(); }},
      {"unix_stream", "a socketpair(AF_UNIX, SOCK_STREAM) (write/read)", true, true,
       [](std::size_t size, bool) { return make_socketpair_channel(SOCK_STREAM, size); }},
      {"unix_dgram", "a socketpair(AF_UNIX, SOCK_DGRAM), one datagram per message (send/recv)", true, false,
       [](std::size_t size, bool) { return make_socketpair_channel(SOCK_DGRAM, size); }},
      {"eventfd", "two eventfds (write of an 8-byte count / blocking read)", false, false,
       [](std::size_t, bool) { return make_eventfd_channel(); }},
      {"futex", "two futex words in shared memory (increment + FUTEX_WAKE / FUTEX_WAIT)", false, false,
       [](std::size_t, bool process) -> std::unique_ptr<Channel> { return std::make_unique<FutexChannel>(process); }},
      {"posix_mq", "two POSIX message queues (mq_send/mq_receive)", true, true,
       [](std::size_t size, bool) -> std::unique_ptr<Channel> { return std::make_unique<MqChannel>(size); }},
      {"sysv_msg", "one SysV message queue, one mtype per direction (msgsnd/msgrcv)", true, false,
       [](std::size_t size, bool) -> std::unique_ptr<Channel> { return std::make_unique<SysvMsgChannel>(size); }},
      {"sysv_sem", "two SysV semaphores (semop +1 on the other's, semop -1 on its own)", false, true,
       [](std::size_t, bool) -> std::unique_ptr<Channel> { return std::make_unique<SysvSemChannel>(); }},
      {"signal",
       "a real-time signal queued to the other thread (rt_tgsigqueueinfo, the thread-exact sigqueue) and taken "
       "with sigwaitinfo while blocked",
       false, true, [](std::size_t, bool) -> std::unique_ptr<Channel> { return std::make_unique<SignalChannel>(); }},
      {"tcp", "a TCP connection over 127.0.0.1 with TCP_NODELAY on both ends (write/read)", true, true,
       [](std::size_t, bool) { return make_tcp_channel(); }},
      {"udp", "two connected UDP sockets on 127.0.0.1, one datagram per message (send/recv)", true, false,
       [](std::size_t size, bool) { return make_udp_channel(size); }},
  };
  return table;
}

}  // namespace ctxbench
