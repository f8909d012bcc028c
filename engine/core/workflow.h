// A workflow definition: the state machine one request type follows (DESIGN.md §2).
//
// Definitions are data, loaded from workflows/*.yaml by engine/workflow (which checks them
// against schemas/workflow.schema.json and as a graph) and never changed afterwards: a
// request is pinned to the `hash` of the definition it started under, and the store keeps
// every definition it has run by that hash.
//
// Line numbers (1-based) point into the source file, for `file:line: message` diagnostics.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"

namespace dsar {

// An effect a transition schedules. `kind` is one of the names in KnownEffects(); `arg` is
// its argument where the kind takes one (the template of `mail`, the step of `fulfill`, the
// task of `task`), else empty.
struct EffectDef {
  std::string kind;
  std::string arg;
  int line = 0;
};

// One candidate transition for an event. An absent `to` is an internal transition: the
// request stays in its state, and the event is still recorded in the history. Guards are
// names from KnownGuards(); all must hold for the candidate to be taken. When an event has
// several candidates, the first whose guards hold is taken.
struct TransitionDef {
  std::optional<std::string> to;
  std::vector<std::string> guards;
  std::vector<EffectDef> effects;
  int line = 0;
};

// A state's timeout: `after` (milliseconds, from entering the state) the engine sends `event`.
// The timer is written in the entering transition's transaction and cancelled on leaving.
struct TimeoutDef {
  Millis after = 0;
  std::string event;
  int line = 0;
};

struct StateDef {
  std::string name;
  bool final = false;
  std::vector<std::string> requires_fields;  // e.g. "reason": the entering event must carry one
  std::map<std::string, std::vector<TransitionDef>> on;
  std::optional<TimeoutDef> timeout;
  int line = 0;
};

struct Workflow {
  std::string id;            // e.g. "deletion"
  int version = 1;           // bumped when a published definition changes
  std::string request_type;  // a contract request type
  std::string initial;       // the state a new request starts in
  std::map<std::string, StateDef> states;
  // Transitions offered by every non-final state that does not define the event itself.
  std::map<std::string, std::vector<TransitionDef>> any_state;
  std::string source_path;  // the file it was loaded from
  std::string source;       // the file's bytes, kept by the store under `hash`
  std::string hash;         // lowercase hex SHA-256 of `source`

  const StateDef* FindState(const std::string& name) const;
  // The candidates for `event` in `state`: the state's own, else the any_state ones (none in a
  // final state).
  const std::vector<TransitionDef>* Candidates(const std::string& state, const std::string& event) const;
  // Events the state offers, sorted (own and any_state).
  std::vector<std::string> EventsOffered(const std::string& state) const;
};

// Guard names the interpreter implements (see interpreter.h for their meaning).
const std::vector<std::string>& KnownGuards();
// Effect kinds the engine implements, and whether each takes an argument.
struct EffectKind {
  std::string name;
  bool takes_arg;
};
const std::vector<EffectKind>& KnownEffects();

}  // namespace dsar
