// Reliability of the real binary (docs/inputs.md): the kill matrix (SIGINT/SIGTERM/SIGKILL at several points of
// every probe family: nothing of the run survives, the JSON when present parses and says interrupted),
// the --timeout watchdog with partners that hang or crash, and hostile machines (one CPU, a low
// RLIMIT_NPROC, user nobody, a read-only /dev/shm, a busy machine). Each prints what it saw, so the
// test log is the evidence.
#include <grp.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/db_util.hpp"
#include "tests/run_util.hpp"

namespace {

using namespace ctxbench_test;
using nlohmann::json;

json result(const json& doc, const std::string& id) {
  for (const json& r : doc["results"])
    if (r["id"] == id) return r;
  return json();
}

// Orphans of a killed ctxbench would be re-parented to us, not to init: we can see and reap them.
void become_subreaper() { ::prctl(PR_SET_CHILD_SUBREAPER, 1); }

// Waits until nothing of group `pgid` is alive (reaping what comes to us); returns what is left.
std::vector<pid_t> survivors(pid_t pgid) {
  std::vector<pid_t> left;
  for (int i = 0; i < 300; ++i) {
    reap_all();
    left = live_in_group(pgid);
    if (left.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (pid_t p : left) ::kill(p, SIGKILL);  // do not leave them to the next test
  reap_all();
  return left;
}

// ---------------------------------------------------------------- kill matrix

struct Family {
  const char* name;
  const char* filter;
  bool test_probes;
  const char* suite = "default";
};

TEST(KillMatrix, NoProcessSurvivesAndJsonIsWholeAndMarked) {
  become_subreaper();
  const std::vector<Family> families = {
      {"baseline+ipc (one task)", "^baseline|^ipc", false},
      {"ctxswitch process partner", "ctxswitch.pipe.process", false},
      {"ctxswitch thread partner", "ctxswitch.futex.thread", false},
      {"process creation", "^process\\.", false},
      {"thread creation", "^thread\\.", false},
      {"shm spinning threads", "^shm\\.", false},
      {"server models (processes, threads)",
       "^server\\.(process_per_connection|thread_per_connection)\\.persistent/connections:64/", false, "server"},
      // Real PostgreSQL: a postmaster and its forked backends, run as another user (skipped records when
      // postgresql is not installed: the case then checks ctxbench alone).
      {"db servers (postgres + backends)", "^db\\.postgresql\\.direct\\.persistent/connections:4/", false, "db"},
      {"hung partner (test.hang.process)", "^test\\.hang\\.process", true},
  };
  const std::vector<std::pair<int, const char*>> signals = {
      {SIGINT, "SIGINT"}, {SIGTERM, "SIGTERM"}, {SIGKILL, "SIGKILL"}};
  const std::vector<int> delays_ms = {50, 700};
  int cases = 0, left_total = 0, with_json = 0;
  std::printf("kill matrix: family | signal | after ms | exit | JSON | interrupted | processes left\n");
  for (const Family& f : families) {
    for (const auto& [sig, signame] : signals) {
      for (int delay : delays_ms) {
        const std::string dir = make_temp_dir("kill");
        const std::string json_path = dir + "/out.json";
        const std::vector<std::string> env = {f.test_probes ? "CTXBENCH_TEST_PROBES=1" : "CTXBENCH_UNUSED=1"};
        const pid_t pid =
            start(ctxbench({"--suite", f.suite, "--filter", f.filter, "--repetitions", "1000", "--json", json_path}),
                  dir + "/stdout", dir + "/stderr", {}, env);
        ASSERT_GT(pid, 0);
        std::this_thread::sleep_for(std::chrono::milliseconds(delay));
        ASSERT_EQ(::kill(pid, sig), 0);  // ctxbench alone, not its group: partners get no signal of their own
        const int code = wait_bounded(pid, 30);
        const std::vector<pid_t> left = survivors(pid);
        ++cases;
        left_total += static_cast<int>(left.size());
        const std::string where = std::string(f.name) + " " + signame + " @" + std::to_string(delay) + "ms";
        EXPECT_EQ(code, 128 + sig) << where << ": " << slurp(dir + "/stderr");
        EXPECT_TRUE(left.empty()) << where << ": " << left.size() << " processes outlived ctxbench";
        // Database servers: none still working in a private directory of this run (tests/db_util.hpp: named by
        // its process group), whatever the signal; the directory itself is gone unless SIGKILL left it (the
        // next db run removes it: db_test.cpp, DbStale).
        const std::vector<pid_t> db_left = db_processes_after(pid, 5);
        EXPECT_TRUE(db_left.empty()) << where << ": " << db_left.size() << " database server processes left";
        left_total += static_cast<int>(db_left.size());
        for (pid_t p : db_left) ::kill(p, SIGKILL);
        if (sig != SIGKILL) {
          for (const std::string& d : db_dirs(pid)) ADD_FAILURE() << where << ": left " << d;
        }
        std::string json_state = "absent", interrupted = "-";
        if (exists(json_path)) {
          ++with_json;
          json doc;
          ASSERT_NO_THROW(doc = json::parse(slurp(json_path))) << where;
          json_state = "parses";
          interrupted = doc["ctxbench"]["interrupted"].dump();
          if (sig != SIGKILL) {
            EXPECT_EQ(doc["ctxbench"]["interrupted"], true) << where;
            EXPECT_EQ(doc["ctxbench"]["complete"], false) << where;
          }
        } else if (sig != SIGKILL) {
          // Only a signal that beat the handler installation (the first ms of start-up) may leave none.
          EXPECT_LT(delay, 200) << where << ": handled signal but no JSON";
        }
        if (sig != SIGKILL) {
          for (const std::string& n : dir_entries(dir))
            EXPECT_TRUE(n == "out.json" || n == "stdout" || n == "stderr") << where << ": left " << n;
        }
        std::printf("kill matrix: %s | %s | %d | %d | %s | %s | %zu\n", f.name, signame, delay, code,
                    json_state.c_str(), interrupted.c_str(), left.size());
        remove_tree(dir);
      }
    }
  }
  std::printf("kill matrix: %d cases, %d with a JSON file, %d processes left in total\n", cases, with_json, left_total);
  EXPECT_EQ(left_total, 0);
}

// ---------------------------------------------------------------- watchdog

TEST(Watchdog, HungAndCrashedPartnersFailWithReasonAndTheRunGoesOn) {
  become_subreaper();
  const std::string dir = make_temp_dir("watchdog");
  const std::string json_path = dir + "/out.json";
  const pid_t pid =
      start(ctxbench({"--filter", "^test\\.|^ipc.pipe.self", "--quick", "--timeout", "1", "--json", json_path}),
            dir + "/stdout", dir + "/stderr", {}, {"CTXBENCH_TEST_PROBES=1"});
  const int code = wait_bounded(pid, 120);
  EXPECT_TRUE(survivors(pid).empty());
  std::printf("%s", slurp(dir + "/stderr").c_str());
  EXPECT_EQ(code, 1) << "a failed probe means exit 1";
  ASSERT_TRUE(exists(json_path));
  const json doc = json::parse(slurp(json_path));
  EXPECT_EQ(doc["ctxbench"]["complete"], true);
  EXPECT_EQ(result(doc, "ipc.pipe.self")["status"], "ok");
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"test.hang.process/unpinned", "--timeout 1 s"},
      {"test.hang.thread/unpinned", "--timeout 1 s"},
      {"test.crash.segv/unpinned", "signal 11"},
      {"test.crash.abort/unpinned", "signal 6"},
      // The measuring process itself crashed: only that record fails; its partner died with it.
      {"test.crash.measuring_process", "measuring process died of signal 11"},
  };
  for (const auto& [id, reason] : expected) {
    const json r = result(doc, id);
    ASSERT_TRUE(r.is_object()) << id;
    EXPECT_EQ(r["status"], "failed") << id;
    EXPECT_NE(r.value("reason", "").find(reason), std::string::npos) << id << ": " << r.value("reason", "");
  }
  // The probe after the crash ran in a new measuring process.
  EXPECT_EQ(result(doc, "test.noop")["status"], "ok");
  remove_tree(dir);
}

TEST(Watchdog, TestProbesAreHiddenFromNormalRuns) {
  const Outcome list = run_with(ctxbench({"--list"}));
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_EQ(list.out.find("test."), std::string::npos);
  const Outcome filtered = run_with(ctxbench({"--filter", "^test\\.", "--list"}));
  EXPECT_EQ(filtered.exit_code, 2);
  EXPECT_NE(filtered.err.find("matches no probe"), std::string::npos) << filtered.err;
}

// ---------------------------------------------------------------- hostile environments

// What a hostile run printed: exit, and per result status + reason (printed for the log).
json run_hostile(const std::string& tag, const std::vector<std::string>& args, const std::function<bool()>& setup,
                 int* exit_code, const std::string& json_dir = "") {
  const std::string dir = json_dir.empty() ? make_temp_dir(tag) : json_dir;
  const std::string json_path = dir + "/out.json";
  std::vector<std::string> all = args;
  all.insert(all.end(), {"--json", json_path});
  const Outcome o = run_with(ctxbench(all), setup);
  *exit_code = o.exit_code;
  std::printf("[%s] exit %d\n%s", tag.c_str(), o.exit_code, o.err.c_str());  // progress + reasons
  json doc;
  if (exists(json_path)) doc = json::parse(slurp(json_path));
  if (json_dir.empty()) remove_tree(dir);
  return doc;
}

bool only_cpu0() {
  cpu_set_t s;
  CPU_ZERO(&s);
  CPU_SET(0, &s);
  return ::sched_setaffinity(0, sizeof s, &s) == 0;
}

TEST(Hostile, OneCpuSkipsCrossCpuWithReason) {
  int code = 0;
  const json doc =
      run_hostile("taskset -c 0", {"--quick", "--filter", "ctxswitch.pipe.process|^shm"}, only_cpu0, &code);
  EXPECT_EQ(code, 0);
  ASSERT_TRUE(doc.is_object());
  int cross = 0;
  for (const json& r : doc["results"]) {
    if (r["placement"]["kind"] != "cross-cpu") {
      if (!r["derived"].get<bool>()) {
        EXPECT_TRUE(r["status"] == "ok" || r["status"] == "skipped") << r["id"];
      }
      continue;
    }
    ++cross;
    EXPECT_EQ(r["status"], "skipped") << r["id"];
    EXPECT_FALSE(r.value("reason", "").empty()) << r["id"];
  }
  EXPECT_GE(cross, 2);
  EXPECT_EQ(result(doc, "ctxswitch.pipe.process/same-cpu")["status"], "ok");
  // --cpus naming a CPU outside the mask is bad usage, not a crash.
  const Outcome bad = run_with(ctxbench({"--cpus", "0,1", "--quick"}), only_cpu0);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--cpus"), std::string::npos) << bad.err;
}

constexpr uid_t kNobody = 65534;

bool become_nobody() { return ::setgroups(0, nullptr) == 0 && ::setgid(kNobody) == 0 && ::setuid(kNobody) == 0; }

// Skips when we cannot switch users (not root) or nobody cannot execute the build (a private tree).
std::string nobody_skip_reason() {
  if (::geteuid() != 0) return "not root: cannot switch to user nobody";
  const Outcome probe = run_with(ctxbench({"--version"}), become_nobody);
  if (probe.exit_code != 0) return "user nobody cannot run " CTXBENCH_BINARY " (build tree not readable by others)";
  return "";
}

TEST(Hostile, UnprivilegedUserRunsWhatNeedsNoPrivilege) {
  const std::string why = nobody_skip_reason();
  if (!why.empty()) GTEST_SKIP() << why;
  const std::string dir = make_temp_dir("nobody");
  ASSERT_EQ(::chown(dir.c_str(), kNobody, kNobody), 0);
  int code = 0;
  const json doc = run_hostile(
      "user nobody", {"--quick", "--explain", "--filter", "^baseline|pipe.thread|futex.process|fork_exit|posix_spawn/"},
      become_nobody, &code, dir);
  remove_tree(dir);
  EXPECT_EQ(code, 0);
  ASSERT_TRUE(doc.is_object());
  int explainable = 0;
  for (const json& r : doc["results"]) {
    EXPECT_TRUE(r["status"] == "ok" || r["status"] == "skipped") << r["id"] << ": " << r.value("reason", "");
    // --explain cannot load its BPF program as nobody: the pass is skipped with the reason, nothing else.
    if (!r.contains("explain")) continue;
    ++explainable;
    EXPECT_EQ(r["explain"]["status"], "skipped") << r["id"];
    const std::string reason = r["explain"].value("reason", "");
    EXPECT_TRUE(reason.find("needs root") != std::string::npos || reason.find("built without") != std::string::npos)
        << r["id"] << ": " << reason;
    EXPECT_EQ(r["explain"].value("reason_key", ""), "tracer_unavailable") << r["id"];
  }
  EXPECT_GT(explainable, 0);
  // A directory nobody cannot write: bad usage naming the path, before anything runs.
  const std::string root_dir = make_temp_dir("rootonly");
  const Outcome o = run_with(ctxbench({"--quick", "--json", root_dir + "/out.json"}), become_nobody);
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.err.find("not writable"), std::string::npos) << o.err;
  std::printf("[user nobody, JSON in a root-owned directory] exit %d: %s", o.exit_code, o.err.c_str());
  EXPECT_TRUE(dir_entries(root_dir).empty());
  remove_tree(root_dir);
}

TEST(Hostile, LowProcessLimitFailsCreationWithReasonAndTheRestCompletes) {
#if defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "TSan's runtime needs threads of its own; RLIMIT_NPROC=1 makes the runtime itself fail";
#endif
  const std::string why = nobody_skip_reason();  // root ignores RLIMIT_NPROC: run as nobody
  if (!why.empty()) GTEST_SKIP() << why;
  const std::string dir = make_temp_dir("nproc");
  ASSERT_EQ(::chown(dir.c_str(), kNobody, kNobody), 0);
  int code = 0;
  const json doc = run_hostile(
      "RLIMIT_NPROC=1 as nobody",
      {"--quick", "--filter", "^baseline|^ipc|^process.fork_exit|^process.posix_spawn/|^thread|pipe.process/same"},
      [] {
        const rlimit one{1, 1};
        // LeakSanitizer needs a tracer task at exit, which the limit forbids (ASan pass only).
        ::setenv("ASAN_OPTIONS", "detect_leaks=0:abort_on_error=1", 1);
        return become_nobody() && ::setrlimit(RLIMIT_NPROC, &one) == 0;
      },
      &code, dir);
  remove_tree(dir);
  EXPECT_EQ(code, 1) << "failed probes: exit 1";
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc["ctxbench"]["complete"], true);
  for (const char* id : {"baseline.clock", "baseline.syscall", "ipc.pipe.self"})
    EXPECT_EQ(result(doc, id)["status"], "ok") << id;
  for (const char* id : {"process.fork_exit/same-cpu", "process.posix_spawn/unpinned", "thread.create_join/same-cpu",
                         "ctxswitch.pipe.process/same-cpu"}) {
    const json r = result(doc, id);
    EXPECT_EQ(r["status"], "failed") << id;
    EXPECT_NE(r.value("reason", "").find("Resource temporarily unavailable"), std::string::npos)
        << id << ": " << r.value("reason", "");
  }
}

// Shared memory is anonymous (MAP_SHARED|MAP_ANONYMOUS): no named object, so a read-only /dev/shm
// changes nothing. Proven in a private mount namespace with a read-only tmpfs over /dev/shm.
TEST(Hostile, ReadOnlyDevShmChangesNothing) {
  // Check the namespace trick works here before relying on it.
  const Outcome probe = run_with({"/bin/true"}, [] { return ::unshare(CLONE_NEWNS) == 0; });
  if (probe.exit_code != 0) GTEST_SKIP() << "cannot create a mount namespace here (unshare(CLONE_NEWNS) refused)";
  int code = 0;
  const std::string dir = make_temp_dir("devshm");
  const json doc = run_hostile(
      "read-only /dev/shm", {"--quick", "--filter", "futex.process|pipe.process|^shm"},
      [] {
        return ::unshare(CLONE_NEWNS) == 0 && ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0 &&
               ::mount("tmpfs", "/dev/shm", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k") == 0 &&
               ::access("/dev/shm", W_OK) != 0;  // the proof: nothing can be created there now
      },
      &code, dir);
  remove_tree(dir);
  EXPECT_EQ(code, 0);
  ASSERT_TRUE(doc.is_object());
  for (const json& r : doc["results"])
    EXPECT_TRUE(r["status"] == "ok" || r["status"] == "skipped") << r["id"] << ": " << r.value("reason", "");
  EXPECT_EQ(result(doc, "ctxswitch.futex.process/same-cpu")["status"], "ok");
}

// Two CPU hogs beside the run: it completes, and the results say the machine was noisy.
TEST(Hostile, BusyMachineCompletesAndSaysItIsUnstable) {
  const char* stress = "/usr/bin/stress-ng";
  if (!exists(stress)) GTEST_SKIP() << "stress-ng not installed (scripts/install-deps.sh --test installs it)";
  become_subreaper();
  const std::string sdir = make_temp_dir("stress");
  const pid_t hog = start({stress, "--cpu", "2", "--timeout", "120s", "--quiet"}, sdir + "/o", sdir + "/e");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  int code = 0;
  // 5 repetitions: with fewer, "too few repetitions" would be the cause whatever the load.
  const json doc =
      run_hostile("stress-ng --cpu 2",
                  {"--quick", "--repetitions", "5", "--filter", "ctxswitch.pipe.process|^baseline.syscall"}, {}, &code);
  ::kill(-hog, SIGKILL);
  wait_bounded(hog, 10);
  survivors(hog);
  remove_tree(sdir);
  EXPECT_EQ(code, 0);
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc["ctxbench"]["complete"], true);
  // Noise is said where it applies: an unstable row, or once for the run (docs/METHODOLOGY.md, "Warnings").
  int unstable = 0;
  for (const json& r : doc["results"]) {
    if (r["status"] != "ok") continue;
    EXPECT_TRUE(r.contains("rerun_ratio_95")) << r["id"];
    for (const json& w : r["warnings"]) unstable += w["kind"] == "unstable_estimate" ? 1 : 0;
  }
  for (const json& w : doc["ctxbench"]["warnings"]) {
    for (const char* kind : {"unstable_machine", "slow_repetitions_shared", "bimodal_shared"})
      unstable += w["kind"] == kind ? 1 : 0;
  }
  EXPECT_GE(unstable, 1) << "two CPU hogs on this machine and no result or run called unstable: " << doc.dump();
}

// ---------------------------------------------------------------- output file lost mid-run

// The --json directory removed while the run goes on (the same as a disk that fills or a permission
// taken away: the rewrite cannot be made): said once, at the first rewrite that fails, with the file and
// the system's reason; the run measures to the end, the table reaches stdout, exit status 3. Interleaved
// (the default: the file is rewritten after each round, the records filed after the last) and
// --no-interleave (rewritten after each record).
TEST(Hostile, JsonDirectoryRemovedMidRunKeepsMeasuringAndExitsThree) {
  become_subreaper();
  struct Mode {
    std::vector<std::string> flags;
    std::string later;  // a line the run prints after the failure must have been said
  };
  const std::vector<Mode> modes = {{{}, "round 39/40"}, {{"--no-interleave"}, "[ 3/3]"}};
  for (const Mode& mode : modes) {
    const std::string logs = make_temp_dir("sinklog");
    const std::string dir = make_temp_dir("sink");
    const std::string json_path = dir + "/out.json";
    std::vector<std::string> args = {"--quick", "--repetitions", "40", "--filter", "^test\\.noop|^baseline\\.",
                                     "--json",  json_path};
    args.insert(args.end(), mode.flags.begin(), mode.flags.end());
    const pid_t pid = start(ctxbench(args), logs + "/stdout", logs + "/stderr", {}, {"CTXBENCH_TEST_PROBES=1"});
    ASSERT_GT(pid, 0);
    bool removed = false;
    for (int i = 0; i < 3000 && !removed; ++i) {  // up to 30 s for the first rewrite
      if (exists(json_path)) {
        remove_tree(dir);
        removed = !exists(dir);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const int code = wait_bounded(pid, 120);
    const std::string out = slurp(logs + "/stdout"), err = slurp(logs + "/stderr");
    const std::string where = mode.flags.empty() ? "interleaved" : "--no-interleave";
    std::printf("json directory removed mid-run (%s): exit %d\nstderr:\n%s\n", where.c_str(), code, err.c_str());
    remove_tree(logs);
    ASSERT_TRUE(removed) << where << ": the file never appeared: " << err;
    EXPECT_EQ(code, 3) << where << ": " << err;
    // Said at the first failure, naming the file and the reason, before what the run did after it.
    const std::string said =
        "ctxbench: --json " + json_path + ": cannot create a temp file (No such file or directory)";
    const auto first = err.find(said);
    ASSERT_NE(first, std::string::npos) << where << ": " << err;
    EXPECT_EQ(err.find(said, first + 1), std::string::npos) << where << ": said more than once: " << err;
    const auto later = err.find(mode.later);
    ASSERT_NE(later, std::string::npos) << where << ": " << err;
    EXPECT_LT(first, later) << where << ": said at the end, not at the first failure: " << err;
    EXPECT_NE(err.find(json_path + " is incomplete"), std::string::npos) << where << ": " << err;
    EXPECT_EQ(err.find("results written to"), std::string::npos) << where << ": " << err;
    // Every record was measured and reaches the table.
    EXPECT_NE(out.find("test.noop"), std::string::npos) << where << ": " << out;
    EXPECT_NE(out.find("baseline.clock"), std::string::npos) << where << ": " << out;
    EXPECT_NE(out.find("baseline.syscall"), std::string::npos) << where << ": " << out;
    EXPECT_NE(err.find("[ 3/3]"), std::string::npos) << where << ": " << err;
    EXPECT_TRUE(survivors(pid).empty()) << where;
  }
}

// The sample spool beside the --json file (src/sample_spool.hpp) full from its first write (a test hook
// standing for a full disk): said at once, before the next round; every sample stays in memory and
// reaches the file, which is complete; the table reaches stdout; exit status 4. Without the hook the same
// run spools and exits 0, and each record holds every sample its repetitions counted.
TEST(Hostile, SampleSpoolFullKeepsEverySampleAndExitsFour) {
  for (const bool full : {true, false}) {
    const std::string where = full ? "spool full" : "spool working";
    const std::string dir = make_temp_dir("spoolfull");
    const std::string json_path = dir + "/out.json";
    std::vector<std::string> env = {"CTXBENCH_TEST_PROBES=1"};
    if (full) env.push_back("CTXBENCH_TEST_SPOOL_BYTES=0");
    const Outcome o =
        run_with(ctxbench({"--quick", "--repetitions", "4", "--filter",
                           "^baseline\\.|^ipc.pipe.self|^ctxswitch.pipe.thread/same", "--json", json_path}),
                 {}, env, 120);
    std::printf("%s: exit %d\nstderr:\n%s\n", where.c_str(), o.exit_code, o.err.c_str());
    EXPECT_EQ(o.exit_code, full ? 4 : 0) << where << ": " << o.err;
    const std::string said =
        "ctxbench: cannot spool samples in " + dir +
        " (No space left on device); the samples it could not take stay in memory (nothing measured is lost), the "
        "run goes on; it ends with exit status 4 (3 when the file cannot be written either)";
    const auto first = o.err.find(said);
    if (full) {
      ASSERT_NE(first, std::string::npos) << o.err;
      EXPECT_EQ(o.err.find(said, first + 1), std::string::npos) << "said more than once: " << o.err;
      const auto later = o.err.find("round 1/4 of interleaved repetitions done");
      ASSERT_NE(later, std::string::npos) << o.err;
      EXPECT_LT(first, later) << "said at the end, not at the first failure: " << o.err;
    } else {
      EXPECT_EQ(o.err.find("cannot spool"), std::string::npos) << o.err;
    }
    EXPECT_NE(o.err.find("results written to " + json_path), std::string::npos) << where << ": " << o.err;
    EXPECT_NE(o.out.find("baseline.syscall"), std::string::npos) << where << ": " << o.out;
    EXPECT_NE(o.out.find("ctxswitch.pipe.thread.per_switch"), std::string::npos) << where << ": " << o.out;
    std::ifstream in(json_path);
    const json doc = json::parse(in, nullptr, false);
    remove_tree(dir);
    ASSERT_TRUE(doc.is_object()) << where;
    EXPECT_EQ(doc["ctxbench"]["complete"], true) << where;
    int ok = 0;
    for (const json& r : doc["results"]) {
      if (r["status"] != "ok" || r.value("derived", false)) continue;
      ++ok;
      std::size_t counted = 0;
      for (const json& rep : r["repetitions"]) counted += rep["samples"].get<std::size_t>();
      EXPECT_EQ(r["repetitions"].size(), 4u) << where << ": " << r["id"];
      EXPECT_EQ(r["samples"].size(), counted) << where << ": " << r["id"];
      EXPECT_GT(counted, 0u) << where << ": " << r["id"];
    }
    EXPECT_GE(ok, 3) << where << ": " << doc["results"].dump();
  }
}

}  // namespace
