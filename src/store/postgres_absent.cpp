// The PostgreSQL backend of a build without libpq (CTXBENCH_POSTGRES=OFF, CMakeLists.txt): a
// postgresql:// store is refused with why, like any store that cannot be opened (exit 2). The aarch64
// cross-build is such a build where Debian's libpq-dev cannot be installed for arm64 (README.md, "On aarch64").
#include "src/store/store.hpp"

namespace ctxbench::store {

std::unique_ptr<Connection> open_postgres(const std::string& url) {
  throw StoreError(mask_password(url) +
                   ": this ctxbench was built without PostgreSQL support (CTXBENCH_POSTGRES=OFF: no libpq for its "
                   "architecture); use an SQLite store file");
}

}  // namespace ctxbench::store
