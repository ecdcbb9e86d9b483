// `compare` and `history add/check` refuse to mix emulated and native runs (docs/METHODOLOGY.md, "Emulated
// runs"): exit 2 naming the files (and the store), nothing written, unless --allow-emulated. The emulated
// files are the fixtures with a machine.emulated block as an aarch64 ctxbench under qemu-user writes it.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "analysis/history_input.hpp"
#include "tests/history_util.hpp"

namespace {

using namespace ctxbench_test;

std::vector<std::string> args_of(std::vector<std::string> args) { return ctxbench_test::ctxbench(std::move(args)); }

// `source` (a fixture) as an emulated run's file in `dir`.
std::string emulated_copy(const std::string& source, const std::string& dir, const std::string& name) {
  nlohmann::json doc = nlohmann::json::parse(slurp(source));
  doc["machine"]["emulated"] = {
      {"emulated", true},         {"emulator", "qemu-user"},
      {"binary_arch", "aarch64"}, {"kernel_arch", "aarch64"},
      {"cpu_arch", "x86_64"},     {"reason_kinds", {"cpu_arch_mismatch", "qemu_interpreter"}}};
  const std::string path = dir + "/" + name;
  std::ofstream(path) << doc.dump();
  return path;
}

std::string results_fixture(const std::string& name) {
  return std::string(CTXBENCH_SOURCE_DIR) + "/tests/fixtures/results/" + name;
}

TEST(EmulationCli, CompareRefusesAMixUnlessAllowed) {
  const std::string dir = make_temp_dir("emucmp");
  const std::string native = results_fixture("kvm2_a.json");
  const std::string emulated = emulated_copy(results_fixture("kvm2_b.json"), dir, "arm_b.json");
  const std::string out = dir + "/cmp.json";
  const Outcome refused = run_with(args_of({"compare", native, emulated, "--json", out}));
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find("emulated: " + emulated + " (qemu-user aarch64 on x86_64)"), std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("native: " + native), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("--allow-emulated"), std::string::npos) << refused.err;
  EXPECT_FALSE(exists(out));
  // Both emulated: nothing mixed.
  const std::string emulated_a = emulated_copy(results_fixture("kvm2_a.json"), dir, "arm_a.json");
  EXPECT_NE(run_with(args_of({"compare", emulated_a, emulated})).exit_code, 2);
  const Outcome allowed = run_with(args_of({"compare", native, emulated, "--allow-emulated"}));
  EXPECT_NE(allowed.exit_code, 2) << allowed.err;
  EXPECT_NE(allowed.out.find("ctxswitch.pipe.process/same-cpu"), std::string::npos) << allowed.out;
  EXPECT_EQ(run_with(args_of({"compare", native, emulated, "--allow-emulated=yes"})).exit_code, 2);
  remove_tree(dir);
}

TEST(EmulationCli, HistoryRefusesAMixInFilesOrStoreUnlessAllowed) {
  const std::string dir = make_temp_dir("emuhist");
  const std::string store = dir + "/h.sqlite";
  const std::string native = history_fixture("v2_run.json");
  const std::string emulated = emulated_copy(native, dir, "arm_run.json");
  // The files themselves mix: refused before the store is created.
  const Outcome files = run_with(args_of({"history", "add", "--store", store, native, emulated}));
  EXPECT_EQ(files.exit_code, 2) << files.err;
  EXPECT_NE(files.err.find("native: " + native), std::string::npos) << files.err;
  EXPECT_NE(files.err.find("emulated: " + emulated), std::string::npos) << files.err;
  EXPECT_FALSE(exists(store));
  // A native store, an emulated file: refused naming the store, which is left as it was.
  ASSERT_EQ(run_with(args_of({"history", "add", "--store", store, native})).exit_code, 0);
  const std::string before = slurp(store);
  const Outcome into = run_with(args_of({"history", "add", "--store", store, emulated}));
  EXPECT_EQ(into.exit_code, 2) << into.err;
  EXPECT_NE(into.err.find(store + " (1 native machines stored)"), std::string::npos) << into.err;
  EXPECT_EQ(slurp(store), before);
  const Outcome check = run_with(args_of({"history", "check", "--store", store, emulated}));
  EXPECT_EQ(check.exit_code, 2) << check.err;
  EXPECT_NE(check.err.find("history check them anyway with --allow-emulated"), std::string::npos) << check.err;
  // Allowed: stored as a machine of its own, so no series mixes the two.
  const Outcome added = run_with(args_of({"history", "add", "--allow-emulated", "--store", store, emulated}));
  EXPECT_EQ(added.exit_code, 0) << added.err;
  EXPECT_EQ(run_with(args_of({"history", "check", "--allow-emulated", "--store", store, emulated})).exit_code, 0);
  EXPECT_EQ(run_with(args_of({"history", "show", "--allow-emulated", "--store", store})).exit_code, 2);
  remove_tree(dir);
}

TEST(EmulationCli, AnEmulatedRunIsAnotherMachineAndNativeFingerprintsStay) {
  const std::string text = slurp(history_fixture("v2_run.json"));
  const ctxbench::RunInput native = ctxbench::read_run_file("native.json", text);
  nlohmann::json doc = nlohmann::json::parse(text);
  doc["machine"]["emulated"] = {{"emulated", false}, {"binary_arch", "x86_64"}, {"cpu_arch", "x86_64"}};
  EXPECT_EQ(ctxbench::read_run_file("native2.json", doc.dump()).machine.fingerprint, native.machine.fingerprint);
  doc["machine"]["emulated"] = {{"emulated", true}, {"emulator", "qemu-user"}, {"binary_arch", "aarch64"}};
  const ctxbench::RunInput emulated = ctxbench::read_run_file("arm.json", doc.dump());
  EXPECT_TRUE(emulated.emulation.emulated);
  EXPECT_FALSE(native.emulation.emulated);
  EXPECT_NE(emulated.machine.fingerprint, native.machine.fingerprint);
}

}  // namespace
