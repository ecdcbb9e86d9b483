#include "probes/db/blocking_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

#include "engine/probe.hpp"
#include "engine/watchdog.hpp"

namespace ctxbench::db {

BlockingClient::BlockingClient(const std::string& socket, Protocol p, const std::string& user,
                               const std::string& database, int timeout_ms)
    : protocol_(p), timeout_ms_(timeout_ms) {
  fd_ = UniqueFd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd_.get() < 0) throw_probe_errno("socket(AF_UNIX)");
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  if (socket.size() >= sizeof a.sun_path) throw ProbeError("socket path too long: " + socket);
  std::memcpy(a.sun_path, socket.c_str(), socket.size() + 1);
  if (::connect(fd_.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
    throw_probe_errno("connect(" + socket + ")");
  WireState s;
  std::string first = login_message(p, user, database);
  if (p == Protocol::MySql) s.greeting_answer = std::move(first);
  exchange(p == Protocol::Postgres ? first : std::string(), s);
}

void BlockingClient::run(const std::string& sql) {
  WireState s;
  s.phase = Phase::Query;
  exchange(query_message(protocol_, sql), s);
}

void BlockingClient::exchange(const std::string& out, WireState& s) {
  std::string pending = out, in;
  const std::uint64_t deadline = now_ns() + static_cast<std::uint64_t>(timeout_ms_) * 1'000'000ULL;
  for (;;) {
    if (!pending.empty()) {
      if (::send(fd_.get(), pending.data(), pending.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(pending.size()))
        throw_probe_errno("send");
      pending.clear();
    }
    pollfd pfd{fd_.get(), POLLIN, 0};
    const int r = ::poll(&pfd, 1, 100);
    throw_if_stopped();
    if (r < 0 && errno != EINTR) throw_probe_errno("poll");
    if (now_ns() > deadline) throw ProbeError("no answer in " + std::to_string(timeout_ms_) + " ms");
    if (r <= 0) continue;
    char buf[8192];
    const ssize_t got = ::recv(fd_.get(), buf, sizeof buf, 0);
    if (got == 0) throw ProbeError("the server closed the connection");
    if (got < 0) {
      if (errno == EINTR) continue;
      throw_probe_errno("recv");
    }
    in.append(buf, static_cast<std::size_t>(got));
    std::size_t used = 0;
    const bool done = consume(protocol_, s, in.data(), in.size(), used, pending);
    in.erase(0, used);
    if (done) return;
  }
}

}  // namespace ctxbench::db
