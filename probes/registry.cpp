// The ONE table of every probe. Order is run order and --list order: baselines and ipc.pipe.self come
// first because the derived per-switch figure of the ctxswitch probes subtracts ipc.pipe.self.
#include "probes/registry.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "probes/families.hpp"

namespace ctxbench {

namespace {

// One line per family file (probes/families.hpp), in run order.
constexpr FamilyAdder kFamilies[] = {
    add_baseline_probes,
    add_ipc_pipe_probes,
    add_ctxswitch_pipe_probes,
    add_ctxswitch_futex_probes,
    add_ctxswitch_epoll_probes,
#ifdef CTXBENCH_HAS_LIBURING
    add_ctxswitch_uring_probes,  // ctxswitch_uring.cpp: only in a build with liburing (CMakeLists.txt)
#endif
    add_ctxswitch_ws_probes,
    add_ctxswitch_ring_probes,
    add_ctxswitch_pairs_probes,
    add_futex_contention_probes,  // futex_contention.cpp
    add_process_probes,
    add_process_variants_probes,
    add_thread_probes,
    add_thread_variants_probes,
    add_shm_probes,
    add_shm_c2c_probes,  // shm_c2c.cpp
    add_shm_ring_probes,
    add_wakeup_probes,
    add_bandwidth_probes,
    add_ipc_latency_probes,
    add_server_load_probes,
    add_db_load_probes,
#ifdef CTXBENCH_HAS_TEST_PROBES
    add_test_probes,  // test_probes.cpp: hang or crash on purpose, for the watchdog and kill-matrix tests
#endif
};

}  // namespace

ProbeTable build_probe_table(const ProbeTableConfig& config) {
  ProbeTable t;
  for (FamilyAdder add : kFamilies) add(t, config);
  return t;
}

const Probe* find_probe(const ProbeTable& table, const std::string& name) {
  for (const auto& p : table)
    if (p->info().name == name) return p.get();
  return nullptr;
}

namespace {

template <class T>
std::string join(const std::vector<T>& values) {
  std::string s;
  for (const T& v : values) {
    if (!s.empty()) s.push_back(',');
    s.append(std::to_string(v));
  }
  return s;
}

std::vector<std::uint64_t> numbers(const std::string& text, const std::string& key) {
  std::vector<std::uint64_t> out;
  if (text.empty()) return out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, comma - start);
    char* end = nullptr;
    errno = 0;
    const unsigned long long v = std::strtoull(item.c_str(), &end, 10);
    if (item.empty() || item[0] == '-' || *end != '\0' || errno != 0)
      throw std::invalid_argument("probe table " + key + ": not a number list: " + text);
    out.push_back(v);
    start = comma + 1;
  }
  return out;
}

}  // namespace

ServerSweep quick_server_sweep() {
  ServerSweep sweep;
  sweep.connections = {1, 4, 16};
  sweep.db_connections = {4};
  return sweep;
}

std::string encode_table_config(const ProbeTableConfig& config) {
  return "work_ns=" + join(config.sweep.work_ns) + ";connections=" + join(config.sweep.connections) +
         ";user_connections=" + (config.sweep.user_connections ? "1" : "0") +
         ";db_connections=" + join(config.sweep.db_connections) + ";test_probes=" + (config.test_probes ? "1" : "0");
}

ProbeTableConfig decode_table_config(const std::string& text) {
  ProbeTableConfig config;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find(';', start), text.size());
    const std::string item = text.substr(start, end - start);
    const std::size_t eq = item.find('=');
    if (eq == std::string::npos) throw std::invalid_argument("probe table: not KEY=VALUE: " + item);
    const std::string key = item.substr(0, eq), value = item.substr(eq + 1);
    if (key == "work_ns") {
      config.sweep.work_ns = numbers(value, key);
    } else if (key == "connections") {
      config.sweep.connections.clear();
      for (std::uint64_t c : numbers(value, key)) config.sweep.connections.push_back(static_cast<int>(c));
    } else if (key == "db_connections") {
      config.sweep.db_connections.clear();
      for (std::uint64_t c : numbers(value, key)) config.sweep.db_connections.push_back(static_cast<int>(c));
    } else if (key == "user_connections") {
      config.sweep.user_connections = value == "1";
    } else if (key == "test_probes") {
      config.test_probes = value == "1";
    } else {
      throw std::invalid_argument("probe table: unknown key " + key);
    }
    start = end + 1;
  }
  return config;
}

std::unique_ptr<Probe> find_in_table(const std::string& encoded_config, const std::string& name) {
  ProbeTable table = build_probe_table(decode_table_config(encoded_config));
  for (auto& p : table)
    if (p->info().name == name) return std::move(p);
  return nullptr;
}

}  // namespace ctxbench
