// Staff tasks with evidence, the step ledger and webhook callbacks (issue 5 §4): the request side of
// the connectors the step runner drives.
//
// Thread safety: free functions; each runs its own transaction.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <boost/json/object.hpp>
#include <boost/json/array.hpp>
#include "core/status.h"
#include "store/store.h"

namespace dsar::service {

class Engine;        // requests/engine.h
struct RequestView;  // requests/engine.h

// The keyed hash a webhook callback token is stored under (domain-separated from API tokens,
// download links and codes): Secrets::KeyedHash(CallbackHashInput(token)).
inline std::string CallbackHashInput(std::string_view token) { return "callback:" + std::string(token); }

// A staff task (issue 5 §4: manual systems of the map, and workflow tasks such as
// review_correction): a jobs row of kind "task".
struct TaskView {
  store::JobRow job;
  std::string reference, request_type, request_state;
};

// A file staff give as evidence when they complete a task: its bytes (borrowed) and media type.
struct EvidenceUpload {
  std::string_view bytes;
  std::string content_type;
};

// What a webhook callback did (POST /callbacks/{token}).
struct CallbackOutcome {
  std::string reference;  // of the request
  std::string system, action;
  std::string status;     // completed | failed, as the system said
};

// Staff complete a task of the request (a `complete_task` transition, data {task, note?,
// evidence?: {sha256, size, content_type, file}}): `note` and/or a file. The file is stored as
// <evidence_dir>/<reference>/<sha256> (folders 0700, file 0600) before the transition commits;
// the task_evidence row records its SHA-256, size and type with the actor. Invalid when neither
// a note nor a file is given; Refused when the request has no such open task or its workflow
// refuses the event; IoError when the file cannot be written.
Result<RequestView> CompleteTask(Engine& e, const std::string& id, const std::string& task, const std::string& note,
                                       std::optional<EvidenceUpload> file, const std::string& actor,
                                       std::optional<std::int64_t> expected_version);
// Open tasks of every request (request_id ""), or every task of one request, oldest first.
Result<std::vector<TaskView>> Tasks(Engine& e, const std::string& request_id);
// The request's step ledger (issue 5 §4), oldest first.
Result<std::vector<store::LedgerRow>> Ledger(Engine& e, const std::string& id);
// A webhook system's callback: `token` from the callback URL, `body` its JSON object with
// "status": "completed" (the step is done, its result the body) or "failed" ("error": why;
// the step fails and the request goes to `error`). The token works once, until its deadline;
// only its keyed hash is stored. NotFound for an unknown token; Gone when used, replaced or
// expired; Invalid for a body without a known status.
Result<CallbackOutcome> Callback(Engine& e, const std::string& token, const boost::json::object& body);

}  // namespace dsar::service
