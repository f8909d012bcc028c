// Tests peek at a store's database with SQL of their own, through a connection of their own:
// each call opens the file at `db_path` (a store's path(); WAL lets it read beside the store's
// connections), runs the SQL, and closes. It sees what is committed, never a transaction in
// progress. Failures are test failures: Count, Rows, First, Text and Exec throw std::runtime_error
// (naming the SQL and SQLite's message), which Catch2 reports; TryExec answers instead.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dsar::test_sql {

// The first column of the first row as an integer (e.g. "SELECT count(*) FROM ..."); -1 when
// the query returns no row.
std::int64_t Count(const std::string& db_path, const std::string& sql);
// Every row, each column as text ("" for NULL).
std::vector<std::vector<std::string>> Rows(const std::string& db_path, const std::string& sql);
// The first column of the first row as text; "" when the query returns no row.
std::string First(const std::string& db_path, const std::string& sql);
// The first column of every row, joined with `separator`.
std::string Text(const std::string& db_path, const std::string& sql, const std::string& separator = ",");
// Runs SQL with no result rows (may hold several statements).
void Exec(const std::string& db_path, const std::string& sql);
// As Exec; false (nothing thrown) when SQLite refuses it (e.g. a trigger that forbids the write).
bool TryExec(const std::string& db_path, const std::string& sql);

}  // namespace dsar::test_sql
