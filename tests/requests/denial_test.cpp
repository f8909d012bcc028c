// Denials (issue 5 §7): a reason code from the fixed list plus free text; the requester is told
// the reason in their language and, where the law gives one, how to appeal.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "core/denial.h"
#include "support/service_fixture.h"

using namespace dsar;
using namespace dsar::test;

namespace {

std::string DeniedMail(Fixture& f, const std::string& request_id) {
  return f.Text("SELECT body FROM outbox WHERE template = 'denied' AND request_id = '" + request_id + "'");
}

}  // namespace

TEST_CASE("a denial needs a reason code from the fixed list and a reason", "[service][denial]") {
  Fixture f;
  const auto r = f.Create("deletion", "dee.nied@example.com");
  auto no_code = f.svc->ApplyStaffEvent(r.id, Event{"deny", "staff:ann", "duplicate of an earlier request", {}}, std::nullopt);
  CHECK(no_code.status().IsInvalid());  // malformed input (400), not a workflow refusal
  auto bad_code = f.svc->ApplyStaffEvent(
      r.id, Event{"deny", "staff:ann", "because", {{"reason_code", "we_do_not_want_to"}}}, std::nullopt);
  CHECK(bad_code.status().IsInvalid());
  auto no_text = f.svc->ApplyStaffEvent(r.id, Event{"deny", "staff:ann", " ", {{"reason_code", "no_match"}}},
                                        std::nullopt);
  CHECK(no_text.status().IsRefused());
  CHECK(f.svc->Get(r.id)->state == "verifying");
  CHECK(f.Count("SELECT count(*) FROM outbox WHERE template = 'denied'") == 0);

  auto ok = f.svc->ApplyStaffEvent(
      r.id,
      Event{"deny", "staff:ann", "Your request arrived twice; we answer the first one.",
            {{"reason_code", "manifestly_unfounded_or_excessive"}}},
      std::nullopt);
  REQUIRE(ok.ok());
  CHECK(ok->state == "denied");
  const auto ts = f.svc->Transitions(r.id);
  CHECK(boost::json::parse(ts->back().data_json).at("reason_code").as_string() == "manifestly_unfounded_or_excessive");
  const std::string body = DeniedMail(f, r.id);
  CHECK(body.find("Reason: the request is manifestly unfounded or excessive.\n"
                  "Your request arrived twice; we answer the first one.\n") != std::string::npos);
  CHECK(body.find("appeal") == std::string::npos);  // the GDPR gives no appeal to the controller
  CHECK(body.find("lodge a complaint") != std::string::npos);
}

TEST_CASE("a denial under a US state law tells how to appeal and by when it is answered", "[service][denial]") {
  Fixture f;
  const auto r = f.Create("access", "vi.resident@example.com", "vcdpa");
  REQUIRE(f.svc->ApplyStaffEvent(r.id, Event{"deny", "staff:ann", "We hold no account under this address.",
                                             {{"reason_code", "no_match"}}},
                                 std::nullopt)
              .ok());
  const std::string body = DeniedMail(f, r.id);
  CHECK(body.find("Reason: we found no personal data about you that matches the details in your request.\n") !=
        std::string::npos);
  CHECK(body.find("You may appeal this decision: reply to this message, tell us that you appeal and why. We will\n"
                  "answer your appeal within 60 days (Va. Code § 59.1-578(C)") != std::string::npos);
}

TEST_CASE("the requester reads the denial reason in their language", "[service][denial]") {
  Fixture f;
  service::CreateRequestInput in;
  in.type = "access";
  in.jurisdiction = "gdpr";
  in.subject.email = "jana.novak@example.de";
  in.language = "de";
  auto created = f.svc->CreateRequest(in);
  REQUIRE(created.ok());
  const std::string id = created->request.id;
  REQUIRE(f.svc->ApplyStaffEvent(id, Event{"deny", "staff:ann", "Keine Vollmacht beigefügt.",
                                           {{"reason_code", "agent_not_authorized"}}},
                                 std::nullopt)
              .ok());
  auto templates = service::MailTemplates::Load(f.cfg.templates_dir);
  REQUIRE(templates.ok());
  const std::string german = templates->DenialReason("agent_not_authorized", "de");
  CHECK(german != templates->DenialReason("agent_not_authorized", "en"));
  const std::string body = DeniedMail(f, id);
  CHECK(body.find(german) != std::string::npos);
  CHECK(body.find("Keine Vollmacht beigefügt.") != std::string::npos);
}

TEST_CASE("every denial reason has a text in every shipped language", "[service][denial]") {
  auto templates = service::MailTemplates::Load(std::string(DSAR_SOURCE_DIR) + "/templates/mail");
  REQUIRE(templates.ok());
  for (const auto& reason : DenialReasons()) {
    const std::string code(reason.code);
    const std::string english = templates->DenialReason(code, "en");
    CHECK(english != code);
    for (const std::string lang : {"de", "fr", "es", "it", "nl", "pt", "ja"}) {
      INFO(code << " " << lang);
      const std::string text = templates->DenialReason(code, lang);
      CHECK(text != code);
      CHECK(text != english);
    }
  }
}
