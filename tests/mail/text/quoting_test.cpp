// The fresh text of a message (mail/text/quoting.h): quoted replies, reply headers in our
// languages (Japanese too), forwards and signatures told apart from what the sender wrote now.
//
// People and addresses are fictional (example.* domains).
#include <catch2/catch.hpp>

#include <string>

#include "mail/fixtures.h"
#include "mail/message.h"
#include "mail/text/forward.h"
#include "mail/text/quoting.h"

using namespace dsar;
using namespace dsar::mail;
using test::kMail;
using test::ReadFile;

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

TEST_CASE("Japanese reply headers, quotes and signatures stay out of fresh_text", "[mail][parse][fresh][ja]") {
  SECTION("Gmail: <date> <name> <addr>: with no verb") {
    CHECK(ExtractFreshText("削除してください。\n\n2026年11月20日(金) 10:00 山田太郎 <x@example.com>:\n\n> 開示請求", false) ==
          "削除してください。");
    // wrapped over two lines
    CHECK(ExtractFreshText("はい。\n\n2026年11月20日(金) 10:00 Nimbus サポート <\nsupport@nimbus.example>:\n> 開示", false) ==
          "はい。");
  }
  SECTION("Apple Mail and Thunderbird in Japanese") {
    CHECK(ExtractFreshText("了解です。\n\n2026/11/20 10:00、山田太郎 <x@example.com>のメール:\n\n> 削除", false) ==
          "了解です。");
    CHECK(ExtractFreshText("了解です。\n\n山田太郎 さんは書きました:\n> 削除", false) == "了解です。");
  }
  SECTION("original-message separators and Outlook's Japanese header block") {
    CHECK(ExtractFreshText("はい。\n\n--- 元のメッセージ ---\n差出人: x\n削除", false) == "はい。");
    CHECK(ExtractFreshText("はい。\n\n-----元のメッセージ-----\n削除", false) == "はい。");
    CHECK(ExtractFreshText("はい。\n\n―――――元のメッセージ―――――\n削除", false) == "はい。");
    CHECK(ExtractFreshText("はい。\n\n差出人: Nimbus <n@nimbus.example>\n送信日時: 2026年11月18日 9:00\n宛先: a\n"
                           "件名: ご案内\n\n配信停止はこちら",
                           false) == "はい。");
    CHECK(ExtractFreshText("はい。\n\n差出人：Nimbus <n@nimbus.example>\n送信日時：2026年11月18日 9:00\n\n削除", false) ==
          "はい。");
  }
  SECTION("quotes with '>' and '＞'") {
    CHECK(ExtractFreshText("承知しました。\n＞ 配信停止\n> 削除", false) == "承知しました。");
  }
  SECTION("signatures: '--', a mobile line, rules of ━ or ─ with contact details") {
    CHECK(ExtractFreshText("開示をお願いします。\n--\n山田太郎\n配信停止", false) == "開示をお願いします。");
    CHECK(ExtractFreshText("開示をお願いします。\n\niPhoneから送信", false) == "開示をお願いします。");
    CHECK(ExtractFreshText("開示をお願いします。\n━━━━━━━━━━\n山田 太郎\nyamada@example.jp\n━━━━━━━━━━", false) ==
          "開示をお願いします。");
    CHECK(ExtractFreshText("開示をお願いします。\n\n──────────────\n株式会社サンプル\n山田 太郎\nTEL 03-1234-5678\n", false) ==
          "開示をお願いします。");
    CHECK(ExtractFreshText("開示をお願いします。\n＝＝＝＝＝＝＝＝\n山田\n＝＝＝＝＝＝＝＝", false) == "開示をお願いします。");
  }
  SECTION("a rule inside the request is not a signature") {
    const std::string t =
        "以下の通り請求します。\n━━━━━━━━━━\n請求内容：保有個人データの開示\n━━━━━━━━━━\nよろしくお願いいたします。\n山田";
    CHECK(ExtractFreshText(t, false) == t);
  }
}

TEST_CASE("quoted text from the public replies stays out of fresh_text", "[mail][parse][public]") {
  auto fresh = [](const char* file) {
    auto parsed = ParseMessage(ReadFile(kMail / "public" / file));
    REQUIRE(parsed.ok());
    return parsed->fresh_text;
  };
  // Outlook "From: x [mailto:x] / Sent:" block whose quoted newsletter says "unsubscribe".
  CHECK(fresh("talon_outlook_reply.eml").find("nsubscribe") == std::string::npos);
  CHECK(fresh("talon_outlook_reply.eml").find("Hello") != std::string::npos);
  // Yahoo "----- Original Message -----" with embedded From:/Subject: lines.
  CHECK(fresh("talon_yahoo_reply.eml") == "Hello");
  CHECK(fresh("talon_aol_reply.eml").find("Original Message") == std::string::npos);
  CHECK(fresh("talon_iphone_reply.eml").find("Sent from my iPhone") == std::string::npos);
  CHECK(fresh("talon_gmail_reply.eml").find("wrote:") == std::string::npos);
  CHECK(fresh("talon_thunderbird_reply.eml").find("wrote:") == std::string::npos);
}
