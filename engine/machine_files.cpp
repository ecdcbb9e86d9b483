#include "engine/machine_files.hpp"

#include <fcntl.h>
#include <sys/utsname.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <vector>

namespace ctxbench {
namespace {

namespace fs = std::filesystem;

// /proc/cpuinfo of a 256-CPU machine is ~400 KiB; anything beyond this is not a file we understand.
constexpr std::size_t kMaxFileBytes = 1 << 20;

constexpr const char* kFiles[] = {
    "proc/cpuinfo",
    "proc/self/status",
    "proc/cmdline",
    "proc/sys/kernel/osrelease",
    "proc/sys/kernel/version",
    "proc/sys/kernel/hostname",
    "proc/sys/kernel/randomize_va_space",
    "proc/loadavg",
    "proc/stat",
    "sys/devices/system/cpu/online",
    "sys/devices/system/cpu/smt/control",
    "sys/devices/system/cpu/cpu0/cpufreq/scaling_governor",
    "sys/devices/system/cpu/cpu0/cpufreq/scaling_driver",
    "sys/devices/system/cpu/cpu0/cpufreq/boost",
    "sys/devices/system/cpu/cpufreq/boost",
    "sys/devices/system/cpu/intel_pstate/no_turbo",
    "sys/devices/system/cpu/cpuidle/current_driver",
    "sys/devices/system/cpu/cpuidle/current_governor",
    "sys/devices/system/cpu/cpuidle/current_governor_ro",
    "sys/devices/system/clocksource/clocksource0/current_clocksource",
    "sys/class/dmi/id/sys_vendor",
    "sys/class/dmi/id/product_name",
    "sys/fs/cgroup/cpu.max",
    "sys/kernel/mm/transparent_hugepage/enabled",
    "sys/module/kvm/parameters/halt_poll_ns",
    // The microcode revision where cpuinfo does not print it (docs/contracts.md, `microcode_sources`).
    "sys/devices/system/cpu/cpu0/microcode/version",
    // The scheduler in charge and how it groups tasks (docs/contracts.md, "The machine record").
    "proc/sys/kernel/sched_autogroup_enabled",
    "sys/kernel/sched_ext/state",
    "sys/kernel/sched_ext/switch_all",
    "sys/kernel/sched_ext/root/ops",
    // Intel hybrid CPUs: the CPUs of each core type, one PMU per type.
    "sys/devices/cpu_core/cpus",
    "sys/devices/cpu_atom/cpus",
};

class Reader {
 public:
  explicit Reader(std::string root) : root_(std::move(root)) {}

  // Stores the file under `rel` when readable; returns its content ("" when absent).
  std::string file(const std::string& rel) {
    const int fd = ::open((fs::path(root_) / rel).c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return {};
    std::string out;
    char buf[16384];
    bool ok = true;
    while (out.size() < kMaxFileBytes) {
      const ssize_t n = ::read(fd, buf, std::min(sizeof buf, kMaxFileBytes - out.size()));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) ok = false;  // some sysfs attributes refuse read() (EINVAL, EIO): treat as absent
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    if (!ok) return {};
    snapshot_[rel] = out;
    return out;
  }

  // Stores the sorted entry names of directory `rel` (which ends in '/') and returns them.
  std::vector<std::string> dir(const std::string& rel) {
    std::error_code ec;
    fs::directory_iterator it(fs::path(root_) / rel, ec);
    if (ec) return {};
    std::vector<std::string> names;
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      if (ec) break;
      names.push_back(it->path().filename().string());
    }
    std::sort(names.begin(), names.end());
    std::string text;
    for (const std::string& n : names) text += n + "\n";
    snapshot_[rel] = text;
    return names;
  }

  FileSnapshot take() { return std::move(snapshot_); }
  void put(const std::string& rel, std::string content) { snapshot_[rel] = std::move(content); }

 private:
  std::string root_;
  FileSnapshot snapshot_;
};

bool numbered(const std::string& name, const std::string& prefix) {
  return name.size() > prefix.size() && name.rfind(prefix, 0) == 0 &&
         std::all_of(name.begin() + static_cast<std::ptrdiff_t>(prefix.size()), name.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

// Every cpuN directory rather than the parsed online list: parsing belongs to analysis/, and files of
// offline CPUs are simply absent or ignored by the parser.
void read_cpus(Reader& r) {
  const std::string cpu_dir = "sys/devices/system/cpu/";
  for (const std::string& cpu : r.dir(cpu_dir)) {
    if (!numbered(cpu, "cpu")) continue;
    const std::string d = cpu_dir + cpu + "/";
    for (const char* f :
         {"core_id", "physical_package_id", "thread_siblings_list", "cluster_id", "cluster_cpus_list"}) {
      r.file(d + "topology/" + f);
    }
    r.file(d + "cpu_capacity");  // asymmetric (big.LITTLE, hybrid) machines; 1024 = the biggest core
    for (const std::string& index : r.dir(d + "cache/")) {
      if (!numbered(index, "index")) continue;
      const std::string idx = d + "cache/" + index + "/";
      for (const char* f : {"level", "type", "size", "shared_cpu_list"}) r.file(idx + f);
    }
  }
}

// The process's own cgroup limit, not just the root's: a container or systemd slice sets it there.
// analysis/machine.cpp derives the same paths from proc/self/cgroup when parsing.
void read_cgroup(Reader& r, const std::string& self_cgroup) {
  std::istringstream in(self_cgroup);
  for (std::string l; std::getline(in, l);) {
    const auto c1 = l.find(':'), c2 = l.find(':', c1 + 1);
    if (c1 == std::string::npos || c2 == std::string::npos) continue;
    const std::string ctrls = l.substr(c1 + 1, c2 - c1 - 1), path = l.substr(c2 + 1);
    if (path.empty() || path[0] != '/' || path.find("..") != std::string::npos) continue;
    const std::string sub = path == "/" ? "" : path;
    if (l.substr(0, c1) == "0" && ctrls.empty()) r.file("sys/fs/cgroup" + sub + "/cpu.max");
    if (("," + ctrls + ",").find(",cpu,") != std::string::npos) {
      for (const char* mount : {"sys/fs/cgroup/cpu", "sys/fs/cgroup/cpu,cpuacct"}) {
        r.file(mount + sub + "/cpu.cfs_quota_us");
        r.file(mount + sub + "/cpu.cfs_period_us");
      }
    }
  }
}

// The hypervisor's own name, CPUID leaf 0x40000000 (what lscpu prints as "Hypervisor vendor"). It is no
// file, so it is stored under the pseudo path "cpuid/hypervisor_vendor"; a fixture tree provides that
// file instead, and a real run ("/") asks the CPU, only when CPUID says a hypervisor is present.
void read_hypervisor_vendor(Reader& r, const std::string& root) {
  if (!root.empty() && root != "/") {
    r.file("cpuid/hypervisor_vendor");
    return;
  }
#if defined(__x86_64__) || defined(__i386__)
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid(1, &a, &b, &c, &d) == 0 || (c & (1U << 31)) == 0) return;
  __cpuid(0x40000000U, a, b, c, d);
  char name[13] = {};
  std::memcpy(name, &b, 4);
  std::memcpy(name + 4, &c, 4);
  std::memcpy(name + 8, &d, 4);
  std::string vendor;
  for (char ch : name)
    if (ch >= 0x20 && ch < 0x7f) vendor += ch;
  if (!vendor.empty()) r.put("cpuid/hypervisor_vendor", vendor);
#endif
}

// What this binary was compiled for: the one architecture fact an emulator cannot change.
const char* binary_arch() {
#if defined(__x86_64__)
  return "x86_64";
#elif defined(__i386__)
  return "i686";
#elif defined(__aarch64__)
  return "aarch64";
#elif defined(__arm__)
  return "arm";
#elif defined(__riscv) && __riscv_xlen == 64
  return "riscv64";
#elif defined(__powerpc64__)
  return "ppc64";
#elif defined(__s390x__)
  return "s390x";
#else
  return "unknown";
#endif
}

std::string read_link(const char* path) {
  char buf[4096];
  const ssize_t n = ::readlink(path, buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

// The signs analysis/emulation.cpp decides from (docs/METHODOLOGY.md, "Emulated runs"), under pseudo
// paths a fixture tree provides as files: the binary's architecture, uname's, and the two links to the
// running program, /proc/self/exe (which qemu-user answers itself) and /proc/thread-self/exe (which it
// passes to the kernel). The qemu binfmt_misc entry of the binary's architecture is a real file.
void read_emulation_signs(Reader& r, const std::string& root) {
  const bool real = root.empty() || root == "/";
  const std::string arch = real ? binary_arch() : r.file("ctxbench/binary_arch");
  if (real) {
    r.put("ctxbench/binary_arch", arch);
    utsname u{};
    if (::uname(&u) == 0) r.put("uname/machine", u.machine);
    r.put("readlink/proc/self/exe", read_link("/proc/self/exe"));
    r.put("readlink/proc/thread-self/exe", read_link("/proc/thread-self/exe"));
  } else {
    for (const char* f : {"uname/machine", "readlink/proc/self/exe", "readlink/proc/thread-self/exe"}) r.file(f);
  }
  std::string name;  // the architecture as a file name: letters, digits and '_' only
  for (char c : arch)
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') name += c;
  if (!name.empty()) r.file("proc/sys/fs/binfmt_misc/qemu-" + name);
}

}  // namespace

FileSnapshot read_machine_files(const std::string& root) {
  Reader r(root.empty() ? "/" : root);
  for (const char* f : kFiles) r.file(f);
  read_cgroup(r, r.file("proc/self/cgroup"));
  read_cpus(r);
  const std::string vuln = "sys/devices/system/cpu/vulnerabilities/";
  for (const std::string& name : r.dir(vuln)) r.file(vuln + name);
  // cpu0's idle states and their exit latencies (us): what a cross-CPU wake-up may pay (ctxbench doctor).
  const std::string idle = "sys/devices/system/cpu/cpu0/cpuidle/";
  for (const std::string& state : r.dir(idle))
    if (numbered(state, "state"))
      for (const char* f : {"/name", "/latency", "/disable"}) r.file(idle + state + f);
  const std::string haltpoll = "sys/module/haltpoll/parameters/";
  for (const std::string& name : r.dir(haltpoll)) r.file(haltpoll + name);
  read_hypervisor_vendor(r, root);
  read_emulation_signs(r, root);
  const std::string node_dir = "sys/devices/system/node/";
  for (const std::string& node : r.dir(node_dir)) {
    if (numbered(node, "node")) r.file(node_dir + node + "/cpulist");
  }
  return r.take();
}

}  // namespace ctxbench
