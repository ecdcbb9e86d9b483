// Security properties of ctxbench (docs/inputs.md, "Security"), checked on the sources and the binary:
// no shell, no named shared objects, no predictable temp names, no privilege changes; the JSON is
// replaced atomically and leaves no temp file.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>

#include "analysis/json_report.hpp"
#include "src/result_file.hpp"
#include "tests/run_util.hpp"

namespace {

namespace fs = std::filesystem;

// Every call that would break a promise: a shell with user strings, PATH lookups, named shared objects
// that can collide (and outlive a killed run), predictable temp names, asking for privileges.
TEST(Security, SourcesUseNoShellNamedObjectsOrPrivileges) {
  const std::regex forbidden(
      R"(\b(system|popen|execvp|execvpe|execlp|posix_spawnp|shm_open|sem_open|shmget|tmpnam|tempnam|mktemp|seteuid|setresuid|capset)\s*\()");
  // A POSIX message queue cannot be anonymous: the one named object allowed is created exclusive, 0600,
  // and unlinked at once (ipc.posix_mq), so it can neither collide nor outlive a killed run.
  const std::regex mq_open(R"(\bmq_open\s*\()");
  // setuid only to give privileges up: the db.* probes start PostgreSQL (which refuses root) as an
  // unprivileged user, after dropping the supplementary groups and the group id.
  const std::regex set_uid(R"(\bsetuid\s*\()");
  int files = 0;
  for (const char* dir : {"engine", "probes", "analysis", "src", "host"}) {
    for (const auto& e : fs::recursive_directory_iterator(fs::path(CTXBENCH_SOURCE_DIR) / dir)) {
      if (!e.is_regular_file()) continue;
      std::ifstream in(e.path());
      std::stringstream ss;
      ss << in.rdbuf();
      const std::string text = ss.str();
      std::smatch m;
      EXPECT_FALSE(std::regex_search(text, m, forbidden)) << e.path() << ": " << m.str();
      if (std::regex_search(text, mq_open)) {
        for (const char* required : {"O_EXCL", "0600", "mq_unlink("})
          EXPECT_NE(text.find(required), std::string::npos) << e.path() << ": mq_open without " << required;
      }
      if (std::regex_search(text, set_uid)) {
        for (const char* required : {"setgroups(0, nullptr)", "setgid("})
          EXPECT_NE(text.find(required), std::string::npos) << e.path() << ": setuid without " << required;
      }
      ++files;
    }
  }
  EXPECT_GT(files, 20);
}

TEST(Security, JsonIsReplacedAtomicallyWithNoTempLeft) {
  const std::string dir = ctxbench_test::make_temp_dir("atomic");
  const std::string path = dir + "/out.json";
  ctxbench::write_json_atomically(path, nlohmann::json{{"a", 1}});
  ctxbench::write_json_atomically(path, nlohmann::json{{"a", 2}});
  EXPECT_EQ(ctxbench_test::dir_entries(dir), std::vector<std::string>{"out.json"});
  EXPECT_EQ(nlohmann::json::parse(ctxbench_test::slurp(path))["a"], 2);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  // A write that cannot happen (the directory is gone) throws naming the file and leaves nothing.
  ctxbench_test::remove_tree(dir);
  EXPECT_THROW(ctxbench::write_json_atomically(path, nlohmann::json{{"a", 3}}), std::runtime_error);
  EXPECT_FALSE(ctxbench_test::exists(dir));
}

}  // namespace
