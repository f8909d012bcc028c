// index.html of an access package: the page a person opens first. A summary, never the rows:
// who the controller is, which tables hold how many records about the person (with links to
// their CSV files and to data.json), and the information GDPR Art. 15(1)(a)-(h) and the CCPA
// right to know (Cal. Civ. Code § 1798.110, § 1798.130) require, built from the systems map for
// the tables that hold the person's data: purposes, categories, recipients, retention per
// category, sources, the person's rights (a fixed list with citations, plus the map's `rights`
// text) and automated decision-making (the map's `automated_decision_making`).
//
// Its size depends on the map, not on the number of rows. Every value it shows is HTML-escaped
// (names, addresses and the map's texts alike). English only. A pure function of its inputs:
// the same inputs give the same bytes (the date is a parameter, never the clock).
//
// Thread safety: a free function without shared state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"
#include "fulfillment/systems_map.h"

namespace dsar::fulfillment {

struct IndexTable {
  const TableSpec* spec = nullptr;    // the map's table; must outlive the call
  std::int64_t rows = 0;              // the person's records in it
  std::string csv;                    // its member name in the package; empty when it has no rows
  std::vector<std::string> unmapped;  // its columns the map does not describe (exported, unclassified)
};

struct AccessIndex {
  std::string reference;  // the request's reference
  std::string subject_name;
  std::string subject_email;
  std::string subject_account_id;
  std::optional<Millis> generated_at;  // shown as a UTC date; absent: no date
  std::vector<IndexTable> tables;      // in map order
};

std::string AccessIndexHtml(const SystemsMap& map, const AccessIndex& index);

// "1,234,567": a count for people to read.
std::string FormatCount(std::int64_t n);

}  // namespace dsar::fulfillment
