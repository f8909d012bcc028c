#include "mail/classify/jurisdiction.h"

#include "mail/classify/words.h"
#include "mail/text/fold.h"

namespace dsar::mail::classify {
namespace {

// Position of `word` as a whole word in `text` (case-sensitive), or npos.
std::size_t FindWord(std::string_view text, std::string_view word) {
  std::size_t pos = 0;
  while ((pos = text.find(word, pos)) != std::string_view::npos) {
    const bool left = pos == 0 || !IsAlnumByte(text[pos - 1]);
    const std::size_t end = pos + word.size();
    const bool right = end >= text.size() || !IsAlnumByte(text[end]);
    if (left && right) return pos;
    ++pos;
  }
  return std::string_view::npos;
}

// A country, state or region named in a form field -> jurisdiction code, or "".
std::string JurisdictionOfPlace(std::string_view value) {
  const std::string f = FoldForMatching(value);
  const std::vector<std::string> words = Words(f);
  std::string joined = " ";
  for (const auto& w : words) joined += w + " ";
  struct Place {
    const char* name;
    const char* code;
  };
  static const Place kPlaces[] = {
      {"united kingdom", "uk_gdpr"}, {"uk", "uk_gdpr"}, {"great britain", "uk_gdpr"}, {"england", "uk_gdpr"},
      {"scotland", "uk_gdpr"}, {"wales", "uk_gdpr"}, {"northern ireland", "uk_gdpr"}, {"royaume uni", "uk_gdpr"},
      {"vereinigtes konigreich", "uk_gdpr"}, {"reino unido", "uk_gdpr"}, {"regno unito", "uk_gdpr"},
      {"verenigd koninkrijk", "uk_gdpr"},
      {"california", "ccpa"}, {"californie", "ccpa"}, {"kalifornien", "ccpa"}, {"californien", "ccpa"},
      {"virginia", "vcdpa"}, {"colorado", "cpa"}, {"connecticut", "ctdpa"}, {"texas", "tdpsa"},
      {"brazil", "lgpd"}, {"brasil", "lgpd"}, {"bresil", "lgpd"}, {"brasilien", "lgpd"}, {"brasile", "lgpd"},
      {"brazilie", "lgpd"},
      {"canada", "pipeda"}, {"kanada", "pipeda"}, {"canada", "pipeda"},
      {"austria", "gdpr"}, {"osterreich", "gdpr"}, {"autriche", "gdpr"}, {"oostenrijk", "gdpr"},
      {"belgium", "gdpr"}, {"belgique", "gdpr"}, {"belgie", "gdpr"}, {"belgien", "gdpr"}, {"belgica", "gdpr"}, {"belgio", "gdpr"},
      {"bulgaria", "gdpr"}, {"bulgarien", "gdpr"}, {"bulgarie", "gdpr"}, {"croatia", "gdpr"}, {"kroatien", "gdpr"},
      {"croatie", "gdpr"}, {"croacia", "gdpr"}, {"croazia", "gdpr"}, {"hrvatska", "gdpr"}, {"cyprus", "gdpr"},
      {"zypern", "gdpr"}, {"chypre", "gdpr"}, {"chipre", "gdpr"}, {"cipro", "gdpr"},
      {"czech", "gdpr"}, {"czechia", "gdpr"}, {"tschechien", "gdpr"}, {"tchequie", "gdpr"}, {"chequia", "gdpr"},
      {"denmark", "gdpr"}, {"danemark", "gdpr"}, {"danmark", "gdpr"}, {"dinamarca", "gdpr"}, {"danimarca", "gdpr"},
      {"denemarken", "gdpr"}, {"estonia", "gdpr"}, {"estland", "gdpr"}, {"finland", "gdpr"}, {"finnland", "gdpr"},
      {"finlande", "gdpr"}, {"finlandia", "gdpr"}, {"suomi", "gdpr"}, {"france", "gdpr"}, {"frankreich", "gdpr"},
      {"francia", "gdpr"}, {"frankrijk", "gdpr"}, {"franca", "gdpr"}, {"germany", "gdpr"}, {"deutschland", "gdpr"},
      {"allemagne", "gdpr"}, {"alemania", "gdpr"}, {"germania", "gdpr"}, {"duitsland", "gdpr"}, {"alemanha", "gdpr"},
      {"greece", "gdpr"}, {"griechenland", "gdpr"}, {"grece", "gdpr"}, {"grecia", "gdpr"}, {"griekenland", "gdpr"},
      {"hungary", "gdpr"}, {"ungarn", "gdpr"}, {"hongrie", "gdpr"}, {"hungria", "gdpr"}, {"ungheria", "gdpr"},
      {"ireland", "gdpr"}, {"irland", "gdpr"}, {"irlande", "gdpr"}, {"irlanda", "gdpr"}, {"ierland", "gdpr"},
      {"italy", "gdpr"}, {"italia", "gdpr"}, {"italie", "gdpr"}, {"italien", "gdpr"}, {"italie", "gdpr"},
      {"latvia", "gdpr"}, {"lettland", "gdpr"}, {"lithuania", "gdpr"}, {"litauen", "gdpr"},
      {"luxembourg", "gdpr"}, {"luxemburg", "gdpr"}, {"luxemburgo", "gdpr"}, {"lussemburgo", "gdpr"},
      {"malta", "gdpr"}, {"netherlands", "gdpr"}, {"nederland", "gdpr"}, {"niederlande", "gdpr"},
      {"pays bas", "gdpr"}, {"paises bajos", "gdpr"}, {"paesi bassi", "gdpr"}, {"holland", "gdpr"},
      {"the netherlands", "gdpr"}, {"poland", "gdpr"}, {"polen", "gdpr"}, {"pologne", "gdpr"}, {"polonia", "gdpr"},
      {"polska", "gdpr"}, {"portugal", "gdpr"}, {"portogallo", "gdpr"}, {"romania", "gdpr"}, {"rumanien", "gdpr"},
      {"roumanie", "gdpr"}, {"rumania", "gdpr"}, {"roemenie", "gdpr"}, {"slovakia", "gdpr"}, {"slowakei", "gdpr"},
      {"slovenia", "gdpr"}, {"slowenien", "gdpr"}, {"spain", "gdpr"}, {"espana", "gdpr"}, {"espagne", "gdpr"},
      {"spanien", "gdpr"}, {"spagna", "gdpr"}, {"spanje", "gdpr"}, {"espanha", "gdpr"}, {"sweden", "gdpr"},
      {"schweden", "gdpr"}, {"suede", "gdpr"}, {"suecia", "gdpr"}, {"svezia", "gdpr"}, {"zweden", "gdpr"},
      {"sverige", "gdpr"}, {"iceland", "gdpr"}, {"island", "gdpr"}, {"islande", "gdpr"}, {"liechtenstein", "gdpr"},
      {"norway", "gdpr"}, {"norwegen", "gdpr"}, {"norvege", "gdpr"}, {"noruega", "gdpr"}, {"norvegia", "gdpr"},
      {"noorwegen", "gdpr"}, {"norge", "gdpr"}, {"european union", "gdpr"}, {"eu", "gdpr"}, {"eea", "gdpr"},
      {"europe", "gdpr"}, {"europa", "gdpr"},
  };
  for (const Place& p : kPlaces) {
    if (joined.find(std::string(" ") + p.name + " ") != std::string::npos) return p.code;
  }
  // Written in Japanese: substrings, the more specific first ("北アイルランド" before
  // "アイルランド"); an empty code is a place with no jurisdiction of ours.
  static const Place kJaPlaces[] = {
      {"ウェストバージニア", ""}, {"北アイルランド", "uk_gdpr"}, {"英国", "uk_gdpr"}, {"イギリス", "uk_gdpr"},
      {"イングランド", "uk_gdpr"}, {"スコットランド", "uk_gdpr"}, {"ウェールズ", "uk_gdpr"}, {"連合王国", "uk_gdpr"},
      {"カリフォルニア", "ccpa"}, {"バージニア", "vcdpa"}, {"コロラド", "cpa"}, {"コネチカット", "ctdpa"},
      {"テキサス", "tdpsa"}, {"ブラジル", "lgpd"}, {"カナダ", "pipeda"},
      {"ドイツ", "gdpr"}, {"フランス", "gdpr"}, {"スペイン", "gdpr"}, {"イタリア", "gdpr"}, {"オランダ", "gdpr"},
      {"ベルギー", "gdpr"}, {"オーストリア", "gdpr"}, {"アイルランド", "gdpr"}, {"ポルトガル", "gdpr"},
      {"スウェーデン", "gdpr"}, {"デンマーク", "gdpr"}, {"フィンランド", "gdpr"}, {"ポーランド", "gdpr"},
      {"ギリシャ", "gdpr"}, {"ギリシア", "gdpr"}, {"チェコ", "gdpr"}, {"ハンガリー", "gdpr"}, {"ルーマニア", "gdpr"},
      {"ブルガリア", "gdpr"}, {"クロアチア", "gdpr"}, {"スロバキア", "gdpr"}, {"スロベニア", "gdpr"},
      {"エストニア", "gdpr"}, {"ラトビア", "gdpr"}, {"リトアニア", "gdpr"}, {"ルクセンブルク", "gdpr"},
      {"マルタ", "gdpr"}, {"キプロス", "gdpr"}, {"ノルウェー", "gdpr"}, {"アイスランド", "gdpr"},
      {"リヒテンシュタイン", "gdpr"}, {"欧州連合", "gdpr"}, {"欧州経済領域", "gdpr"}, {"ヨーロッパ", "gdpr"},
      {"欧州", "gdpr"},
  };
  for (const Place& p : kJaPlaces) {
    if (f.find(p.name) != std::string::npos) return p.code;
  }
  return "";
}

// True when `text` right before `pos` ends with one of `prefixes`.
bool PrecededBy(std::string_view text, std::size_t pos, std::initializer_list<std::string_view> prefixes) {
  for (std::string_view p : prefixes) {
    if (pos >= p.size() && text.substr(pos - p.size(), p.size()) == p) return true;
  }
  return false;
}

}  // namespace

// The jurisdiction a sender names: a statute (acronym, name or section), residence in a state
// with its own law ("California resident", "カリフォルニア州在住"), or a country or state in a web
// form's field. Only codes of the jurisdictions contract are returned: Japan's 個人情報保護法
// (APPI) has no jurisdiction of ours, so it gives no hint. `language` is the message's
// (DetectLanguage).
std::string JurisdictionHint(std::string_view raw_text, const std::vector<FormField>& fields,
                             std::string_view language) {
  // Statutes named in the text; the earliest mention wins. Full-width letters ("ＧＤＰＲ") are
  // read as ASCII, and most acronyms in any case ("Gdpr", "dsgvo"); AVG only in capitals and in
  // Dutch mail (elsewhere it is an antivirus brand).
  const std::string text = NarrowWidth(raw_text);
  std::string upper = text;
  for (char& ch : upper) {
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
  }
  struct Named {
    const char* word;
    const char* code;
    bool any_case = true;
  };
  static const Named kAcronyms[] = {
      {"UK GDPR", "uk_gdpr"},    {"UK-GDPR", "uk_gdpr"},   {"英国GDPR", "uk_gdpr"}, {"英国のGDPR", "uk_gdpr"},
      {"英国 GDPR", "uk_gdpr"},  {"イギリスGDPR", "uk_gdpr"}, {"イギリスのGDPR", "uk_gdpr"}, {"DPA 2018", "uk_gdpr"},
      {"GDPR", "gdpr"},          {"DSGVO", "gdpr"},        {"DS-GVO", "gdpr"},      {"RGPD", "gdpr"},
      {"AVG", "gdpr", false},    {"UAVG", "gdpr"},         {"BDSG", "gdpr"},        {"LOPDGDD", "gdpr"},
      {"2016/679", "gdpr"},      {"CCPA", "ccpa"},         {"CPRA", "ccpa"},        {"LGPD", "lgpd"},
      {"PIPEDA", "pipeda"},      {"LPRPDE", "pipeda"},     {"VCDPA", "vcdpa"},      {"CTDPA", "ctdpa"},
      {"TDPSA", "tdpsa"},
  };
  std::size_t best_pos = std::string_view::npos;
  std::string best;
  auto consider = [&](std::size_t pos, const char* code) {
    if (pos != std::string_view::npos && (best_pos == std::string_view::npos || pos < best_pos)) {
      best_pos = pos;
      best = code;
    }
  };
  for (const Named& n : kAcronyms) {
    if (std::string_view(n.word) == "AVG" && language != "nl") continue;
    const std::string& hay = n.any_case ? upper : text;
    const std::size_t pos = FindWord(hay, n.word);
    if (pos == std::string_view::npos) continue;
    // "UK GDPR" (英国GDPR) is not the EU regulation.
    if (std::string_view(n.code) == "gdpr" &&
        PrecededBy(upper, pos, {"UK ", "UK-", "英国", "英国の", "英国 ", "イギリス", "イギリスの", "イギリス "})) {
      continue;
    }
    consider(pos, n.code);
  }
  const std::string folded = FoldForMatching(text);
  std::string joined = " ";
  for (const auto& w : Words(folded)) joined += w + " ";
  static const Named kPhrases[] = {
      {" general data protection regulation ", "gdpr"},
      {" datenschutz grundverordnung ", "gdpr"},
      {" datenschutzgrundverordnung ", "gdpr"},
      {" bundesdatenschutzgesetz ", "gdpr"},
      {" reglement general sur la protection des donnees ", "gdpr"},
      {" loi informatique et libertes ", "gdpr"},
      {" reglamento general de proteccion de datos ", "gdpr"},
      {" regolamento generale sulla protezione dei dati ", "gdpr"},
      {" regolamento ue 2016 679 ", "gdpr"},
      {" codice in materia di protezione dei dati personali ", "gdpr"},
      {" algemene verordening gegevensbescherming ", "gdpr"},
      {" regulamento geral sobre a protecao de dados ", "gdpr"},
      {" regulamento geral de protecao de dados ", "gdpr"},
      {" data protection act 2018 ", "uk_gdpr"},
      {" california resident ", "ccpa"},
      {" resident of california ", "ccpa"},
      {" california consumer ", "ccpa"},
      {" california privacy rights act ", "ccpa"},
      {" live in california ", "ccpa"},
      {" resident in california ", "ccpa"},
      {" residente en california ", "ccpa"},
      {" residente de california ", "ccpa"},
      {" residente na california ", "ccpa"},
      {" reside in california ", "ccpa"},
      {" cal civ code ", "ccpa"},
      {" civil code 1798 ", "ccpa"},
      {" 1798 1", "ccpa"},  // Cal. Civ. Code §§ 1798.100-1798.199
      {" lei geral de protecao de dados ", "lgpd"},
      {" lei 13 709 ", "lgpd"},
      {" lei no 13 709 ", "lgpd"},
      {" lei n 13 709 ", "lgpd"},
      {" 13 709 2018 ", "lgpd"},
      {" virginia resident ", "vcdpa"},
      {" resident of virginia ", "vcdpa"},
      {" virginia consumer data protection act ", "vcdpa"},
      {" colorado resident ", "cpa"},
      {" colorado privacy act ", "cpa"},
      {" resident of colorado ", "cpa"},
      {" connecticut resident ", "ctdpa"},
      {" resident of connecticut ", "ctdpa"},
      {" connecticut data privacy act ", "ctdpa"},
      {" texas resident ", "tdpsa"},
      {" resident of texas ", "tdpsa"},
      {" texas data privacy and security act ", "tdpsa"},
      {" personal information protection and electronic documents act ", "pipeda"},
      {" loi sur la protection des renseignements personnels et les documents electroniques ", "pipeda"},
  };
  // In Japanese (substrings of the folded text): the statutes' Japanese names and residence.
  static const Named kJaPhrases[] = {
      {"英国一般データ保護規則", "uk_gdpr"},
      {"英国データ保護法", "uk_gdpr"},
      {"イギリスのデータ保護法", "uk_gdpr"},
      {"一般データ保護規則", "gdpr"},
      {"一般データ保護規制", "gdpr"},
      {"カリフォルニア州消費者プライバシー法", "ccpa"},
      {"カリフォルニア州プライバシー権法", "ccpa"},
      {"カリフォルニア州在住", "ccpa"},
      {"カリフォルニア在住", "ccpa"},
      {"カリフォルニア州に在住", "ccpa"},
      {"カリフォルニア州に住", "ccpa"},
      {"カリフォルニア州の住民", "ccpa"},
      {"カリフォルニア州民", "ccpa"},
      {"カリフォルニア州居住", "ccpa"},
      {"ブラジル一般データ保護法", "lgpd"},
      {"ブラジル一般個人データ保護法", "lgpd"},
      {"ブラジル個人情報保護法", "lgpd"},
      {"ブラジルの個人情報保護法", "lgpd"},
      {"カナダ個人情報保護法", "pipeda"},
      {"カナダの個人情報保護法", "pipeda"},
      {"個人情報保護及び電子文書法", "pipeda"},
      {"個人情報保護および電子文書法", "pipeda"},
      {"バージニア州消費者データ保護法", "vcdpa"},
      {"バージニア州在住", "vcdpa"},
      {"コロラド州プライバシー法", "cpa"},
      {"コロラド州在住", "cpa"},
      {"コネチカット州データプライバシー法", "ctdpa"},
      {"コネチカット州在住", "ctdpa"},
      {"テキサス州データプライバシー", "tdpsa"},
      {"テキサス州在住", "tdpsa"},
  };
  // Phrase positions are in `joined` or `folded`, not `text`; they only decide when no
  // acronym does.
  if (best.empty()) {
    std::size_t phrase_pos = std::string::npos;
    for (const Named& n : kPhrases) {
      // joined.find(n.word), searched from the phrase's first letter (the leading blank is before
      // every word: std::string::find would compare the phrase at each of them).
      std::size_t pos = std::string::npos;
      if (n.word[0] != ' ' || n.word[1] == '\0') {
        pos = joined.find(n.word);
      } else {
        const std::string_view rest = std::string_view(n.word).substr(1);
        pos = joined.find(rest, 1);
        while (pos != std::string::npos && joined[pos - 1] != ' ') pos = joined.find(rest, pos + 1);
        if (pos != std::string::npos) --pos;
      }
      if (pos != std::string::npos && pos < phrase_pos) {
        phrase_pos = pos;
        best = n.code;
      }
    }
  }
  if (best.empty()) {
    std::size_t phrase_pos = std::string::npos;
    for (const Named& n : kJaPhrases) {
      const std::size_t pos = folded.find(n.word);
      if (pos != std::string::npos && pos < phrase_pos) {
        phrase_pos = pos;
        best = n.code;
      }
    }
  }
  if (!best.empty()) return best;
  for (const FormField& f : fields) {
    if (KeyMentions(f.key, {"country", "state", "region", "land", "pays", "pais", "paese", "location",
                            "residence", "jurisdiction", "staat", "provincia", "estado", "wohnsitz", "wohnort",
                            "province", "nazione", "regione", "bundesland"}) ||
        TextHasAny(f.key, {"国", "地域", "居住", "在住", "お住まい", "州", "所在地"})) {
      std::string code = JurisdictionOfPlace(f.value);
      if (!code.empty()) return code;
    }
  }
  return "";
}

}  // namespace dsar::mail::classify
