#include "engine/host_wire.hpp"

#include <cstring>
#include <type_traits>

namespace ctxbench {

namespace {

enum Kind : std::uint8_t { kRepetition = 'R', kEnd = 'E', kInterrupted = 'I' };

// A frame larger than this is garbage, not a repetition (the largest real one is a few MB of samples).
constexpr std::uint32_t kMaxPayload = 1U << 30;

class Writer {
 public:
  template <class T>
  void put(T v) {
    static_assert(std::is_trivially_copyable_v<T>);
    out_.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  void put_text(const std::string& s) {
    put(static_cast<std::uint32_t>(s.size()));
    out_.append(s);
  }
  template <class T>
  void put_array(const std::vector<T>& v) {
    put(static_cast<std::uint64_t>(v.size()));
    if (!v.empty()) out_.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  }
  void put_pairs(const std::vector<std::pair<std::string, double>>& pairs) {
    put(static_cast<std::uint64_t>(pairs.size()));
    for (const auto& [name, value] : pairs) {
      put_text(name);
      put(value);
    }
  }
  std::string frame(Kind kind) const {
    std::string f;
    const auto n = static_cast<std::uint32_t>(out_.size());
    f.append(reinterpret_cast<const char*>(&n), sizeof n);
    f.push_back(static_cast<char>(kind));
    f.append(out_);
    return f;
  }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  template <class T>
  T get() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, in_.data(), sizeof v);
    in_.remove_prefix(sizeof v);
    return v;
  }
  std::string get_text() {
    const auto n = get<std::uint32_t>();
    need(n);
    std::string s(in_.substr(0, n));
    in_.remove_prefix(n);
    return s;
  }
  template <class T>
  std::vector<T> get_array() {
    const auto n = get<std::uint64_t>();
    if (n > in_.size() / sizeof(T)) throw WireError("measuring process: array longer than its frame");
    std::vector<T> v(static_cast<std::size_t>(n));
    if (n > 0) std::memcpy(v.data(), in_.data(), v.size() * sizeof(T));
    in_.remove_prefix(v.size() * sizeof(T));
    return v;
  }
  std::vector<std::pair<std::string, double>> get_pairs() {
    const auto n = get<std::uint64_t>();
    if (n > in_.size()) throw WireError("measuring process: counter list longer than its frame");
    std::vector<std::pair<std::string, double>> v;
    for (std::uint64_t i = 0; i < n; ++i) {
      std::string name = get_text();
      v.emplace_back(std::move(name), get<double>());
    }
    return v;
  }
  void expect_end() const {
    if (!in_.empty()) throw WireError("measuring process: trailing bytes in a frame");
  }

 private:
  void need(std::size_t n) const {
    if (in_.size() < n) throw WireError("measuring process: frame shorter than its content");
  }
  std::string_view in_;
};

RepetitionRun read_repetition(Reader& r) {
  RepetitionRun rep;
  rep.ops_per_sample = r.get<std::uint64_t>();
  rep.ops = r.get<std::uint64_t>();
  rep.host_rss_kib = r.get<std::uint64_t>();
  rep.ns_per_op = r.get_array<double>();
  const auto tasks = r.get<std::uint64_t>();
  if (tasks > 1'000'000) throw WireError("measuring process: implausible task count");
  for (std::uint64_t t = 0; t < tasks; ++t) rep.task_cpus.push_back(r.get_array<int>());
  rep.task_pins = r.get_array<int>();
  rep.counter_deltas = r.get_pairs();
  rep.counter_levels = r.get_pairs();
  rep.op_windows = r.get_array<std::uint64_t>();
  rep.initiator_tid = r.get<std::int32_t>();
  rep.measured_tids = r.get_array<int>();
  rep.voluntary_switches = r.get<std::uint64_t>();
  rep.involuntary_switches = r.get<std::uint64_t>();
  return rep;
}

HostEnd read_end(Reader& r) {
  HostEnd end;
  ProbeRun& run = end.run;
  const auto status = r.get<std::uint8_t>();
  if (status > static_cast<std::uint8_t>(RunStatus::Failed)) throw WireError("measuring process: bad status");
  run.status = static_cast<RunStatus>(status);
  run.reason = r.get_text();
  run.wall_seconds = r.get<double>();
  run.keep_awake = r.get<std::uint8_t>() != 0;
  run.keep_awake_cpus = r.get_array<int>();
  run.host_start_rss_kib = r.get<std::uint64_t>();
  run.host_peak_rss_kib = r.get<std::uint64_t>();
  const auto pairs = r.get<std::uint64_t>();
  if (pairs > 1'000) throw WireError("measuring process: implausible count of pair readings");
  for (std::uint64_t i = 0; i < pairs; ++i) {
    PairWitness w;
    w.before_ns = r.get<double>();
    w.after_ns = r.get<double>();
    w.why_not = r.get_text();
    run.pair_witness.push_back(std::move(w));
  }
  return end;
}

}  // namespace

std::string encode_repetition(const RepetitionRun& rep) {
  Writer w;
  w.put(rep.ops_per_sample);
  w.put(rep.ops);
  w.put(rep.host_rss_kib);
  w.put_array(rep.ns_per_op);
  w.put(static_cast<std::uint64_t>(rep.task_cpus.size()));
  for (const auto& cpus : rep.task_cpus) w.put_array(cpus);
  w.put_array(rep.task_pins);
  w.put_pairs(rep.counter_deltas);
  w.put_pairs(rep.counter_levels);
  w.put_array(rep.op_windows);
  w.put(static_cast<std::int32_t>(rep.initiator_tid));
  w.put_array(rep.measured_tids);
  w.put(rep.voluntary_switches);
  w.put(rep.involuntary_switches);
  return w.frame(kRepetition);
}

std::string encode_end(const ProbeRun& run) {
  Writer w;
  w.put(static_cast<std::uint8_t>(run.status));
  w.put_text(run.reason);
  w.put(run.wall_seconds);
  w.put(static_cast<std::uint8_t>(run.keep_awake ? 1 : 0));
  w.put_array(run.keep_awake_cpus);
  w.put(run.host_start_rss_kib);
  w.put(run.host_peak_rss_kib);
  w.put(static_cast<std::uint64_t>(run.pair_witness.size()));
  for (const PairWitness& p : run.pair_witness) {
    w.put(p.before_ns);
    w.put(p.after_ns);
    w.put_text(p.why_not);
  }
  return w.frame(kEnd);
}

std::string encode_interrupted(int signal) {
  Writer w;
  w.put(static_cast<std::int32_t>(signal));
  return w.frame(kInterrupted);
}

std::optional<HostMessage> take_message(std::string& buffer) {
  constexpr std::size_t kHeader = sizeof(std::uint32_t) + 1;
  if (buffer.size() < kHeader) return std::nullopt;
  std::uint32_t n = 0;
  std::memcpy(&n, buffer.data(), sizeof n);
  if (n > kMaxPayload) throw WireError("measuring process: frame of " + std::to_string(n) + " bytes");
  if (buffer.size() < kHeader + n) return std::nullopt;
  const auto kind = static_cast<std::uint8_t>(buffer[sizeof n]);
  Reader r(std::string_view(buffer).substr(kHeader, n));
  std::optional<HostMessage> msg;
  switch (kind) {
    case kRepetition:
      msg = read_repetition(r);
      break;
    case kEnd:
      msg = read_end(r);
      break;
    case kInterrupted:
      msg = HostInterrupted{r.get<std::int32_t>()};
      break;
    default:
      throw WireError("measuring process: unknown frame kind " + std::to_string(kind));
  }
  r.expect_end();
  buffer.erase(0, kHeader + n);
  return msg;
}

}  // namespace ctxbench
