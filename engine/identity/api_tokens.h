// Staff API tokens (DESIGN.md contract — secrets at rest): a new token is shown once; only its keyed
// hash is stored.
//
// Thread safety: free functions; the store serialises writers.
#pragma once

#include <optional>
#include <string>
#include "core/status.h"

namespace dsar::service {

class Engine;  // requests/engine.h

// API tokens: a new token (returned once; only its keyed hash is stored), and the check,
// which gives the token's name (recorded as the actor "staff:<name>") or nullopt.
Result<std::string> CreateToken(Engine& e, const std::string& name);
Result<std::optional<std::string>> TokenName(Engine& e, const std::string& token);

}  // namespace dsar::service
