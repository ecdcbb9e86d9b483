// The five connection models. They share the handler, the serve functions and the control loop; what
// differs is only who accepts a connection and which task runs its requests.
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <functional>

#include "probes/server/server.hpp"

namespace ctxbench::server {

namespace {

void set_nodelay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// Accepts one pending connection, or returns -1 when none is pending (the listening socket is
// non-blocking: several waiters may race for one connection). Running out of fds is a limit.
int accept_one(int flags) {
  for (;;) {
    const int fd = ::accept4(kListenFd, nullptr, nullptr, SOCK_CLOEXEC | flags);
    if (fd >= 0) {
      set_nodelay(fd);
      return fd;
    }
    if (errno == EINTR || errno == ECONNABORTED) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return -1;
    if (errno == EMFILE || errno == ENFILE || errno == ENOMEM || errno == ENOBUFS)
      throw LimitError(std::string("accept4: ") + std::strerror(errno));
    throw std::runtime_error(std::string("accept4: ") + std::strerror(errno));
  }
}

void send_control(const Control& c) {
  while (::send(kControlFd, &c, sizeof c, MSG_NOSIGNAL) < 0 && errno == EINTR) {
  }
}

// Answers one control request; false when ctxbench closed the channel (time to exit).
bool answer_control(Handler& handler, Children& children) {
  char cmd = 0;
  const ssize_t r = ::recv(kControlFd, &cmd, 1, 0);
  if (r < 0 && errno == EINTR) return true;
  if (r <= 0) return false;
  Control reply;
  reply.kind = ControlKind::Snapshot;
  if (cmd == kProgress) {
    reply.accounting.requests = handler.counters().total();
    reply.accounting.accepted = handler.counters().accepted();
  } else {
    reply.accounting = take_accounting(cmd == kCloseWindow, handler, children);
  }
  send_control(reply);
  return true;
}

// Starts a thread with every signal blocked (only the main thread handles them) and a 1 MiB stack
// (MySQL's default thread_stack), detached: it owns its connection and frees itself.
void start_detached_thread(std::function<void()> body, const char* what) {
  auto* heap_body = new std::function<void()>(std::move(body));
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, std::size_t{1} << 20);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  pthread_t t;
  const int rc = pthread_create(
      &t, &attr,
      [](void* p) -> void* {
        std::unique_ptr<std::function<void()>> f(static_cast<std::function<void()>*>(p));
        try {
          (*f)();
        } catch (const LimitError& e) {
          fail(e.what(), true);
        } catch (const std::exception& e) {
          fail(e.what(), false);
        }
        return nullptr;
      },
      heap_body);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    delete heap_body;
    const std::string msg = std::string(what) + ": pthread_create: " + std::strerror(rc);
    if (rc == EAGAIN) throw LimitError(msg);
    throw std::runtime_error(msg);
  }
}

// Worker-pool: connections sit in one epoll set with EPOLLONESHOT; a worker takes one ready connection,
// answers one request and re-arms it, so W workers multiplex any number of connections.
void worker_pool_body(Handler& handler, int epfd) {
  for (;;) {
    epoll_event ev{};
    const int n = ::epoll_wait(epfd, &ev, 1, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(std::string("epoll_wait: ") + std::strerror(errno));
    auto* c = static_cast<Connection*>(ev.data.ptr);
    Message request;
    // The connection is readable: one blocking read of the 64-byte request. Counted before the reply
    // leaves, as in serve_blocking: counted after it, a worker preempted between the two let the client's
    // closing snapshot see one reply more than the server's count (a CI failure, 709 against 710).
    if (read_message(c->fd, request)) {
      const Message reply = handler.handle(request, c->working_set.get());
      handler.counters().add(c->slot);
      ev.events = EPOLLIN | EPOLLONESHOT;
      if (write_message(c->fd, reply) && ::epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) == 0) continue;
    }
    delete c;  // closing the fd removes it from the epoll set
  }
}

// The main thread's loop for every model: wait for a connection (when this model accepts in the main
// thread) or a control request.
void control_loop(Handler& handler, Children& children, bool accepts, const std::function<void(int)>& hand_over) {
  for (;;) {
    pollfd fds[2] = {{kControlFd, POLLIN, 0}, {kListenFd, POLLIN, 0}};
    // Children exit when their client closes: reap them at least every 50 ms so zombies do not pile up.
    const int n = ::poll(fds, accepts ? 2 : 1, children.live.empty() ? -1 : 50);
    if (n < 0 && errno != EINTR) throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
    children.reap();
    if (n <= 0) continue;
    if (fds[0].revents != 0 && !answer_control(handler, children)) return;
    if (accepts && (fds[1].revents & POLLIN) != 0) {
      // Take every pending connection: one poll per connection would add a wake-up per connect.
      for (int fd = accept_one(0); fd >= 0; fd = accept_one(0)) {
        hand_over(fd);
        handler.counters().add_accepted();
      }
    }
  }
}

}  // namespace

void Children::reap() {
  for (;;) {
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
    live.erase(std::remove(live.begin(), live.end(), pid), live.end());
  }
}

void Children::kill_all() {
  for (pid_t pid : live) ::kill(pid, SIGKILL);
  for (pid_t pid : live) {
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  live.clear();
}

// Forks a server child that dies with this process and runs body; a failure in the child is reported
// on the (inherited) control socket like any other. The server is single-threaded whenever it forks,
// so the child may do anything.
template <class Body>
pid_t fork_child(Body body, const char* what) {
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const std::string msg = std::string(what) + ": fork: " + std::strerror(errno);
    if (errno == EAGAIN || errno == ENOMEM) throw LimitError(msg);
    throw std::runtime_error(msg);
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) _exit(1);
    try {
      body();
    } catch (const LimitError& e) {
      fail(e.what(), true);
    } catch (const std::exception& e) {
      fail(e.what(), false);
    }
    _exit(0);
  }
  return pid;
}

void run_event_loop(Handler& handler, unsigned loop_index) {
  const int epfd = ::epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) throw LimitError(std::string("epoll_create1: ") + std::strerror(errno));
  epoll_event lev{};
  lev.events = EPOLLIN | EPOLLEXCLUSIVE;
  lev.data.ptr = nullptr;  // nullptr marks the listening socket
  if (::epoll_ctl(epfd, EPOLL_CTL_ADD, kListenFd, &lev) != 0)
    throw std::runtime_error(std::string("epoll_ctl(listen): ") + std::strerror(errno));
  unsigned accepted = 0;
  epoll_event events[64];
  for (;;) {
    const int n = ::epoll_wait(epfd, events, 64, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(std::string("epoll_wait: ") + std::strerror(errno));
    for (int i = 0; i < n; ++i) {
      if (events[i].data.ptr == nullptr) {
        for (int fd = accept_one(SOCK_NONBLOCK); fd >= 0; fd = accept_one(SOCK_NONBLOCK)) {
          auto* c = new Connection(fd, handler.ws_bytes(), loop_index + 64 * accepted++);
          epoll_event cev{};
          cev.events = EPOLLIN;
          cev.data.ptr = c;
          if (::epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &cev) != 0) {
            delete c;
            throw LimitError(std::string("epoll_ctl(add): ") + std::strerror(errno));
          }
          handler.counters().add_accepted();
        }
        continue;
      }
      auto* c = static_cast<Connection*>(events[i].data.ptr);
      if (!serve_ready(*c, handler)) delete c;
    }
  }
}

void run_model(Model model, Handler& handler, int workers) {
  Children children;
  unsigned next_slot = 0;
  switch (model) {
    case Model::ProcessPerConnection:
      control_loop(handler, children, true, [&](int fd) {
        const unsigned slot = next_slot++;
        try {
          children.live.push_back(fork_child(
              [&] {
                ::close(kListenFd);
                Connection c(fd, handler.ws_bytes(), slot);
                serve_blocking(c, handler);
              },
              "process-per-connection"));
        } catch (...) {
          ::close(fd);
          throw;
        }
        ::close(fd);
      });
      break;
    case Model::ProcessPool:
      for (int w = 0; w < workers; ++w)
        children.live.push_back(fork_child([&] { run_event_loop(handler, static_cast<unsigned>(w)); }, "process-pool"));
      control_loop(handler, children, false, nullptr);
      break;
    case Model::ThreadPerConnection:
      control_loop(handler, children, true, [&](int fd) {
        auto c = std::make_shared<Connection>(fd, handler.ws_bytes(), next_slot++);
        start_detached_thread([c, &handler] { serve_blocking(*c, handler); }, "thread-per-connection");
      });
      break;
    case Model::WorkerPool: {
      const int epfd = ::epoll_create1(EPOLL_CLOEXEC);
      if (epfd < 0) throw LimitError(std::string("epoll_create1: ") + std::strerror(errno));
      for (int w = 0; w < workers; ++w)
        start_detached_thread([&handler, epfd] { worker_pool_body(handler, epfd); }, "worker-pool");
      control_loop(handler, children, true, [&](int fd) {
        auto* c = new Connection(fd, handler.ws_bytes(), next_slot++);
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLONESHOT;
        ev.data.ptr = c;
        if (::epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
          delete c;
          throw LimitError(std::string("epoll_ctl(add): ") + std::strerror(errno));
        }
      });
      break;
    }
    case Model::EventLoop:
      for (int w = 0; w < workers; ++w)
        start_detached_thread([&handler, w] { run_event_loop(handler, static_cast<unsigned>(w)); }, "event-loop");
      control_loop(handler, children, false, nullptr);
      break;
  }
  children.kill_all();
}

}  // namespace ctxbench::server
