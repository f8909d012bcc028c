// MachineGenerated (issue 4, "Not a request"): every `ignored` message of the public manifest
// gives its reason, every `triage` one and every real request gives none; then our own variants
// (bounces, auto-replies, receipts, list mail, Japanese auto-responders) and people who merely
// mention such things.
//
// People and addresses in the variants are fictional (example.* domains).
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "fixtures.h"
#include "mail/message.h"
#include "raw_message.h"

using namespace dsar;
using namespace dsar::mail;
using test::EncodedWord;
using test::kMail;
using test::MustParse;
using test::RawMessage;
using test::ReadFile;
using test::ReadTsv;

namespace {

std::string Reason(const std::string& raw) { return MachineGenerated(MustParse(raw)).value_or(""); }

// The reason expected for each `ignored` entry of mail/public/MANIFEST.tsv.
const std::map<std::string, std::string> kIgnored = {
    {"flanker_bounce_aol_mailbox_full.eml", "delivery status notification"},
    {"flanker_bounce_gmail_plain.eml", "delivery status notification (bounce sender)"},
    {"flanker_arf_complaint_aol.eml", "abuse report (ARF)"},
    {"flanker_mdn_read_receipt.eml", "read receipt (MDN)"},
    {"mimekit_bounce_exchange_hops.eml", "delivery status notification"},
    {"zbateson_m4006_tnef_read_receipt.eml", "read receipt (TNEF)"},
    {"phpmime_issue212_autoreply_win1250.eml", "Outlook automatic reply"},
    {"sisimai_rfc3834-01_vacation.eml", "auto-reply (Auto-Submitted: auto-replied)"},
    {"sisimai_rfc3834-04_outlook_autoreply.eml", "Outlook automatic reply"},
    {"sisimai_rfc3834-06_autoresponder_alt.eml", "auto-reply (Auto-Submitted: auto-replied)"},
    {"sisimai_gmail_dsn.eml", "delivery status notification (bounce sender)"},
    {"sisimai_office365_ndr.eml", "delivery status notification"},
    {"sisimai_exchange2007_ndr.eml", "delivery status notification"},
    {"mailparser_ses_dsn.eml", "delivery status notification"},
};

}  // namespace

TEST_CASE("public manifest: every ignored entry gives its reason, every triage entry none",
          "[mail][machine][fixtures]") {
  const auto rows = ReadTsv(kMail / "public" / "MANIFEST.tsv");
  REQUIRE(rows.size() >= 33);
  std::set<std::string> seen;
  int ignored = 0;
  int triage = 0;
  for (const auto& row : rows) {
    REQUIRE(row.size() >= 2);
    const std::string& file = row[0];
    const std::string& outcome = row[1];
    INFO("fixture " << file);
    const ParsedMessage m = MustParse(ReadFile(kMail / "public" / file));
    const auto reason = MachineGenerated(m);
    if (outcome == "ignored") {
      ++ignored;
      seen.insert(file);
      const auto expected = kIgnored.find(file);
      REQUIRE(expected != kIgnored.end());  // a new ignored fixture needs its reason here
      REQUIRE(reason.has_value());
      CHECK(*reason == expected->second);
    } else {
      REQUIRE(outcome == "triage");
      ++triage;
      CHECK_FALSE(reason.has_value());
      if (reason) INFO("reason " << *reason);
    }
  }
  CHECK(ignored == static_cast<int>(kIgnored.size()));
  CHECK(seen.size() == kIgnored.size());
  CHECK(triage == 19);
}

TEST_CASE("real requests, the question and the filled reply template are written by people",
          "[mail][machine][fixtures]") {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kMail / "requests")) {
    if (entry.path().extension() != ".eml") continue;
    std::string raw = ReadFile(entry.path());
    if (entry.path().filename().string().rfind("TEMPLATE", 0) == 0) {
      auto replace_all = [&raw](const std::string& from, const std::string& to) {
        for (std::size_t at = raw.find(from); at != std::string::npos; at = raw.find(from, at + to.size()))
          raw.replace(at, from.size(), to);
      };
      replace_all("{{CODE}}", "482913");
      replace_all("{{REFERENCE}}", "DSR-7K2M-9QXH");
      replace_all("{{OUR_MESSAGE_ID}}", "<ack-1@nimbus.example>");
      replace_all("{{MESSAGE_ID}}", "<reply-1@example.com>");
      REQUIRE(raw.find("{{") == std::string::npos);
    }
    INFO("fixture " << entry.path().filename().string());
    const auto reason = MachineGenerated(MustParse(raw));
    if (reason) INFO("reason " << *reason);
    CHECK_FALSE(reason.has_value());
    ++files;
  }
  CHECK(files == 18);
}

TEST_CASE("ParseMessage keeps the header data MachineGenerated reads", "[mail][machine][parse]") {
  SECTION("a Postfix DSN") {
    const ParsedMessage m = MustParse(ReadFile(kMail / "public" / "flanker_bounce_aol_mailbox_full.eml"));
    CHECK(m.content_type == "multipart/report");
    CHECK(m.report_type == "delivery-status");
    CHECK(m.auto_submitted == "auto-replied");
    CHECK(std::find(m.part_types.begin(), m.part_types.end(), "message/delivery-status") != m.part_types.end());
    CHECK(HeaderValue(m, "auto-submitted") == std::optional<std::string>("auto-replied"));
    CHECK_FALSE(HeaderValue(m, "List-Id").has_value());
  }
  SECTION("an inline message: order, decoding, topmost Return-Path, keywords") {
    const ParsedMessage m = MustParse(
        "Return-Path: <first@example.org>\n"
        "Return-Path: <second@example.org>\n"
        "From: Jonas Keller <j.keller@example.de>\n"
        "To: contact@nimbus.example\n"
        "Subject: =?utf-8?Q?L=C3=B6schung?= meiner\n"
        " Daten\n"
        "Auto-Submitted: (vacation program) No\n"
        "Precedence: Bulk\n"
        "List-Id: Nimbus news <news.lists.example.org>\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "\n"
        "Hallo\n");
    REQUIRE(m.headers.size() == 9);
    CHECK(m.headers[0] == std::make_pair(std::string("Return-Path"), std::string("<first@example.org>")));
    CHECK(m.headers[4] == std::make_pair(std::string("Subject"), std::string("Löschung meiner Daten")));
    CHECK(m.headers[8] == std::make_pair(std::string("Content-Type"), std::string("text/plain; charset=utf-8")));
    CHECK(m.return_path == "<first@example.org>");
    CHECK(m.auto_submitted == "no");
    CHECK(m.precedence == "bulk");
    CHECK(m.list_id == "Nimbus news <news.lists.example.org>");
    CHECK(m.content_type == "text/plain");
    CHECK(m.report_type.empty());
    CHECK(m.part_types == std::vector<std::string>{"text/plain"});
    CHECK(HeaderValue(m, "SUBJECT") == std::optional<std::string>("Löschung meiner Daten"));
  }
  SECTION("parts inside an attached message are not listed") {
    const ParsedMessage m = MustParse(
        "From: Rita Gomez <rita@example.com>\n"
        "Subject: Fwd: look at this bounce\n"
        "Content-Type: multipart/mixed; boundary=\"b1\"\n"
        "\n"
        "--b1\n"
        "Content-Type: text/plain\n"
        "\n"
        "See attached.\n"
        "--b1\n"
        "Content-Type: message/rfc822\n"
        "\n"
        "From: MAILER-DAEMON@mx.example.net\n"
        "Subject: Undelivered Mail Returned to Sender\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b2\"\n"
        "\n"
        "--b2\n"
        "Content-Type: text/plain\n"
        "\n"
        "failed\n"
        "--b2\n"
        "Content-Type: message/delivery-status\n"
        "\n"
        "Reporting-MTA: dns; mx.example.net\n"
        "--b2--\n"
        "--b1--\n");
    CHECK(m.content_type == "multipart/mixed");
    CHECK(m.part_types == std::vector<std::string>{"text/plain", "message/rfc822"});
    CHECK_FALSE(MachineGenerated(m).has_value());
  }
}

TEST_CASE("own variants: machine-generated mail gives its reason", "[mail][machine][variants]") {
  SECTION("a German Outlook auto-reply without Auto-Submitted") {
    CHECK(Reason("From: Jonas Keller <j.keller@example.de>\n"
                 "To: Privacy Team <privacy@nimbus.example>\n"
                 "Subject: =?iso-8859-1?Q?Automatische_Antwort:_Best=E4tigen_Sie_Ihre_Anfrage?=\n"
                 "Date: Tue, 24 Nov 2026 10:00:00 +0100\n"
                 "Message-ID: <AM0PR07MB1111@AM0PR07MB1111.eurprd07.prod.outlook.example>\n"
                 "Thread-Topic: Bestätigen Sie Ihre Anfrage\n"
                 "X-MS-Has-Attach:\n"
                 "Content-Type: text/plain; charset=iso-8859-1\n"
                 "Content-Transfer-Encoding: quoted-printable\n"
                 "\n"
                 "Ich bin bis zum 3. Januar nicht im B=FCro. Bitte l=F6schen Sie nichts.\n") ==
          "Outlook automatic reply");
  }
  SECTION("French, Spanish, Japanese, Swedish auto-reply subjects, and a [tag] before one") {
    const char* subjects[] = {
        "=?utf-8?Q?R=C3=A9ponse_automatique_:_Votre_demande?=",
        "=?utf-8?Q?Respuesta_autom=C3=A1tica:_Su_solicitud?=",
        "=?utf-8?B?6Ieq5YuV5b+c562UOiDjgYrllY/jgYTlkIjjgo/jgZs=?=",  // 自動応答: お問い合わせ
        "Autosvar: Din förfrågan",
        "[EXTERNAL] Automatic reply: Your request",
        "Automatyczna odpowiedź: Twoje żądanie",
    };
    for (const char* s : subjects) {
      INFO("subject " << s);
      CHECK(Reason(std::string("From: someone@example.net\nSubject: ") + s +
                   "\nContent-Type: text/plain; charset=utf-8\n\nI am away.\n") == "Outlook automatic reply");
    }
  }
  SECTION("an Outlook auto-reply known by its headers, subject unchanged") {
    CHECK(Reason("From: Sanne Bakker <sanne.bakker@example.nl>\n"
                 "Subject: Uw verzoek\n"
                 "X-Auto-Response-Suppress: All\n"
                 "X-MS-Exchange-Inbox-Rules-Loop: sanne.bakker@example.nl\n"
                 "Content-Type: text/plain\n\nIk ben afwezig.\n") ==
          "Outlook automatic reply (X-MS-Exchange-Inbox-Rules-Loop)");
  }
  SECTION("a Postfix bounce as text/plain that quotes our acknowledgment") {
    const std::string raw =
        "From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\n"
        "To: privacy@nimbus.example\n"
        "Subject: Undelivered Mail Returned to Sender\n"
        "Date: Tue, 24 Nov 2026 10:00:00 +0000\n"
        "Content-Type: text/plain; charset=us-ascii\n"
        "\n"
        "This is the mail system at host mx.example.net.\n\n"
        "I'm sorry to have to inform you that your message could not\n"
        "be delivered to one or more recipients.\n\n"
        "<harriet.vance@example.com>: host mail.example.com said: 550 5.1.1 User unknown\n\n"
        "Subject: Please confirm your request to delete your data\n"
        "We received your request to delete your account and all personal data.\n";
    const ParsedMessage m = MustParse(raw);
    CHECK(MachineGenerated(m) == std::optional<std::string>("delivery status notification (bounce sender)"));
  }
  SECTION("an Exim bounce known by X-Failed-Recipients, and one by its subject only") {
    CHECK(Reason("From: Relay <relay@mx.example.org>\n"
                 "X-Failed-Recipients: tomas.herrera@example.es\n"
                 "Subject: Problem\n\nA message that you sent could not be delivered.\n") ==
          "delivery status notification (X-Failed-Recipients)");
    CHECK(Reason("From: Relay <relay@mx.example.org>\n"
                 "Subject: Mail delivery failed: returning message to sender\n\n"
                 "A message that you sent could not be delivered.\n") ==
          "delivery status notification (bounce subject)");
    CHECK(Reason("From: Exchange <relay@mx.example.org>\n"
                 "Subject: Unzustellbar: Ihre Anfrage\n\nDie Zustellung ist fehlgeschlagen.\n") ==
          "delivery status notification (bounce subject)");
  }
  SECTION("an MDN, standard and wrapped in multipart/mixed") {
    CHECK(Reason("From: Francesca Conti <f.conti@example.it>\n"
                 "Subject: Letto: La sua richiesta\n"
                 "Content-Type: multipart/report; report-type=disposition-notification; boundary=\"r\"\n"
                 "\n"
                 "--r\n"
                 "Content-Type: text/plain\n\nThe message was displayed.\n"
                 "--r\n"
                 "Content-Type: message/disposition-notification\n\n"
                 "Reporting-UA: mail.example.it\nDisposition: manual-action/MDN-sent-manually; displayed\n"
                 "--r--\n") == "read receipt (MDN)");
    CHECK(Reason("From: Francesca Conti <f.conti@example.it>\n"
                 "Subject: Receipt\n"
                 "Content-Type: multipart/mixed; boundary=\"r\"\n"
                 "\n"
                 "--r\n"
                 "Content-Type: text/plain\n\nThe message was displayed.\n"
                 "--r\n"
                 "Content-Type: message/disposition-notification\n\n"
                 "Disposition: manual-action/MDN-sent-manually; displayed\n"
                 "--r--\n") == "read receipt (MDN)");
  }
  SECTION("a German TNEF read receipt") {
    CHECK(Reason("From: Jonas Keller <j.keller@example.de>\n"
                 "Subject: Gelesen: Ihre Anfrage\n"
                 "Content-Type: application/ms-tnef; name=\"winmail.dat\"\n"
                 "Content-Transfer-Encoding: base64\n\n"
                 "eJ8+IgAAAQaQCAAEAAAAAAABAAEAAQeQBgAIAAAA5AQAAAAAAADoAAEIgAcAGAAAAElQTS5NaWNy\n") ==
          "read receipt (TNEF)");
  }
  SECTION("list and bulk mail") {
    CHECK(Reason("From: Privacy Weekly <editor@news.example.org>\n"
                 "Subject: This week: deletion requests explained\n"
                 "List-Id: Privacy Weekly <weekly.news.example.org>\n"
                 "List-Unsubscribe: <mailto:leave@news.example.org>\n\n"
                 "Please delete my account, said a reader...\n") == "mailing list (List-Id)");
    CHECK(Reason("From: Offers <offers@shop.example.com>\n"
                 "Subject: 20% off\n"
                 "List-Unsubscribe: <https://shop.example.com/u?x=1>\n\n"
                 "Click here to unsubscribe.\n") == "mailing list (List-Unsubscribe)");
    CHECK(Reason("From: Offers <offers@shop.example.com>\nSubject: Sale\nPrecedence: bulk\n\nSale.\n") ==
          "bulk mail (Precedence: bulk)");
  }
  SECTION("Auto-Submitted keywords, other auto-responders, Exchange NDR header, null sender") {
    CHECK(Reason("From: a@example.com\nSubject: Ticket 1\nAuto-Submitted: auto-generated\n\nx\n") ==
          "automatic message (Auto-Submitted: auto-generated)");
    CHECK(Reason("From: a@example.com\nSubject: Away\nAuto-Submitted: Auto-Replied (vacation)\n\nx\n") ==
          "auto-reply (Auto-Submitted: auto-replied)");
    CHECK(Reason("From: a@example.com\nSubject: Away\nAuto-Submitted: auto-x-custom\n\nx\n") ==
          "automatic message (Auto-Submitted)");
    CHECK(Reason("From: a@example.com\nSubject: Away\nAuto-Submitted: (unclosed comment\n\nx\n") == "");
    CHECK(Reason("From: a@example.com\nSubject: Away\nX-Autoreply: yes\n\nx\n") == "auto-reply (X-Autoreply)");
    CHECK(Reason("From: a@example.com\nSubject: Away\nPrecedence: auto_reply\n\nx\n") ==
          "auto-reply (Precedence: auto_reply)");
    CHECK(Reason("From: a@example.com\nSubject: Your request\nX-MS-Exchange-Message-Is-Ndr:\n\nx\n") ==
          "delivery status notification (Exchange NDR)");
    CHECK(Reason("Return-Path: <>\nFrom: a@example.com\nSubject: Your request\n\nx\n") == "null sender");
  }
}

TEST_CASE("own variants: people who mention such things are people", "[mail][machine][variants]") {
  SECTION("a request that mentions the automatic reply it got") {
    const ParsedMessage m = MustParse(
        "From: Harriet Vance <harriet.vance@example.com>\n"
        "To: contact@nimbus.example\n"
        "Subject: Still waiting: delete my account\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "\n"
        "Hello,\n\nI wrote last week and only got an automatic reply (\"Automatic reply: out of office\").\n"
        "Please delete my account and all personal data you hold about me.\n\nHarriet\n");
    CHECK_FALSE(MachineGenerated(m).has_value());
    const Classification c = Classify(m);
    CHECK(c.outcome == Classification::Outcome::kRequest);
    CHECK(c.type == std::optional<RequestType>(RequestType::kDeletion));
  }
  SECTION("a reply to our mail that quotes a Delivery Status Notification") {
    CHECK_FALSE(MachineGenerated(MustParse(
                    "From: Alex Morgan <alex.morgan@example.com>\n"
                    "To: Privacy Team <privacy@nimbus.example>\n"
                    "Subject: Re: [DSR-7K2M-9QXH] Confirm your request\n"
                    "In-Reply-To: <ack-1@nimbus.example>\n"
                    "References: <ack-1@nimbus.example>\n"
                    "Content-Type: text/plain; charset=utf-8\n"
                    "\n"
                    "My code is 482913. My first mail came back with this:\n\n"
                    "> Delivery Status Notification (Failure)\n"
                    "> Mail Delivery Subsystem <mailer-daemon@googlemail.com>\n"
                    "> Undeliverable: 550 5.1.1 user unknown\n"))
                    .has_value());
  }
  SECTION("a person who forwards a bounce, answers an auto-reply, or has a bounce-like subject later") {
    CHECK_FALSE(MachineGenerated(MustParse("From: Rita Gomez <rita@example.com>\n"
                                       "Subject: Fwd: Undeliverable: Delete my account\n\nSee below.\n"))
                    .has_value());
    CHECK_FALSE(MachineGenerated(MustParse("From: Rita Gomez <rita@example.com>\n"
                                       "Subject: RE: Automatic reply: Data deletion\n\nAre you back?\n"))
                    .has_value());
    CHECK_FALSE(MachineGenerated(MustParse("From: Rita Gomez <rita@example.com>\n"
                                       "Subject: My request after the Delivery Status Notification\n\nHi\n"))
                    .has_value());
    CHECK_FALSE(MachineGenerated(MustParse("From: Rita Gomez <rita@example.com>\n"
                                       "Subject: Read: my notes on your privacy policy\n"
                                       "Content-Type: text/plain\n\nHi\n"))
                    .has_value());
  }
  SECTION("one Outlook header alone is not enough; Auto-Submitted: no; a postmaster-like address") {
    // A person's request redirected by an Exchange inbox rule (info@ -> privacy@).
    CHECK_FALSE(MachineGenerated(MustParse("From: Liam Walsh <liam.walsh@example.ie>\n"
                                       "Subject: Erase my data\n"
                                       "X-MS-Exchange-Inbox-Rules-Loop: info@nimbus.example\n"
                                       "Thread-Index: AdtPq9n2mXr0d1YzT0WlE7x6Zx3f7A==\n\n"
                                       "Please erase my data.\n"))
                    .has_value());
    CHECK_FALSE(MachineGenerated(MustParse("From: Liam Walsh <liam.walsh@example.ie>\n"
                                       "Subject: Erase my data\n"
                                       "X-Auto-Response-Suppress: All\n\nPlease erase my data.\n"))
                    .has_value());
    CHECK_FALSE(MachineGenerated(MustParse("From: Liam Walsh <liam.walsh@example.ie>\n"
                                       "Subject: Erase my data\nAuto-Submitted: no\n\nPlease erase my data.\n"))
                    .has_value());
    CHECK_FALSE(MachineGenerated(MustParse("Return-Path: <postmaster.jones@example.ie>\n"
                                       "From: Pat Postmaster <postmaster.jones@example.ie>\n"
                                       "Subject: Erase my data\n\nPlease erase my data.\n"))
                    .has_value());
  }
}

TEST_CASE("Japanese auto-replies are machine-generated; a person answering one is not",
          "[mail][machine][ja]") {
  auto reason = [](const std::string& subject) {
    RawMessage m;
    m.from = "support@example.co.jp";
    m.subject = subject;
    m.body = "お問い合わせありがとうございます。担当者より折り返しご連絡いたします。";
    return MachineGenerated(MustParse(m.Build())).value_or("");
  };
  CHECK(reason(EncodedWord("自動応答: 個人情報の開示請求", "ISO-2022-JP")) == "Outlook automatic reply");
  CHECK(reason(EncodedWord("自動返信：お問い合わせ", "UTF-8")) == "Outlook automatic reply");
  CHECK(reason(EncodedWord("【自動返信】お問い合わせありがとうございます", "ISO-2022-JP")) == "auto-reply (subject)");
  CHECK(reason(EncodedWord("[自動応答] 受付のお知らせ", "UTF-8")) == "auto-reply (subject)");
  CHECK(reason(EncodedWord("［自動送信］お問い合わせを受け付けました", "Shift_JIS", "CP932")) == "auto-reply (subject)");
  CHECK(reason(EncodedWord("不在通知: 個人情報の削除について", "UTF-8")) == "auto-reply (subject)");
  CHECK(reason(EncodedWord("不在通知", "UTF-8")) == "auto-reply (subject)");
  CHECK(reason(EncodedWord("【不在のお知らせ】11月30日まで", "UTF-8")) == "auto-reply (subject)");
  // People.
  CHECK(reason(EncodedWord("Re: 【自動返信】お問い合わせありがとうございます", "UTF-8")) == "");
  CHECK(reason(EncodedWord("不在通知について質問です", "UTF-8")) == "");
  CHECK(reason(EncodedWord("自動返信メールが届きません", "UTF-8")) == "");
  CHECK(reason(EncodedWord("個人情報の開示請求", "ISO-2022-JP")) == "");
}
