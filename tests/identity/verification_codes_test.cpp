// Issue 5 §1: verification policies from workflows/verification/verification.yaml wired into the
// code's TTL and attempt limit; resending a code with a cooldown and a limit; requests entered
// already verified (session / staff); denials for insufficient verification that say why.
#include <boost/json/parse.hpp>

#include "support/service_fixture.h"

namespace dsar::test {
namespace {

namespace json = boost::json;

// A copy of the shipped workflows whose verification policy file is `policy`.
struct PolicyDir {
  fs::path dir;
  explicit PolicyDir(const std::string& policy) {
    char tmpl[] = "/tmp/dsar-vp-XXXXXX";
    dir = mkdtemp(tmpl);
    fs::copy(std::string(DSAR_SOURCE_DIR) + "/workflows", dir, fs::copy_options::recursive);
    std::ofstream(dir / "verification" / "verification.yaml", std::ios::trunc) << policy;
  }
  ~PolicyDir() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

std::vector<std::string> Events(Fixture& f, const std::string& id) {
  std::vector<std::string> out;
  const auto transitions = f.svc->Transitions(id);  // kept: the loop must not outlive it
  REQUIRE(transitions.ok());
  for (const auto& t : *transitions) out.push_back(t.event);
  return out;
}

}  // namespace

TEST_CASE("the policy's code TTL and attempt limit are stored with the code and enforced", "[service][verify][policy]") {
  PolicyDir wf(R"(defaults:
  code_ttl: 2h
  max_attempts: 2
  citation: test rule
request_types:
  access:
    citation: test
    jurisdictions:
      ccpa: { code_ttl: 30m, max_attempts: 4, citation: test ccpa }
)");
  Fixture f(wf.dir.string());
  const auto gdpr = f.Create("access", "ttl-gdpr@example.com", "gdpr");
  const auto ccpa = f.Create("access", "ttl-ccpa@example.com", "ccpa");
  CHECK(f.Count("SELECT expires_at - issued_at FROM verifications WHERE request_id = '" + gdpr.id + "'") ==
        2 * kMillisPerHour);
  CHECK(f.Count("SELECT max_attempts FROM verifications WHERE request_id = '" + gdpr.id + "'") == 2);
  CHECK(f.Count("SELECT expires_at - issued_at FROM verifications WHERE request_id = '" + ccpa.id + "'") ==
        30 * kMillisPerMinute);
  CHECK(f.Count("SELECT max_attempts FROM verifications WHERE request_id = '" + ccpa.id + "'") == 4);

  const std::string ccpa_code = f.CodeFor(ccpa.reference);
  const std::string gdpr_code = f.CodeFor(gdpr.reference);
  f.clock.Advance(30 * kMillisPerMinute + 1);
  auto late = Verify(*f.svc, ccpa.id, ccpa_code, "requester");
  REQUIRE_FALSE(late.ok());
  CHECK(late.status().message() == "the code has expired");
  // Two wrong codes lock the gdpr one (max_attempts 2), even the right code after that.
  CHECK(Verify(*f.svc, gdpr.id, "000000", "requester").status().message() == "wrong code; 1 attempt(s) left");
  CHECK(Verify(*f.svc, gdpr.id, "000001", "requester").status().message() ==
        "wrong code; no attempts left, the code is locked");
  CHECK(Verify(*f.svc, gdpr.id, gdpr_code, "requester").status().message() == "too many wrong codes; the code is locked");
}

TEST_CASE("the shipped policy: three attempts for a CCPA access request, the configuration's five elsewhere",
          "[service][verify][policy]") {
  Fixture f;
  const auto ccpa = f.Create("access", "p-ccpa@example.com", "ccpa");
  const auto gdpr = f.Create("access", "p-gdpr@example.com", "gdpr");
  CHECK(f.Count("SELECT max_attempts FROM verifications WHERE request_id = '" + ccpa.id + "'") == 3);
  CHECK(f.Count("SELECT max_attempts FROM verifications WHERE request_id = '" + gdpr.id + "'") == 5);
  CHECK(f.Count("SELECT expires_at - issued_at FROM verifications WHERE request_id = '" + gdpr.id + "'") ==
        24 * kMillisPerHour);  // Config::verification_code_ttl: the file leaves it to the deployment
  CHECK(f.svc->PolicyFor(ccpa).citations.size() == 3);  // jurisdiction, type, defaults
}

TEST_CASE("an invalid policy file stops the service with file:line: message", "[service][policy]") {
  PolicyDir wf("defaults:\n  code_ttl: 24 hours\n  citation: x\n");
  service::Config cfg;
  char tmpl[] = "/tmp/dsar-vpbad-XXXXXX";
  const fs::path dir = mkdtemp(tmpl);
  cfg.db_path = (dir / "dsar.db").string();
  cfg.workflows_dir = wf.dir.string();
  cfg.templates_dir = std::string(DSAR_SOURCE_DIR) + "/templates/mail";
  cfg.secret_key_file = (dir / "secret.key").string();
  auto st = store::Store::Open({cfg.db_path});
  REQUIRE(st.ok());
  ManualClock clock{kStart};
  auto svc = service::Engine::Create(cfg, **st, clock);
  REQUIRE_FALSE(svc.ok());
  CHECK(svc.status().message() == "invalid verification policies:\n" + (wf.dir / "verification" / "verification.yaml").string() +
                                      ":2: 'code_ttl' in defaults must be a duration like 60s, 15m, 24h or 2d, not "
                                      "'24 hours'");
  std::error_code ec;
  fs::remove_all(dir, ec);
}

TEST_CASE("resend: a new code after the cooldown, the old one stops working, at most max_resends",
          "[service][verify][resend]") {
  Fixture f;
  service::CreateRequestInput in;
  in.type = "deletion";
  in.jurisdiction = "gdpr";
  in.subject.email = "resend@example.org";
  in.requester = Requester{"agent@agency.example", "Agent", "authorized_agent", ""};
  auto created = f.svc->CreateRequest(in);
  REQUIRE(created.ok());
  const auto r = created->request;
  const std::string first = f.CodeFor(r.reference);

  auto early = ResendCode(*f.svc, r.id, "requester");
  REQUIRE_FALSE(early.ok());
  CHECK(early.status().IsRateLimited());
  CHECK(early.status().retry_after_ms() == 60 * 1000);  // the shipped cooldown, from the code's issue time
  f.clock.Advance(59 * 1000);
  auto later = ResendCode(*f.svc, r.id, "requester");
  REQUIRE_FALSE(later.ok());
  CHECK(later.status().retry_after_ms() == 1000);

  f.clock.Advance(1000);
  auto sent = ResendCode(*f.svc, r.id, "requester");
  REQUIRE(sent.ok());
  CHECK(sent->state == "verifying");
  CHECK(f.Count("SELECT count(*) FROM verifications WHERE request_id = '" + r.id + "'") == 2);
  // The new code goes to the data subject only, never to the agent.
  CHECK(f.Count("SELECT count(*) FROM outbox WHERE template = 'verification_code' AND to_json = "
                "'[\"resend@example.org\"]'") == 2);
  CHECK(f.Count("SELECT count(*) FROM outbox WHERE template = 'verification_code'") == 2);
  // Recorded for staff, with no second requester reminder.
  const auto ts = f.svc->Transitions(r.id);
  CHECK(ts->back().event == "code_resent");
  CHECK(ts->back().actor == "requester");
  CHECK(ts->back().from_state == std::optional<std::string>("verifying"));
  CHECK(ts->back().to_state == "verifying");
  CHECK(json::parse(ts->back().data_json).at("resend").as_int64() == 1);
  CHECK(f.Count("SELECT count(*) FROM timers WHERE request_id = '" + r.id + "' AND kind = 'requester_reminder'") == 1);

  const std::string second = f.NewestCode(r.id);
  if (second != first) {  // (one time in a million the new code repeats the old one)
    auto old = Verify(*f.svc, r.id, first, "requester");
    REQUIRE_FALSE(old.ok());
    CHECK(old.status().message() == "wrong code; 4 attempt(s) left");
  }
  // Two more resends are allowed (max_resends 3), then 409.
  for (int i = 0; i < 2; ++i) {
    f.clock.Advance(60 * 1000);
    REQUIRE(ResendCode(*f.svc, r.id, "requester").ok());
  }
  f.clock.Advance(60 * 1000);
  auto refused = ResendCode(*f.svc, r.id, "requester");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().IsConflict());
  CHECK(refused.status().retry_after_ms() == 0);
  // The latest code works.
  const std::string last = f.NewestCode(r.id);
  auto ok = Verify(*f.svc, r.id, last, "requester");
  REQUIRE(ok.ok());
  // An agent's request (issue 5 §2, Cal. Code Regs. tit. 11 § 7063): verified, it waits for the
  // agent's authorization, then proceeds.
  CHECK(ok->state == "verifying");
  CHECK(ok->identity_verified);
  auto authorized =
      RecordAgentAuthorization(*f.svc, r.id, "signed_permission", "signed form", "", "staff:ann", std::nullopt);
  REQUIRE(authorized.ok());
  CHECK(authorized->state == "fulfilling");
  // Not awaiting verification any more: refused.
  f.clock.Advance(60 * 1000);
  CHECK(ResendCode(*f.svc, r.id, "requester").status().IsRefused());
}

TEST_CASE("a request entered verified (session or staff) records who and why, and mails no code",
          "[service][verify][preverified]") {
  Fixture f;
  service::CreateRequestInput in;
  in.type = "access";
  in.jurisdiction = "ccpa";
  in.subject.email = "logged-in@example.com";
  in.actor = "staff:portal";
  in.verification = service::PreVerification{"session", "signed in to the account dashboard (MFA)"};
  auto created = f.svc->CreateRequest(in);
  REQUIRE(created.ok());
  const auto& r = created->request;
  CHECK(r.state == "fulfilling");
  CHECK(r.identity_verified);
  CHECK(r.due_at.has_value());
  CHECK(Events(f, r.id) == std::vector<std::string>{"create", "submit_verified"});
  const auto ts = f.svc->Transitions(r.id);
  CHECK(ts->back().actor == "staff:portal");
  CHECK(ts->back().reason == "signed in to the account dashboard (MFA)");
  CHECK(json::parse(ts->back().data_json).at("method").as_string() == "session");
  CHECK(f.Count("SELECT count(*) FROM verifications") == 0);
  CHECK(f.Count("SELECT count(*) FROM outbox WHERE template = 'verification_code'") == 0);
  CHECK(f.Count("SELECT count(*) FROM outbox WHERE template = 'acknowledgment'") == 1);
  CHECK(f.Count("SELECT count(*) FROM jobs WHERE request_id = '" + r.id + "' AND step = 'export_access'") == 1);

  in.subject.email = "walk-in@example.com";
  in.type = "deletion";
  in.verification = service::PreVerification{"staff", "passport checked at reception"};
  auto staff = f.svc->CreateRequest(in);
  REQUIRE(staff.ok());
  CHECK(staff->request.state == "fulfilling");  // deletion: hold_check, no hold -> fulfilling
  CHECK(Events(f, staff->request.id) == std::vector<std::string>{"create", "submit_verified", "holds_clear"});

  in.subject.email = "no-note@example.com";
  in.verification = service::PreVerification{"staff", "  "};
  auto no_note = f.svc->CreateRequest(in);
  REQUIRE_FALSE(no_note.ok());
  CHECK(no_note.status().IsInvalid());
  in.verification = service::PreVerification{"magic", "x"};
  CHECK(f.svc->CreateRequest(in).status().IsInvalid());
  CHECK(f.Count("SELECT count(*) FROM requests") == 2);
}

TEST_CASE("verification that fails for good denies with insufficient_verification and says why",
          "[service][verify][denial]") {
  Fixture f;
  const auto locked = f.Create("access", "locked@example.com", "gdpr");
  const auto silent = f.Create("access", "silent@example.com", "gdpr");
  const auto expired = f.Create("access", "expired@example.com", "gdpr");
  for (int i = 0; i < 5; ++i) REQUIRE_FALSE(Verify(*f.svc, locked.id, "000000", "requester").ok());
  REQUIRE_FALSE(Verify(*f.svc, expired.id, "000000", "requester").ok());
  service::Workers w(*f.svc, nullptr);
  f.clock.Advance(30 * kMillisPerDay);
  REQUIRE(w.FireTimers().ok());
  auto reason = [&](const store::RequestRow& r) {
    const auto got = f.svc->Get(r.id);
    CHECK(got->state == "denied");
    const auto ts = f.svc->Transitions(r.id);
    CHECK(json::parse(ts->back().data_json).at("reason_code").as_string() == "insufficient_verification");
    return ts->back().reason;
  };
  CHECK(reason(locked) ==
        "too many wrong codes were entered, and the request was not confirmed with a new code in the time allowed");
  CHECK(reason(expired) == "the code we sent expired before the right code was entered, and no new code was used");
  CHECK(reason(silent) == "the request was not confirmed with the code we sent in the time allowed");
  // The denied mail tells the requester why.
  REQUIRE(w.DeliverOutbox().ok());
  bool told = false;
  for (const auto& e : fs::directory_iterator(f.dir / "outbox" / "new")) {
    const std::string text = Slurp(e.path());
    if (text.find(locked.reference) != std::string::npos && text.find("too many wrong codes were entered") != std::string::npos)
      told = true;
  }
  CHECK(told);
}

}  // namespace dsar::test

namespace dsar::test {

TEST_CASE("an unverified duplicate is never approved or fulfilled, whatever staff send (issue 5 §2)",
          "[service][duplicates]") {
  for (const char* type : {"access", "deletion", "portability", "correction", "objection"}) {
    INFO(type);
    Fixture f;
    const auto first = f.Create(type, "dup@example.com");
    const auto dup = f.Create(type, "dup@example.com");
    REQUIRE(dup.state == "duplicate");
    json::object data{{"task", "review_correction"}, {"staff", "alice"}, {"note", "n"},
                      {"type", "access"},            {"subject", "x"},   {"reason_code", "other"}};
    for (const std::string& name : service::StaffEvents()) {
      if (name == "cancel" || name == "deny") continue;  // final, and never fulfilment: tried last
      Event ev{name, "staff:test", "a reason", data};
      (void)f.svc->ApplyStaffEvent(dup.id, ev, std::nullopt);
      const auto now = f.svc->Get(dup.id);
      CHECK(now->state != "fulfilling");
      CHECK(now->state != "completed");
      CHECK(now->state != "awaiting_task");
      CHECK(now->state != "hold_check");
      CHECK_FALSE(now->identity_verified);
    }
    CHECK(f.Count("SELECT count(*) FROM jobs WHERE request_id = '" + dup.id + "'") == 0);
    CHECK(f.svc->Get(dup.id)->state == "duplicate");
    CHECK(f.svc->Get(first.id)->state == "verifying");
  }
}

}  // namespace dsar::test
