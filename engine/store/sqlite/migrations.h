// The SQLite store's schema migrations: the embedded schemas/migrations/NNN_*.sql files, applied
// in name order and recorded in schema_migrations.
#pragma once

#include "core/status.h"
#include "store/sqlite/sqlite.h"

namespace dsar::store {

// Applies the migrations not yet recorded, each in its own IMMEDIATE transaction. Returns how many
// were applied; IoError naming the migration when one fails (that one is rolled back; those
// before it stay applied). The caller owns `conn` for the duration (the store's writer mutex).
Result<int> ApplyMigrations(Connection& conn);

}  // namespace dsar::store
