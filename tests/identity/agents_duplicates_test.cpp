// Issue 5 §1-§2: a verified duplicate whose primary is not verified becomes the primary (and the
// old primary its duplicate); authorized agents wait for a recorded authorization (Cal. Code
// Regs. tit. 11 § 7063); opt-outs suspected by the fraud check wait for staff (§ 7026(d)-(e)).
// Erasures run against the small company database with the demo schema and systems map.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "fulfillment/connectors/sql/fulfiller.h"
#include "fulfillment/helpers.h"
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
#include "support/company_fixture.h"
#include "support/service_fixture.h"

using namespace dsar;
using namespace dsar::test;
namespace json = boost::json;
namespace ft = dsar::fulfillment::testing;

namespace {

store::RequestRow CreateByAgent(Fixture& f, const std::string& type, const std::string& email,
                                const std::string& agent = "agent@proxy.example.net") {
  service::CreateRequestInput in;
  in.type = type;
  in.jurisdiction = "ccpa";
  in.subject.email = email;
  in.subject.name = "Alex Morgan";
  in.requester = Requester{agent, "Pat Proxy", "authorized_agent", "signed letter"};
  auto r = f.svc->CreateRequest(in);
  if (!r.ok()) FAIL(r.status().ToString());
  return r->request;
}

long Jobs(Fixture& f, const std::string& id) {
  return f.Count("SELECT count(*) FROM jobs WHERE request_id = '" + id + "'");
}

}  // namespace

// ---- duplicates (issue 5 §2) ----

TEST_CASE("duplicates: verified while its primary is not, a duplicate becomes the primary and is erased; the old "
          "primary becomes its duplicate",
          "[service][duplicates]") {
  Fixture f;
  Company c(f);
  const auto first = f.Create("deletion", "alex.morgan@example.com");
  f.clock.Advance(kMillisPerHour);
  const auto dup = f.Create("deletion", "Alex.Morgan@example.com");
  REQUIRE(dup.state == "duplicate");
  REQUIRE(dup.duplicate_of == first.id);
  CHECK_FALSE(dup.due_at.has_value());
  CHECK(f.Count("SELECT count(*) FROM outbox WHERE template = 'verification_code' AND request_id = '" + dup.id +
                "'") == 0);

  // Its code is sent on request, to the data subject, and accepted.
  auto sent = ResendCode(*f.svc, dup.id, "requester");
  REQUIRE(sent.ok());
  CHECK(sent->state == "duplicate");
  CHECK(f.Text("SELECT to_json FROM outbox WHERE template = 'verification_code' AND request_id = '" + dup.id + "'") ==
        R"(["Alex.Morgan@example.com"])");
  auto verified = Verify(*f.svc, dup.id, f.NewestCode(dup.id), "requester");
  REQUIRE(verified.ok());
  CHECK(verified->state == "fulfilling");  // hold_check found no hold
  CHECK(verified->identity_verified);
  CHECK(verified->duplicate_of.empty());
  REQUIRE(verified->due_at.has_value());
  CHECK(FormatRfc3339(*verified->due_at).substr(0, 10) == "2026-12-21");  // GDPR: a month from receipt, 2026-12-20 is a Sunday

  const auto old = f.svc->Get(first.id);
  CHECK(old->state == "duplicate");
  CHECK(old->duplicate_of == dup.id);
  CHECK_FALSE(old->due_at.has_value());
  CHECK_FALSE(old->identity_verified);
  auto sup = f.Events(first.id, "superseded");
  REQUIRE(sup.size() == 1);
  CHECK(sup[0].from_state == std::optional<std::string>("verifying"));
  CHECK(sup[0].to_state == "duplicate");
  CHECK(Data(sup[0]).at("duplicate_of").as_string() == dup.id);
  CHECK(Data(sup[0]).at("promoted").as_string() == dup.reference);
  auto iv = f.Events(dup.id, "identity_verified");
  REQUIRE(iv.size() == 1);
  CHECK(iv[0].from_state == std::optional<std::string>("duplicate"));
  CHECK(iv[0].to_state == "hold_check");
  CHECK(iv[0].effects_json == R"([{"kind":"promote_duplicate"},{"kind":"mark_verified"},{"kind":"check_holds"}])");
  // The old primary's reminders and verification timeout are gone; the new primary has its own.
  CHECK(f.Count("SELECT count(*) FROM timers WHERE fired_at IS NULL AND cancelled_at IS NULL AND request_id = '" +
                first.id + "'") == 0);
  CHECK(f.Count("SELECT count(*) FROM timers WHERE kind = 'overdue' AND fired_at IS NULL AND cancelled_at IS NULL "
                "AND request_id = '" + dup.id + "'") == 1);

  service::Workers w(*f.svc, c.fulfiller);
  REQUIRE(*w.RunJobs() == 1);
  CHECK(f.svc->Get(dup.id)->state == "completed");
  CHECK(c.Ids("accounts") == std::vector<std::string>{"acc_blake", "acc_xalex"});
  CHECK(Jobs(f, first.id) == 0);

  // The old primary's own code still works, and it stays a duplicate (its primary is verified).
  auto late = Verify(*f.svc, first.id, f.NewestCode(first.id), "requester");
  REQUIRE(late.ok());
  CHECK(late->state == "duplicate");
  CHECK(late->identity_verified);
  CHECK(Jobs(f, first.id) == 0);
}

TEST_CASE("duplicates: verified after its primary, a duplicate stays a duplicate and is never fulfilled",
          "[service][duplicates]") {
  for (const char* type : {"access", "deletion", "correction"}) {
    INFO(type);
    Fixture f;
    const auto first = f.Create(type, "dup2@example.com");
    const auto dup = f.Create(type, "dup2@example.com");
    REQUIRE(Verify(*f.svc, first.id, f.NewestCode(first.id), "requester").ok());
    const std::string proceeds = std::string(type) == "correction" ? "awaiting_approval" : "fulfilling";
    CHECK(f.svc->Get(first.id)->state == proceeds);
    REQUIRE(ResendCode(*f.svc, dup.id, "requester").ok());
    auto v = Verify(*f.svc, dup.id, f.NewestCode(dup.id), "requester");
    REQUIRE(v.ok());
    CHECK(v->state == "duplicate");
    CHECK(v->identity_verified);
    CHECK(v->duplicate_of == first.id);
    CHECK_FALSE(v->due_at.has_value());
    CHECK(Jobs(f, dup.id) == 0);
    CHECK(f.Events(first.id, "superseded").empty());
    // Verified once: no further code, no second verification.
    CHECK(ResendCode(*f.svc, dup.id, "requester").status().IsRefused());
    // The state equals the replay of its transitions.
    auto ts = f.svc->Transitions(dup.id);
    REQUIRE(ts.ok());
    CHECK(ts->back().to_state == "duplicate");
    CHECK(static_cast<std::int64_t>(ts->size()) == v->version);
  }
}

TEST_CASE("duplicates: a primary paused for the requester (UK) is superseded and its clock released",
          "[service][duplicates]") {
  Fixture f;
  const auto first = f.Create("access", "paused-dup@example.co.uk", "uk_gdpr");
  auto paused = f.svc->ApplyStaffEvent(first.id, Event{"pause", "staff:a", "asked for a clarification", {}}, std::nullopt);
  REQUIRE(paused.ok());
  REQUIRE(paused->state == "paused");
  REQUIRE(paused->paused_at.has_value());
  const auto dup = f.Create("access", "paused-dup@example.co.uk", "uk_gdpr");
  REQUIRE(dup.state == "duplicate");
  REQUIRE(ResendCode(*f.svc, dup.id, "requester").ok());
  auto v = Verify(*f.svc, dup.id, f.NewestCode(dup.id), "requester");
  REQUIRE(v.ok());
  CHECK(v->state == "fulfilling");
  const auto old = f.svc->Get(first.id);
  CHECK(old->state == "duplicate");
  CHECK(old->duplicate_of == dup.id);
  CHECK_FALSE(old->paused_at.has_value());
  CHECK_FALSE(old->due_at.has_value());
  auto sup = f.Events(first.id, "superseded");
  REQUIRE(sup.size() == 1);
  CHECK(sup[0].from_state == std::optional<std::string>("paused"));
  CHECK(sup[0].effects_json == R"([{"kind":"resume_clock"}])");
}

TEST_CASE("duplicates: a third request promoted over a chain supersedes the first request", "[service][duplicates]") {
  Fixture f;
  const auto first = f.Create("access", "chain@example.com");
  const auto second = f.Create("access", "chain@example.com");
  const auto third = f.Create("access", "chain@example.com");
  REQUIRE(second.duplicate_of == first.id);
  REQUIRE(third.duplicate_of == first.id);
  REQUIRE(ResendCode(*f.svc, second.id, "requester").ok());
  REQUIRE(Verify(*f.svc, second.id, f.NewestCode(second.id), "requester").ok());
  CHECK(f.svc->Get(second.id)->state == "fulfilling");
  CHECK(f.svc->Get(first.id)->duplicate_of == second.id);
  // The third still points at the first, now a duplicate of the second, which is verified.
  REQUIRE(ResendCode(*f.svc, third.id, "requester").ok());
  auto v = Verify(*f.svc, third.id, f.NewestCode(third.id), "requester");
  REQUIRE(v.ok());
  CHECK(v->state == "duplicate");
  CHECK(Jobs(f, third.id) == 0);
  CHECK(f.Count("SELECT count(*) FROM jobs WHERE step = 'export_access'") == 1);
}

// ---- authorized agents (Cal. Code Regs. tit. 11 § 7063) ----

TEST_CASE("agents: a signed permission plus the data subject's own code lets the deletion proceed",
          "[service][agents]") {
  Fixture f;
  Company c(f);
  const auto r = CreateByAgent(f, "deletion", "alex.morgan@example.com");
  REQUIRE(r.state == "verifying");
  CHECK(service::HasAgent(r));
  // The code goes to the data subject alone; other mail also to the agent.
  CHECK(f.Text("SELECT to_json FROM outbox WHERE template = 'verification_code' AND request_id = '" + r.id + "'") ==
        R"(["alex.morgan@example.com"])");
  CHECK(f.Text("SELECT to_json FROM outbox WHERE template = 'acknowledgment' AND request_id = '" + r.id + "'") ==
        R"(["alex.morgan@example.com","agent@proxy.example.net"])");

  // The subject verifies, but no authorization is recorded: the request waits in verifying.
  auto v = Verify(*f.svc, r.id, f.NewestCode(r.id), "requester");
  REQUIRE(v.ok());
  CHECK(v->state == "verifying");
  CHECK(v->identity_verified);
  CHECK(Jobs(f, r.id) == 0);
  auto iv = f.Events(r.id, "identity_verified");
  REQUIRE(iv.size() == 1);
  CHECK(iv[0].to_state == "verifying");
  CHECK(Data(iv[0]).at("method").as_string() == "email_code");

  auto rec = RecordAgentAuthorization(*f.svc, r.id, "signed_permission", "letter signed by Alex Morgan, 2026-11-18",
                                             "DMS-4711", "staff:ann", std::nullopt);
  REQUIRE(rec.ok());
  CHECK(rec->state == "fulfilling");
  auto ev = f.Events(r.id, "agent_authorization_recorded");
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].actor == "staff:ann");
  CHECK(ev[0].from_state == std::optional<std::string>("verifying"));
  CHECK(ev[0].to_state == "hold_check");
  CHECK(Data(ev[0]).at("kind").as_string() == "signed_permission");
  CHECK(Data(ev[0]).at("evidence_ref").as_string() == "DMS-4711");
  CHECK(std::string(Data(ev[0]).at("citation").as_string()).find("§ 7063(a)(1)-(2)") != std::string::npos);
  CHECK(f.Text("SELECT kind || '|' || note || '|' || evidence_ref || '|' || recorded_by FROM agent_authorizations "
               "WHERE request_id = '" + r.id + "'") ==
        "signed_permission|letter signed by Alex Morgan, 2026-11-18|DMS-4711|staff:ann");
  service::Workers w(*f.svc, c.fulfiller);
  REQUIRE(*w.RunJobs() == 1);
  CHECK(f.svc->Get(r.id)->state == "completed");
  CHECK(c.Ids("accounts") == std::vector<std::string>{"acc_blake", "acc_xalex"});
}

TEST_CASE("agents: a signed permission recorded first still needs the data subject's verification; a power of "
          "attorney does not need the subject's confirmation",
          "[service][agents]") {
  Fixture f;
  const auto signed_first = CreateByAgent(f, "access", "sp@example.com");
  auto rec = RecordAgentAuthorization(*f.svc, signed_first.id, "signed_permission", "signed form", "", "staff:ann",
                                             std::nullopt);
  REQUIRE(rec.ok());
  CHECK(rec->state == "verifying");  // the data subject has not verified yet
  CHECK(Jobs(f, signed_first.id) == 0);
  auto v = Verify(*f.svc, signed_first.id, f.NewestCode(signed_first.id), "requester");
  REQUIRE(v.ok());
  CHECK(v->state == "fulfilling");  // the code mailed to the data subject is their confirmation

  // A power of attorney, once the identity is verified by staff with a note: proceeds at once.
  const auto poa = CreateByAgent(f, "access", "poa@example.com");
  auto staff = f.svc->ApplyStaffEvent(poa.id, Event{"verify_manually", "staff:bo", "", {{"note", "ID seen at desk"}}},
                                      std::nullopt);
  REQUIRE(staff.ok());
  CHECK(staff->state == "verifying");
  CHECK(staff->identity_verified);
  auto p = RecordAgentAuthorization(*f.svc, poa.id, "power_of_attorney", "durable POA, Cal. Prob. Code § 4124",
                                           "DMS-9", "staff:bo", std::nullopt);
  REQUIRE(p.ok());
  CHECK(p->state == "fulfilling");
  CHECK(f.Count("SELECT count(*) FROM jobs WHERE step = 'export_access' AND request_id = '" + poa.id + "'") == 1);

  // A power of attorney recorded before any verification: the subject's code still verifies
  // identity, and the request proceeds with it.
  const auto poa2 = CreateByAgent(f, "deletion", "poa2@example.com");
  REQUIRE(RecordAgentAuthorization(*f.svc, poa2.id, "power_of_attorney", "POA", "", "staff:bo", std::nullopt).ok());
  CHECK(f.svc->Get(poa2.id)->state == "verifying");
  auto v2 = Verify(*f.svc, poa2.id, f.NewestCode(poa2.id), "requester");
  REQUIRE(v2.ok());
  CHECK(v2->state == "fulfilling");
}

TEST_CASE("agents: a parent writing for a child proceeds once parental responsibility is recorded",
          "[service][agents]") {
  Fixture f;
  service::CreateRequestInput in;
  in.type = "deletion";
  in.jurisdiction = "gdpr";
  in.subject.email = "kid@example.com";
  in.requester = Requester{"parent@example.com", "Robin Parent", "parent", ""};
  auto created = f.svc->CreateRequest(in);
  REQUIRE(created.ok());
  const auto id = created->request.id;
  REQUIRE(f.svc->ApplyStaffEvent(id, Event{"verify_manually", "staff:bo", "", {{"note", "birth certificate seen"}}},
                                 std::nullopt)
              .ok());
  CHECK(f.svc->Get(id)->state == "verifying");
  auto rec = RecordAgentAuthorization(*f.svc, id, "parental_responsibility", "birth certificate names Robin", "DMS-77",
                                             "staff:bo", std::nullopt);
  REQUIRE(rec.ok());
  CHECK(rec->state == "fulfilling");
  CHECK(f.Text("SELECT kind FROM agent_authorizations WHERE request_id = '" + id + "'") == "parental_responsibility");
  auto ev = f.Events(id, "agent_authorization_recorded");
  REQUIRE(ev.size() == 1);
  CHECK(std::string(Data(ev[0]).at("citation").as_string()).find("GDPR Art. 8(2)") != std::string::npos);
}

TEST_CASE("agents: bad input, no agent, closed requests", "[service][agents]") {
  Fixture f;
  const auto own = f.Create("access", "own@example.com");
  CHECK_FALSE(service::HasAgent(own));
  auto none = RecordAgentAuthorization(*f.svc, own.id, "power_of_attorney", "POA", "", "staff:a", std::nullopt);
  CHECK(none.status().kind() == Status::Kind::kUnprocessable);
  // A request from the data subject verifies and proceeds as before.
  REQUIRE(Verify(*f.svc, own.id, f.NewestCode(own.id), "requester").ok());
  CHECK(f.svc->Get(own.id)->state == "fulfilling");

  const auto r = CreateByAgent(f, "access", "agent-bad@example.com");
  CHECK(RecordAgentAuthorization(*f.svc, r.id, "email", "x", "", "staff:a", std::nullopt).status().kind() ==
        Status::Kind::kInvalid);
  CHECK(RecordAgentAuthorization(*f.svc, r.id, "signed_permission", "  ", "", "staff:a", std::nullopt).status().kind() ==
        Status::Kind::kInvalid);
  CHECK(f.Count("SELECT count(*) FROM agent_authorizations") == 0);
  REQUIRE(f.svc->ApplyStaffEvent(r.id, Event{"cancel", "staff:a", "withdrawn", {}}, std::nullopt).ok());
  CHECK(RecordAgentAuthorization(*f.svc, r.id, "signed_permission", "late", "", "staff:a", std::nullopt)
            .status()
            .IsRefused());
  CHECK(f.Count("SELECT count(*) FROM agent_authorizations") == 0);
}

TEST_CASE("agents: never authorized, the verified request is denied as agent_not_authorized when the window ends",
          "[service][agents]") {
  Fixture f;
  const auto r = CreateByAgent(f, "deletion", "never@example.com");
  REQUIRE(Verify(*f.svc, r.id, f.NewestCode(r.id), "requester").ok());
  f.clock.Advance(30 * kMillisPerDay + 1);
  service::Workers w(*f.svc, nullptr);
  REQUIRE(w.FireTimers().ok());
  const auto now = f.svc->Get(r.id);
  CHECK(now->state == "denied");
  auto d = f.Events(r.id, "verification_expired");
  REQUIRE(d.size() == 1);
  CHECK(Data(d[0]).at("reason_code").as_string() == "agent_not_authorized");
  CHECK(d[0].reason == "the authorized agent's permission or power of attorney was not received in the time allowed");
  CHECK(f.Count("SELECT count(*) FROM outbox WHERE template = 'denied' AND request_id = '" + r.id + "'") == 1);
}

TEST_CASE("agents: a duplicate made by an agent is promoted but waits for the authorization", "[service][agents]") {
  Fixture f;
  const auto first = f.Create("access", "agentdup@example.com", "ccpa");
  const auto dup = CreateByAgent(f, "access", "agentdup@example.com");
  REQUIRE(dup.state == "duplicate");
  REQUIRE(ResendCode(*f.svc, dup.id, "requester").ok());
  auto v = Verify(*f.svc, dup.id, f.NewestCode(dup.id), "requester");
  REQUIRE(v.ok());
  CHECK(v->state == "verifying");
  CHECK(v->duplicate_of.empty());
  CHECK(f.svc->Get(first.id)->state == "duplicate");
  CHECK(Jobs(f, dup.id) == 0);
  auto p = RecordAgentAuthorization(*f.svc, dup.id, "power_of_attorney", "POA", "", "staff:bo", std::nullopt);
  REQUIRE(p.ok());
  CHECK(p->state == "fulfilling");
}

TEST_CASE("agents: the records-retention purge deletes a closed request's agent authorizations",
          "[service][agents][retention]") {
  Fixture f;
  const auto r = CreateByAgent(f, "access", "purge-agent@example.com");
  REQUIRE(RecordAgentAuthorization(*f.svc, r.id, "power_of_attorney", "POA", "DMS-1", "staff:a", std::nullopt).ok());
  const auto keep = CreateByAgent(f, "deletion", "keep-agent@example.com");
  REQUIRE(RecordAgentAuthorization(*f.svc, keep.id, "power_of_attorney", "POA", "", "staff:a", std::nullopt).ok());
  REQUIRE(f.svc->ApplyStaffEvent(r.id, Event{"cancel", "staff:a", "withdrawn", {}}, std::nullopt).ok());
  CHECK(f.Count("SELECT count(*) FROM agent_authorizations") == 2);
  f.clock.Advance(static_cast<Millis>(f.cfg.retention_request_days + 1) * kMillisPerDay);
  service::Workers w(*f.svc, nullptr);
  REQUIRE(w.PurgeExpired().ok());
  CHECK(f.Count("SELECT count(*) FROM requests WHERE id = '" + r.id + "'") == 0);
  CHECK(f.Count("SELECT count(*) FROM agent_authorizations WHERE request_id = '" + r.id + "'") == 0);
  CHECK(f.Count("SELECT count(*) FROM purged_requests WHERE reference = '" + r.reference + "'") == 1);
}

// ---- opt-out fraud check (Cal. Code Regs. tit. 11 § 7026(d)-(e)) ----

TEST_CASE("fraud check: an opt-out from a blocked domain waits for staff, who deny it with the reason",
          "[service][fraud]") {
  Fixture f;
  const auto r = f.Create("opt_out_sale", "someone@Mailinator.com", "ccpa");
  CHECK(r.state == "awaiting_approval");
  CHECK(Jobs(f, r.id) == 0);
  auto submit = f.Events(r.id, "submit");
  REQUIRE(submit.size() == 1);
  const json::object fc = Data(submit[0]).at("fraud_check").as_object();
  CHECK(fc.at("suspected").as_bool());
  CHECK(json::serialize(fc.at("reasons")) == R"J(["the data subject's address is at a blocked domain (mailinator.com)"])J");
  CHECK(std::string(fc.at("citation").as_string()).find("§ 7026(d)") != std::string::npos);

  // A deny needs a reason code from the fixed list; fraudulent_request is on it.
  auto denied = f.svc->ApplyStaffEvent(
      r.id,
      Event{"deny", "staff:ann", "the same address sent 40 opt-outs for other people in one minute",
            {{"reason_code", "fraudulent_request"}}},
      std::nullopt);
  REQUIRE(denied.ok());
  CHECK(denied->state == "denied");
  const std::string body = f.Text("SELECT body FROM outbox WHERE template = 'denied' AND request_id = '" + r.id + "'");
  CHECK(body.find("we have a good-faith, reasonable and documented belief that the request is fraudulent") !=
        std::string::npos);
  CHECK(body.find("the same address sent 40 opt-outs for other people in one minute") != std::string::npos);
}

TEST_CASE("fraud check: more opt-outs than max_per_hour for one subject waits for staff, who may let it proceed",
          "[service][fraud]") {
  Fixture f;
  // Three opt-outs within the hour (each cancelled before the next, so none is a duplicate).
  for (int i = 0; i < 3; ++i) {
    const auto r = f.Create("opt_out_sale", "busy@example.com", "ccpa");
    CHECK(r.state == "fulfilling");
    REQUIRE(f.svc->ApplyStaffEvent(r.id, Event{"cancel", "staff:a", "test", {}}, std::nullopt).ok());
    f.clock.Advance(10 * kMillisPerMinute);
  }
  const auto fourth = f.Create("opt_out_sale", "busy@example.com", "ccpa");
  CHECK(fourth.state == "awaiting_approval");
  auto submit = f.Events(fourth.id, "submit");
  REQUIRE(submit.size() == 1);
  CHECK(json::serialize(Data(submit[0]).at("fraud_check").at("reasons")) ==
        R"J(["4 opt_out_sale requests for this data subject within an hour (more than 3)"])J");
  // Another subject is not affected.
  CHECK(f.Create("opt_out_sale", "calm@example.com", "ccpa").state == "fulfilling");
  // Approve needs a note; then the opt-out is applied.
  CHECK(f.svc->ApplyStaffEvent(fourth.id, Event{"approve", "staff:a", "", {}}, std::nullopt).status().IsRefused());
  auto ok = f.svc->ApplyStaffEvent(fourth.id, Event{"approve", "staff:a", "called the customer back", {}}, std::nullopt);
  REQUIRE(ok.ok());
  CHECK(ok->state == "fulfilling");
  CHECK(f.Count("SELECT count(*) FROM jobs WHERE step = 'opt_out_sale' AND request_id = '" + fourth.id + "'") == 1);

  // An hour later the count starts afresh.
  f.svc->ApplyStaffEvent(fourth.id, Event{"cancel", "staff:a", "test", {}}, std::nullopt);
  f.clock.Advance(kMillisPerHour + 1);
  CHECK(f.Create("opt_out_sale", "busy@example.com", "ccpa").state == "fulfilling");
  // An agent writing from a blocked domain for someone else is suspected too.
  service::CreateRequestInput in;
  in.type = "opt_out_sale";
  in.jurisdiction = "ccpa";
  in.subject.email = "real.person@example.com";
  in.requester = Requester{"bulk@guerrillamail.com", "", "authorized_agent", ""};
  auto agent = f.svc->CreateRequest(in);
  REQUIRE(agent.ok());
  CHECK(agent->request.state == "awaiting_approval");
  auto sub = f.Events(agent->request.id, "submit");
  REQUIRE(sub.size() == 1);
  CHECK(json::serialize(Data(sub[0]).at("fraud_check").at("reasons")) ==
        R"J(["the requester's address is at a blocked domain (guerrillamail.com)"])J");
  // Marketing opt-outs have no fraud check.
  CHECK(f.Create("opt_out_marketing", "x@mailinator.com", "ccpa").state == "fulfilling");
}
