#include "analysis/machine.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <sstream>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "analysis/arm_cpu.hpp"

namespace ctxbench {
namespace {

using Json = nlohmann::json;

constexpr const char* kCpuDir = "sys/devices/system/cpu/";
// No machine has more; a bigger number in a list is garbage, not a reason to allocate gigabytes.
constexpr int kMaxCpu = 1 << 16;

std::string trim(std::string_view s) {
  const auto ws = " \t\r\n";
  const auto b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  return std::string(s.substr(b, s.find_last_not_of(ws) - b + 1));
}

// Trimmed content of a snapshot entry; empty when absent.
std::string get(const FileSnapshot& f, const std::string& key) {
  const auto it = f.find(key);
  return it == f.end() ? std::string() : trim(it->second);
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (std::string t = trim(l); !t.empty()) out.push_back(std::move(t));
  }
  return out;
}

std::vector<std::string> listing(const FileSnapshot& f, const std::string& dir) { return lines(get(f, dir)); }

template <typename T>
std::optional<T> to_number(std::string_view s) {
  T v{};
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}
std::optional<int> get_int(const FileSnapshot& f, const std::string& key) { return to_number<int>(get(f, key)); }

std::vector<int> cpu_list_or_empty(const std::string& text) {
  try {
    return parse_cpu_list(text);
  } catch (const std::invalid_argument&) {
    return {};
  }
}

// Numeric suffix of "index3" / "node1" style names; nullopt for anything else ("uevent", "online").
std::optional<int> suffix_number(const std::string& name, std::string_view prefix) {
  if (name.rfind(prefix, 0) != 0) return std::nullopt;
  return to_number<int>(std::string_view(name).substr(prefix.size()));
}

// Entries of "<dir>/" named prefixN, ascending by N.
std::vector<std::pair<int, std::string>> numbered(const FileSnapshot& f, const std::string& dir,
                                                  std::string_view prefix) {
  std::vector<std::pair<int, std::string>> out;
  for (const std::string& e : listing(f, dir)) {
    if (const auto n = suffix_number(e, prefix)) out.emplace_back(*n, dir + e + "/");
  }
  std::sort(out.begin(), out.end());
  return out;
}

// "32K" -> 32768; sysfs cache sizes are always K today, M and G cost nothing to accept.
std::optional<long long> size_bytes(std::string s) {
  long long mult = 1;
  if (!s.empty()) {
    switch (s.back()) {
      case 'K':
        mult = 1LL << 10;
        break;
      case 'M':
        mult = 1LL << 20;
        break;
      case 'G':
        mult = 1LL << 30;
        break;
      default:
        break;
    }
    if (mult != 1) s.pop_back();
  }
  const auto v = to_number<long long>(s);
  // Bound the product, not only the number: "2000000000000G" would overflow a long long (UB).
  if (!v || *v < 0 || *v > (1LL << 40) / mult) return std::nullopt;
  return *v * mult;
}

// proc/cpuinfo as one key -> value map per processor block (CpuinfoBlock: analysis/arm_cpu.hpp).
std::vector<CpuinfoBlock> parse_cpuinfo(const std::string& text) {
  std::vector<CpuinfoBlock> blocks(1);
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    const auto colon = l.find(':');
    if (trim(l).empty()) {
      if (!blocks.back().empty()) blocks.emplace_back();
    } else if (colon != std::string::npos) {
      blocks.back().emplace(trim(l.substr(0, colon)), trim(l.substr(colon + 1)));
    }
  }
  if (blocks.back().empty()) blocks.pop_back();
  return blocks;
}

std::string field(const CpuinfoBlock& b, const std::string& key) {
  const auto it = b.find(key);
  return it == b.end() ? std::string() : it->second;
}

bool has_word(const std::string& text, const std::string& word) {
  std::istringstream in(text);
  for (std::string w; in >> w;) {
    if (w == word) return true;
  }
  return false;
}

bool has_item(const std::string& comma_list, const std::string& item) {
  std::istringstream in(comma_list);
  for (std::string n; std::getline(in, n, ',');) {
    if (n == item) return true;
  }
  return false;
}

// The process's cgroup path from proc/self/cgroup: the v2 line "0::/path", or the v1 line whose
// controller list contains `controller`. Paths with ".." are refused so a snapshot key never leaves
// sys/fs/cgroup. Mirrors engine/machine_files.cpp, which fetches the files named here.
std::string cgroup_path(const std::string& proc_self_cgroup, const std::string& controller) {
  for (const std::string& l : lines(proc_self_cgroup)) {
    const auto c1 = l.find(':'), c2 = l.find(':', c1 + 1);
    if (c1 == std::string::npos || c2 == std::string::npos) continue;
    const std::string ctrls = l.substr(c1 + 1, c2 - c1 - 1), path = l.substr(c2 + 1);
    if (path.empty() || path[0] != '/' || path.find("..") != std::string::npos) continue;
    const bool v2 = l.substr(0, c1) == "0" && ctrls.empty();
    if (controller.empty() ? v2 : has_item(ctrls, controller)) return path == "/" ? std::string() : path;
  }
  return {};
}

std::string cgroup_cpu_max(const FileSnapshot& f) {
  const std::string self = get(f, "proc/self/cgroup");
  if (std::string v = get(f, "sys/fs/cgroup" + cgroup_path(self, "") + "/cpu.max"); !v.empty()) return v;
  if (std::string v = get(f, "sys/fs/cgroup/cpu.max"); !v.empty()) return v;
  const std::string v1 = cgroup_path(self, "cpu");
  for (const char* mount : {"sys/fs/cgroup/cpu", "sys/fs/cgroup/cpu,cpuacct"}) {
    const auto quota = to_number<long long>(get(f, mount + v1 + "/cpu.cfs_quota_us"));
    const std::string period = get(f, mount + v1 + "/cpu.cfs_period_us");
    if (quota && !period.empty()) {
      return (*quota < 0 ? std::string("max") : std::to_string(*quota)) + " " + period;
    }
  }
  return {};
}

std::string on_off(const std::string& v, bool inverted) {
  if (v == "0") return inverted ? "on" : "off";
  if (v == "1") return inverted ? "off" : "on";
  return {};
}

std::string boost_state(const FileSnapshot& f) {
  // Global acpi-cpufreq knob first, then the per-policy one amd-pstate offers.
  for (const char* key : {"cpufreq/boost", "cpu0/cpufreq/boost"}) {
    if (std::string v = on_off(get(f, kCpuDir + std::string(key)), false); !v.empty()) return v;
  }
  return on_off(get(f, "sys/devices/system/cpu/intel_pstate/no_turbo"), true);
}

// Without x86's hypervisor flag (aarch64 has none), only the firmware's DMI names a virtual machine: QEMU/KVM
// guests say "QEMU" / "KVM Virtual Machine", Hyper-V "Virtual Machine". A bare-metal DMI leaves it unknown ("").
std::string virtual_platform(const std::string& sys_vendor, const std::string& product) {
  if (sys_vendor == "QEMU" || product.find("KVM") != std::string::npos ||
      product.find("Virtual Machine") != std::string::npos)
    return sys_vendor.empty() ? product : sys_vendor;
  return {};
}

// cpuinfo's `microcode` line (x86, `cpuinfo` its first block or null where cpuinfo has none), else the sysfs
// file of cpu0 (x86 kernels with the microcode driver): what each said, in that order, so a record without
// `microcode` says where it was looked for.
void parse_microcode(const FileSnapshot& f, const CpuinfoBlock* cpuinfo, MachineInfo& m) {
  const std::string from_cpuinfo = cpuinfo == nullptr ? std::string() : field(*cpuinfo, "microcode");
  m.microcode_sources.push_back({"/proc/cpuinfo", "microcode",
                                 !from_cpuinfo.empty() ? "found"
                                 : cpuinfo != nullptr  ? "no_field"
                                                       : "absent"});
  const std::string from_sysfs = get(f, std::string(kCpuDir) + "cpu0/microcode/version");
  m.microcode_sources.push_back(
      {"/" + std::string(kCpuDir) + "cpu0/microcode/version", "", from_sysfs.empty() ? "absent" : "found"});
  m.microcode = !from_cpuinfo.empty() ? from_cpuinfo : from_sysfs;
}

void parse_cpu(const FileSnapshot& f, MachineInfo& m) {
  const std::vector<CpuinfoBlock> blocks = parse_cpuinfo(get(f, "proc/cpuinfo"));
  parse_microcode(f, blocks.empty() ? nullptr : &blocks.front(), m);
  if (blocks.empty()) return;
  const CpuinfoBlock& b = blocks.front();
  m.cpu_model = field(b, "model name");
  m.cpu_vendor = field(b, "vendor_id");
  m.cpu_family = to_number<int>(field(b, "cpu family"));
  m.cpu_model_number = to_number<int>(field(b, "model"));
  m.cpu_stepping = to_number<int>(field(b, "stepping"));
  m.cpu_mhz = to_number<double>(field(b, "cpu MHz"));
  if (m.cpu_mhz && !std::isfinite(*m.cpu_mhz)) m.cpu_mhz.reset();
  const bool has_flags = b.count("flags") > 0;
  m.hypervisor_flag = has_word(field(b, "flags"), "hypervisor");
  if (has_flags) {  // "flags" is x86's line (arm64 says "Features"): PCID exists only there
    m.pcid = has_word(field(b, "flags"), "pcid");
    m.invpcid = has_word(field(b, "flags"), "invpcid");
  }
  if (m.hypervisor_flag) {
    m.virtualization = get(f, "sys/class/dmi/id/sys_vendor");
    if (m.virtualization.empty()) m.virtualization = get(f, "sys/class/dmi/id/product_name");
  } else if (has_flags) {
    m.virtualization = "none";
  } else {
    m.virtualization = virtual_platform(get(f, "sys/class/dmi/id/sys_vendor"), get(f, "sys/class/dmi/id/product_name"));
  }

  // aarch64 prints no model name, only the MIDR numbers of each CPU: the record names each kind of core.
  m.cpu_types = arm_cpu_types(blocks);
  if (!m.cpu_types.empty() && m.cpu_model.empty()) {
    std::set<std::string> vendors;
    for (const CpuType& t : m.cpu_types) {
      const std::string name = (t.vendor.empty() ? "" : t.vendor + " ") + cpu_type_label(t);
      if (m.cpu_model.find(name) == std::string::npos) m.cpu_model += (m.cpu_model.empty() ? "" : " + ") + name;
      if (!t.vendor.empty() && vendors.insert(t.vendor).second)
        m.cpu_vendor += (m.cpu_vendor.empty() ? "" : " + ") + t.vendor;
    }
  }
  const auto is_processor = [](const CpuinfoBlock& c) { return c.count("processor") > 0; };
  m.logical_cpus = static_cast<int>(std::count_if(blocks.begin(), blocks.end(), is_processor));
  std::set<std::pair<std::string, std::string>> cores;
  for (const CpuinfoBlock& c : blocks) {
    if (c.count("core id")) cores.emplace(field(c, "physical id"), field(c, "core id"));
  }
  if (!cores.empty()) m.cores = static_cast<int>(cores.size());
}

bool contains(const std::vector<int>& v, int x) { return std::find(v.begin(), v.end(), x) != v.end(); }

std::optional<bool> get_bool(const FileSnapshot& f, const std::string& key) {
  const std::string v = get(f, key);
  if (v == "0") return false;
  if (v == "1") return true;
  return std::nullopt;
}

// sys/kernel/sched_ext exists on kernels built with it (6.12 on). A BPF scheduler runs ctxbench's tasks only
// when it is "enabled" and took every task (switch_all 1); switched partially, it runs only SCHED_EXT tasks and
// ours stay in the fair class.
void parse_scheduler(const FileSnapshot& f, MachineInfo& m) {
  m.sched_ext_state = get(f, "sys/kernel/sched_ext/state");
  m.sched_ext_ops = get(f, "sys/kernel/sched_ext/root/ops");
  m.sched_ext_switch_all = get_bool(f, "sys/kernel/sched_ext/switch_all");
  const bool ext_runs_all = m.sched_ext_state == "enabled" && m.sched_ext_switch_all.value_or(true);
  m.scheduler = ext_runs_all ? "sched_ext" : fair_scheduler_of(m.kernel_release);
  m.sched_autogroup = get_bool(f, "proc/sys/kernel/sched_autogroup_enabled");
}

// The highest-level cache of one CPU; instruction caches lose ties since they are never the LLC.
std::vector<int> llc_cpus(const FileSnapshot& f, const std::string& cpu_dir) {
  int best_level = 0;
  std::vector<int> best;
  for (const auto& [n, dir] : numbered(f, cpu_dir + "cache/", "index")) {
    const auto level = get_int(f, dir + "level");
    if (!level || get(f, dir + "type") == "Instruction") continue;
    if (*level > best_level) {
      best_level = *level;
      best = cpu_list_or_empty(get(f, dir + "shared_cpu_list"));
    }
  }
  return best;
}

void parse_topology(const FileSnapshot& f, MachineInfo& m) {
  std::map<int, int> node_of;
  const auto nodes = numbered(f, "sys/devices/system/node/", "node");
  if (!nodes.empty()) m.numa_nodes = static_cast<int>(nodes.size());
  for (const auto& [node, dir] : nodes) {
    for (int cpu : cpu_list_or_empty(get(f, dir + "cpulist"))) node_of[cpu] = node;
  }

  const std::map<std::string, std::vector<int>> hybrid = {
      {"core", cpu_list_or_empty(get(f, "sys/devices/cpu_core/cpus"))},
      {"atom", cpu_list_or_empty(get(f, "sys/devices/cpu_atom/cpus"))}};
  const std::vector<int> online = cpu_list_or_empty(get(f, std::string(kCpuDir) + "online"));
  std::map<int, std::string> arm_type_of;  // CPU -> its kind's name (aarch64)
  for (const CpuType& type : m.cpu_types)
    for (int cpu : type.cpus) arm_type_of.emplace(cpu, cpu_type_label(type));
  if (!online.empty()) m.logical_cpus = static_cast<int>(online.size());
  // core_id counts within a cluster on device-tree arm64 machines (an RK3588's A76s are 0,1 and 0,1), and is
  // unique in its package elsewhere: the cluster is part of a core's identity.
  std::set<std::tuple<int, int, int>> cores;
  bool all_cores_known = !online.empty();
  std::size_t max_siblings = 0;
  for (int cpu : online) {
    const std::string dir = kCpuDir + ("cpu" + std::to_string(cpu)) + "/";
    CpuTopology t;
    t.cpu = cpu;
    t.package = get_int(f, dir + "topology/physical_package_id");
    t.core_id = get_int(f, dir + "topology/core_id");
    if (const auto it = node_of.find(cpu); it != node_of.end()) t.node = it->second;
    t.thread_siblings = cpu_list_or_empty(get(f, dir + "topology/thread_siblings_list"));
    t.llc_cpus = llc_cpus(f, dir);
    t.capacity = get_int(f, dir + "cpu_capacity");
    t.cluster_id = get_int(f, dir + "topology/cluster_id");
    t.cluster_cpus = cpu_list_or_empty(get(f, dir + "topology/cluster_cpus_list"));
    for (const char* type : {"core", "atom"}) {
      if (contains(hybrid.at(type), cpu)) t.core_type = type;
    }
    if (const auto it = arm_type_of.find(cpu); t.core_type.empty() && it != arm_type_of.end()) t.core_type = it->second;
    max_siblings = std::max(max_siblings, t.thread_siblings.size());
    if (t.package && t.core_id) {
      cores.emplace(*t.package, t.cluster_id.value_or(-1), *t.core_id);
    } else {
      all_cores_known = false;
    }
    m.topology.push_back(std::move(t));
  }
  if (all_cores_known) m.cores = static_cast<int>(cores.size());
  if (max_siblings > 0) m.threads_per_core = static_cast<int>(max_siblings);
}

std::vector<CacheInfo> caches_of(const FileSnapshot& f, int cpu) {
  std::vector<CacheInfo> out;
  for (const auto& [n, dir] : numbered(f, kCpuDir + ("cpu" + std::to_string(cpu)) + "/cache/", "index")) {
    const auto level = get_int(f, dir + "level");
    const auto size = size_bytes(get(f, dir + "size"));
    if (!level || !size) continue;
    out.push_back({*level, get(f, dir + "type"), *size, get(f, dir + "shared_cpu_list")});
  }
  return out;
}

void parse_caches(const FileSnapshot& f, MachineInfo& m) {
  m.caches = caches_of(f, 0);
  for (CpuType& t : m.cpu_types) t.caches = caches_of(f, t.cpus.front());
}

Json caches_to_json(const std::vector<CacheInfo>& caches) {
  Json out = Json::array();
  for (const CacheInfo& c : caches) {
    Json e{{"level", c.level}, {"size_bytes", c.size_bytes}};
    if (!c.type.empty()) e["type"] = c.type;
    if (!c.shared_cpu_list.empty()) e["shared_cpu_list"] = c.shared_cpu_list;
    out.push_back(std::move(e));
  }
  return out;
}

std::string status_field(const std::string& status, const std::string& key) {
  for (const std::string& l : lines(status)) {
    if (l.rfind(key + ":", 0) == 0) return trim(l.substr(key.size() + 1));
  }
  return {};
}

std::string selected_thp(const std::string& text) {
  const auto open = text.find('['), close = text.find(']');
  if (open == std::string::npos || close == std::string::npos || close < open) return {};
  return text.substr(open + 1, close - open - 1);
}

template <typename T>
void put(Json& j, const char* key, const std::optional<T>& v) {
  if (v) j[key] = *v;
}
void put(Json& j, const char* key, const std::string& v) {
  if (!v.empty()) j[key] = v;
}
void put(Json& j, const char* key, const std::vector<int>& v) {
  if (!v.empty()) j[key] = v;
}

}  // namespace

std::vector<int> parse_cpu_list(const std::string& text) {
  const std::string s = trim(text);
  if (s.empty()) throw std::invalid_argument("empty CPU list");
  std::set<int> cpus;
  std::istringstream in(s);
  for (std::string part; std::getline(in, part, ',');) {
    const auto dash = part.find('-');
    const auto lo = to_number<int>(std::string_view(part).substr(0, dash));
    const auto hi = dash == std::string::npos ? lo : to_number<int>(std::string_view(part).substr(dash + 1));
    if (!lo || !hi || *lo < 0 || *hi < *lo || *hi >= kMaxCpu) {
      throw std::invalid_argument("bad CPU list \"" + s + "\" at \"" + part + "\"");
    }
    for (int c = *lo; c <= *hi; ++c) cpus.insert(c);
  }
  if (s.back() == ',') throw std::invalid_argument("bad CPU list \"" + s + "\": trailing comma");
  return {cpus.begin(), cpus.end()};
}

std::string fair_scheduler_of(const std::string& release) {
  const auto dot = release.find('.');
  if (dot == std::string::npos) return {};
  const auto end = release.find_first_not_of("0123456789", dot + 1);
  const auto major = to_number<int>(std::string_view(release).substr(0, dot));
  const auto minor =
      to_number<int>(std::string_view(release).substr(dot + 1, end == std::string::npos ? end : end - dot - 1));
  if (!major || !minor) return {};
  return *major > 6 || (*major == 6 && *minor >= 6) ? "eevdf" : "cfs";
}

std::optional<std::array<double, 3>> parse_loadavg(const std::string& text) {
  std::istringstream in(text);
  std::array<double, 3> out{};
  for (double& v : out) {
    std::string word;
    in >> word;
    const auto n = to_number<double>(word);
    if (!n || !std::isfinite(*n)) return std::nullopt;
    v = *n;
  }
  return out;
}

MachineInfo parse_machine(const FileSnapshot& f) {
  MachineInfo m;
  parse_cpu(f, m);
  parse_topology(f, m);
  parse_caches(f, m);
  m.affinity = cpu_list_or_empty(status_field(get(f, "proc/self/status"), "Cpus_allowed_list"));
  m.smt = get(f, "sys/devices/system/cpu/smt/control");
  m.kernel_release = get(f, "proc/sys/kernel/osrelease");
  m.kernel_version = get(f, "proc/sys/kernel/version");
  m.kernel_cmdline = get(f, "proc/cmdline");
  m.governor = get(f, "sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
  m.scaling_driver = get(f, "sys/devices/system/cpu/cpu0/cpufreq/scaling_driver");
  m.boost = boost_state(f);
  m.clocksource = get(f, "sys/devices/system/clocksource/clocksource0/current_clocksource");
  m.cgroup_cpu_max = cgroup_cpu_max(f);
  m.thp = selected_thp(get(f, "sys/kernel/mm/transparent_hugepage/enabled"));
  const std::string vuln = std::string(kCpuDir) + "vulnerabilities/";
  for (const std::string& name : listing(f, vuln)) {
    if (std::string v = get(f, vuln + name); !v.empty()) m.mitigations[name] = v;
  }
  m.aslr = get_int(f, "proc/sys/kernel/randomize_va_space");
  if (const auto load = parse_loadavg(get(f, "proc/loadavg"))) {
    m.loadavg_1m = (*load)[0];
    m.loadavg_5m = (*load)[1];
    m.loadavg_15m = (*load)[2];
  }
  m.hostname = get(f, "proc/sys/kernel/hostname");
  m.cpuidle_driver = get(f, "sys/devices/system/cpu/cpuidle/current_driver");
  // current_governor replaced current_governor_ro once the governor became switchable at run time.
  m.cpuidle_governor = get(f, "sys/devices/system/cpu/cpuidle/current_governor");
  if (m.cpuidle_governor.empty()) {
    m.cpuidle_governor = get(f, "sys/devices/system/cpu/cpuidle/current_governor_ro");
  }
  for (const auto& [n, dir] : numbered(f, std::string(kCpuDir) + "cpu0/cpuidle/", "state")) {
    if (std::string name = get(f, dir + "name"); !name.empty())
      m.idle_states.push_back({name, to_number<long long>(get(f, dir + "latency")), get_bool(f, dir + "disable")});
  }
  m.kvm_halt_poll_ns = to_number<long long>(get(f, "sys/module/kvm/parameters/halt_poll_ns"));
  const std::string haltpoll = "sys/module/haltpoll/parameters/";
  for (const std::string& name : listing(f, haltpoll)) {
    if (std::string v = get(f, haltpoll + name); !v.empty()) m.guest_halt_poll[name] = v;
  }
  m.hypervisor_vendor = get(f, "cpuid/hypervisor_vendor");
  m.cpu_times = parse_proc_stat_cpu(get(f, "proc/stat"));
  m.emulation = detect_emulation(f);
  parse_scheduler(f, m);
  return m;
}

std::string cpu_relation(const MachineInfo& m, int a, int b) {
  if (a < 0 || b < 0) return "unknown";
  if (a == b) return "same";
  const auto find = [&m](int cpu) {
    const auto it =
        std::find_if(m.topology.begin(), m.topology.end(), [cpu](const CpuTopology& t) { return t.cpu == cpu; });
    return it == m.topology.end() ? nullptr : &*it;
  };
  const CpuTopology* ta = find(a);
  const CpuTopology* tb = find(b);
  if (!ta || !tb) return "unknown";
  if (contains(ta->thread_siblings, b)) return "smt-sibling";
  if (contains(ta->llc_cpus, b)) return "same-llc";
  if (ta->node && tb->node && *ta->node != *tb->node) return "other-node";
  if (!ta->llc_cpus.empty() && !tb->llc_cpus.empty()) return "other-llc";
  // Different packages never share a cache even when sysfs has no cache directory.
  if (ta->package && tb->package && *ta->package != *tb->package) return "other-llc";
  return "unknown";
}

Json machine_to_json(const MachineInfo& m) {
  Json j = Json::object();
  put(j, "cpu_model", m.cpu_model);
  put(j, "cpu_vendor", m.cpu_vendor);
  put(j, "cpu_family", m.cpu_family);
  put(j, "cpu_model_number", m.cpu_model_number);
  put(j, "cpu_stepping", m.cpu_stepping);
  put(j, "microcode", m.microcode);
  if (!m.microcode_sources.empty()) {
    Json sources = Json::array();
    for (const MicrocodeSource& src : m.microcode_sources) {
      Json e{{"path", src.path}, {"state", src.state}};
      put(e, "field", src.field);
      sources.push_back(std::move(e));
    }
    j["microcode_sources"] = std::move(sources);
  }
  if (m.logical_cpus > 0) j["logical_cpus"] = m.logical_cpus;
  put(j, "affinity", m.affinity);
  put(j, "cores", m.cores);
  put(j, "threads_per_core", m.threads_per_core);
  put(j, "smt", m.smt);
  put(j, "numa_nodes", m.numa_nodes);
  if (!m.caches.empty()) j["caches"] = caches_to_json(m.caches);
  if (!m.cpu_types.empty()) {
    Json types = Json::array();
    for (const CpuType& t : m.cpu_types) {
      Json e = cpu_type_to_json(t);
      if (!t.caches.empty()) e["caches"] = caches_to_json(t.caches);
      types.push_back(std::move(e));
    }
    j["cpu_types"] = std::move(types);
  }
  put(j, "kernel_release", m.kernel_release);
  put(j, "kernel_version", m.kernel_version);
  put(j, "kernel_cmdline", m.kernel_cmdline);
  put(j, "governor", m.governor);
  put(j, "scaling_driver", m.scaling_driver);
  if (m.cpu_mhz && std::isfinite(*m.cpu_mhz)) j["cpu_mhz"] = *m.cpu_mhz;
  put(j, "boost", m.boost);
  put(j, "clocksource", m.clocksource);
  j["hypervisor_flag"] = m.hypervisor_flag;
  put(j, "virtualization", m.virtualization);
  put(j, "cgroup_cpu_max", m.cgroup_cpu_max);
  put(j, "thp", m.thp);
  if (!m.mitigations.empty()) j["mitigations"] = m.mitigations;
  put(j, "aslr", m.aslr);
  for (const auto& [key, v] : {std::pair{"loadavg_1m", m.loadavg_1m}, std::pair{"loadavg_5m", m.loadavg_5m},
                               std::pair{"loadavg_15m", m.loadavg_15m}}) {
    if (v && std::isfinite(*v)) j[key] = *v;
  }
  put(j, "hostname", m.hostname);
  put(j, "cpuidle_driver", m.cpuidle_driver);
  put(j, "cpuidle_governor", m.cpuidle_governor);
  if (!m.idle_states.empty()) {
    Json states = Json::array();
    for (const IdleState& st : m.idle_states) {
      Json e{{"name", st.name}};
      put(e, "latency_us", st.latency_us);
      put(e, "disabled", st.disabled);
      states.push_back(std::move(e));
    }
    j["idle_states"] = std::move(states);
  }
  put(j, "kvm_halt_poll_ns", m.kvm_halt_poll_ns);
  if (!m.guest_halt_poll.empty()) j["guest_halt_poll"] = m.guest_halt_poll;
  put(j, "hypervisor_vendor", m.hypervisor_vendor);
  j["emulated"] = emulation_to_json(m.emulation);
  put(j, "scheduler", m.scheduler);
  put(j, "sched_ext_state", m.sched_ext_state);
  put(j, "sched_ext_ops", m.sched_ext_ops);
  put(j, "sched_ext_switch_all", m.sched_ext_switch_all);
  put(j, "sched_autogroup_enabled", m.sched_autogroup);
  put(j, "pcid", m.pcid);
  put(j, "invpcid", m.invpcid);
  if (m.steal_over_run) {
    j["steal_over_run"] = {{"steal_ticks", m.steal_over_run->steal_ticks},
                           {"total_ticks", m.steal_over_run->total_ticks},
                           {"fraction", m.steal_over_run->fraction},
                           {"source", "/proc/stat cpu line at start and end of the run"}};
  }
  if (!m.topology.empty()) {
    Json topo = Json::array();
    for (const CpuTopology& t : m.topology) {
      Json e{{"cpu", t.cpu}};
      put(e, "package", t.package);
      put(e, "core_id", t.core_id);
      put(e, "node", t.node);
      put(e, "thread_siblings", t.thread_siblings);
      put(e, "llc_cpus", t.llc_cpus);
      put(e, "cpu_capacity", t.capacity);
      put(e, "core_type", t.core_type);
      put(e, "cluster_id", t.cluster_id);
      put(e, "cluster_cpus", t.cluster_cpus);
      topo.push_back(std::move(e));
    }
    j["topology"] = std::move(topo);
  }
  return j;
}

}  // namespace ctxbench
