#include "mail/classify/rules.h"

namespace dsar::mail::classify {

// Japanese (個人情報保護法 / APPI terms as people write them to a company, and the GDPR/CCPA
// terms in Japanese). Same syntax, but each alternative is a substring of the folded sentence
// and "~N" allows up to N other characters; "@" marks the element that names the right when an
// object comes first ("個人情報 ~6 @削除"): its position orders the rights asked for ("個人情報の
// 開示と削除" asks for access first). Words are written folded: ASCII in lower case.
#define JA_ASK                                                                                    \
  "ください|下さい|お願い|願います|願いたく|希望|請求|求め|要求|依頼|申請|申し入れ|申入れ|申し立て|申立|" \
  "たい|たく|ほしい|欲しい|いただ|頂|もらい|もらえ|くれ"
#define JA_ERASE "削除|消去|抹消|破棄|廃棄"
#define JA_DATA "個人情報|個人データ|データ|情報|アカウント|登録|会員|履歴|記録|プロフィール|id|アドレス"
#define JA_FIELD                                                                               \
  "氏名|名前|住所|アドレス|電話番号|生年月日|登録情報|個人情報|情報|データ|登録内容|表記|漢字|姓|名字|苗字|" \
  "ふりがな|フリガナ|会社名|勤務先|所属"
#define JA_ME "私|自分|わたし|わたくし|当方"
#define JA_HELD "保有|保存|保管|保持|管理|取得|収集|把握|持って|お持ち"
#define JA_STOP "停止|中止|やめ|止め|拒否|しないで|しないよう|ないで|ないよう|控え|反対|同意しません|望みません"
#define JA_MAILS                                                                                  \
  "メルマガ|メールマガジン|ニュースレター|広告メール|宣伝メール|案内メール|販促メール|営業メール|お知らせメール|" \
  "キャンペーンメール|プロモーション|dm|ダイレクトメール|メール配信|配信メール|広告|宣伝|マーケティング"

const Rule kJaRules[] = {
    // ---- access (開示, APPI Art. 33; アクセス権, GDPR Art. 15) --------------------------------
    {kAccess, "開示請求|開示要求|開示依頼|開示の請求|開示を請求|開示等の請求", 4},
    {kAccess, "開示 ~20 " JA_ASK, 3},
    {kAccess, "開示 ~4 不要|結構|必要ありません|必要ない|いりません|しないで|しなくて|たくない", -4},
    {kAccess, "保有個人データ", 1},
    {kAccess, "個人情報|個人データ|データ|情報|記録 ~6 @写し|コピー|複製", 3},
    {kAccess, JA_ME " ~15 どのような|どんな|どういった|何の|いかなる ~10 情報|データ ~15 " JA_HELD, 3, true},
    {kAccess, "どのような|どんな|どういった|何の|いかなる ~10 " JA_ME " ~10 情報|データ ~15 " JA_HELD, 3, true},
    {kAccess, JA_ME " ~10 個人情報|個人データ|データ|情報 ~4 @一覧|送付して|送って|提供して|教えて|確認|開示|見せて", 3, true},
    {kAccess, "個人情報|個人データ ~6 @確認させて|確認したい|見せて|閲覧|送付して|送って|提供して|教えて", 2},
    {kAccess, JA_ME " ~40 " JA_HELD " ~8 内容|情報|データ ~6 @教えて|開示|見せて|送って|送付して|一覧", 3, true},
    {kAccess, "アクセス権", 3},
    {kAccess, "データ|情報 ~4 @アクセス ~6 請求|要求|求め|希望|お願い", 3},
    {kAccess, "利用目的 ~6 通知|開示|教えて|説明 ~10 " JA_ASK, 3},

    // ---- deletion (削除・消去, APPI Art. 34-35; 忘れられる権利, GDPR Art. 17) ------------------
    {kDeletion, JA_ERASE " ~8 " JA_ASK, 3},
    {kDeletion, JA_DATA " ~6 @" JA_ERASE, 1},
    {kDeletion, "データ|情報|アカウント ~4 @消して ~3 ください|下さい|ほしい|欲しい|いただ|頂", 3},
    {kDeletion, "退会 ~8 " JA_ASK, 2},
    {kDeletion, "アカウント ~6 @閉鎖|解約|廃止 ~8 " JA_ASK, 2},
    {kDeletion, "忘れられる権利|消去権|削除権|消去する権利|削除する権利|消去の権利|削除の権利", 3},
    {kDeletion, JA_ERASE " ~2 しないで|しないよう|されないよう|せず|不要|しなくて|しません|たくない|たくありません", -4},
    {kDeletion, JA_ERASE " ~3 方法|手順|仕方|やり方", -3},
    {kDeletion, JA_ERASE " ~15 取り消し|取り消します|取消|撤回|キャンセル", -4},  // a request taken back

    // ---- portability (データポータビリティ, GDPR Art. 20) ---------------------------------------
    {kPortability, "ポータビリティ|可搬性", 4},
    {kPortability, "機械可読|機械判読|機械で読|機械読み取り", 4},
    {kPortability, "構造化 ~6 形式|フォーマット|データ", 3},
    {kPortability, "データ|情報 ~15 @他社|他の|別の|新しい|乗り換え ~10 サービス|事業者|会社|プロバイダ|アプリ ~10 移行|移し|移す|移転|転送|送信|提供|引き継", 3},
    {kPortability, "データ|情報 ~8 @エクスポート|書き出し ~8 " JA_ASK, 3},
    {kPortability, "データ|情報 ~8 @ダウンロード ~8 " JA_ASK, 2},

    // ---- correction (訂正・追加・削除 of wrong data, APPI Art. 34) -------------------------------
    {kCorrection, "訂正", 1},
    {kCorrection, "訂正|修正|変更|更新 ~8 " JA_ASK, 2},
    {kCorrection, JA_FIELD " ~12 @訂正|修正|変更|更新|直し|書き換え ~8 " JA_ASK, 3},
    {kCorrection, "間違|誤り|誤っ|誤記|誤字|誤登録|違って|古い|古く ~8 登録|表記|記載|名前|氏名|住所|情報|データ", 2},
    {kCorrection, JA_FIELD " ~8 @間違|誤り|誤っ|誤記|誤字|違って|古い|古く|変わり|変わっ", 2},
    {kCorrection, "正しくは|正しい ~6 名前|氏名|住所|表記|アドレス|漢字", 1},

    // ---- opt_out_sale (第三者提供の停止, APPI Art. 35(3); CCPA opt-out) -------------------------
    {kSale, "第三者提供 ~10 " JA_STOP "|オプトアウト", 4},
    {kSale, "第三者|他社|外部|広告主 ~10 提供|共有|販売|売却|開示|渡|流 ~10 " JA_STOP, 4},
    {kSale, "販売|売却|売ら|売買|売っ|売る ~6 " JA_STOP "|禁止|オプトアウト", 4},
    {kSale, "共有 ~6 しないで|しないよう|停止|中止|やめ|止め|拒否", 3},

    // ---- opt_out_marketing (配信停止) ---------------------------------------------------------
    {kMarketing, "配信停止|配信解除|配信中止|購読解除|購読停止|配信不要|受信拒否|送信停止", 4},
    {kMarketing, "配信 ~4 停止|解除|中止|やめ|止め|不要|しないで|拒否|オフ", 4},
    {kMarketing, JA_MAILS " ~10 解除|停止|中止|やめ|止め|不要|いりません|要りません|送らないで|送信しないで|"
                 "配信しないで|しないで|使わないで|拒否|オプトアウト|退会|届かないよう|受け取りたくない|受信したくない", 4},
    {kMarketing, "メール ~3 送らないで|送信しないで|送付しないで|届かないよう|不要|停止", 3},
    {kMarketing, "送らないで|送信しないで|送付しないで|配信しないで|届かないよう", 2},
    {kMarketing, "メーリングリスト|配信リスト|送信リスト ~8 削除|外し|除外|解除", 4},
    {kMarketing, "メルマガ|メールマガジン|ニュースレター|広告メール|宣伝メール|案内メール|販促メール|営業メール|"
                 "ダイレクトメール|配信メール", 1},

    // ---- objection (利用停止, APPI Art. 35; 異議, GDPR Art. 21) --------------------------------
    {kObjection, "利用|使用|取り扱い|取扱い|取扱|処理 ~4 停止|中止|やめ|止め|控え ~10 " JA_ASK, 3},
    {kObjection, "利用停止|使用停止 ~3 消去|削除", -3},
    {kObjection, "利用|使用 ~2 しないで|しないよう|されたくない|しないこと", 3},
    {kObjection, "異議", 3, false, kAboutData},
    {kObjection, "異議 ~3 ありません|ない|なし|ございません", -4},
    {kObjection, "同意 ~8 撤回|取り消|取消|取下げ|取り下げ", 3},
    {kObjection, "プロファイリング", 1},
    {kObjection, "正当な利益|正当な利害", 2},
};
#undef JA_ASK
#undef JA_ERASE
#undef JA_DATA
#undef JA_FIELD
#undef JA_ME
#undef JA_HELD
#undef JA_STOP
#undef JA_MAILS

std::span<const Rule> JapaneseRules() { return kJaRules; }

}  // namespace dsar::mail::classify
