// The service over a real store and the shipped workflows: what one transition writes, replay,
// stale versions, idempotency, atomicity under an injected failure, verification, holds,
// duplicates and workflow pinning.
#include <sqlite3.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "core/interpreter.h"
#include "api/presenters.h"
#include "holds/holds.h"
#include "identity/agents.h"
#include "identity/api_tokens.h"
#include "identity/codes.h"
#include "identity/data_points.h"
#include "identity/suppression.h"
#include "intake/inbound_queue.h"
#include "intake/intake.h"
#include "intake/read_mail.h"
#include "release/downloads.h"
#include "release/review.h"
#include "requests/corrections.h"
#include "requests/engine.h"
#include "requests/tasks.h"
#include "schedule/workers.h"
#include "support/service_fixture.h"

using namespace dsar;
using namespace dsar::test;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> Path(const std::vector<store::TransitionRow>& ts) {
  std::vector<std::string> out;
  for (const auto& t : ts) out.push_back(t.from_state.value_or("-") + ">" + t.to_state + ":" + t.event);
  return out;
}

RequestSnapshot Replay(const std::vector<store::TransitionRow>& ts) {
  RequestSnapshot s;
  for (const auto& t : ts) {
    std::vector<std::string> kinds;
    const boost::json::value effects = boost::json::parse(t.effects_json);
    for (const auto& e : effects.as_array())
      kinds.push_back(std::string(e.as_object().at("kind").as_string()));
    s = Fold(s, t.to_state, kinds);
  }
  return s;
}

}  // namespace

TEST_CASE("creating a request writes the request, its history, its mail, its code and its timer together",
          "[service]") {
  Fixture f;
  const auto r = f.Create("access", "Alex.Morgan@Example.com");
  CHECK(r.state == "verifying");
  CHECK(r.version == 2);
  CHECK(r.subject_email == "alex.morgan@example.com");
  // GDPR Art. 12(3): one month; 20 December 2026 is a Sunday, so the period ends on Monday
  // (Regulation 1182/71 Art. 3(4)); the default zone is UTC.
  CHECK(FormatRfc3339(*r.due_at) == "2026-12-21T23:59:59.999Z");
  auto ts = f.svc->Transitions(r.id);
  REQUIRE(ts.ok());
  CHECK(Path(*ts) == std::vector<std::string>{"->received:create", "received>verifying:submit"});
  CHECK(f.Count("SELECT count(*) FROM outbox WHERE request_id = '" + r.id + "'") == 2);
  CHECK(f.Count("SELECT count(*) FROM verifications WHERE request_id = '" + r.id + "'") == 1);
  CHECK(f.Count("SELECT count(*) FROM timers WHERE request_id = '" + r.id + "' AND event = 'verification_expired' AND fire_at = " +
                std::to_string(kStart + 30 * kMillisPerDay)) == 1);
  // The code is stored only as a keyed hash: no 6-digit code column, and the hash is 64 hex.
  CHECK(f.Count("SELECT count(*) FROM verifications WHERE length(code_hash) = 64") == 1);
}

TEST_CASE("a request's stored state equals the replay of its transitions", "[service][replay]") {
  Fixture f;
  std::vector<std::string> ids;
  ids.push_back(f.Create("access", "a@example.com").id);
  ids.push_back(f.Create("deletion", "b@example.com").id);
  ids.push_back(f.Create("opt_out_sale", "c@example.com", "ccpa").id);
  ids.push_back(f.Create("correction", "d@example.com").id);
  // Drive them along different paths.
  Event cancel{"cancel", "staff:test", "requester withdrew", {}};
  REQUIRE(f.svc->ApplyStaffEvent(ids[0], cancel, std::nullopt).ok());
  const auto b = f.svc->Get(ids[1]);
  REQUIRE(Verify(*f.svc, ids[1], f.CodeFor(b->reference), "requester").ok());
  Event manual{"verify_manually", "staff:test", "", {}};
  manual.data["note"] = "passport checked at the front desk";
  REQUIRE(f.svc->ApplyStaffEvent(ids[3], manual, std::nullopt).ok());
  for (const auto& id : ids) {
    auto row = f.svc->Get(id);
    auto ts = f.svc->Transitions(id);
    REQUIRE(row.ok());
    REQUIRE(ts.ok());
    const RequestSnapshot replayed = Replay(*ts);
    CHECK(replayed.state == row->state);
    CHECK(replayed.version == row->version);
    CHECK(replayed.identity_verified == row->identity_verified);
  }
  CHECK(f.svc->Get(ids[0])->state == "cancelled");
  CHECK(f.svc->Get(ids[1])->state == "fulfilling");
  CHECK(f.svc->Get(ids[2])->state == "fulfilling");
  CHECK(f.svc->Get(ids[3])->state == "awaiting_approval");  // correction v5: staff approve the changes
}

TEST_CASE("a stale expected_version conflicts and writes nothing", "[service]") {
  Fixture f;
  const auto r = f.Create("deletion", "e@example.com");
  Event assign{"assign", "staff:test", "", {}};
  assign.data["staff"] = "maria";
  auto stale = f.svc->ApplyStaffEvent(r.id, assign, r.version - 1);
  REQUIRE_FALSE(stale.ok());
  CHECK(stale.status().IsConflict());
  CHECK(f.Count("SELECT count(*) FROM transitions WHERE request_id = '" + r.id + "'") == 2);
  auto fresh = f.svc->ApplyStaffEvent(r.id, assign, r.version);
  REQUIRE(fresh.ok());
  CHECK(fresh->version == r.version + 1);
  CHECK(fresh->state == "verifying");  // assign is an internal transition
}

TEST_CASE("an event the workflow refuses is a refusal, and staff cannot send system events", "[service]") {
  Fixture f;
  const auto r = f.Create("deletion", "g@example.com");
  auto refused = f.svc->ApplyStaffEvent(r.id, Event{"complete_task", "staff:test", "", {}}, std::nullopt);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().IsRefused());
  auto system = f.svc->ApplyStaffEvent(r.id, Event{"fulfilled", "staff:test", "", {}}, std::nullopt);
  REQUIRE_FALSE(system.ok());
  CHECK(system.status().kind() == Status::Kind::kUnprocessable);
  CHECK(f.Count("SELECT count(*) FROM transitions") == 2);
}

TEST_CASE("an Idempotency-Key replay returns the first request and writes nothing", "[service]") {
  Fixture f;
  service::CreateRequestInput in;
  in.type = "access";
  in.subject.email = "h@example.com";
  in.idempotency_key = "key-1";
  in.fingerprint = "body-1";
  auto first = f.svc->CreateRequest(in);
  auto second = f.svc->CreateRequest(in);
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(second->replayed);
  CHECK(second->request.id == first->request.id);
  CHECK(f.Count("SELECT count(*) FROM requests") == 1);
  in.fingerprint = "another body";
  auto reused = f.svc->CreateRequest(in);
  REQUIRE_FALSE(reused.ok());
  CHECK(reused.status().kind() == Status::Kind::kUnprocessable);
}

TEST_CASE("a failed transaction leaves nothing half-written", "[service][fault]") {
  Fixture f;
  for (int n = 1; n <= 3; ++n) {
    f.store->TEST_FailCommitAfter(1);
    service::CreateRequestInput in;
    in.type = "deletion";
    in.subject.email = "fault@example.com";
    auto r = f.svc->CreateRequest(in);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().IsIoError());
    for (const char* table : {"requests", "transitions", "outbox", "verifications", "timers", "jobs"})
      CHECK(f.Count(std::string("SELECT count(*) FROM ") + table) == 0);
  }
  CHECK(f.Text("PRAGMA integrity_check") == "ok");
  f.Create("deletion", "fault@example.com");  // and the store still works
  CHECK(f.Count("SELECT count(*) FROM requests") == 1);
}

TEST_CASE("verification: a wrong code is counted; the last allowed one locks the code, not the request",
          "[service][verify]") {
  Fixture f;
  const auto r = f.Create("deletion", "i@example.com");
  const std::string code = f.CodeFor(r.reference);
  const std::string wrong = code == "000000" ? "111111" : "000000";
  auto first = Verify(*f.svc, r.id, wrong, "requester");
  REQUIRE_FALSE(first.ok());
  CHECK(first.status().message() == "wrong code; 4 attempt(s) left");
  CHECK(f.Count("SELECT attempts FROM verifications WHERE request_id = '" + r.id + "'") == 1);
  for (int i = 0; i < 3; ++i) CHECK_FALSE(Verify(*f.svc, r.id, wrong, "requester").ok());
  auto last = Verify(*f.svc, r.id, wrong, "requester");
  REQUIRE_FALSE(last.ok());
  CHECK(last.status().message() == "wrong code; no attempts left, the code is locked");
  // Whoever guessed cannot get the request denied: it still waits for the data subject.
  CHECK(f.svc->Get(r.id)->state == "verifying");
  // Even the right code no longer works; staff can verify by other means.
  auto locked = Verify(*f.svc, r.id, code, "requester");
  REQUIRE_FALSE(locked.ok());
  CHECK(locked.status().message() == "too many wrong codes; the code is locked");
  Event manual{"verify_manually", "staff:test", "passport seen at the front desk", {}};
  REQUIRE(f.svc->ApplyStaffEvent(r.id, manual, std::nullopt).ok());
  CHECK(f.svc->Get(r.id)->state == "fulfilling");  // hold check passed at once
}

TEST_CASE("a blank reason or note is no reason", "[service][regress]") {
  Fixture f;
  const auto r = f.Create("access", "blank@example.com", "gdpr");
  const std::vector<std::string> blanks = {"   ", std::string(1, '\0'), "\t\r\n"};
  for (const std::string& blank : blanks) {
    CHECK(f.svc->ApplyStaffEvent(r.id, Event{"extend", "staff:test", blank, {}}, std::nullopt).status().IsRefused());
    CHECK(f.svc->ApplyStaffEvent(r.id, Event{"verify_manually", "staff:test", blank, {}}, std::nullopt)
              .status()
              .IsRefused());
  }
  CHECK(f.svc->Get(r.id)->extensions == 0);
  CHECK_FALSE(f.svc->Get(r.id)->identity_verified);
}

TEST_CASE("an expired code is refused", "[service][verify]") {
  Fixture f;
  const auto r = f.Create("access", "j@example.com");
  const std::string code = f.CodeFor(r.reference);
  f.clock.Advance(24 * kMillisPerHour + 1);
  auto v = Verify(*f.svc, r.id, code, "requester");
  REQUIRE_FALSE(v.ok());
  CHECK(v.status().message() == "the code has expired");
  CHECK(f.svc->Get(r.id)->state == "verifying");
}

TEST_CASE("a legal hold stops a deletion before fulfillment; releasing it resumes the request", "[service][holds]") {
  Fixture f;
  const auto r = f.Create("deletion", "k@example.com");
  const auto access = f.Create("access", "k@example.com");
  service::HoldInput h{"K@example.com", "", "MATTER-1", "litigation", "staff:legal"};
  auto hold = PlaceHold(*f.svc, h);
  REQUIRE(hold.ok());
  REQUIRE(Verify(*f.svc, r.id, f.CodeFor(r.reference), "requester").ok());
  CHECK(f.svc->Get(r.id)->state == "on_hold");
  CHECK(f.Count("SELECT count(*) FROM jobs WHERE request_id = '" + r.id + "'") == 0);
  // Holds do not stop access requests.
  REQUIRE(Verify(*f.svc, access.id, f.CodeFor(access.reference), "requester").ok());
  CHECK(f.svc->Get(access.id)->state == "fulfilling");
  REQUIRE(ReleaseHold(*f.svc, hold->id, "staff:legal", "settled").ok());
  CHECK(f.svc->Get(r.id)->state == "fulfilling");
  CHECK(f.Count("SELECT count(*) FROM jobs WHERE step = 'erase' AND status = 'pending' AND request_id = '" + r.id + "'") == 1);
  CHECK(Path(*f.svc->Transitions(r.id)) ==
        std::vector<std::string>{"->received:create", "received>verifying:submit", "verifying>verifying:hold_placed",
                                 "verifying>hold_check:identity_verified", "hold_check>on_hold:hold_active",
                                 "on_hold>hold_check:hold_released", "hold_check>fulfilling:holds_clear"});
  auto again = ReleaseHold(*f.svc, hold->id, "staff:legal", "twice");
  REQUIRE_FALSE(again.ok());
  CHECK(again.status().IsConflict());
  CHECK(ReleaseHold(*f.svc, "no-such-hold", "staff:legal", "").status().IsNotFound());
}

TEST_CASE("a second open request of the same type for the same data subject is a duplicate", "[service]") {
  Fixture f;
  const auto first = f.Create("deletion", "l@example.com");
  const auto second = f.Create("deletion", "L@Example.com");
  CHECK(second.state == "duplicate");
  CHECK(second.duplicate_of == first.id);
  CHECK_FALSE(second.due_at.has_value());
  const auto other_type = f.Create("access", "l@example.com");
  CHECK(other_type.state == "verifying");
}

TEST_CASE("a request stays pinned to the workflow definition it started under", "[service][pinning]") {
  char tmpl[] = "/tmp/dsar-wf-XXXXXX";
  const fs::path wf_dir = mkdtemp(tmpl);
  fs::copy(std::string(DSAR_SOURCE_DIR) + "/workflows", wf_dir, fs::copy_options::recursive);
  Fixture f(wf_dir.string());
  const auto old = f.Create("objection", "m@example.com");
  // Publish a new objection workflow that needs staff approval before the task.
  std::string yaml = Slurp(wf_dir / "objection.yaml");
  const std::string from = "to: awaiting_task";
  REQUIRE(yaml.find(from) != std::string::npos);
  for (size_t at; (at = yaml.find(from)) != std::string::npos;) yaml.replace(at, from.size(), "to: awaiting_approval");
  yaml += "\n  awaiting_approval:\n    on:\n      approve: { to: awaiting_task }\n";
  std::ofstream(wf_dir / "objection.yaml") << yaml;
  f.Open();
  const auto fresh = f.Create("objection", "n@example.com");
  CHECK(fresh.workflow_hash != old.workflow_hash);
  Event manual{"verify_manually", "staff:test", "id card seen", {}};
  REQUIRE(f.svc->ApplyStaffEvent(old.id, manual, std::nullopt).ok());
  REQUIRE(f.svc->ApplyStaffEvent(fresh.id, manual, std::nullopt).ok());
  CHECK(f.svc->Get(old.id)->state == "awaiting_task");       // the old rules
  CHECK(f.svc->Get(fresh.id)->state == "awaiting_approval");  // the new ones
  REQUIRE(f.svc->ApplyStaffEvent(fresh.id, Event{"approve", "staff:test", "", {}}, std::nullopt).ok());
  CHECK(f.svc->Get(fresh.id)->state == "awaiting_task");
  std::error_code ec;
  fs::remove_all(wf_dir, ec);
}

TEST_CASE("a timer fires once, after its time, and leaving the state cancels it", "[service][timers]") {
  Fixture f;
  const auto waiting = f.Create("access", "p@example.com");
  const auto verified = f.Create("access", "q@example.com");
  REQUIRE(Verify(*f.svc, verified.id, f.CodeFor(verified.reference), "requester").ok());
  service::Workers w(*f.svc, nullptr);
  f.clock.Advance(30 * kMillisPerDay - 1);
  REQUIRE(w.FireTimers().ok());
  CHECK(f.svc->Get(waiting.id)->state == "verifying");
  f.clock.Advance(1);
  REQUIRE(w.FireTimers().ok());
  REQUIRE(w.FireTimers().ok());  // nothing fires twice
  const auto denied = f.svc->Get(waiting.id);
  CHECK(denied->state == "denied");
  const auto ts = f.svc->Transitions(waiting.id);
  CHECK(ts->size() == 3);
  CHECK(ts->back().event == "verification_expired");
  CHECK(ts->back().actor == "timer");
  CHECK(ts->back().reason == "the request was not confirmed with the code we sent in the time allowed");
  CHECK(boost::json::parse(ts->back().data_json).at("reason_code").as_string() == "insufficient_verification");
  CHECK(f.Count("SELECT count(*) FROM timers WHERE kind = 'state' AND fired_at IS NOT NULL") == 1);
  // The verified request left `verifying`: its timeout and its requester reminder were cancelled.
  CHECK(f.Count("SELECT count(*) FROM timers WHERE request_id = '" + verified.id +
                "' AND kind IN ('state', 'requester_reminder') AND cancelled_at IS NOT NULL") == 2);
  CHECK(f.Count("SELECT count(*) FROM transitions WHERE request_id = '" + verified.id + "'") == 3);
}

TEST_CASE("a failed fulfillment step puts the request in error; retry schedules the step again", "[service][jobs]") {
  Fixture f;  // no company systems configured: every step fails
  const auto r = f.Create("opt_out_sale", "s@example.com", "ccpa");
  CHECK(r.state == "fulfilling");
  service::Workers w(*f.svc, nullptr);
  CHECK(*w.RunJobs() == 1);
  const auto failed = f.svc->Get(r.id);
  CHECK(failed->state == "error");
  // The failed step (system/table/action) and the cause (issue 5 §4).
  CHECK(f.svc->Transitions(r.id)->back().reason == "opt_out_sale failed at company_db: no company systems are configured");
  CHECK(f.Count("SELECT count(*) FROM jobs WHERE request_id = '" + r.id + "' AND status = 'failed'") == 1);
  auto retried = f.svc->ApplyStaffEvent(r.id, Event{"retry", "staff:test", "", {}}, std::nullopt);
  REQUIRE(retried.ok());
  CHECK(retried->state == "fulfilling");
  CHECK(f.Count("SELECT count(*) FROM jobs WHERE request_id = '" + r.id + "' AND status = 'pending'") == 1);
}

// Findings of the first acceptance run (issue 2), each pinned by a test.

TEST_CASE("the verification code goes to the data subject only, never to an authorized agent", "[service][regress]") {
  Fixture f;
  service::CreateRequestInput in;
  in.type = "deletion";
  in.subject.email = "liam.haddad@example.org";
  in.requester = Requester{"mallory@evil.example", "Mallory", "authorized_agent", ""};
  auto r = f.svc->CreateRequest(in);
  REQUIRE(r.ok());
  CHECK(f.Text("SELECT to_json FROM outbox WHERE template = 'verification_code'") == R"(["liam.haddad@example.org"])");
  // The acknowledgment goes to both.
  CHECK(f.Text("SELECT to_json FROM outbox WHERE template = 'acknowledgment'") ==
        R"(["liam.haddad@example.org","mallory@evil.example"])");
}

TEST_CASE("a request cancelled before its step runs never has the step run", "[service][regress]") {
  Fixture f;
  const auto r = f.Create("opt_out_sale", "t@example.com", "ccpa");
  REQUIRE(f.svc->ApplyStaffEvent(r.id, Event{"cancel", "staff:test", "withdrawn", {}}, std::nullopt).ok());
  service::Workers w(*f.svc, nullptr);
  CHECK(*w.RunJobs() == 1);
  CHECK(f.Text("SELECT status || ': ' || error FROM jobs WHERE request_id = '" + r.id + "'") ==
        "cancelled: the request is 'cancelled': the step was not run");
  CHECK(f.svc->Get(r.id)->state == "cancelled");
}

TEST_CASE("cancel and deny wait while a fulfillment step runs", "[service][regress]") {
  Fixture f;
  const auto r = f.Create("opt_out_sale", "u@example.com", "ccpa");
  REQUIRE(f.store->Transact([&](store::Tx& tx) {
    auto jobs = tx.JobsFor(r.id);
    return tx.ClaimJob(jobs->front().id);
  }).ok());
  auto cancel = f.svc->ApplyStaffEvent(r.id, Event{"cancel", "staff:test", "withdrawn", {}}, std::nullopt);
  REQUIRE_FALSE(cancel.ok());
  CHECK(cancel.status().IsConflict());
  CHECK(cancel.status().message() ==
        "fulfillment step 'opt_out_sale' is running on request " + r.reference + "; cancel it once the step has finished");
  // A crash leaves the job running; the next start puts it back in the queue.
  service::Workers w(*f.svc, nullptr);
  CHECK(*w.Recover() == 1);
  CHECK(f.Text("SELECT status FROM jobs WHERE request_id = '" + r.id + "'") == "pending");
}

TEST_CASE("a legal hold placed by account id covers a request that names only the email", "[service][regress]") {
  Fixture f;
  f.svc->SetAccountResolver([](const DataSubject& s) -> Result<std::vector<std::string>> {
    if (s.email == "v@example.com") return std::vector<std::string>{"acc_v"};
    return std::vector<std::string>{};
  });
  REQUIRE(PlaceHold(*f.svc, {"", "acc_v", "M-9", "litigation", "staff:legal"}).ok());
  const auto r = f.Create("deletion", "v@example.com");
  CHECK(r.subject_account == "acc_v");
  REQUIRE(Verify(*f.svc, r.id, f.CodeFor(r.reference), "requester").ok());
  CHECK(f.svc->Get(r.id)->state == "on_hold");
}

TEST_CASE("complete_task names a task the request has open", "[service][regress]") {
  Fixture f;
  const auto r = f.Create("objection", "w@example.com");
  Event manual{"verify_manually", "staff:test", "id card seen", {}};
  REQUIRE(f.svc->ApplyStaffEvent(r.id, manual, std::nullopt).ok());
  Event wrong{"complete_task", "staff:test", "", {}};
  wrong.data["task"] = "wrong_task";
  auto refused = f.svc->ApplyStaffEvent(r.id, wrong, std::nullopt);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message() == "no open task 'wrong_task' on request " + r.reference + " (open: review_objection)");
  Event right{"complete_task", "staff:test", "", {}};
  right.data["task"] = "review_objection";
  REQUIRE(f.svc->ApplyStaffEvent(r.id, right, std::nullopt).ok());
  CHECK(f.Text("SELECT status FROM jobs WHERE request_id = '" + r.id + "'") == "closed");
}

TEST_CASE("addresses must be one plain email address", "[service][regress]") {
  Fixture f;
  const std::vector<std::string> bads = {"a@example.org,victim@evil.example", std::string("nul@example.org\0evil", 20),
                                        "a@@example.org",   "a@b", "Name <a@example.org>", "a b@example.org",
                                        "@example.org",     "a@example..org", "a@-example.org"};
  for (const std::string& bad : bads) {
    INFO(bad);
    service::CreateRequestInput in;
    in.type = "access";
    in.subject.email = bad;
    auto r = f.svc->CreateRequest(in);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().IsInvalid());
  }
  CHECK(f.Count("SELECT count(*) FROM requests") == 0);
  CHECK(PlaceHold(*f.svc, {"nope", "", "M", "r", "staff:x"}).status().IsInvalid());
  // Blanks around a good address are trimmed.
  const auto ok = f.Create("access", "  ok@example.com ");
  CHECK(f.Text("SELECT json_extract(subject_json, '$.email') FROM requests") == "ok@example.com");
}

TEST_CASE("a different message that reuses a Message-ID is not a redelivery", "[service][regress][intake]") {
  Fixture f;
  auto mail = [](const std::string& from, const std::string& body) {
    return "From: " + from + "\r\nTo: privacy@nimbus.example\r\nSubject: Request\r\nMessage-ID: <same-1@example.org>\r\n"
           "Date: Mon, 16 Nov 2026 10:00:00 +0000\r\n\r\n" + body + "\r\n";
  };
  auto first = IntakeMail(*f.svc, mail("a.person@example.org", "Please delete my account and all my personal data."));
  REQUIRE(first.ok());
  CHECK(first->kind == "request");
  auto other = IntakeMail(*f.svc, mail("someone.else@example.net", "Please send me a copy of all my personal data."));
  REQUIRE(other.ok());
  CHECK(other->kind == "request");
  CHECK(other->reference != first->reference);
  auto again = IntakeMail(*f.svc, mail("a.person@example.org", "Please delete my account and all my personal data."));
  REQUIRE(again.ok());
  CHECK(again->line == first->reference + " (redelivery)");
  CHECK(f.Count("SELECT count(*) FROM requests") == 2);
  CHECK(f.Count("SELECT count(*) FROM inbound_messages") == 3);
}

// ---- Legal deadlines in the service (issue 3) ----

namespace {
std::string Iso(const std::optional<Millis>& t) { return t ? FormatRfc3339(*t) : "none"; }
Millis At(const char* rfc3339) { return *ParseRfc3339(rfc3339); }
}  // namespace

TEST_CASE("reminders reach the outbox at their instants, once, and never on a final state", "[service][deadlines]") {
  Fixture f(std::string(DSAR_SOURCE_DIR) + "/workflows", "America/Los_Angeles");
  f.clock.Set(At("2026-11-25T08:00:00Z"));  // midnight in Los Angeles
  service::CreateRequestInput in;
  in.type = "access";
  in.jurisdiction = "ccpa";
  in.subject.email = "x@example.com";
  in.received_at = At("2026-11-25T07:30:00Z");  // 23:30 on Tuesday 24 November, local
  auto created = f.svc->CreateRequest(in);
  REQUIRE(created.ok());
  const auto r = created->request;
  // Receipt date + 45 days = Friday 8 January 2027, end of day in Los Angeles (§ 7021(b)); the
  // acknowledgment 10 business days after 24 November, skipping Thanksgiving and the day after
  // (California state holidays) = Thursday 10 December (§ 7021(a)).
  CHECK(Iso(r.due_at) == "2027-01-09T07:59:59.999Z");
  CHECK(Iso(r.ack_due_at) == "2026-12-11T07:59:59.999Z");
  CHECK(api::RequestJson(r, f.clock.Now(), f.svc->deadlines()).at("days_left").as_int64() == 44);
  REQUIRE(Verify(*f.svc, r.id, f.CodeFor(r.reference), "requester").ok());
  CHECK(f.Text("SELECT group_concat(kind || '@' || fire_at, ' ') FROM (SELECT kind, fire_at FROM timers WHERE "
               "request_id = '" + r.id + "' AND cancelled_at IS NULL ORDER BY fire_at)") ==
        "staff_reminder@1798790400000 staff_reminder@1799222400000 overdue@1799481600000");

  service::Workers w(*f.svc, nullptr);
  auto mails = [&](const std::string& tmpl) {
    return f.Count("SELECT count(*) FROM outbox WHERE template = '" + tmpl + "' AND request_id = '" + r.id + "'");
  };
  f.clock.Set(At("2027-01-01T07:59:59.999Z"));
  REQUIRE(w.FireTimers().ok());
  CHECK(mails("staff_reminder") == 0);
  f.clock.Set(At("2027-01-01T08:00:00Z"));  // seven days before the due day, at local midnight
  REQUIRE(w.FireTimers().ok());
  CHECK(mails("staff_reminder") == 1);
  CHECK(f.Text("SELECT to_json || ' ' || subject FROM outbox WHERE template = 'staff_reminder'") ==
        R"(["privacy-team@nimbus.example"] [)" + r.reference + "] Reminder: access (copy of your personal data) "
        "request due 2027-01-08");
  // Three days of downtime after the deadline: one overdue warning, not one per missed day.
  f.clock.Set(At("2027-01-12T10:00:00Z"));
  REQUIRE(w.FireTimers().ok());
  REQUIRE(w.FireTimers().ok());
  CHECK(mails("staff_reminder") == 1);  // the 2-day reminder, missed, is not sent late: the warning is
  CHECK(mails("staff_overdue") == 1);
  CHECK(f.Text("SELECT to_json FROM outbox WHERE template = 'staff_overdue'") ==
        R"(["privacy-team@nimbus.example","privacy-lead@nimbus.example"])");
  CHECK(f.Text("SELECT fire_at FROM timers WHERE kind = 'overdue' AND fired_at IS NULL AND cancelled_at IS NULL") ==
        "1799827200000");  // the next: the start of 13 January, local
  // One meaning of "due": days_left, the overdue filter and the warning agree.
  const auto now_row = f.svc->Get(r.id);
  CHECK(api::RequestJson(*now_row, f.clock.Now(), f.svc->deadlines()).at("days_left").as_int64() == -4);
  CHECK(api::RequestJson(*now_row, f.clock.Now(), f.svc->deadlines()).at("overdue").as_bool());
  store::RequestFilter overdue;
  overdue.overdue = true;
  CHECK(f.svc->List(overdue)->size() == 1);
  // A final state has no countdown: its reminders are cancelled and nothing more is sent.
  REQUIRE(f.svc->ApplyStaffEvent(r.id, Event{"deny", "staff:test", "exempt data", {{"reason_code", "exempt_data"}}},
                                 std::nullopt)
              .ok());
  f.clock.Set(At("2027-01-20T10:00:00Z"));
  REQUIRE(w.FireTimers().ok());
  CHECK(mails("staff_overdue") == 1);
  CHECK(f.svc->List(overdue)->empty());
  CHECK(api::RequestJson(*f.svc->Get(r.id), f.clock.Now(), f.svc->deadlines()).at("days_left").is_null());
}

TEST_CASE("an extension in time moves the deadline and tells the requester; a second one is refused",
          "[service][deadlines]") {
  Fixture f(std::string(DSAR_SOURCE_DIR) + "/workflows", "Europe/Berlin");
  f.clock.Set(At("2026-11-16T10:00:00Z"));
  const auto r = f.Create("access", "y@example.com", "gdpr");
  CHECK(Iso(r.due_at) == "2026-12-16T22:59:59.999Z");  // one month, end of day in Berlin (CET)
  f.clock.Set(At("2026-11-20T09:00:00Z"));
  auto extended = f.svc->ApplyStaffEvent(r.id, Event{"extend", "staff:test", "a large number of systems to search", {}},
                                         std::nullopt);
  REQUIRE(extended.ok());
  CHECK(Iso(extended->due_at) == "2027-02-16T22:59:59.999Z");  // two further months (GDPR Art. 12(3))
  CHECK(extended->extensions == 1);
  CHECK(f.Text("SELECT subject FROM outbox WHERE template = 'extension_notice'") ==
        "[" + r.reference + "] We need more time for your access (copy of your personal data) request");
  const std::string notice = f.Text("SELECT body FROM outbox WHERE template = 'extension_notice'");
  CHECK(notice.find("Reason: a large number of systems to search") != std::string::npos);
  CHECK(notice.find("by 2027-02-16") != std::string::npos);
  auto again = f.svc->ApplyStaffEvent(r.id, Event{"extend", "staff:test", "more", {}}, std::nullopt);
  REQUIRE_FALSE(again.ok());
  CHECK(again.status().IsRefused());

  // Too late: the first month is over.
  const auto late = f.Create("access", "z@example.com", "gdpr");  // received 20 November
  f.clock.Set(At("2026-12-21T23:00:00Z"));  // after the end of Monday 21 December in Berlin
  auto refused = f.svc->ApplyStaffEvent(late.id, Event{"extend", "staff:test", "too late", {}}, std::nullopt);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().IsRefused());
  CHECK(f.Count("SELECT count(*) FROM outbox WHERE template = 'extension_notice'") == 1);
}

TEST_CASE("a pause where the law allows one moves the due day by the days paused", "[service][deadlines]") {
  Fixture f(std::string(DSAR_SOURCE_DIR) + "/workflows", "Europe/London");
  f.clock.Set(At("2026-09-01T10:00:00Z"));
  const auto r = f.Create("access", "pause@example.com", "uk_gdpr");
  CHECK(Iso(r.due_at) == "2026-10-01T22:59:59.999Z");  // day 1 is 1 September: Thursday 1 October (BST)
  f.clock.Set(At("2026-09-05T10:00:00Z"));
  auto paused = f.svc->ApplyStaffEvent(r.id, Event{"pause", "staff:test", "waiting for a copy of an ID", {}}, std::nullopt);
  REQUIRE(paused.ok());
  CHECK(paused->state == "paused");
  const auto json = api::RequestJson(*paused, f.clock.Now(), f.svc->deadlines());
  CHECK(json.at("paused").as_bool());
  CHECK(json.at("paused_since").as_string() == "2026-09-05T10:00:00Z");
  CHECK(json.at("days_left").is_null());  // the clock is stopped
  CHECK(f.Count("SELECT count(*) FROM timers WHERE request_id = '" + r.id +
                "' AND kind IN ('staff_reminder', 'overdue') AND fired_at IS NULL AND cancelled_at IS NULL") == 0);
  f.clock.Set(At("2026-09-15T10:00:00Z"));
  auto resumed = f.svc->ApplyStaffEvent(r.id, Event{"resume", "staff:test", "", {}}, std::nullopt);
  REQUIRE(resumed.ok());
  CHECK(resumed->state == "verifying");
  CHECK(resumed->paused_days == 10);
  CHECK(Iso(resumed->due_at) == "2026-10-12T22:59:59.999Z");  // 1 Oct + 10 = Sunday 11 Oct -> Monday 12 Oct
  CHECK(f.Count("SELECT count(*) FROM timers WHERE request_id = '" + r.id +
                "' AND kind = 'overdue' AND fired_at IS NULL AND cancelled_at IS NULL") == 1);
  // Under the GDPR the clock does not stop.
  const auto eu = f.Create("access", "eu@example.com", "gdpr");
  auto refused = f.svc->ApplyStaffEvent(eu.id, Event{"pause", "staff:test", "waiting", {}}, std::nullopt);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message() ==
        "event 'pause' refused in state 'verifying': the clock cannot stop (the jurisdiction does not allow it, or "
        "the deadline has passed)");
}

TEST_CASE("setting an unknown jurisdiction or the true receipt time recomputes the deadline", "[service][deadlines]") {
  Fixture f;
  f.clock.Set(At("2026-11-20T09:00:00Z"));
  const auto r = f.Create("access", "amend@example.com", "");
  CHECK(api::RequestJson(r, f.clock.Now(), f.svc->deadlines()).at("jurisdiction_unknown").as_bool());
  CHECK(Iso(r.due_at) == "2026-12-21T23:59:59.999Z");  // one month as under the GDPR: Sunday 20 -> Monday 21
  auto ccpa = f.svc->Amend(r.id, std::string("ccpa"), std::nullopt, "staff:test", std::nullopt);
  REQUIRE(ccpa.ok());
  CHECK(Iso(ccpa->due_at) == "2027-01-04T23:59:59.999Z");      // 20 November + 45 days
  CHECK(Iso(ccpa->ack_due_at) == "2026-12-08T23:59:59.999Z");  // 10 business days, California holidays
  // The letter came by post on 10 November: the true receipt time.
  auto earlier = f.svc->Amend(r.id, std::nullopt, At("2026-11-10T12:00:00Z"), "staff:test", ccpa->version);
  REQUIRE(earlier.ok());
  CHECK(Iso(earlier->due_at) == "2026-12-25T23:59:59.999Z");  // CCPA days are never moved
  const auto ts = f.svc->Transitions(r.id);
  CHECK(ts->back().event == "amend");
  CHECK(ts->back().data_json == R"({"received_at_before":"2026-11-20T09:00:00Z","received_at":"2026-11-10T12:00:00Z"})");
  // Never after the request was entered.
  auto later = f.svc->Amend(r.id, std::nullopt, At("2026-11-21T12:00:00Z"), "staff:test", std::nullopt);
  REQUIRE_FALSE(later.ok());
  CHECK(later.status().IsInvalid());
  CHECK(f.svc->Amend(r.id, std::string("mars"), std::nullopt, "staff:test", std::nullopt).status().kind() ==
        Status::Kind::kUnprocessable);
}

TEST_CASE("every jurisdiction's deadline on the request resource", "[service][deadlines]") {
  Fixture f;  // controller zone UTC
  f.clock.Set(At("2026-11-20T09:00:00Z"));  // a Friday
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"gdpr", "2026-12-21T23:59:59.999Z"},     // one month: Sunday 20 Dec -> Monday 21 Dec
      {"uk_gdpr", "2026-12-21T23:59:59.999Z"},  // day 1 is 20 Nov: Sunday 20 Dec -> Monday 21 Dec
      {"ccpa", "2027-01-04T23:59:59.999Z"},     // receipt date + 45 days
      {"vcdpa", "2027-01-04T23:59:59.999Z"},
      {"cpa", "2027-01-04T23:59:59.999Z"},
      {"ctdpa", "2027-01-04T23:59:59.999Z"},
      {"tdpsa", "2027-01-04T23:59:59.999Z"},
      {"lgpd", "2026-12-05T23:59:59.999Z"},     // 15 days
      {"pipeda", "2026-12-20T23:59:59.999Z"},   // 30 days
  };
  for (const auto& [jurisdiction, due] : expected) {
    INFO(jurisdiction);
    const auto r = f.Create("deletion", jurisdiction + "@example.com", jurisdiction);
    const auto json = api::RequestJson(r, f.clock.Now(), f.svc->deadlines());
    CHECK(json.at("due_at").as_string() == due);
    CHECK(json.at("jurisdiction").as_string() == jurisdiction);
    CHECK_FALSE(json.at("jurisdiction_unknown").as_bool());
  }
}

TEST_CASE("machine-generated mail is kept and ignored, never a request, never a reply", "[service][intake]") {
  Fixture f;
  const std::string public_dir = std::string(DSAR_SHARED_FIXTURES) + "/mail/public";
  std::ifstream manifest(public_dir + "/MANIFEST.tsv");
  std::string line;
  std::getline(manifest, line);
  int ignored = 0, triaged = 0;
  while (std::getline(manifest, line)) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    for (std::string c; std::getline(ss, c, '\t');) cols.push_back(c);
    const std::string& file = cols[0];
    const std::string expected = cols.size() > 1 ? cols[1] : "";
    INFO(file << " expected " << expected);
    auto out = IntakeMail(*f.svc, Slurp(public_dir + "/" + file));
    REQUIRE(out.ok());
    if (expected == "ignored") {
      CHECK(out->kind == "ignored");
      CHECK(out->line.rfind("ignored: ", 0) == 0);
      ++ignored;
    } else {
      CHECK(out->kind != "request");
      ++triaged;
    }
  }
  CHECK(ignored == 14);
  CHECK(f.Count("SELECT count(*) FROM requests") == 0);
  CHECK(f.Count("SELECT count(*) FROM inbound_messages") == ignored + triaged);  // every message kept
  CHECK(f.Count("SELECT count(*) FROM outbox") == 0);                          // and none answered
}

TEST_CASE("an amended deadline moves its reminders; a jurisdiction without extensions keeps a deadline",
          "[service][regress][deadlines]") {
  Fixture f;
  f.clock.Set(At("2026-11-20T10:00:00Z"));
  const auto r = f.Create("access", "move@example.com", "gdpr");  // due Monday 21 December
  REQUIRE(f.svc->ApplyStaffEvent(r.id, Event{"extend", "staff:test", "many systems", {}}, std::nullopt).ok());
  auto reminders = [&] {
    return f.Text("SELECT group_concat(fire_at, ' ') FROM (SELECT fire_at FROM timers WHERE request_id = '" + r.id +
                  "' AND kind IN ('staff_reminder', 'overdue') AND fired_at IS NULL AND cancelled_at IS NULL "
                  "ORDER BY fire_at)");
  };
  auto lgpd = f.svc->Amend(r.id, std::string("lgpd"), std::nullopt, "staff:test", std::nullopt);
  REQUIRE(lgpd.ok());
  // LGPD gives no extension: the one taken under the GDPR no longer counts; 15 days from receipt.
  CHECK(Iso(lgpd->due_at) == "2026-12-05T23:59:59.999Z");
  CHECK(reminders() == std::to_string(At("2026-11-28T00:00:00Z")) + " " + std::to_string(At("2026-12-03T00:00:00Z")) +
                           " " + std::to_string(At("2026-12-06T00:00:00Z")));
}


// ---- Two rights in one mail (issue 4) ----

TEST_CASE("a mail asking for two rights opens two requests from one message row", "[service][intake][multi]") {
  Fixture f;
  const std::string raw =
      "From: Rosa Lind <rosa.lind@example.org>\r\nTo: privacy@nimbus.example\r\nSubject: My data\r\n"
      "Message-ID: <two-rights-1@example.org>\r\nDate: Tue, 17 Nov 2026 09:00:00 +0000\r\n\r\n"
      "Hello,\r\n\r\nplease send me a copy of my data and then delete my account.\r\n\r\nRosa Lind\r\n";
  auto out = IntakeMail(*f.svc, raw);
  REQUIRE(out.ok());
  CHECK(out->kind == "request");
  CHECK(f.Count("SELECT count(*) FROM requests") == 2);
  CHECK(f.Count("SELECT count(*) FROM inbound_messages") == 1);
  const std::string first = f.Text("SELECT reference FROM requests WHERE type = 'access'");
  const std::string second = f.Text("SELECT reference FROM requests WHERE type = 'deletion'");
  CHECK(out->reference == first);
  CHECK(out->line == first + " " + second);
  CHECK(std::regex_match(out->line, std::regex("DSR-[0-9A-Z]{4}-[0-9A-Z]{4} DSR-[0-9A-Z]{4}-[0-9A-Z]{4}")));
  // Both requests carry the message row; the row links the first.
  const std::string row = std::to_string(out->message_row);
  CHECK(f.Count("SELECT count(*) FROM requests WHERE json_extract(details_json, '$.inbound_message') = " + row) == 2);
  CHECK(f.Text("SELECT r.reference FROM inbound_messages m JOIN requests r ON r.id = m.request_id WHERE m.id = " +
               row) == first);
  CHECK(f.Count("SELECT count(*) FROM requests WHERE subject_email = 'rosa.lind@example.org'") == 2);
  // Delivered again: one message, nothing doubled.
  auto again = IntakeMail(*f.svc, raw);
  REQUIRE(again.ok());
  CHECK(again->kind == "redelivery");
  CHECK(f.Count("SELECT count(*) FROM requests") == 2);
  // One right: one request, the details carry the message row as well.
  auto one = IntakeMail(*f.svc, 
      "From: Ada Byrne <ada.byrne@example.org>\r\nTo: privacy@nimbus.example\r\nSubject: Account\r\n"
      "Message-ID: <one-right-1@example.org>\r\n\r\nPlease delete my account and all my personal data.\r\n");
  REQUIRE(one.ok());
  CHECK(one->line == one->reference);
  CHECK(f.Count("SELECT count(*) FROM requests WHERE json_extract(details_json, '$.inbound_message') = " +
                std::to_string(one->message_row)) == 1);
}

TEST_CASE("a Maildir file with two rights seen again reports both references", "[service][intake][multi]") {
  Fixture f;
  const std::string raw =
      "From: Rosa Lind <rosa.lind@example.org>\r\nTo: privacy@nimbus.example\r\nSubject: Meine Daten\r\n\r\n"
      "Guten Tag,\r\n\r\nich bitte um Auskunft über meine gespeicherten Daten. Anschließend löschen Sie bitte mein "
      "Kundenkonto.\r\n\r\nMit freundlichen Grüßen\r\nRosa Lind\r\n";
  auto out = IntakeMail(*f.svc, raw, "1700000000.M1P1.host");
  REQUIRE(out.ok());
  REQUIRE(out->line.find(' ') != std::string::npos);
  auto replay = IntakeMail(*f.svc, raw, "1700000000.M1P1.host");
  REQUIRE(replay.ok());
  CHECK(replay->replayed);
  CHECK(replay->line == out->line);
  CHECK(f.Count("SELECT count(*) FROM requests") == 2);
}
