#include "engine/host_request.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <stdexcept>

namespace ctxbench {
namespace {

std::uint64_t number(const std::string& text, const std::string& flag) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || text[0] == '-' || *end != '\0' || errno != 0)
    throw std::invalid_argument(flag + ": not a number: " + text);
  return v;
}

// Each field's text form: one pair of functions per type, so the table below names a field only once.
std::string text_of(const std::string& v) { return v; }
std::string text_of(std::uint64_t v) { return std::to_string(v); }
std::string text_of(int v) { return std::to_string(v); }
std::string text_of(bool v) { return v ? "1" : "0"; }
std::string text_of(PlacementKind v) { return std::to_string(static_cast<int>(v)); }
// %a: the exact double, so both processes subtract the same timer overhead.
std::string text_of(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", v);
  return buf;
}

void read_into(std::string& out, const std::string& text, const std::string&) { out = text; }
void read_into(std::uint64_t& out, const std::string& text, const std::string& flag) { out = number(text, flag); }
void read_into(bool& out, const std::string& text, const std::string& flag) { out = number(text, flag) != 0; }
void read_into(int& out, const std::string& text, const std::string& flag) {
  // CPU numbers may be -1 (none); every other int field is a count.
  const bool negative = text.size() > 1 && text[0] == '-';
  const std::uint64_t v = number(negative ? text.substr(1) : text, flag);
  if (v > 0x7fffffff) throw std::invalid_argument(flag + ": out of range: " + text);
  out = negative ? -static_cast<int>(v) : static_cast<int>(v);
}
void read_into(PlacementKind& out, const std::string& text, const std::string& flag) {
  const std::uint64_t k = number(text, flag);
  if (k > static_cast<std::uint64_t>(PlacementKind::Unpinned)) throw std::invalid_argument(flag + ": " + text);
  out = static_cast<PlacementKind>(k);
}
void read_into(double& out, const std::string& text, const std::string& flag) {
  char* end = nullptr;
  out = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0') throw std::invalid_argument(flag + ": " + text);
}

struct Field {
  const char* flag;
  std::function<std::string(HostInvocation&)> write;
  std::function<void(HostInvocation&, const std::string&)> read;
};

// A field of the invocation reached through `at`; its type picks text_of / read_into.
template <class At>
Field field(const char* flag, At at) {
  return {flag, [at](HostInvocation& inv) { return text_of(at(inv)); },
          [at, flag](HostInvocation& inv, const std::string& text) { read_into(at(inv), text, flag); }};
}

// THE request: every field once, in the order the command line shows them.
const std::vector<Field>& fields() {
  using I = HostInvocation;
  static const std::vector<Field> table = {
      field("--result-fd", [](I& i) -> int& { return i.result_fd; }),
      field("--owner", [](I& i) -> int& { return i.owner; }),
      field("--probe", [](I& i) -> std::string& { return i.request.probe; }),
      field("--placement", [](I& i) -> PlacementKind& { return i.request.placement.kind; }),
      field("--cpu-a", [](I& i) -> int& { return i.request.placement.cpu_a; }),
      field("--cpu-b", [](I& i) -> int& { return i.request.placement.cpu_b; }),
      field("--repetitions", [](I& i) -> int& { return i.request.settings.repetitions; }),
      field("--sample-budget-ns", [](I& i) -> std::uint64_t& { return i.request.settings.sample_budget_ns; }),
      field("--warmup-budget-ns", [](I& i) -> std::uint64_t& { return i.request.settings.warmup_budget_ns; }),
      field("--min-batch-ns", [](I& i) -> std::uint64_t& { return i.request.settings.min_batch_ns; }),
      field("--min-samples", [](I& i) -> int& { return i.request.settings.min_samples; }),
      field("--max-samples", [](I& i) -> int& { return i.request.settings.max_samples; }),
      field("--keep-awake", [](I& i) -> bool& { return i.request.settings.keep_awake; }),
      field("--timeout-ns", [](I& i) -> std::uint64_t& { return i.request.settings.timeout_ns; }),
      field("--traced-ops", [](I& i) -> std::uint64_t& { return i.request.settings.traced_ops; }),
      field("--timer-overhead-ns", [](I& i) -> double& { return i.request.timer_overhead_ns; }),
      field("--table", [](I& i) -> std::string& { return i.request.table; }),
  };
  return table;
}

}  // namespace

std::vector<std::string> host_arguments(const HostRequest& request, int result_fd, pid_t owner) {
  HostInvocation inv{request, result_fd, owner};
  std::vector<std::string> args;
  for (const Field& f : fields()) {
    args.emplace_back(f.flag);
    args.push_back(f.write(inv));
  }
  return args;
}

HostInvocation parse_host_arguments(const std::vector<std::string>& args) {
  HostInvocation inv;
  bool have_probe = false;
  for (std::size_t i = 0; i < args.size(); i += 2) {
    const std::string& flag = args[i];
    if (i + 1 >= args.size()) throw std::invalid_argument(flag + ": missing value");
    const Field* found = nullptr;
    for (const Field& f : fields())
      if (flag == f.flag) found = &f;
    if (found == nullptr) throw std::invalid_argument("unknown argument " + flag);
    found->read(inv, args[i + 1]);
    have_probe = have_probe || flag == "--probe";
  }
  if (!have_probe || inv.result_fd < 0) throw std::invalid_argument("--probe and --result-fd are required");
  return inv;
}

}  // namespace ctxbench
