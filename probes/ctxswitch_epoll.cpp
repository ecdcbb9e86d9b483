// ctxswitch.eventfd.*, ctxswitch.eventfd_epoll.*, ctxswitch.pipe_epoll.*: the token round trip of the
// ctxswitch probes with each side sleeping in a blocking read (eventfd; the pipe's is ctxswitch.pipe) or,
// as an event-loop server does, in epoll_wait on its descriptor. One channel, two ways of waiting, so the
// difference is the wait (docs/METHODOLOGY.md, "Hand-offs an event loop makes").
#include <errno.h>
#include <sys/epoll.h>

#include <cstring>
#include <string>

#include "probes/families.hpp"
#include "probes/handoff_probe.hpp"
#include "probes/token_fds.hpp"

namespace ctxbench {

namespace {

enum class Wait { Blocking, Epoll };

// EINTR: retry, unless a stop was requested (then report it so A can throw Interrupted).
bool retry_eintr() { return !stop_requested(); }

// A wakes at least this often to check that its partner is alive: a killed partner never sends again.
constexpr int kAliveCheckMs = 100;

class WaitChannel final : public Channel {
 public:
  WaitChannel(TokenKind kind, Wait wait) : kind_(kind), wait_(wait), ends_(make_token_ends(kind, wait == Wait::Epoll)) {
    if (wait_ != Wait::Epoll) return;
    for (int i = 0; i < 2; ++i) {
      ep_[i] = UniqueFd(::epoll_create1(EPOLL_CLOEXEC));
      if (!ep_[i]) throw ProbeError(std::string("epoll_create1: ") + std::strerror(errno));
      epoll_event ev{};
      ev.events = EPOLLIN;  // level-triggered, epoll's default and what most event loops register
      ev.data.fd = ends_.end[i].recv.get();
      if (::epoll_ctl(ep_[i].get(), EPOLL_CTL_ADD, ev.data.fd, &ev) != 0)
        throw ProbeError(std::string("epoll_ctl: ") + std::strerror(errno));
    }
  }
  int prepare(Side) noexcept override { return 0; }
  int send(Side s, const char*, std::size_t) noexcept override {
    return send_token(kind_, ends_.end[static_cast<int>(s)].send.get(), retry_eintr);
  }
  int recv(Side s, char*, std::size_t) noexcept override {
    const int i = static_cast<int>(s);
    const int fd = ends_.end[i].recv.get();
    if (wait_ == Wait::Blocking) return read_token(kind_, fd, retry_eintr);
    for (;;) {
      epoll_event ev{};
      const int n = ::epoll_wait(ep_[i].get(), &ev, 1, s == Side::A ? kAliveCheckMs : -1);
      if (n == 0) return kTimedOut;
      if (n < 0) {
        if (errno == EINTR && retry_eintr()) continue;
        return errno;
      }
      const int rc = read_token(kind_, fd, retry_eintr);  // EPOLLHUP of a closed pipe reads as EOF here
      if (rc != EAGAIN) return rc;
    }
  }
  void drop(Side s) noexcept override {
    const int i = static_cast<int>(s);
    ep_[i].reset();
    ends_.end[i].recv.reset();
    ends_.end[i].send.reset();
  }

 private:
  TokenKind kind_;
  Wait wait_;
  TokenEnds ends_;
  UniqueFd ep_[2];  // each side's own epoll instance, watching its receiving descriptor
};

HandoffKind handoff(TokenKind kind, Wait wait) {
  const bool efd = kind == TokenKind::Eventfd;
  HandoffKind h;
  h.key = std::string(efd ? "eventfd" : "pipe") + (wait == Wait::Epoll ? "_epoll" : "");
  h.token_bytes = token_bytes(kind);
  h.how = std::string("each side writes a token to ") + token_text(kind) +
          (wait == Wait::Epoll ? " and sleeps in epoll_wait (level-triggered, one descriptor) until its own is "
                                 "readable, then reads it (non-blocking): write + epoll_wait + read per hand-off"
                               : " and sleeps in a blocking read of its own: write + read per hand-off");
  h.make = [kind, wait] { return std::unique_ptr<Channel>(std::make_unique<WaitChannel>(kind, wait)); };
  return h;
}

}  // namespace

void add_ctxswitch_epoll_probes(ProbeTable& table, const ProbeTableConfig&) {
  // The blocking pipe round trip is ctxswitch.pipe.*; the blocking eventfd one is the base here.
  for (const HandoffKind& h : {handoff(TokenKind::Eventfd, Wait::Blocking), handoff(TokenKind::Eventfd, Wait::Epoll),
                               handoff(TokenKind::Pipe, Wait::Epoll)}) {
    table.push_back(make_handoff_probe(h, true));
    table.push_back(make_handoff_probe(h, false));
  }
}

}  // namespace ctxbench
