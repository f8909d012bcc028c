// Decoding to UTF-8 (mail/text/charset.h) as ParseMessage applies it to headers and bodies:
// windows-1252 under Latin-1 labels, UTF-8 under a us-ascii label or none, and the Japanese
// charsets (ISO-2022-JP, Shift_JIS, EUC-JP as the mail clients that write them mean them).
//
// People and addresses are fictional (example.* domains).
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "mail/fixtures.h"
#include "mail/message.h"
#include "mail/raw_message.h"
#include "mail/text/charset.h"
#include "mail/text/fold.h"
#include "mail/text/utf8.h"

using namespace dsar;
using namespace dsar::mail;
using test::EncodedWord;
using test::Encode;
using test::kPublic;
using test::kRequests;
using test::MustParse;
using test::Names;
using test::RawMessage;
using test::ReadFile;

namespace {

using V = std::vector<std::string>;

}  // namespace

// Acceptance defect: UTF-8 under a us-ascii label became mojibake.

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

TEST_CASE("Japanese charsets decode to the right text", "[mail][parse][ja]") {
  SECTION("the public ISO-2022-JP fixture (Thunderbird)") {
    const auto m = MustParse([] {
      std::ifstream in(std::string(DSAR_SHARED_FIXTURES) + "/mail/public/mimekit_japanese_iso2022jp.eml",
                       std::ios::binary);
      REQUIRE(in.good());
      return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }());
    CHECK(m.subject == "日本語メールテスト (testing Japanese emails)");
    CHECK(m.text.find("日本語が\n正常に\n送れているか\nテスト.") != std::string::npos);
  }
  SECTION("ISO-2022-JP with NEC special characters (① ㈱), as Outlook sends them") {
    // ESC $ B "-!" is ① and "-j" is ㈱ (NEC row 13, CP50220); glibc's ISO-2022-JP refuses both.
    const std::string body = Encode("ご担当者様\r\n", "ISO-2022-JP") + "\x1b$B-!\x1b(B " +
                             Encode("開示請求をお願いします。\r\n", "ISO-2022-JP") + "\x1b$B-j\x1b(B" +
                             Encode("サンプル 山田\r\n", "ISO-2022-JP");
    RawMessage m;
    m.from = "taro.yamada@example.jp";
    m.subject = "=?ISO-2022-JP?B?" + test::Base64("\x1b$B-!\x1b(B" + Encode("開示請求", "ISO-2022-JP"), 0) + "?=";
    m.charset = "iso-2022-jp";
    m.transfer_encoding = "7bit";
    m.body = body;
    const auto parsed = MustParse(m.Build());
    CHECK(parsed.subject == "①開示請求");
    CHECK(parsed.text == "ご担当者様\n① 開示請求をお願いします。\n㈱サンプル 山田");
    const auto c = Classify(parsed);
    CHECK(c.outcome == Classification::Outcome::kRequest);
    CHECK(Names(c) == V{"access"});
  }
  SECTION("Shift_JIS is read as windows-31j: 髙 and ① survive") {
    RawMessage m;
    m.from = EncodedWord("髙橋 美咲", "Shift_JIS", "CP932") + " <misaki.takahashi@example.jp>";
    m.subject = EncodedWord("①氏名の訂正", "SHIFT_JIS", "CP932");
    m.charset = "SHIFT_JIS";
    m.body = Encode("氏名の「高」は「髙」が正しい表記です。訂正をお願いします。\r\n", "CP932");
    const auto parsed = MustParse(m.Build());
    REQUIRE(parsed.from);
    CHECK(parsed.from->name == "髙橋 美咲");
    CHECK(parsed.subject == "①氏名の訂正");
    CHECK(parsed.text == "氏名の「高」は「髙」が正しい表記です。訂正をお願いします。");
    CHECK(Names(Classify(parsed)) == V{"correction"});
  }
  SECTION("half-width katakana (Shift_JIS single bytes) are matched as full-width") {
    RawMessage m;
    m.from = "ken.tanaka@example.or.jp";
    m.charset = "x-sjis";
    m.body = Encode("ﾃﾞｰﾀの削除をお願いします。ﾒﾙﾏｶﾞも不要です。\r\n", "CP932");
    const auto parsed = MustParse(m.Build());
    CHECK(parsed.text == "ﾃﾞｰﾀの削除をお願いします。ﾒﾙﾏｶﾞも不要です。");
    const auto c = Classify(parsed);
    CHECK(c.language == "ja");
    CHECK(Names(c) == V{"deletion", "opt_out_marketing"});
  }
  SECTION("EUC-JP") {
    RawMessage m;
    m.from = "ken.tanaka@example.or.jp";
    m.subject = EncodedWord("配信停止", "EUC-JP");
    m.charset = "euc-jp";
    m.body = Encode("メールマガジンの配信を停止してください。\r\n", "EUC-JP");
    const auto parsed = MustParse(m.Build());
    CHECK(parsed.subject == "配信停止");
    CHECK(Names(Classify(parsed)) == V{"opt_out_marketing"});
  }
  SECTION("NarrowWidth and FoldForMatching") {
    CHECK(NarrowWidth("ＧＤＰＲ第１５条：") == "GDPR第15条:");
    CHECK(NarrowWidth("ﾃﾞｰﾀ ﾎﾟｰﾀﾋﾞﾘﾃｨ ｳﾞ") == "データ ポータビリティ ヴ");
    CHECK(NarrowWidth("全角　スペース") == "全角 スペース");
    CHECK(FoldForMatching("ＣＳＶ形式") == "csv形式");
  }
}
