// Jurisdiction hints (issue 4, "Jurisdiction hints are recorded"): every statute, residence and
// form-field wording the classifier knows gives one of the contract jurisdiction ids
// (DESIGN.md §3; workflows/jurisdictions/jurisdictions.yaml), taken only from what the sender
// wrote now: never from quoted text, a signature, our own mail's footer or a reply's subject.
// Japanese hints are in japanese_test.cpp (this folder).
//
// People and addresses are fictional (example.* domains).
#include <catch2/catch.hpp>

#include <string>

#include "mail/message.h"
#include "mail/raw_message.h"

using namespace dsar;
using namespace dsar::mail;

namespace {

Classification Of(const std::string& subject, const std::string& body) {
  test::RawMessage m;
  m.from = "Robin Meyer <robin.meyer@example.org>";
  m.subject = subject;
  m.body = body;
  return test::ClassifyRaw(m.Build());
}

std::string Hint(const std::string& subject, const std::string& body) { return Of(subject, body).jurisdiction_hint; }

}  // namespace

TEST_CASE("statutes named in the text give their jurisdiction", "[mail][classify][hint]") {
  struct Case {
    const char* subject;
    const char* body;
    const char* hint;
  };
  const Case cases[] = {
      // EU/EEA: the GDPR in its languages, its number, national acts beside it.
      {"Data request", "Under Article 15 GDPR please send me a copy of my personal data.", "gdpr"},
      {"Data request", "Under the general data protection regulation, please send me a copy of my data.", "gdpr"},
      {"Auskunft", "Bitte um Auskunft nach art. 15 dsgvo.", "gdpr"},
      {"Auskunft", "Ich verlange Auskunft gemäß Art. 15 DS-GVO und § 34 BDSG.", "gdpr"},
      {"Löschung", "Bitte löschen Sie meine Daten gemäß Art. 17 Datenschutz-Grundverordnung.", "gdpr"},
      {"Accès", "Conformément au RGPD, je demande l'accès à mes données.", "gdpr"},
      {"Acceso", "Solicito acceso a mis datos conforme al rgpd y la LOPDGDD.", "gdpr"},
      {"Cancellazione", "Ai sensi del Regolamento (UE) 2016/679 chiedo la cancellazione dei miei dati.", "gdpr"},
      {"Inzage", "Ik verzoek om inzage in mijn persoonsgegevens op grond van de AVG.", "gdpr"},
      {"Inzage", "Ik verzoek om inzage op grond van de UAVG.", "gdpr"},
      {"Data request", "Under ＧＤＰＲ Art. 15 please send me a copy of my personal data.", "gdpr"},
      // UK.
      {"Subject access request", "Under the UK GDPR, please send me a copy of my personal data.", "uk_gdpr"},
      {"Subject access request", "Under the uk gdpr, please send me a copy of my personal data.", "uk_gdpr"},
      {"Subject access request", "Under the Data Protection Act 2018 please send me a copy of my personal data.",
       "uk_gdpr"},
      {"Subject access request", "Under the DPA 2018 please send me a copy of my personal data.", "uk_gdpr"},
      // California.
      {"Delete", "As a California resident I ask you to delete my personal information.", "ccpa"},
      {"Delete", "Under the CCPA as amended by the CPRA please delete my personal information.", "ccpa"},
      {"Delete", "Under the California Privacy Rights Act, delete my personal information.", "ccpa"},
      {"Delete", "Pursuant to Cal. Civ. Code § 1798.105, please delete my personal information.", "ccpa"},
      // Other US states.
      {"Delete", "As a resident of Virginia under the Virginia Consumer Data Protection Act, delete my data.", "vcdpa"},
      {"Delete", "Under the Colorado Privacy Act please delete my data.", "cpa"},
      {"Delete", "Under the Connecticut Data Privacy Act please delete my data.", "ctdpa"},
      {"Delete", "Under the Texas Data Privacy and Security Act please delete my data.", "tdpsa"},
      // Brazil and Canada.
      {"Acesso", "Nos termos da Lei nº 13.709/2018, solicito acesso aos meus dados pessoais.", "lgpd"},
      {"Acesso", "Conforme a LGPD, solicito acesso aos meus dados pessoais.", "lgpd"},
      {"Delete", "I am a Canadian citizen; under PIPEDA please delete my data.", "pipeda"},
      {"Accès", "En vertu de la LPRPDE, je demande une copie de mes données personnelles.", "pipeda"},
      // None named: no hint.
      {"Delete", "Please delete my account and all my data.", ""},
  };
  for (const Case& k : cases) {
    INFO(k.body);
    const Classification c = Of(k.subject, k.body);
    CHECK(c.outcome == Classification::Outcome::kRequest);
    CHECK(c.jurisdiction_hint == k.hint);
  }
}

TEST_CASE("the earliest statute named wins", "[mail][classify][hint]") {
  CHECK(Hint("Delete", "Under the CCPA (and, if it applies, the GDPR) please delete my data.") == "ccpa");
  CHECK(Hint("Delete", "Under the GDPR (or the CCPA) please delete my data.") == "gdpr");
}

TEST_CASE("AVG is the Dutch GDPR only in Dutch mail", "[mail][classify][hint]") {
  CHECK(Hint("Verwijderen", "Verwijder al mijn gegevens, conform de AVG.") == "gdpr");
  CHECK(Hint("Delete", "Please delete my account, my antivirus AVG flagged your last mail.") == "");
}

TEST_CASE("hints come only from what the sender wrote now", "[mail][classify][hint]") {
  SECTION("not from quoted text, nor from our own mail's footer in it") {
    CHECK(Hint("Delete my account",
               "Please delete my account.\n\nOn Tue, 24 Nov 2026 at 09:00, Nimbus <news@nimbus.example> wrote:\n"
               "> We process your data under the GDPR and the CCPA.\n") == "");
    CHECK(Hint("Delete my account",
               "Please delete my account.\n\n-----Original Message-----\nFrom: Nimbus <news@nimbus.example>\n"
               "Sent: Tuesday, November 24, 2026 9:00 AM\nSubject: News\n\nCalifornia residents: see our CCPA notice.\n") ==
          "");
  }
  SECTION("not from a reply's subject, which was written for the earlier message") {
    const Classification c =
        Of("Re: Our updated GDPR privacy notice",
           "Please delete my account.\n\nOn Tue, 24 Nov 2026 at 09:00, Nimbus <news@nimbus.example> wrote:\n> Hello\n");
    CHECK(c.outcome == Classification::Outcome::kRequest);
    CHECK(c.jurisdiction_hint == "");
  }
  SECTION("not from a signature") {
    CHECK(Hint("Delete my account", "Please delete my account.\n-- \nJane Roe | ACME GmbH | DSGVO-konform\n") == "");
  }
  SECTION("a reply's subject gives no request type either") {
    const Classification c = Of("Re: Unsubscribe anytime from our newsletter",
                                "Thanks!\n\nOn Tue, 24 Nov 2026 at 09:00, Nimbus <news@nimbus.example> wrote:\n> Hi\n");
    CHECK(c.outcome == Classification::Outcome::kTriage);
  }
}
