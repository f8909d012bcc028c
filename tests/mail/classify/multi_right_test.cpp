// Two rights in one mail (issue 4, "Classification"): Classification::types lists every right the
// sender asks for now, in the order written; `type` stays the first. Wordings of our own (not the
// shared fixtures), in en, de, fr, es (and it, nl, pt); a right named only in quoted earlier text
// does not count.
//
// People and addresses are fictional (example.* domains).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "mail/message.h"
#include "mail/raw_message.h"

using namespace dsar;
using namespace dsar::mail;
using test::Names;

namespace {

Classification Of(const std::string& subject, const std::string& body, const std::string& from = "Rosa Lind <rosa.lind@example.org>") {
  const std::string raw = "From: " + from + "\r\nTo: privacy@nimbus.example\r\nSubject: " + subject +
                          "\r\nMessage-ID: <multi-" + std::to_string(std::hash<std::string>{}(body)) +
                          "@example.org>\r\nDate: Tue, 17 Nov 2026 09:00:00 +0000\r\n"
                          "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body;
  auto parsed = ParseMessage(raw);
  REQUIRE(parsed.ok());
  return Classify(*parsed);
}

using V = std::vector<std::string>;

}  // namespace

TEST_CASE("two rights in one mail: both, in the order written", "[mail][classify][multi]") {
  struct Case {
    const char* lang;
    const char* subject;
    const char* body;
    V types;
  };
  const Case cases[] = {
      {"en", "My data",
       "Hello,\n\nplease send me a copy of my data and then delete my account.\n\nThanks, Rosa", V{"access", "deletion"}},
      {"en", "Two things",
       "Hi team,\n\nFirst, I want you to erase all my personal information from your systems. Before you do that, "
       "though, I would also like a copy of the data you hold about me.\n\nRegards", V{"deletion", "access"}},
      {"en", "Privacy",
       "Dear Nimbus,\n\nI'd like you to correct my surname, it is misspelt as Lindh. Also please delete my marketing "
       "profile and all data you have about my browsing history.\n\nRosa", V{"correction", "deletion"}},
      {"de", "Meine Daten",
       "Guten Tag,\n\nich bitte um Auskunft über die zu meiner Person gespeicherten Daten. Anschließend löschen Sie "
       "bitte mein Kundenkonto vollständig.\n\nMit freundlichen Grüßen\nRosa Lind", V{"access", "deletion"}},
      {"de", "Anfrage",
       "Hallo,\n\nbitte berichtigen Sie meine Adresse, sie ist veraltet. Außerdem möchte ich eine Kopie meiner "
       "personenbezogenen Daten erhalten.\n\nGruß Rosa", V{"correction", "access"}},
      {"fr", "Mes données",
       "Bonjour,\n\nje souhaite recevoir une copie de mes données personnelles, puis la suppression de mon compte "
       "et de toutes mes informations.\n\nCordialement,\nRosa Lind", V{"access", "deletion"}},
      {"fr", "Demande",
       "Madame, Monsieur,\n\nmerci d'effacer mes données de vos fichiers. Je demande aussi l'accès aux informations "
       "que vous avez conservées sur moi avant leur effacement.\n\nRosa", V{"deletion", "access"}},
      {"es", "Mis datos",
       "Hola,\n\nquiero ejercer mi derecho de acceso a mis datos personales y, después, que eliminen mi cuenta "
       "por completo.\n\nSaludos,\nRosa", V{"access", "deletion"}},
      {"es", "Solicitud",
       "Buenos días,\n\nles pido que corrijan mi dirección, que está equivocada, y que me envíen una copia de "
       "los datos que tienen sobre mí.\n\nAtentamente, Rosa", V{"correction", "access"}},
      {"it", "I miei dati",
       "Buongiorno,\n\nvorrei una copia dei miei dati personali e poi la cancellazione del mio account.\n\nCordiali "
       "saluti, Rosa", V{"access", "deletion"}},
      {"nl", "Mijn gegevens",
       "Beste,\n\ngraag ontvang ik een kopie van mijn persoonsgegevens, en daarna wil ik dat u mijn account "
       "verwijdert.\n\nGroeten, Rosa", V{"access", "deletion"}},
      {"pt", "Meus dados",
       "Olá,\n\ngostaria de receber uma cópia dos meus dados pessoais e, em seguida, que excluam a minha conta.\n\n"
       "Atenciosamente, Rosa", V{"access", "deletion"}},
  };
  for (const Case& k : cases) {
    INFO(k.lang << ": " << k.body);
    const Classification c = Of(k.subject, k.body);
    REQUIRE(c.outcome == Classification::Outcome::kRequest);
    CHECK(Names(c) == k.types);
    REQUIRE(c.type);
    CHECK(*c.type == c.types.front());
  }
}

TEST_CASE("one right in one mail: one type", "[mail][classify][multi]") {
  struct Case {
    const char* lang;
    const char* subject;
    const char* body;
    const char* type;
  };
  const Case cases[] = {
      {"en", "Account", "Hello,\n\nplease delete my account and everything you store about me.\n\nRosa", "deletion"},
      {"en", "Copy", "Hi,\n\ncould you send me a copy of all personal data you hold on me?\n\nThanks", "access"},
      {"en", "Move",
       "Please export my data in a machine-readable format so I can take a copy of it to another provider.",
       "portability"},
      {"de", "Löschung", "Hallo,\n\nbitte löschen Sie mein Konto und alle meine Daten.\n\nGruß Rosa", "deletion"},
      {"fr", "Accès", "Bonjour,\n\nje demande l'accès à mes données personnelles.\n\nCordialement", "access"},
      {"es", "Borrado", "Hola,\n\nles pido que borren mis datos y mi cuenta.\n\nSaludos", "deletion"},
  };
  for (const Case& k : cases) {
    INFO(k.lang << ": " << k.body);
    const Classification c = Of(k.subject, k.body);
    REQUIRE(c.outcome == Classification::Outcome::kRequest);
    CHECK(Names(c) == V{k.type});
  }
}

TEST_CASE("a right named only in quoted earlier text does not count", "[mail][classify][multi]") {
  struct Case {
    const char* lang;
    const char* body;
    const char* type;
  };
  const Case cases[] = {
      {"en",
       "Please also delete my account now.\n\nRosa\n\nOn Mon, 16 Nov 2026 at 10:00, Rosa Lind <rosa.lind@example.org> "
       "wrote:\n> Hello, please send me a copy of my personal data.\n> Rosa\n",
       "deletion"},
      {"de",
       "Bitte löschen Sie jetzt auch mein Konto.\n\nRosa\n\nAm 16.11.2026 um 10:00 schrieb Rosa Lind "
       "<rosa.lind@example.org>:\n> Hallo, ich bitte um Auskunft über meine gespeicherten Daten.\n",
       "deletion"},
      {"fr",
       "Merci de supprimer aussi mon compte maintenant.\n\nRosa\n\nLe 16 nov. 2026 à 10:00, Rosa Lind "
       "<rosa.lind@example.org> a écrit :\n> Bonjour, je souhaite une copie de mes données personnelles.\n",
       "deletion"},
      {"es",
       "Quiero además acceso a mis datos personales.\n\nRosa\n\nEl 16 nov 2026, a las 10:00, Rosa Lind "
       "<rosa.lind@example.org> escribió:\n> Hola, les pido que eliminen mi cuenta.\n",
       "access"},
  };
  for (const Case& k : cases) {
    INFO(k.lang << ": " << k.body);
    const Classification c = Of("Re: My data", k.body);
    REQUIRE(c.outcome == Classification::Outcome::kRequest);
    CHECK(Names(c) == V{k.type});
  }
}
