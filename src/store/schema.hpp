// The results store's schema and its versions (docs/contracts.md, "The results store"). A store is built
// by running every migration from version 0 in order, so a fresh store and a migrated one are the same.
#pragma once

#include <string>
#include <vector>

#include "src/store/store.hpp"

namespace ctxbench::store {

inline constexpr int kStoreSchemaVersion = 3;

// Statements that take a store from version `to - 1` to `to` (1 <= to <= kStoreSchemaVersion).
std::vector<std::string> migration(int to, Backend backend);

// Brings the store to kStoreSchemaVersion, in one transaction: an older store is migrated, a new one
// (no tables yet) is created when `create` (history add) and refused otherwise. StoreError naming the
// store for a store of a newer ctxbench or a database that is not a store. Returns the version.
int prepare_schema(Connection& c, bool create);

}  // namespace ctxbench::store
