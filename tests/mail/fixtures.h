// The shared mail fixtures (../shared/fixtures/mail beside the checkout) for the mail tests:
// where they are, and readers that fail the test when a file is missing. Header-only.
#pragma once

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace dsar::mail::test {

inline const std::filesystem::path kMail = std::filesystem::path(DSAR_SHARED_FIXTURES) / "mail";
inline const std::filesystem::path kPublic = kMail / "public";
inline const std::filesystem::path kRequests = kMail / "requests";

// The bytes of `p`; fails the test when it cannot be read.
inline std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  INFO("reading " << p);
  REQUIRE(in.good());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The rows of a TSV file without its header line (CR before LF dropped, empty lines skipped).
inline std::vector<std::vector<std::string>> ReadTsv(const std::filesystem::path& p) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(ReadFile(p));
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (header) {
      header = false;
      continue;
    }
    std::vector<std::string> cols;
    std::size_t pos = 0;
    while (true) {
      const std::size_t tab = line.find('\t', pos);
      cols.push_back(line.substr(pos, tab == std::string::npos ? std::string::npos : tab - pos));
      if (tab == std::string::npos) break;
      pos = tab + 1;
    }
    rows.push_back(std::move(cols));
  }
  return rows;
}

}  // namespace dsar::mail::test
