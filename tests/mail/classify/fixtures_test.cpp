// Classify over the shared fixtures: every request in expected.tsv, and the public
// real-world messages (none of the `triage` ones may become a request).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "mail/fixtures.h"
#include "mail/message.h"

using namespace dsar;
using namespace dsar::mail;
using test::kMail;
using test::ReadFile;
using test::ReadTsv;

TEST_CASE("every fixture in mail/requests is classified as expected.tsv says", "[mail][classify][fixtures]") {
  const auto rows = ReadTsv(kMail / "requests" / "expected.tsv");
  REQUIRE(rows.size() >= 18);
  int checked = 0;
  for (const auto& row : rows) {
    REQUIRE(row.size() >= 6);
    const std::string& file = row[0];
    const std::string& outcome = row[1];
    const std::string& type = row[2];
    const std::string& subject_email = row[3];
    const std::string& requester_email = row[4];
    const std::string& hint = row[5];
    if (file.rfind("TEMPLATE", 0) == 0) continue;  // filled in by parse_test
    INFO("fixture " << file);
    auto parsed = ParseMessage(ReadFile(kMail / "requests" / file));
    REQUIRE(parsed.ok());
    const Classification c = Classify(*parsed);
    if (outcome == "triage") {
      CHECK(c.outcome == Classification::Outcome::kTriage);
      CHECK_FALSE(c.reason.empty());
    } else {
      // request, and redelivery/reply (decided by the caller): the same type and subject.
      CHECK(c.outcome == Classification::Outcome::kRequest);
      REQUIRE(c.type.has_value());
      CHECK(RequestTypeName(*c.type) == type);
    }
    CHECK(NormalizeEmail(c.subject.email) == NormalizeEmail(subject_email));
    if (requester_email.empty()) {
      CHECK_FALSE(c.requester.has_value());
    } else {
      REQUIRE(c.requester.has_value());
      CHECK(NormalizeEmail(c.requester->email) == NormalizeEmail(requester_email));
      CHECK(c.requester->relationship == "authorized_agent");
      CHECK_FALSE(c.requester->authority.empty());
    }
    CHECK(c.jurisdiction_hint == hint);
    ++checked;
  }
  CHECK(checked == static_cast<int>(rows.size()) - 1);
}

TEST_CASE("fixture details: names, languages", "[mail][classify][fixtures]") {
  auto classify = [](const char* file) {
    auto parsed = ParseMessage(ReadFile(kMail / "requests" / file));
    REQUIRE(parsed.ok());
    return Classify(*parsed);
  };
  CHECK(classify("outlook_en_access_gdpr.eml").subject.name == "Seán O'Brien");
  CHECK(classify("outlook_en_access_gdpr.eml").language == "en");
  CHECK(classify("apple_de_auskunft.eml").language == "de");
  CHECK(classify("thunderbird_fr_effacement.eml").language == "fr");
  CHECK(classify("yahoo_es_portabilidad.eml").language == "es");
  CHECK(classify("it_accesso.eml").language == "it");
  CHECK(classify("nl_verwijderen.eml").language == "nl");
  CHECK(classify("ptbr_lgpd_acesso.eml").language == "pt");
  const auto agent = classify("agent_en_ccpa_deletion.eml");
  CHECK(agent.subject.name == "Dana Whitfield");
  REQUIRE(agent.requester);
  CHECK(agent.requester->name == "Sam Ortiz");
  const auto fwd = classify("forwarded_by_staff_deletion.eml");
  CHECK(fwd.subject.name == "Kenji Watanabe");
  const auto form = classify("webform_html_only_deletion.eml");
  CHECK(form.subject.name == "Lucia Bianchi");
}

TEST_CASE("public real-world messages: parsing never fails hard, triage ones are not requests",
          "[mail][classify][public]") {
  const auto rows = ReadTsv(kMail / "public" / "MANIFEST.tsv");
  REQUIRE(rows.size() >= 30);
  for (const auto& row : rows) {
    REQUIRE(row.size() >= 2);
    INFO("public fixture " << row[0] << " (" << row[1] << ")");
    const std::string raw = ReadFile(kMail / "public" / row[0]);
    auto parsed = ParseMessage(raw);
    if (!parsed.ok()) {
      CHECK(parsed.status().IsInvalid());
      continue;
    }
    const Classification c = Classify(*parsed);
    if (row[1] == "triage") {
      CHECK(c.outcome == Classification::Outcome::kTriage);
    }
  }
  // The torture test and the forward-as-attachment must parse.
  CHECK(ParseMessage(ReadFile(kMail / "public" / "postalmime_mimetorture.eml")).ok());
  CHECK(ParseMessage(ReadFile(kMail / "public" / "flanker_forward_as_attachment.eml")).ok());
}
