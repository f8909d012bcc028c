// An authorized agent or a parent writing for the data subject (the relationship and authority
// recorded on the request's Requester).
//
// Pure and thread-safe (the patterns are compiled once, on first use).
#pragma once

#include <string>
#include <vector>

#include "mail/classify/sentence.h"

namespace dsar::mail::classify {

struct AgentSignals {
  bool on_behalf = false;  // writing for someone else
  bool parent = false;     // for a son, daughter or child (only with on_behalf)
  bool strong = false;     // "authorized agent", "power of attorney", "my client"
};

// The agent wording in `sentences`, in our languages.
AgentSignals DetectAgent(const std::vector<Sentence>& sentences);

// The authority an agent names: "power of attorney", "signed permission" (also when a file is
// attached), or "".
std::string AuthorityOf(const std::vector<Sentence>& sentences, bool has_attachment);

}  // namespace dsar::mail::classify
