#include "workflow/validate.h"

#include <algorithm>
#include <deque>
#include <set>

#include "core/model.h"

namespace dsar::workflow {

namespace {

std::string Quote(const std::string& s) { return "'" + s + "'"; }

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string KnownEffectList() {
  std::vector<std::string> names;
  for (const auto& k : KnownEffects()) names.push_back(k.takes_arg ? "{" + k.name + ": <name>}" : k.name);
  return JoinNames(names);
}

const EffectKind* FindEffect(const std::string& kind) {
  for (const auto& k : KnownEffects())
    if (k.name == kind) return &k;
  return nullptr;
}

bool IsKnownGuard(const std::string& g) {
  const auto& known = KnownGuards();
  return std::find(known.begin(), known.end(), g) != known.end();
}

class GraphChecker {
 public:
  GraphChecker(const Workflow& wf, const DefinitionLines& lines) : wf_(wf), lines_(lines) {}

  std::vector<Diagnostic> Run() {
    CheckRequestType();
    CheckTransitions("any_state", nullptr, wf_.any_state);
    for (const auto& [name, state] : wf_.states) {
      CheckTransitions("state " + Quote(name), &state, state.on);
      CheckState(state);
    }
    bool initial_ok = CheckInitial();
    if (initial_ok && targets_ok_) CheckReachability();
    std::stable_sort(out_.begin(), out_.end(),
                     [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; });
    return std::move(out_);
  }

 private:
  void Report(int line, std::string message) {
    out_.push_back(Diagnostic{wf_.source_path, line > 0 ? line : 1, std::move(message)});
  }

  void CheckRequestType() {
    if (ParseRequestType(wf_.request_type)) return;
    Report(lines_.request_type, "request_type " + Quote(wf_.request_type) +
                  " is not a request type (access, deletion, portability, correction, opt_out_sale, "
                  "opt_out_marketing, objection)");
  }

  bool CheckInitial() {
    const StateDef* s = wf_.FindState(wf_.initial);
    if (s == nullptr) {
      Report(lines_.initial, "initial state " + Quote(wf_.initial) + " is not defined under states");
      return false;
    }
    if (s->final) {
      Report(lines_.initial, "initial state " + Quote(wf_.initial) + " must not be final");
      return false;
    }
    return true;
  }

  void CheckTransitions(const std::string& where, const StateDef* state,
                        const std::map<std::string, std::vector<TransitionDef>>& on) {
    for (const auto& [event, candidates] : on) {
      const std::string at = where + ": transition on " + Quote(event);
      for (size_t i = 0; i < candidates.size(); ++i) {
        const TransitionDef& t = candidates[i];
        if (t.to && wf_.FindState(*t.to) == nullptr) {
          Report(t.line, at + " targets unknown state " + Quote(*t.to));
          targets_ok_ = false;
        }
        for (const auto& g : t.guards) {
          if (!IsKnownGuard(g))
            Report(t.line, at + ": unknown guard " + Quote(g) + " (known: " + JoinNames(KnownGuards()) + ")");
        }
        for (const auto& e : t.effects) {
          const EffectKind* k = FindEffect(e.kind);
          if (k == nullptr) {
            Report(e.line, at + ": unknown effect " + Quote(e.kind) + " (known: " + KnownEffectList() + ")");
          } else if (k->takes_arg && e.arg.empty()) {
            Report(e.line, at + ": effect " + Quote(e.kind) + " needs an argument: write {" + e.kind + ": <name>}");
          } else if (!k->takes_arg && !e.arg.empty()) {
            Report(e.line, at + ": effect " + Quote(e.kind) + " takes no argument: write it as a plain string");
          }
        }
        if (t.guards.empty() && i + 1 < candidates.size()) {
          Report(candidates[i + 1].line, at + ": candidate " + std::to_string(i + 1) +
                                             " has no guards, so the candidates after it are never taken "
                                             "(put the unguarded catch-all last)");
        }
      }
    }
  }

  void CheckState(const StateDef& s) {
    const std::string name = Quote(s.name);
    if (s.final) {
      if (!s.on.empty()) Report(s.line, "final state " + name + " must not define transitions ('on'): final states refuse events");
      if (s.timeout) Report(s.timeout->line, "final state " + name + " must not have a timeout");
      return;
    }
    if (s.timeout) {
      const std::string& ev = s.timeout->event;
      if (!s.on.count(ev) && !wf_.any_state.count(ev)) {
        Report(s.timeout->line, "state " + name + ": timeout event " + Quote(ev) +
                                    " is not handled by the state (add it under 'on')");
      }
    }
  }

  // Successors of a state: own transitions, plus any_state ones for events it does not define.
  std::set<std::string> Successors(const StateDef& s) const {
    std::set<std::string> next;
    if (s.final) return next;
    auto add = [&](const std::vector<TransitionDef>& candidates) {
      for (const auto& t : candidates) next.insert(t.to.value_or(s.name));
    };
    for (const auto& [event, candidates] : s.on) add(candidates);
    for (const auto& [event, candidates] : wf_.any_state)
      if (!s.on.count(event)) add(candidates);
    return next;
  }

  void CheckReachability() {
    std::map<std::string, std::set<std::string>> succ;
    for (const auto& [name, s] : wf_.states) succ[name] = Successors(s);

    // Forward from the initial state.
    std::set<std::string> reached = {wf_.initial};
    std::deque<std::string> queue = {wf_.initial};
    while (!queue.empty()) {
      std::string cur = queue.front();
      queue.pop_front();
      for (const auto& n : succ[cur])
        if (reached.insert(n).second) queue.push_back(n);
    }
    for (const auto& [name, s] : wf_.states) {
      if (!reached.count(name))
        Report(s.line, "state " + Quote(name) + " is unreachable from the initial state " + Quote(wf_.initial));
    }

    // Backward from the final states.
    std::set<std::string> can_finish;
    for (const auto& [name, s] : wf_.states)
      if (s.final) can_finish.insert(name);
    if (can_finish.empty()) {
      Report(lines_.states, "no final state is defined (mark at least one state 'final: true')");
      return;
    }
    bool changed = true;
    while (changed) {
      changed = false;
      for (const auto& [name, next] : succ) {
        if (can_finish.count(name)) continue;
        if (std::any_of(next.begin(), next.end(), [&](const std::string& n) { return can_finish.count(n) > 0; })) {
          can_finish.insert(name);
          changed = true;
        }
      }
    }
    for (const auto& [name, s] : wf_.states) {
      if (reached.count(name) && !can_finish.count(name))
        Report(s.line, "state " + Quote(name) + ": no final state is reachable from it");
    }
  }

  const Workflow& wf_;
  const DefinitionLines& lines_;
  bool targets_ok_ = true;
  std::vector<Diagnostic> out_;
};

}  // namespace

std::vector<Diagnostic> CheckWorkflowGraph(const Workflow& wf, const DefinitionLines& lines) {
  return GraphChecker(wf, lines).Run();
}

}  // namespace dsar::workflow
