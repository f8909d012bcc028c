// ParseMessage and the text helpers behind it.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/time.h"
#include "mail/message.h"
#include "mail/text.h"

using namespace dsar;
using namespace dsar::mail;

namespace {

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const std::filesystem::path kPublic = std::filesystem::path(DSAR_SHARED_FIXTURES) / "mail" / "public";
const std::filesystem::path kRequests = std::filesystem::path(DSAR_SHARED_FIXTURES) / "mail" / "requests";

ParsedMessage MustParse(std::string_view raw) {
  auto r = ParseMessage(raw);
  REQUIRE(r.ok());
  return std::move(r).value();
}

}  // namespace

// GMime 3.2.13 drops everything after a base64 encoded-word that ends in '=' padding
// (GMime issue #133, fixed in 3.2.14); we decode raw header values ourselves.
TEST_CASE("a base64 encoded-word ending in '=' padding keeps the rest of the header", "[mail][parse][regress]") {
  SECTION("the public fixture") {
    const auto m = MustParse(ReadFile(kPublic / "flanker_bilingual_b_subject.eml"));
    CHECK(m.subject == "Simple text. How are you? Как ты поживаешь?");
  }
  SECTION("padding in the middle of a header, followed by plain text") {
    const std::string raw =
        "From: a@example.com\r\n"
        "To: b@example.com\r\n"
        "Subject: =?UTF-8?B?Q2Fmw6k=?= and then plain text\r\n"
        "\r\nbody\r\n";
    CHECK(MustParse(raw).subject == "Café and then plain text");
  }
  SECTION("the decoder directly") {
    CHECK(DecodeHeaderText(" =?utf-8?B?YWI=?= =?utf-8?B?Y2Q=?= tail") == "abcd tail");
    CHECK(DecodeHeaderText("=?ISO-8859-1?Q?Andr=E9?= Pirard <x@y>") == "André Pirard <x@y>");
    CHECK(DecodeHeaderText("=?iso-8859-1?q?this=20is=20some=20text?=") == "this is some text");
    CHECK(DecodeHeaderText("a =?utf-8?q?b?=  c") == "a b  c");
    // a character split across two encoded-words
    CHECK(DecodeHeaderText("=?utf-8?B?w6k=?==?utf-8?B?w6k=?=") == "éé");
    CHECK(DecodeHeaderText("=?utf-8?q?=C3?= =?utf-8?q?=A9t=C3=A9?=") == "été");
    // RFC 2231 language suffix
    CHECK(DecodeHeaderText("=?utf-8*de?q?Gr=C3=BC=C3=9Fe?=") == "Grüße");
    // malformed encoded-words stay as they are
    CHECK(DecodeHeaderText("=?utf-8?x?abc?= =?broken") == "=?utf-8?x?abc?= =?broken");
    // folded
    CHECK(DecodeHeaderText(" =?UTF-8?B?w6k=?=\r\n =?UTF-8?B?w6k=?=\r\n\tend") == "éé\tend");
  }
}

TEST_CASE("windows-1252 and ISO-8859-1 headers and bodies become UTF-8", "[mail][parse]") {
  SECTION("encoded subject in windows-1252 with a curly apostrophe") {
    const std::string raw =
        "From: x@example.com\r\n"
        "Subject: =?windows-1252?Q?Don=92t_sell_my_data_=96_thanks?=\r\n"
        "\r\nhi\r\n";
    CHECK(MustParse(raw).subject == "Don’t sell my data – thanks");
  }
  SECTION("raw 8-bit windows-1252 subject") {
    const std::string raw = "From: x@example.com\r\nSubject: Caf\xe9 \x93quoted\x94\r\n\r\nhi\r\n";
    CHECK(MustParse(raw).subject == "Café “quoted”");
  }
  SECTION("raw 8-bit UTF-8 subject and display name") {
    const std::string raw = "From: Jürgen Groß <jg@example.de>\r\nSubject: Löschung meiner Daten\r\n\r\nhi\r\n";
    const auto m = MustParse(raw);
    CHECK(m.subject == "Löschung meiner Daten");
    REQUIRE(m.from);
    CHECK(m.from->name == "Jürgen Groß");
    CHECK(m.from->email == "jg@example.de");
  }
  SECTION("iso-8859-1 labelled body with windows-1252 bytes") {
    const std::string raw =
        "From: x@example.com\r\nSubject: t\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\nO=92Brien r=E9sum=E9\r\n";
    CHECK(MustParse(raw).text == "O’Brien résumé");
  }
  SECTION("the Outlook fixture: windows-1252 QP body, encoded display name") {
    const auto m = MustParse(ReadFile(kRequests / "outlook_en_access_gdpr.eml"));
    REQUIRE(m.from);
    CHECK(m.from->name == "Seán O'Brien");
    CHECK(m.text.find("Seán O’Brien") != std::string::npos);
    CHECK(m.text.find("<html") == std::string::npos);  // text/plain preferred
  }
  SECTION("the Thunderbird fixture: ISO-8859-1 Q-encoded subject") {
    const auto m = MustParse(ReadFile(kRequests / "thunderbird_fr_effacement.eml"));
    CHECK(m.subject == "Demande d'effacement de mes données");
    CHECK(m.text.find("Conformément à l'article 17 du RGPD") != std::string::npos);
  }
  SECTION("base64 UTF-8 body") {
    const auto m = MustParse(ReadFile(kRequests / "yahoo_es_portabilidad.eml"));
    CHECK(m.text.find("artículo 20 del RGPD") != std::string::npos);
  }
  SECTION("an encoded display name containing a comma stays one address") {
    const auto m = MustParse(ReadFile(kPublic / "flanker_encoded_from_comma.eml"));
    REQUIRE(m.from);
    CHECK(m.from->email.find('@') != std::string::npos);
    CHECK(m.from->name.find(',') != std::string::npos);
  }
  SECTION("ISO-2022-JP subject") {
    const auto m = MustParse(ReadFile(kPublic / "mimekit_japanese_iso2022jp.eml"));
    CHECK_FALSE(m.subject.empty());
    CHECK(IsValidUtf8(m.subject));
    CHECK(m.subject.find("=?") == std::string::npos);
  }
}

TEST_CASE("received_at is the date of the topmost Received header", "[mail][parse]") {
  SECTION("several Received headers: the first one counts, not Date") {
    const std::string raw =
        "Received: from mx1.nimbus.example by mx.nimbus.example; Tue, 17 Nov 2026 14:05:00 +0000\r\n"
        "Received: from relay.example.org by mx1.nimbus.example;\r\n"
        "\tTue, 17 Nov 2026 15:04:00 +0100 (CET)\r\n"
        "From: a@example.org\r\n"
        "Date: Mon, 16 Nov 2026 09:00:00 -0800\r\n"
        "Subject: x\r\n\r\nbody\r\n";
    const auto m = MustParse(raw);
    REQUIRE(m.received_at);
    CHECK(FormatRfc3339(*m.received_at) == "2026-11-17T14:05:00Z");
    REQUIRE(m.date);
    CHECK(FormatRfc3339(*m.date) == "2026-11-16T17:00:00Z");
  }
  SECTION("a folded Received header with a ';' in the middle") {
    const std::string raw =
        "Received: from a.example (a.example [192.0.2.1]); by mx.example with ESMTPS id 42\r\n"
        " for <contact@nimbus.example>; Wed, 18 Nov 2026 07:30:15 -0500\r\n"
        "From: a@example.org\r\nSubject: x\r\n\r\nbody\r\n";
    const auto m = MustParse(raw);
    REQUIRE(m.received_at);
    CHECK(FormatRfc3339(*m.received_at) == "2026-11-18T12:30:15Z");
  }
  SECTION("the redelivered fixture") {
    const auto m = MustParse(ReadFile(kRequests / "gmail_en_delete_account_redelivered.eml"));
    REQUIRE(m.received_at);
    CHECK(FormatRfc3339(*m.received_at) == "2026-11-16T17:13:02Z");
  }
  SECTION("a public fixture with many hops") {
    const auto m = MustParse(ReadFile(kPublic / "flanker_bilingual_b_subject.eml"));
    REQUIRE(m.received_at);
    CHECK(FormatRfc3339(*m.received_at) == "2010-02-07T22:02:40Z");
  }
  SECTION("no Received header") {
    const auto m = MustParse(ReadFile(kRequests / "gmail_en_delete_account.eml"));
    CHECK_FALSE(m.received_at.has_value());
    REQUIRE(m.date);
    CHECK(FormatRfc3339(*m.date) == "2026-11-16T17:12:44Z");
  }
}

TEST_CASE("bytes GMime cannot read as a message are Invalid", "[mail][parse]") {
  CHECK(ParseMessage("").status().IsInvalid());
  CHECK(ParseMessage("no headers here, just words\x01\x02").status().IsInvalid());
  CHECK(ParseMessage(std::string("\xff\xfe\x00\x01", 4)).status().IsInvalid());
  CHECK(ParseMessage(std::string(255, ' ') + "\nFrom: a@example.com\n\nhi\n").status().IsInvalid());
}

TEST_CASE("ids, addresses and attachments", "[mail][parse]") {
  const std::string raw =
      "From: \"Ortiz, Sam\" <sam@ortiz.example>\r\n"
      "Reply-To: Dana <dana@example.com>\r\n"
      "To: Privacy <contact@nimbus.example>, undisclosed-recipients:;\r\n"
      "Message-ID: <abc@host.example>\r\n"
      "In-Reply-To: <ours-1@nimbus.example>\r\n"
      "References: <ours-0@nimbus.example> <ours-1@nimbus.example>\r\n"
      "Subject: test\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
      "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello\r\n"
      "--b\r\nContent-Type: application/pdf; name=\"auth.pdf\"\r\nContent-Disposition: attachment; filename=\"auth.pdf\"\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--b--\r\n";
  const auto m = MustParse(raw);
  CHECK(m.message_id == "abc@host.example");
  CHECK(m.in_reply_to == "ours-1@nimbus.example");
  CHECK(m.references == std::vector<std::string>{"ours-0@nimbus.example", "ours-1@nimbus.example"});
  REQUIRE(m.from);
  CHECK(m.from->name == "Ortiz, Sam");
  CHECK(m.from->email == "sam@ortiz.example");
  REQUIRE(m.reply_to);
  CHECK(m.reply_to->email == "dana@example.com");
  REQUIRE(m.to.size() == 1);
  CHECK(m.to[0].email == "contact@nimbus.example");
  CHECK(m.text == "Hello");
  CHECK(m.attachments == std::vector<std::string>{"auth.pdf"});
}

TEST_CASE("HTML-only mail is converted to text", "[mail][parse]") {
  const auto m = MustParse(ReadFile(kRequests / "webform_html_only_deletion.eml"));
  CHECK(m.text.find('<') == std::string::npos);
  CHECK(m.text.find("Request type\tDelete my data") != std::string::npos);
  CHECK(m.text.find("Email\tlucia.bianchi@example.com") != std::string::npos);
  CHECK(HtmlToText("<p>a&amp;b&nbsp;c &lt;x&gt; &eacute;&#233;&#xE9;</p><script>x()</script><br>d") ==
        "a&b c <x> ééé\n\nd");
  CHECK(HtmlToText("<div>mine</div><blockquote>theirs<br>more</blockquote>") == "mine\n\n> theirs\n> more");
}

TEST_CASE("format=flowed bodies are unwrapped", "[mail][parse]") {
  CHECK(UnflowText("one \r\ntwo\r\n-- \r\nsig", false) == "one two\n-- \nsig");
  CHECK(UnflowText("a- \nb", true) == "a-b");
  CHECK(UnflowText("> quoted \n> more\nfresh", false) == "> quoted more\nfresh");
  const auto m = MustParse(ReadFile(kRequests / "apple_de_auskunft.eml"));
  CHECK(m.subject == "Auskunftsersuchen nach Art. 15 DSGVO");
  CHECK(m.text.find("gemäß Art. 15 DSGVO Auskunft über die zu meiner Person") != std::string::npos);
}

TEST_CASE("fresh_text drops quoted replies and signatures", "[mail][parse][fresh]") {
  SECTION("'On ... wrote:' and '>' lines") {
    const std::string t = "Yes please.\n\nOn Mon, 16 Nov 2026 at 18:00, Privacy Team <p@nimbus.example> wrote:\n> old\n> text";
    CHECK(ExtractFreshText(t, false) == "Yes please.");
  }
  SECTION("a wrapped 'wrote:' line") {
    const std::string t = "Fine.\nOn Mon, Nov 16, 2026 at 6:00 PM Privacy Team <\np@nimbus.example> wrote:\n\n> x";
    CHECK(ExtractFreshText(t, false) == "Fine.");
  }
  SECTION("translations") {
    CHECK(ExtractFreshText("Ja.\n\nAm 16.11.2026 um 18:00 schrieb Privacy Team <p@n.example>:\n> alt", false) == "Ja.");
    CHECK(ExtractFreshText("Oui.\n\nLe lun. 16 nov. 2026 à 18:00, Privacy <p@n.example> a écrit :\n> x", false) == "Oui.");
    CHECK(ExtractFreshText("Sí.\n\nEl lun, 16 nov 2026 a las 18:00, Privacy (<p@n.example>) escribió:\n> x", false) == "Sí.");
    CHECK(ExtractFreshText("Sì.\n\nIl giorno lun 16 nov 2026 alle ore 18:00 P <p@n.example> ha scritto:\n> x", false) == "Sì.");
    CHECK(ExtractFreshText("Ja.\n\nOp 16 nov. 2026 om 18:00 schreef P <p@n.example>:\n> x", false) == "Ja.");
    CHECK(ExtractFreshText("Sim.\n\nEm seg., 16 de nov. de 2026 às 18:00, P <p@n.example> escreveu:\n> x", false) == "Sim.");
  }
  SECTION("Outlook blocks and Original Message separators") {
    CHECK(ExtractFreshText("Hello\n\n-----Original Message-----\nFrom: x\nunsubscribe", false) == "Hello");
    CHECK(ExtractFreshText("Hallo\n\n-----Ursprüngliche Nachricht-----\nVon: x\nlöschen", false) == "Hallo");
    CHECK(ExtractFreshText("Hi\n\n________________________________\nFrom: A <a@x.example>\nSent: Monday\nTo: B\n"
                           "Subject: S\n\nDelete my account",
                           false) == "Hi");
    CHECK(ExtractFreshText("Bonjour\n\nDe : A <a@x.example>\nEnvoyé : lundi\nÀ : B\nObjet : S\n\nsupprimer", false) ==
          "Bonjour");
  }
  SECTION("signatures") {
    CHECK(ExtractFreshText("Delete it.\n\nSent from my iPhone\n\n> quoted", false) == "Delete it.");
    CHECK(ExtractFreshText("Löschen.\n\nVon meinem iPad gesendet", false) == "Löschen.");
    CHECK(ExtractFreshText("Text\n-- \nJohn Doe\nACME unsubscribe", false) == "Text");
  }
  SECTION("an inline forward stays, with its header block") {
    const std::string t =
        "FYI\n-- \nRita\n\n---------- Forwarded message ---------\nFrom: P <p@example.net>\nDate: today\n"
        "Subject: s\n\nPlease delete my data.\n\nOn Sun wrote X <x@y.example>:\n> older";
    const std::string fresh = ExtractFreshText(t, false);
    CHECK(fresh.find("From: P <p@example.net>") != std::string::npos);
    CHECK(fresh.find("Please delete my data.") != std::string::npos);
    CHECK(fresh.find("Rita") == std::string::npos);
    CHECK(fresh.find("older") == std::string::npos);
  }
  SECTION("an Outlook forward (FW: subject) is kept") {
    const std::string t =
        "See below.\n\n________________________________\nFrom: Kim Lo <kim@example.org>\nSent: Monday\n"
        "To: staff@nimbus.example\nSubject: remove me\n\nPlease erase my personal data.";
    CHECK(ExtractFreshText(t, true).find("Please erase my personal data.") != std::string::npos);
    CHECK(ExtractFreshText(t, false).find("Please erase") == std::string::npos);
    CHECK(SubjectIsForward("FW: remove me"));
    CHECK(SubjectIsForward("Re: Fwd: x"));
    CHECK(SubjectIsForward("WG: Löschung"));
    CHECK(SubjectIsForward("TR : effacement"));
    CHECK_FALSE(SubjectIsForward("Re: question"));
    CHECK_FALSE(SubjectIsForward("Delete my account"));
  }
}

TEST_CASE("the reply template: reference, code, and no quoted text in fresh_text", "[mail][parse][reply]") {
  std::string raw = ReadFile(kRequests / "TEMPLATE_reply_with_code.eml");
  auto replace_all = [&](const std::string& from, const std::string& to) {
    for (std::size_t p = raw.find(from); p != std::string::npos; p = raw.find(from, p + to.size()))
      raw.replace(p, from.size(), to);
  };
  replace_all("{{CODE}}", "482913");
  replace_all("{{REFERENCE}}", "DSR-7K2M-9QXH");
  replace_all("{{OUR_MESSAGE_ID}}", "<ack-1@nimbus.example>");
  replace_all("{{MESSAGE_ID}}", "<reply-1@example.com>");
  const auto m = MustParse(raw);
  CHECK(m.in_reply_to == "ack-1@nimbus.example");
  CHECK(m.references == std::vector<std::string>{"ack-1@nimbus.example"});
  CHECK(FindReference(m.subject) == "DSR-7K2M-9QXH");
  CHECK(FindReference(m.text) == "DSR-7K2M-9QXH");
  CHECK(FindVerificationCode(m.fresh_text) == "482913");
  CHECK(m.fresh_text.find("delete your account") == std::string::npos);
  CHECK(m.fresh_text.find("DSR-") == std::string::npos);
  CHECK(m.text.find("delete your account") != std::string::npos);
}

TEST_CASE("FindReference and FindVerificationCode", "[mail][reference]") {
  CHECK(FindReference("Re: [DSR-7K2M-9QXH] Confirm") == "DSR-7K2M-9QXH");
  CHECK(FindReference("ref dsr-7k2m-9qxh.") == "DSR-7K2M-9QXH");
  CHECK(FindReference("DSR-7K2O-9QXL") == "DSR-7K20-9QX1");  // Crockford: O->0, L->1
  CHECK(FindReference("DSR-7K2U-9QXH").empty());                 // U is not Crockford
  CHECK(FindReference("XDSR-7K2M-9QXH").empty());
  CHECK(FindReference("DSR-7K2M-9QXHZ").empty());
  CHECK(FindReference("DSR-7K2-9QXH").empty());
  CHECK(FindReference("no reference").empty());

  CHECK(FindVerificationCode("My code is 123456") == "123456");
  CHECK(FindVerificationCode("123456") == "123456");
  CHECK(FindVerificationCode("Code: 123 456, thanks") == "123456");
  CHECK(FindVerificationCode("call +49 1234567 or 2026-11-16") == "");
  CHECK(FindVerificationCode("order 12345 and 1234567") == "");
  CHECK(FindVerificationCode("at 12:30:45 on 16.11.2026, ref A123456") == "");
  CHECK(FindVerificationCode("Ticket 555555. Mein Code lautet 654321.") == "654321");
  CHECK(FindVerificationCode("El código es: 908172") == "908172");
}
