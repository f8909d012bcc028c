// Japanese mail (issue 4 §4): requests as people in Japan write them to a company (個人情報保護法 /
// APPI terms, and GDPR/CCPA terms in Japanese), in UTF-8, ISO-2022-JP and Shift_JIS, with
// encoded-word subjects; an agent (代理人) and a parent; a staff forward and a web form; two
// rights in one mail; mail that is not a request; jurisdiction hints. Wordings of our own, not the
// shared fixtures. (Japanese charsets: text/charset_test.cpp; reply headers and signatures:
// text/quoting_test.cpp; auto-replies: machine_test.cpp.)
//
// Japan's 個人情報保護法 has no jurisdiction in workflows/jurisdictions/jurisdictions.yaml, so a
// Japanese request that names only it has no hint.
//
// People and addresses are fictional (example.* domains).
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "mail/message.h"
#include "mail/raw_message.h"

using namespace dsar;
using namespace dsar::mail;
using test::ClassifyRaw;
using test::EncodedWord;
using test::Encode;
using test::MustParse;
using test::Names;
using test::RawMessage;

namespace {

// How a variant is sent: the charsets Japanese mail clients use.
enum class Enc {
  kUtf8,            // UTF-8 8bit, raw UTF-8 headers (Gmail web, iPhone)
  kUtf8Base64,      // UTF-8 base64, B-encoded UTF-8 headers (Outlook)
  kIso2022Jp,       // ISO-2022-JP 7bit, B-encoded ISO-2022-JP headers (Thunderbird, Becky!, older clients)
  kShiftJis,        // Shift_JIS (windows-31j bytes) 8bit, B-encoded headers (Windows clients)
  kShiftJisBase64,  // Shift_JIS base64
};

const char* EncName(Enc e) {
  switch (e) {
    case Enc::kUtf8: return "utf-8/8bit";
    case Enc::kUtf8Base64: return "utf-8/base64";
    case Enc::kIso2022Jp: return "iso-2022-jp/7bit";
    case Enc::kShiftJis: return "shift_jis/8bit";
    case Enc::kShiftJisBase64: return "shift_jis/base64";
  }
  return "";
}

// `utf8` (with "\n" line ends) as the message's header value and body bytes for `e`.
std::string HeaderText(const std::string& utf8, Enc e) {
  switch (e) {
    case Enc::kUtf8: return utf8;
    case Enc::kUtf8Base64: return EncodedWord(utf8, "UTF-8");
    case Enc::kIso2022Jp: return EncodedWord(utf8, "ISO-2022-JP");
    case Enc::kShiftJis:
    case Enc::kShiftJisBase64: return EncodedWord(utf8, "Shift_JIS", "CP932");
  }
  return utf8;
}

std::string Crlf(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

void SetBody(RawMessage& m, const std::string& utf8, Enc e) {
  const std::string text = Crlf(utf8);
  switch (e) {
    case Enc::kUtf8:
      m.charset = "utf-8";
      m.transfer_encoding = "8bit";
      m.body = text;
      break;
    case Enc::kUtf8Base64:
      m.charset = "UTF-8";
      m.transfer_encoding = "base64";
      m.body = text;
      break;
    case Enc::kIso2022Jp:
      m.charset = "ISO-2022-JP";
      m.transfer_encoding = "7bit";
      m.body = Encode(text, "ISO-2022-JP");
      break;
    case Enc::kShiftJis:
      m.charset = "Shift_JIS";
      m.transfer_encoding = "8bit";
      m.body = Encode(text, "CP932");
      break;
    case Enc::kShiftJisBase64:
      m.charset = "Shift_JIS";
      m.transfer_encoding = "base64";
      m.body = Encode(text, "CP932");
      break;
  }
}

struct Person {
  const char* name;
  const char* email;
};

const Person kPeople[] = {
    {"山田 太郎", "taro.yamada@example.jp"},     {"佐藤 花子", "hanako.sato@example.co.jp"},
    {"鈴木 一郎", "ichiro.suzuki@example.ne.jp"}, {"高橋 美咲", "misaki.takahashi@example.jp"},
    {"田中 健", "ken.tanaka@example.or.jp"},     {"伊藤 さくら", "sakura.ito@example.com"},
    {"渡辺 翔", "sho.watanabe@example.jp"},      {"中村 由美", "yumi.nakamura@example.net"},
};

std::string BuildFrom(const Person& p, const std::string& subject, const std::string& body, Enc e, int n) {
  RawMessage m;
  m.from = HeaderText(p.name, e == Enc::kUtf8 ? Enc::kUtf8Base64 : e) + " <" + p.email + ">";
  if (!subject.empty()) m.subject = HeaderText(subject, e);
  m.message_id = "ja-" + std::to_string(n) + "@example.jp";
  SetBody(m, body, e);
  return m.Build();
}

using V = std::vector<std::string>;

struct JaVariant {
  V types;  // every right asked for, in order; empty: triage
  Enc enc;
  const char* subject;  // "" sends no Subject header
  const char* body;
  const char* hint = "";
};

const JaVariant kVariants[] = {
    // ---------------------------------------------------------------- access (開示)
    {V{"access"}, Enc::kUtf8, "個人情報開示請求",
     "株式会社ニンバス\n個人情報保護ご担当者様\n\nいつもお世話になっております。山田と申します。\n\n"
     "個人情報の保護に関する法律に基づき、貴社が保有する私の保有個人データの開示を請求いたします。\n"
     "あわせて、利用目的と第三者提供の記録についてもご教示ください。\n\nよろしくお願いいたします。\n\n山田 太郎"},
    {V{"access"}, Enc::kIso2022Jp, "",
     "ご担当者様\n\nお世話になります。\n御社のサービスを3年ほど利用している佐藤です。\n"
     "私についてどのような個人情報を保有されているのか、一覧で送っていただけますか？\n\n佐藤 花子"},
    {V{"access"}, Enc::kShiftJis, "GDPRに基づくアクセス権の行使",
     "ご担当者様\n\n私は現在ドイツに住んでおります。\nGDPR第15条に基づき、私に関する個人データのコピーを提供してください。\n"
     "処理の目的と保存期間についても教えていただけると助かります。\n\n鈴木",
     "gdpr"},
    // ---------------------------------------------------------------- deletion (削除・消去)
    {V{"deletion"}, Enc::kUtf8Base64, "退会と個人情報削除のお願い",
     "お世話になっております。\n先日退会手続きをいたしましたが、登録していた個人情報もすべて削除していただきたく、"
     "ご連絡いたしました。\n削除が完了しましたら、ご一報いただけますと幸いです。\n\n髙橋"},
    // A reply: what the sender wrote now takes back the disclosure; the quoted mail (Gmail's
    // Japanese attribution line) mentions the disclosure request.
    {V{"deletion"}, Enc::kIso2022Jp, "Re: 個人情報の開示請求について",
     "ご回答ありがとうございます。\n開示は不要になりましたので、アカウントと関連するデータをすべて消去してください。\n\n田中\n\n"
     "2026年11月20日(金) 10:00 Nimbus プライバシー窓口 <privacy@nimbus.example>:\n\n"
     "> 田中様\n>\n> 保有個人データの開示請求を承りました。\n> 本人確認のため、以下のリンクからお手続きください。\n"},
    // 利用停止・消去 (APPI Art. 35) names both in one wording: an erasure request.
    {V{"deletion"}, Enc::kShiftJisBase64, "個人データ消去のお願い",
     "ご担当者様\n\n貴社から届くメールを見て、以前登録したことを思い出しました。\n"
     "個人情報保護法に基づき、貴社が保有する私の個人データの利用停止・消去を請求します。\n\n伊藤"},
    // ---------------------------------------------------------------- portability
    {V{"portability"}, Enc::kUtf8, "データポータビリティについて",
     "他社のサービスへ乗り換える予定のため、私のノートブックやプロジェクトのデータを、"
     "CSVやJSONなどの機械可読な形式で提供していただけないでしょうか。\n\n渡辺"},
    {V{"portability"}, Enc::kIso2022Jp, "",
     "お世話になっております。\n現在利用しているアカウントの全データをエクスポートして、新しいサービスに移行したいと考えています。\n"
     "構造化された形式でのデータ提供をお願いできますでしょうか。\n中村"},
    // ---------------------------------------------------------------- correction (訂正)
    {V{"correction"}, Enc::kUtf8, "登録情報の訂正のお願い",
     "ご登録いただいている私の氏名の漢字が誤っております。\n「高橋」ではなく「髙橋」が正しい表記です。\n"
     "お手数ですが訂正をお願いいたします。"},
    {V{"correction"}, Enc::kShiftJis, "住所変更",
     "いつもお世話になっております。\n引っ越しにより住所が変わりましたので、登録されている住所を下記の新住所に変更してください。\n\n"
     "新住所：東京都千代田区丸の内１－１－１\n\n髙橋 美咲"},
    // ---------------------------------------------------------------- opt_out_sale (第三者提供の停止)
    {V{"opt_out_sale"}, Enc::kUtf8, "第三者提供の停止について",
     "私の個人データを第三者に提供することを停止してください。\n広告目的での他社への販売や共有も一切やめていただきたいです。"},
    {V{"opt_out_sale"}, Enc::kIso2022Jp, "個人情報の販売拒否",
     "カリフォルニア州在住の者です。\nCCPAに基づき、私の個人情報を販売・共有しないよう求めます。", "ccpa"},
    // ---------------------------------------------------------------- opt_out_marketing (配信停止)
    {V{"opt_out_marketing"}, Enc::kUtf8, "配信停止", "メルマガの配信停止をお願いします。"},
    {V{"opt_out_marketing"}, Enc::kShiftJis, "",
     "いつも拝見していましたが、最近メールが多すぎるので、今後はキャンペーンやお知らせのメールを送らないでください。\n"
     "アカウントはそのまま使い続けます。"},
    // ---------------------------------------------------------------- objection (利用停止, 異議)
    {V{"objection"}, Enc::kUtf8Base64, "個人情報の利用停止請求",
     "貴社が行っている行動履歴を用いたプロファイリングについて、私の個人データの利用を停止するよう請求いたします。"},
    // An Outlook reply in Japanese: the quoted header block (差出人/送信日時/件名) and the
    // newsletter under it, which mentions deletion, are not what the sender wrote now.
    {V{"objection"}, Enc::kIso2022Jp, "RE: 今月のご案内",
     "GDPR第21条に基づき、正当な利益を根拠とするマーケティング分析への私のデータの利用に異議を申し立てます。\n\n"
     "差出人: Nimbus <news@nimbus.example>\n送信日時: 2026年11月18日 9:00\n宛先: yamada@example.jp\n件名: 今月のご案内\n\n"
     "アカウントを削除したい場合は、設定画面から削除してください。\n",
     "gdpr"},
    // ---------------------------------------------------------------- two rights (開示と削除, ...)
    {V{"access", "deletion"}, Enc::kUtf8, "", "お世話になっております。\n個人情報の開示と削除をお願いします。\n山田"},
    {V{"access", "deletion"}, Enc::kShiftJis, "開示請求および削除請求",
     "まず、貴社が保有している私の個人情報の開示を請求します。\n開示を受けた後、それらの情報をすべて削除してください。\n"
     "よろしくお願いいたします。"},
    {V{"correction", "opt_out_marketing"}, Enc::kIso2022Jp, "住所の訂正と配信停止",
     "登録住所が古いままになっていますので訂正をお願いします。\nまた、メルマガの配信も停止してください。"},
    // A quoted earlier mail (">" and "＞") asks for deletion; now only access.
    {V{"access"}, Enc::kUtf8, "Re: 退会について",
     "先日の件ですが、退会の前にまず保有個人データの開示をお願いしたいです。\n\n"
     "-----Original Message-----\nFrom: 佐藤 花子 <hanako.sato@example.co.jp>\nSent: Monday, November 23, 2026 9:00 AM\n"
     "To: contact@nimbus.example\nSubject: 退会について\n\n退会するので個人情報を削除してください。\n"},
    {V{"opt_out_marketing"}, Enc::kUtf8, "Re: ご案内",
     "配信停止を希望します。\n\n--- 元のメッセージ ---\n＞ 新機能のご案内です。\n＞ 個人情報の開示・訂正・削除のご請求はこちらから。\n"},
    // A signature between rules with contact details, which mentions 配信停止 in its footer.
    {V{"access"}, Enc::kUtf8, "個人データ開示のお願い",
     "貴社が保有する私の個人データの開示を希望します。\nよろしくお願いいたします。\n\n"
     "━━━━━━━━━━━━━━━━━━━━\n山田 太郎\n株式会社サンプル 営業部\nTEL: 03-1234-5678\n"
     "メールマガジンの配信停止はこちら https://sample.example.jp/stop\n━━━━━━━━━━━━━━━━━━━━\n"},

    // ---------------------------------------------------------------- more wordings
    // A business letter, hard-wrapped mid-sentence (the line break is inside 「私に関する個人データ」).
    {V{"access"}, Enc::kIso2022Jp, "【ご依頼】保有個人データの開示について",
     "株式会社ニンバス\n個人情報お問合せ窓口 御中\n\n平素より大変お世話になっております。\n"
     "貴社サービスを利用しております、小川と申します。\n\n個人情報保護法に基づき、貴社が保有している私に関する\n"
     "個人データの開示をお願いしたく、ご連絡差し上げました。\n開示の方法は電磁的記録（PDF等）を希望いたします。\n\n"
     "お手数をおかけいたしますが、何卒よろしくお願い申し上げます。\n\n小川 聡"},
    {V{"deletion"}, Enc::kShiftJis, "個人情報の消去請求",
     "ご担当者様\n\n貴社のサービスは既に解約済みです。\nつきましては、貴社が保有する私の個人情報を\n"
     "速やかに消去していただくよう請求いたします。\n消去完了後は、その旨をメールにてご通知ください。"},
    {V{"portability"}, Enc::kUtf8, "データ移行のお願い",
     "他社サービスへの移行を検討しています。\nこれまでのデータを機械で読み取れる形式（JSON等）でいただくことは可能でしょうか。"},
    {V{"correction"}, Enc::kUtf8Base64, "ご登録内容の修正依頼",
     "お世話になっております。\n結婚により姓が変わりましたので、登録されている氏名を「佐藤」から「山本」に修正していただけますか。"},
    {V{"opt_out_sale"}, Enc::kUtf8, "個人情報について", "私の個人情報を第三者に渡さないでください。"},
    // An objection to marketing use is the marketing opt-out.
    {V{"opt_out_marketing"}, Enc::kIso2022Jp, "", "私の個人情報をマーケティングに利用しないでください。"},
    {V{"objection"}, Enc::kShiftJis, "同意の撤回", "以前同意したデータ分析への利用について、同意を撤回します。"},
    {V{"opt_out_marketing", "deletion"}, Enc::kUtf8, "",
     "こんにちは。以前退会したのですが、まだメルマガが届きます。メルマガの配信を止めてください。"
     "それと、残っている個人情報も全部削除してください。"},
    {V{"access", "objection"}, Enc::kUtf8, "開示・利用停止請求書", "保有個人データの開示及び利用停止を請求します。"},

    // ---------------------------------------------------------------- not requests: triage
    {V{}, Enc::kUtf8, "料金プランについて", "有料プランの料金と、年払いの割引があるか教えていただけますか？"},
    {V{}, Enc::kIso2022Jp, "お礼",
     "先日はサポートいただきありがとうございました。\nおかげさまで問題が解決しました。\n今後ともよろしくお願いいたします。"},
    {V{}, Enc::kShiftJis, "個人情報の取り扱いについて", "御社は顧客の個人情報を第三者に販売していますか？"},
    {V{}, Enc::kUtf8, "アカウント削除の方法", "アカウントを削除する方法を教えてください。"},
    {V{}, Enc::kUtf8, "確認",
     "サービスの解約方法について教えていただけますか？解約後、データは自動的に削除されますか？"},
    {V{}, Enc::kIso2022Jp, "取り消し",
     "先ほど削除依頼を送りましたが、取り消します。\nアカウントは削除しないでください。"},
    {V{}, Enc::kUtf8, "プラン変更", "来月からプランを変更したいです。"},
    {V{}, Enc::kShiftJis, "本人確認書類の送付", "本人確認のための書類と情報を送付しております。ご確認をお願いいたします。"},
    {V{}, Enc::kUtf8, "ご連絡", "貴社のニュースレター、いつも楽しみにしています。"},
    {V{}, Enc::kUtf8Base64, "Re: 配信停止のご案内",
     "承知しました。ありがとうございます。\n\n2026/11/20 10:00、Nimbus <news@nimbus.example>のメール:\n\n"
     "> 配信停止をご希望の方は、こちらからお手続きください。\n"},
};

}  // namespace

TEST_CASE("Japanese requests in UTF-8, ISO-2022-JP and Shift_JIS", "[mail][classify][ja]") {
  std::map<std::string, int> coverage;  // type -> variants asking for it
  std::map<std::string, int> encodings;
  int n = 0;
  for (const JaVariant& v : kVariants) {
    const Person& person = kPeople[n % (sizeof(kPeople) / sizeof(kPeople[0]))];
    const std::string raw = BuildFrom(person, v.subject, v.body, v.enc, n);
    ++n;
    INFO("variant " << n << " (" << EncName(v.enc) << ") " << v.subject << ": " << v.body);
    const ParsedMessage parsed = MustParse(raw);
    // The charset and the encoded-words are decoded to the text the sender wrote.
    CHECK(parsed.subject == v.subject);
    REQUIRE(parsed.from);
    CHECK(parsed.from->name == person.name);
    const std::string body(v.body);
    CHECK(parsed.text.find(body.substr(0, body.find('\n'))) != std::string::npos);
    CHECK(parsed.text.find('\r') == std::string::npos);
    CHECK(parsed.text.find("\xEF\xBF\xBD") == std::string::npos);  // no U+FFFD

    const Classification c = Classify(parsed);
    CHECK(c.language == "ja");
    CHECK(c.subject.email == person.email);
    CHECK(c.subject.name == person.name);
    CHECK_FALSE(c.requester.has_value());
    CHECK(c.jurisdiction_hint == v.hint);
    if (v.types.empty()) {
      CHECK(c.outcome == Classification::Outcome::kTriage);
      CHECK_FALSE(c.type.has_value());
      CHECK_FALSE(c.reason.empty());
    } else {
      CHECK(c.outcome == Classification::Outcome::kRequest);
      CHECK(Names(c) == v.types);
      REQUIRE(c.type.has_value());
      CHECK(*c.type == c.types.front());
      for (const std::string& t : v.types) ++coverage[t];
      ++encodings[EncName(v.enc)];
    }
  }
  for (RequestType t : AllRequestTypes()) {
    INFO(RequestTypeName(t));
    CHECK(coverage[std::string(RequestTypeName(t))] >= 2);
  }
  CHECK(encodings.size() == 5);
}

TEST_CASE("Japanese: an agent (代理人) and a parent write for someone else", "[mail][classify][ja][who]") {
  SECTION("a lawyer for a client, with a power of attorney (委任状)") {
    RawMessage m;
    m.from = EncodedWord("佐々木 誠", "ISO-2022-JP") + " <sasaki@sasaki-law.example.jp>";
    m.subject = EncodedWord("保有個人データの開示請求（代理人による請求）", "ISO-2022-JP");
    SetBody(m,
            "株式会社ニンバス 御中\n\n佐々木法律事務所の弁護士、佐々木 誠です。\n"
            "当職は、依頼人 中村由美（yumi.nakamura@example.net）の代理人として、貴社に対し、"
            "同人の保有個人データの開示を請求いたします。\n委任状を添付いたしますので、ご確認ください。\n\n"
            "佐々木法律事務所\n弁護士 佐々木 誠\n",
            Enc::kIso2022Jp);
    const auto c = ClassifyRaw(m.Build());
    REQUIRE(c.outcome == Classification::Outcome::kRequest);
    CHECK(Names(c) == V{"access"});
    CHECK(c.subject.email == "yumi.nakamura@example.net");
    CHECK(c.subject.name == "中村由美");
    REQUIRE(c.requester);
    CHECK(c.requester->email == "sasaki@sasaki-law.example.jp");
    CHECK(c.requester->name == "佐々木 誠");
    CHECK(c.requester->relationship == "authorized_agent");
    CHECK(c.requester->authority == "power of attorney");
    CHECK(c.language == "ja");
  }
  SECTION("a parent for a child, in Shift_JIS") {
    RawMessage m;
    m.from = EncodedWord("伊藤 直子", "Shift_JIS", "CP932") + " <naoko.ito@example.jp>";
    m.subject = EncodedWord("娘のアカウント削除のお願い", "Shift_JIS", "CP932");
    SetBody(m,
            "お世話になっております。\n娘の伊藤さくら（sakura.ito@example.com、14歳）に代わってご連絡いたします。\n"
            "娘のアカウントと個人情報をすべて削除してください。\n\n伊藤 直子\n",
            Enc::kShiftJis);
    const auto c = ClassifyRaw(m.Build());
    REQUIRE(c.outcome == Classification::Outcome::kRequest);
    CHECK(Names(c) == V{"deletion"});
    CHECK(c.subject.email == "sakura.ito@example.com");
    CHECK(c.subject.name == "伊藤さくら");
    REQUIRE(c.requester);
    CHECK(c.requester->email == "naoko.ito@example.jp");
    CHECK(c.requester->relationship == "parent");
  }
  SECTION("an agent who gives no address for the client goes to triage") {
    RawMessage m;
    m.from = "sasaki@sasaki-law.example.jp";
    m.subject = "削除請求";
    m.body = "依頼人の代理人として、同人の個人データの削除を請求します。委任状は追って郵送します。";
    const auto c = ClassifyRaw(m.Build());
    CHECK(c.outcome == Classification::Outcome::kTriage);
    CHECK_FALSE(c.reason.empty());
  }
}

TEST_CASE("Japanese: a staff forward and a web form name the person", "[mail][classify][ja][who]") {
  SECTION("an Outlook forward (FW:, 差出人/送信日時/件名)") {
    RawMessage m;
    m.from = "Nimbus Support <support@nimbus.example>";
    m.subject = EncodedWord("FW: 個人情報の削除について", "UTF-8");
    SetBody(m,
            "プライバシー担当へ転送します。\n\n差出人: 小林 健太 <kenta.kobayashi@example.jp>\n"
            "送信日時: 2026年11月23日 10:15\n宛先: support@nimbus.example\n件名: 個人情報の削除について\n\n"
            "お世話になっております。\n退会済みですが、私の個人情報を完全に削除していただけますでしょうか。\n",
            Enc::kUtf8Base64);
    const auto c = ClassifyRaw(m.Build());
    REQUIRE(c.outcome == Classification::Outcome::kRequest);
    CHECK(Names(c) == V{"deletion"});
    CHECK(c.subject.email == "kenta.kobayashi@example.jp");
    CHECK(c.subject.name == "小林 健太");
    CHECK_FALSE(c.requester.has_value());
    CHECK(c.language == "ja");
  }
  SECTION("Thunderbird's Japanese inline forward (転送メッセージ)") {
    RawMessage m;
    m.from = "Nimbus Support <support@nimbus.example>";
    m.subject = EncodedWord("転送: 配信停止", "ISO-2022-JP");
    SetBody(m,
            "ご確認ください。\n\n-------- 転送メッセージ --------\n件名: \t配信停止\n日付: \t2026年11月23日 10:15\n"
            "差出人: \t木村 葵 <aoi.kimura@example.jp>\n宛先: \tsupport@nimbus.example\n\n"
            "ニュースレターの配信を停止してください。\n",
            Enc::kIso2022Jp);
    const auto c = ClassifyRaw(m.Build());
    REQUIRE(c.outcome == Classification::Outcome::kRequest);
    CHECK(Names(c) == V{"opt_out_marketing"});
    CHECK(c.subject.email == "aoi.kimura@example.jp");
  }
  SECTION("a form relayed by an automated sender, full-width colons, a country in Japanese") {
    RawMessage m;
    m.from = EncodedWord("Nimbus お問い合わせフォーム", "UTF-8") + " <no-reply@forms.nimbus.example>";
    m.subject = "=?UTF-8?B?44OX44Op44Kk44OQ44K344O844Gr6Zai44GZ44KL44GK5ZWP44GE5ZCI44KP44Gb?=";
    SetBody(m,
            "プライバシーに関するお問い合わせフォームから送信されました。\n\n"
            "お名前：渡辺 翔\nメールアドレス：sho.watanabe@example.jp\nお住まいの国：ドイツ\n"
            "ご依頼内容：私の個人データをすべて削除してください。\n",
            Enc::kUtf8);
    const auto parsed = MustParse(m.Build());
    CHECK(parsed.subject == "プライバシーに関するお問い合わせ");
    const auto c = Classify(parsed);
    REQUIRE(c.outcome == Classification::Outcome::kRequest);
    CHECK(Names(c) == V{"deletion"});
    CHECK(c.subject.email == "sho.watanabe@example.jp");
    CHECK(c.subject.name == "渡辺 翔");
    CHECK(c.jurisdiction_hint == "gdpr");
  }
}

TEST_CASE("Japanese jurisdiction hints: only ids the engine knows, only from what the sender wrote",
          "[mail][classify][ja][hint]") {
  auto hint = [](const std::string& subject, const std::string& body) {
    RawMessage m;
    m.from = "taro.yamada@example.jp";
    m.subject = subject;
    m.body = body;
    return ClassifyRaw(m.Build()).jurisdiction_hint;
  };
  CHECK(hint("開示請求", "EU一般データ保護規則に基づき、私の個人データの開示を請求します。") == "gdpr");
  CHECK(hint("開示請求", "ＧＤＰＲに基づき、保有個人データの開示を請求します。") == "gdpr");
  CHECK(hint("開示請求", "英国GDPRに基づき、保有個人データの開示を請求します。") == "uk_gdpr");
  CHECK(hint("開示請求", "英国一般データ保護規則に基づき、開示を請求します。") == "uk_gdpr");
  CHECK(hint("削除請求", "カリフォルニア州消費者プライバシー法に基づき、私の個人情報を削除してください。") == "ccpa");
  CHECK(hint("削除請求", "私はカリフォルニア州に住んでいます。個人情報を削除してください。") == "ccpa");
  CHECK(hint("削除請求", "ブラジル一般データ保護法（LGPD）に基づき、データの削除を求めます。") == "lgpd");
  CHECK(hint("削除請求", "カナダの個人情報保護法に基づき、データの削除を求めます。") == "pipeda");
  // Japan's own law (APPI) is not a jurisdiction of ours: no hint.
  CHECK(hint("開示請求", "個人情報保護法（APPI）第33条に基づき、保有個人データの開示を請求します。") == "");
  // Not from quoted text, nor from a reply's subject.
  CHECK(hint("Re: GDPRに関するお知らせ",
             "配信停止をお願いします。\n\n2026年11月20日(金) 10:00 Nimbus <news@nimbus.example>:\n> GDPRに基づく"
             "プライバシーポリシーの改定のお知らせ\n") == "");
}
