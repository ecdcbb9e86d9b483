// ctxbench-server MODEL WORK_NS WS_BYTES CPU_LIST
// Started only by the server.* probes (probes/server_load.cpp), with the listening socket on fd 3 and
// the control socket on fd 4. Pins itself to CPU_LIST, runs one worker/loop/pooled process per CPU of
// it, reports Ready, and serves until the control socket closes.
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "probes/server/server.hpp"

namespace ctxbench::server {

void fail(const std::string& what, bool limit) {
  Control c;
  c.kind = ControlKind::Error;
  c.limit = limit ? 1 : 0;
  std::strncpy(c.text, what.c_str(), sizeof c.text - 1);
  ssize_t r = ::send(kControlFd, &c, sizeof c, MSG_NOSIGNAL);
  (void)r;
  _exit(3);
}

namespace {

// The cpulist form cpu_list_text writes (engine/os.hpp): "0-3,6".
std::vector<int> parse_cpus(const std::string& text) {
  std::vector<int> cpus;
  std::size_t pos = 0;
  auto cpu_at = [&]() {
    char* end = nullptr;
    const long v = std::strtol(text.c_str() + pos, &end, 10);
    if (end == text.c_str() + pos || v < 0 || v >= CPU_SETSIZE) throw std::runtime_error("bad CPU list: " + text);
    pos = static_cast<std::size_t>(end - text.c_str());
    return static_cast<int>(v);
  };
  while (pos < text.size()) {
    const int first = cpu_at();
    int last = first;
    if (pos < text.size() && text[pos] == '-') {
      ++pos;
      last = cpu_at();
      if (last < first) throw std::runtime_error("bad CPU list: " + text);
    }
    for (int c = first; c <= last; ++c) cpus.push_back(c);
    if (pos < text.size() && text[pos] == ',') ++pos;
  }
  if (cpus.empty()) throw std::runtime_error("empty CPU list");
  return cpus;
}

std::uint64_t parse_number(const char* text, const char* what) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0') throw std::runtime_error(std::string("bad ") + what + ": " + text);
  return v;
}

int serve(int argc, char** argv) {
  if (argc != 5) throw std::runtime_error("usage: ctxbench-server MODEL WORK_NS WS_BYTES CPU_LIST");
  const auto model = model_from_name(argv[1]);
  if (!model) throw std::runtime_error(std::string("unknown model: ") + argv[1]);
  const std::uint64_t work_ns = parse_number(argv[2], "WORK_NS");
  const std::uint64_t ws_bytes = parse_number(argv[3], "WS_BYTES");
  const std::vector<int> cpus = parse_cpus(argv[4]);
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int c : cpus) CPU_SET(c, &set);
  if (::sched_setaffinity(0, sizeof set, &set) != 0)
    throw std::runtime_error(std::string("sched_setaffinity: ") + std::strerror(errno));
  // Ctrl-C in a terminal reaches the whole process group: the server leaves stopping to ctxbench,
  // which closes the control socket (or, if it dies, the parent-death signal ends the server).
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGPIPE, SIG_IGN);
  Handler handler(work_ns, static_cast<std::size_t>(ws_bytes));
  Control ready;
  ready.kind = ControlKind::Ready;
  if (::send(kControlFd, &ready, sizeof ready, MSG_NOSIGNAL) != static_cast<ssize_t>(sizeof ready)) return 1;
  run_model(*model, handler, static_cast<int>(cpus.size()));
  return 0;
}

}  // namespace

}  // namespace ctxbench::server

int main(int argc, char** argv) {
  try {
    // _exit, not return: detached server threads may still be running; nothing must be destroyed under them.
    _exit(ctxbench::server::serve(argc, argv));
  } catch (const ctxbench::server::LimitError& e) {
    ctxbench::server::fail(e.what(), true);
  } catch (const std::exception& e) {
    ctxbench::server::fail(e.what(), false);
  }
}
