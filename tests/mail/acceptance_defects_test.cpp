// Defects an acceptance tester found in intake parsing and classification, each with the
// tester's wording and variants of our own (other languages, other word orders), so the fix is
// the mechanism (negation, questions, the object of the verb), not those sentences:
//   1. negated or unrelated "delete / remove / object" wording became a request;
//   2. any 6-digit number in a reply was taken as the verification code, full-width digits not;
//   3. invalid Message-IDs were cut down ("<hello world@x>" -> "hello") or kept whole (1,200 chars);
//   4. control characters in display names and the Subject survived;
//   5. UTF-8 under a us-ascii label became mojibake;
//   6. a quoted local part was squeezed into another mailbox ("john doe"@x -> johndoe@x);
//   7. requests that were missed.
//
// People and addresses are fictional (example.* domains).
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "core/model.h"
#include "mail/message.h"
#include "mail/text.h"
#include "raw_message.h"

using namespace dsar;
using namespace dsar::mail;
using test::ClassifyRaw;
using test::MustParse;
using test::RawMessage;

namespace {

std::string Mail(const std::string& subject, const std::string& body,
                 const std::string& from = "Robin Vale <robin.vale@example.com>") {
  RawMessage m;
  m.from = from;
  m.subject = subject;
  m.message_id = "defect-" + std::to_string(std::hash<std::string>{}(subject + body)) + "@example.com";
  m.body = body;
  return m.Build();
}

Classification Of(const std::string& subject, const std::string& body) { return ClassifyRaw(Mail(subject, body)); }

std::vector<std::string> Names(const Classification& c) {
  std::vector<std::string> out;
  for (RequestType t : c.types) out.emplace_back(RequestTypeName(t));
  return out;
}

bool Asks(const Classification& c, RequestType t) {
  return c.outcome == Classification::Outcome::kRequest &&
         std::find(c.types.begin(), c.types.end(), t) != c.types.end();
}

struct Case {
  const char* subject;
  const char* body;
};

struct Expected {
  const char* subject;
  const char* body;
  std::vector<std::string> types;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// 1. Wording that asks for nothing.

TEST_CASE("a negated deletion is not a request", "[mail][classify][regress]") {
  const Case cases[] = {
      // The tester's.
      {"My account", "Please don't delete my account. I want to keep using it."},
      {"Mein Konto", "Bitte löschen Sie mein Konto nicht, ich nutze es noch."},
      {"Mon compte", "Merci de ne pas supprimer mon compte, je l'utilise encore."},
      {"Mi cuenta", "Por favor, no borren mi cuenta, todavía la uso."},
      // Ours: other negations, word orders and languages.
      {"Account", "Please do not erase my data, I still need it for my thesis."},
      {"Account", "I don't want you to delete my account, I only asked about the invoice."},
      {"Profile", "Never delete my profile, please."},
      {"Account", "I didn't ask you to remove my account!"},
      {"Daten", "Ich möchte nicht, dass Sie meine Daten löschen."},
      {"Konto", "Bitte mein Konto nicht löschen, ich brauche es noch."},
      {"Konto", "Löschen Sie bitte keine meiner Daten."},
      {"Compte", "Ne supprimez pas mon compte s'il vous plaît."},
      {"Données", "N'effacez pas mes données, j'en ai encore besoin."},
      {"Datos", "No eliminen mis datos, por favor."},
      {"Account", "Non cancellate il mio account, lo uso ancora."},
      {"Dati", "Vi prego di non eliminare i miei dati."},
      {"Account", "Verwijder mijn account alstublieft niet."},
      {"Gegevens", "Ik wil niet dat u mijn gegevens verwijdert."},
      {"Conta", "Por favor, não excluam minha conta."},
      {"Dados", "Não apaguem os meus dados, ainda uso o serviço."},
      {"アカウント", "アカウントを削除しないでください。まだ使っています。"},  // worked before: kept
  };
  for (const Case& k : cases) {
    INFO(k.body);
    const Classification c = Of(k.subject, k.body);
    CHECK(c.outcome == Classification::Outcome::kTriage);
    CHECK_FALSE(c.type.has_value());
    CHECK_FALSE(c.reason.empty());
  }
}

TEST_CASE("a negation elsewhere in the mail leaves a deletion request one", "[mail][classify][regress]") {
  const Case cases[] = {
      {"Account", "I don't use Nimbus anymore, please delete my account."},
      {"Account", "I do not want to use the service any more so please delete my account and data."},
      {"Please delete everything", "Please delete everything from my account, I don't need it anymore."},
      {"Konto", "Ich nutze den Dienst nicht mehr. Bitte löschen Sie mein Konto."},
      {"Konto", "Ich nutze das Konto nicht mehr und bitte Sie, es zu löschen."},
      {"Compte", "Je n'utilise plus mon compte, merci de le supprimer."},
      {"Cuenta", "Ya no uso la cuenta, por favor bórrenla."},
      {"Account", "Non uso più il servizio, vi chiedo di cancellare il mio account."},
      {"Account", "Ik gebruik het niet meer, verwijder mijn account."},
      {"Conta", "Não uso mais a conta, por favor excluam meus dados."},
  };
  for (const Case& k : cases) {
    INFO(k.body);
    const Classification c = Of(k.subject, k.body);
    REQUIRE(c.outcome == Classification::Outcome::kRequest);
    CHECK(Names(c) == std::vector<std::string>{"deletion"});
  }
}

TEST_CASE("removing someone or something else, or deleting a business record, is not erasure",
          "[mail][classify][regress]") {
  const Case cases[] = {
      // The tester's.
      {"Team", "Please remove John from my team account."},
      {"Rechnung", "Bitte löschen Sie die doppelte Rechnung."},
      // Ours.
      {"Card", "Please remove the old credit card from my account."},
      {"Team", "Could you remove my colleague Sarah from our workspace account?"},
      {"Team", "Bitte entfernen Sie Herrn Müller aus meinem Konto."},
      {"Team", "Bitte Max aus meinem Team-Konto entfernen."},
      {"Équipe", "Merci de retirer Paul de mon compte équipe."},
      {"Equipo", "Por favor, eliminen a Juan de mi cuenta de equipo."},
      {"Account", "Vi prego di rimuovere Marco dal mio account aziendale."},
      {"Invoice", "Please delete the duplicate invoice."},
      {"Facture", "Merci de supprimer la facture en double."},
      {"Factura", "Por favor, borren la factura duplicada."},
      {"Fattura", "Vi prego di cancellare la fattura duplicata."},
      {"Factuur", "Kunt u de dubbele factuur verwijderen?"},
      {"Fatura", "Por favor, excluam a fatura duplicada."},
      {"請求書", "請求書の重複分を削除してください。"},
  };
  for (const Case& k : cases) {
    INFO(k.body);
    const Classification c = Of(k.subject, k.body);
    CHECK(c.outcome == Classification::Outcome::kTriage);
    CHECK_FALSE(Asks(c, RequestType::kDeletion));
  }
  // The sender's own data, even with a "from" or an invoice in the sentence, is still erasure.
  const Case requests[] = {
      {"Account", "Please delete all data from my account."},
      {"Account", "Please delete my account and the invoices."},
      {"Konto", "Bitte löschen Sie alle meine Daten aus meinem Konto."},
      {"Data", "Please erase me and my data from your systems."},
      {"Konto", "Bitte löschen Sie meine Rechnungsadresse und mein Konto."},
  };
  for (const Case& k : requests) {
    INFO(k.body);
    const Classification c = Of(k.subject, k.body);
    REQUIRE(c.outcome == Classification::Outcome::kRequest);
    CHECK(Names(c) == std::vector<std::string>{"deletion"});
  }
}

TEST_CASE("questions about retention are not deletion requests", "[mail][classify][regress]") {
  const Case cases[] = {
      // The tester's.
      {"Speicherdauer", "Wie lange werden meine Daten gespeichert, nachdem ich mein Konto gelöscht habe?"},
      {"Frage zu Fristen",
       "Wie lange speichern Sie eigentlich meine Daten, wenn ich mein Konto lösche? Ich möchte nichts löschen "
       "lassen, nur eine Auskunft über Ihre Fristen."},
      // Ours.
      {"Retention",
       "How long do you keep my data after I delete my account? I don't want anything deleted, just your "
       "retention periods."},
      {"Conservation", "Combien de temps gardez-vous mes données après la suppression de mon compte ?"},
      {"Bewaartermijn", "Hoe lang bewaart u mijn gegevens nadat ik mijn account heb verwijderd?"},
  };
  for (const Case& k : cases) {
    INFO(k.body);
    const Classification c = Of(k.subject, k.body);
    CHECK(c.outcome == Classification::Outcome::kTriage);
    CHECK_FALSE(Asks(c, RequestType::kDeletion));
  }
}

TEST_CASE("a negated objection, or one to something other than personal data, is not an objection",
          "[mail][classify][regress]") {
  const Case cases[] = {
      {"My plan", "I object to the price increase on my plan."},  // the tester's
      {"Pricing", "I have the right to object to this new pricing, and I do."},
      {"Preise", "Ich widerspreche der Preiserhöhung für mein Abo."},
      {"Tarifs", "Je m'oppose à la hausse des tarifs de mon abonnement."},
      {"Precio", "Me opongo al aumento de precio de mi plan."},
      {"Prezzo", "Mi oppongo all'aumento del prezzo del mio abbonamento."},
      {"Prijs", "Ik maak bezwaar tegen de prijsverhoging van mijn abonnement."},
      {"料金", "料金の値上げに異議があります。"},
  };
  for (const Case& k : cases) {
    INFO(k.body);
    const Classification c = Of(k.subject, k.body);
    CHECK(c.outcome == Classification::Outcome::kTriage);
    CHECK_FALSE(Asks(c, RequestType::kObjection));
  }
  const Case negated[] = {
      {"Processing", "I do not object to the processing of my data."},
      {"Verarbeitung", "Ich widerspreche der Verarbeitung meiner Daten nicht."},
      {"Traitement", "Je ne m'oppose pas au traitement de mes données."},
      {"Tratamiento", "No me opongo al tratamiento de mis datos."},
  };
  for (const Case& k : negated) {
    INFO(k.body);
    const Classification c = Of(k.subject, k.body);
    CHECK(c.outcome == Classification::Outcome::kTriage);
    CHECK_FALSE(Asks(c, RequestType::kObjection));
  }
  const Case objections[] = {
      {"Profiling", "I object to profiling."},
      {"Ads", "I object to the processing of my data, I don't want it used for ads."},
      {"Marketing", "I object to the processing of my data for marketing."},
      {"Widerspruch", "Ich widerspreche der Verarbeitung meiner personenbezogenen Daten."},
      {"Opposition", "Je m'oppose au traitement de mes données."},
      {"異議", "私の個人データのマーケティング利用に異議を申し立てます。"},
  };
  for (const Case& k : objections) {
    INFO(k.body);
    const Classification c = Of(k.subject, k.body);
    REQUIRE(c.outcome == Classification::Outcome::kRequest);
    CHECK(Names(c) == std::vector<std::string>{"objection"});
  }
}

// ---------------------------------------------------------------------------------------------
// 7. Misses.

TEST_CASE("requests that were missed", "[mail][classify][regress]") {
  const Expected cases[] = {
      // The tester's.
      {"My data",
       "I would like you to send me everything you hold about me - all the personal information tied to my "
       "account. Under the GDPR, please.",
       {"access"}},
      {"Mes données", "je voudrais accéder à mes données personnelles et faire rectifier mon adresse postale",
       {"access", "correction"}},
      // An objection to processing for direct marketing, in the words of Art. 21: objection, as the
      // shared fixture objection_en.eml ("I object ... to the processing of my personal data for direct
      // marketing and for profiling") expects of the same wording in English.
      {"Oposição", "Oponho-me ao tratamento dos meus dados para marketing direto", {"objection"}},
      {"Newsletter", "Je ne souhaite plus recevoir votre lettre d'information.", {"opt_out_marketing"}},
      {"Newsletter", "Bitte bestellen Sie den Newsletter für mich ab.", {"opt_out_marketing"}},
      // Ours.
      {"Copy", "Please give me everything you store on me.", {"access"}},
      {"Dati", "Vorrei accedere ai miei dati personali.", {"access"}},
      {"Datos", "Quisiera acceder a mis datos personales.", {"access"}},
      {"Dados", "Gostaria de acessar meus dados pessoais.", {"access"}},
      {"Oposição", "Venho opor-me ao tratamento dos meus dados pessoais para fins de marketing.", {"objection"}},
      {"Newsletter", "Melden Sie mich bitte vom Newsletter ab.", {"opt_out_marketing"}},
      {"Newsletter", "Ich bestelle hiermit den Newsletter ab.", {"opt_out_marketing"}},
      {"Infolettre", "Je ne veux plus recevoir votre infolettre.", {"opt_out_marketing"}},
      {"Emails", "Please don't send me newsletters anymore.", {"opt_out_marketing"}},
  };
  for (const Expected& k : cases) {
    INFO(k.body);
    const Classification c = Of(k.subject, k.body);
    REQUIRE(c.outcome == Classification::Outcome::kRequest);
    CHECK(Names(c) == k.types);
  }
}

// ---------------------------------------------------------------------------------------------
// 2. Verification codes.

TEST_CASE("a verification code: full-width digits, and only a number that is a code", "[mail][reference][regress]") {
  // Full-width digits, as Japanese input writes them.
  CHECK(FindVerificationCode("確認コードは４７９２８９です。") == "479289");
  CHECK(FindVerificationCode("認証コード：４７９２８９") == "479289");
  CHECK(FindVerificationCode("４７９２８９") == "479289");
  CHECK(FindVerificationCode("コードは 479289 です") == "479289");
  // A number that is something else.
  CHECK(FindVerificationCode("Hi, any update? My customer number is 482913 in case you need it.") == "");
  CHECK(FindVerificationCode("My order 482913 hasn't arrived, and I am still waiting for an answer about it.") == "");
  CHECK(FindVerificationCode("Customer number: 482913") == "");
  CHECK(FindVerificationCode("Here's the code. My customer number is 482913") == "");
  CHECK(FindVerificationCode("My postcode is 560001, is that relevant?") == "");
  CHECK(FindVerificationCode("Meine Kundennummer ist 482913, bitte um Rückmeldung zum Stand.") == "");
  CHECK(FindVerificationCode("call me on 030 123 456") == "");
  // Near a code word, in each language, before or after the number.
  CHECK(FindVerificationCode("Mein Bestätigungscode: 482913") == "482913");
  CHECK(FindVerificationCode("Mijn verificatiecode is 482913.") == "482913");
  CHECK(FindVerificationCode("Le code de vérification est 482913") == "482913");
  CHECK(FindVerificationCode("Il codice è 482913") == "482913");
  CHECK(FindVerificationCode("O código de verificação é 482913.") == "482913");
  CHECK(FindVerificationCode("482913 is the code you sent me.") == "482913");
  CHECK(FindVerificationCode("Ticket 555555. Mein Code lautet 654321.") == "654321");
  // On a line of its own, or a short reply that is essentially the code.
  CHECK(FindVerificationCode("Hi,\n\n482913\n\nThanks, Alex") == "482913");
  CHECK(FindVerificationCode("Hi, here you go: 482913 Thanks, Alex") == "482913");
  CHECK(FindVerificationCode("Hi,\n123 456\nAlex") == "123456");
  CHECK(FindVerificationCode("123 456") == "123456");
}

TEST_CASE("a reply with a full-width code is read from the parsed message", "[mail][reference][regress]") {
  RawMessage m;
  m.from = "=?UTF-8?B?5bGx55Sw6Iqx5a2Q?= <hanako.yamada@example.jp>";
  m.subject = "Re: [DSR-7K2M-9QXH] ご本人確認のお願い";
  m.message_id = "reply-fw@example.jp";
  m.extra_headers = {"In-Reply-To: <ack-9@nimbus.example>", "References: <ack-9@nimbus.example>"};
  m.charset = "ISO-2022-JP";
  m.transfer_encoding = "7bit";
  m.body = test::Encode("確認コードは４７９２８９です。\r\nよろしくお願いいたします。\r\n", "ISO-2022-JP");
  const ParsedMessage p = MustParse(m.Build());
  CHECK(FindVerificationCode(p.fresh_text) == "479289");
  CHECK(p.in_reply_to == "ack-9@nimbus.example");
}

// ---------------------------------------------------------------------------------------------
// 3. Message-IDs.

TEST_CASE("only valid Message-IDs are kept", "[mail][parse][regress]") {
  auto parse = [](const std::vector<std::string>& headers) {
    RawMessage m;
    m.from = "Robin Vale <robin.vale@example.com>";
    m.subject = "ids";
    m.extra_headers = headers;
    m.body = "Hello";
    return MustParse(m.Build());
  };
  SECTION("an id with a blank is dropped, not cut down to its first word") {
    const auto m = parse({"Message-ID: <hello world@example.com>", "In-Reply-To: <hello world@example.com>",
                          "References: <hello world@example.com> <ok-1@nimbus.example>"});
    CHECK(m.message_id.empty());
    CHECK(m.in_reply_to.empty());
    CHECK(m.references == std::vector<std::string>{"ok-1@nimbus.example"});
  }
  SECTION("an id without '@', or with nothing on one side of it, is dropped") {
    CHECK(parse({"Message-ID: <no-at-sign.example.com>"}).message_id.empty());
    CHECK(parse({"Message-ID: <@example.com>"}).message_id.empty());
    CHECK(parse({"Message-ID: <left@>"}).message_id.empty());
    CHECK(parse({"Message-ID: hello world@example.com"}).message_id.empty());
  }
  SECTION("a 1,200-character id never reaches in_reply_to or references") {
    const std::string huge = std::string(1200 - 13, 'a') + "@example.com";
    REQUIRE(huge.size() == 1199);
    const auto m = parse({"Message-ID: <" + huge + ">", "In-Reply-To: <" + huge + ">",
                          "References: <ours-1@nimbus.example>\r\n <" + huge + ">\r\n <ours-2@nimbus.example>"});
    CHECK(m.message_id.empty());
    CHECK(m.in_reply_to.empty());
    CHECK(m.references == std::vector<std::string>{"ours-1@nimbus.example", "ours-2@nimbus.example"});
    // 250 characters is the limit.
    const std::string longest = std::string(250 - 12, 'b') + "@example.com";
    REQUIRE(longest.size() == 250);
    CHECK(parse({"Message-ID: <" + longest + ">"}).message_id == longest);
    CHECK(parse({"Message-ID: <" + longest.substr(1) + "x1>"}).message_id.empty());
  }
  SECTION("valid ids: the first of several, comments and phrases skipped, no angle brackets") {
    const auto m = parse({"Message-ID: (a comment <x@y>) <abc.123@host.example>",
                          "In-Reply-To: \"Your message of <1 Dec>\" <bad id@x> <good-1@nimbus.example>",
                          "References: a-1@x.example b-2@y.example"});
    CHECK(m.message_id == "abc.123@host.example");
    CHECK(m.in_reply_to == "good-1@nimbus.example");
    CHECK(m.references == std::vector<std::string>{"a-1@x.example", "b-2@y.example"});
    CHECK(parse({"Message-ID: bare-id@host.example"}).message_id == "bare-id@host.example");
    CHECK(parse({"Message-ID: <x@y\r\n .example>"}).message_id.empty());  // folded inside: a blank
  }
}

// ---------------------------------------------------------------------------------------------
// 4. Control characters in display names and the Subject.

TEST_CASE("control characters in display names and the Subject become one space", "[mail][parse][regress]") {
  const std::string lf = "=?utf-8?B?" + test::Base64("Eve\nSubject: pwned", 0) + "?=";
  const std::string crlf_tab = "=?utf-8?Q?Mallory=0D=0A=09Bcc:_x@example.net?=";
  RawMessage m;
  m.from = lf + " <eve@example.com>";
  m.reply_to = crlf_tab + " <mallory@example.com>";
  m.to = "=?utf-8?B?" + test::Base64("Privacy\r\n\tTeam", 0) + "?= <contact@nimbus.example>";
  m.subject = "=?utf-8?B?" + test::Base64("Delete my account\r\nBcc: victim@example.org", 0) + "?=";
  m.body = "Please delete my account and all my data.";
  const ParsedMessage p = MustParse(m.Build());
  REQUIRE(p.from);
  CHECK(p.from->name == "Eve Subject: pwned");
  REQUIRE(p.reply_to);
  CHECK(p.reply_to->name == "Mallory Bcc: x@example.net");
  REQUIRE(p.to.size() == 1);
  CHECK(p.to[0].name == "Privacy Team");
  CHECK(p.subject == "Delete my account Bcc: victim@example.org");
  for (const std::string& s : {p.from->name, p.reply_to->name, p.to[0].name, p.subject}) {
    CHECK(s.find_first_of("\r\n\t") == std::string::npos);
  }

  // The names the classifier returns: the data subject's, and an agent's.
  const Classification c = Classify(p);
  REQUIRE(c.outcome == Classification::Outcome::kRequest);
  CHECK(c.subject.email == "eve@example.com");
  CHECK(c.subject.name.find_first_of("\r\n\t") == std::string::npos);
  const Classification agent = ClassifyRaw(Mail(
      "Deletion request",
      "I am an authorized agent for my client Dana Frost (dana.frost@example.org). Please delete all her "
      "personal data.",
      "=?utf-8?B?" + test::Base64("Sam\tOrtiz\r\nX-Evil: 1", 0) + "?= <sam@ortiz-privacy.example>"));
  REQUIRE(agent.outcome == Classification::Outcome::kRequest);
  REQUIRE(agent.requester);
  CHECK(agent.requester->name == "Sam Ortiz X-Evil: 1");
  CHECK(agent.subject.email == "dana.frost@example.org");

  CHECK(CollapseControls("Eve\nSubject: pwned") == "Eve Subject: pwned");
  CHECK(CollapseControls(" \tA  \r\n  B\x7f" "C\xc2\x85" "D\xe2\x80\xa8" "E \n") == "A B C D E");
  CHECK(CollapseControls("Ana  María") == "Ana  María");  // blanks alone are kept as written
}

// ---------------------------------------------------------------------------------------------
// 5. UTF-8 under a us-ascii label, or with no charset.

TEST_CASE("8-bit UTF-8 labelled us-ascii (or unlabelled) is read as UTF-8", "[mail][parse][regress]") {
  const std::string german = "Bitte löschen Sie mein Konto und alle meine Daten.";
  for (const char* label : {"\"us-ascii\"", "us-ascii", "US-ASCII", "ascii"}) {
    INFO(label);
    RawMessage m;
    m.from = "Jonas Keller <j.keller@example.de>";
    m.subject = "Konto";
    m.charset = label;
    m.body = german;
    const ParsedMessage p = MustParse(m.Build());
    CHECK(p.text == german);
    const Classification c = Classify(p);
    REQUIRE(c.outcome == Classification::Outcome::kRequest);
    CHECK(*c.type == RequestType::kDeletion);
    CHECK(c.language == "de");
  }
  SECTION("no charset parameter") {
    RawMessage m;
    m.from = "Jonas Keller <j.keller@example.de>";
    m.subject = "Konto";
    m.body = "Ich möchte, dass Sie meine Daten löschen. Grüße";
    std::string raw = m.Build();
    const std::string ct = "Content-Type: text/plain; charset=utf-8";
    REQUIRE(raw.find(ct) != std::string::npos);
    raw.replace(raw.find(ct), ct.size(), "Content-Type: text/plain");
    CHECK(MustParse(raw).text == m.body);
  }
  SECTION("bytes that are not UTF-8 keep the windows-1252 fallback") {
    RawMessage m;
    m.from = "Jonas Keller <j.keller@example.de>";
    m.subject = "Konto";
    m.charset = "us-ascii";
    m.body = "Bitte l\xF6schen Sie mein Konto \x93sofort\x94.";
    CHECK(MustParse(m.Build()).text == "Bitte löschen Sie mein Konto “sofort”.");
  }
  CHECK(ToUtf8("Gr\xC3\xBC\xC3\x9F" "e", "us-ascii") == "Grüße");
  CHECK(ToUtf8("Gr\xC3\xBC\xC3\x9F" "e", "iso-8859-1") == "GrÃ¼ÃŸe");  // a Latin-1 label is believed
}

// ---------------------------------------------------------------------------------------------
// 6. Quoted local parts.

TEST_CASE("an address with a quoted local part or blanks is kept as written, never rewritten",
          "[mail][parse][classify][regress]") {
  const std::string body = "Please delete my account and all my data.";
  SECTION("the tester's: From: \"john doe\"@example.com") {
    const ParsedMessage p = MustParse(Mail("Delete", body, "\"john doe\"@example.com"));
    REQUIRE(p.from);
    CHECK(p.from->email == "\"john doe\"@example.com");
    const Classification c = Classify(p);
    CHECK(c.subject.email == "\"john doe\"@example.com");
    CHECK(c.subject.email != "johndoe@example.com");
    CHECK_FALSE(IsValidEmail(c.subject.email));  // the service sends it to triage
  }
  SECTION("in angle brackets, and unquoted with a blank") {
    const ParsedMessage a = MustParse(Mail("Delete", body, "John Doe <\"john doe\"@example.com>"));
    REQUIRE(a.from);
    CHECK(a.from->name == "John Doe");
    CHECK(a.from->email == "\"john doe\"@example.com");
    const ParsedMessage b = MustParse(Mail("Delete", body, "john doe@example.com"));
    REQUIRE(b.from);
    CHECK(b.from->email == "john doe@example.com");
    CHECK(Classify(b).subject.email == "john doe@example.com");
  }
  SECTION("blanks around '@' and '.', a mailto: and a fully quoted address are not a rewrite") {
    CHECK(ParseAddressList("Ann <ann.lee @ example.com>").front().email == "ann.lee@example.com");
    CHECK(ParseAddressList("Ann <ann . lee@example.com>").front().email == "ann.lee@example.com");
    CHECK(ParseAddressList("<mailto:ann.lee@example.com>").front().email == "ann.lee@example.com");
    CHECK(ParseAddressList("\"ann.lee@example.com\"").front().email == "ann.lee@example.com");
    CHECK(ParseAddressList("\"Lee, Ann\" <ann.lee@example.com>").front().email == "ann.lee@example.com");
  }
}
