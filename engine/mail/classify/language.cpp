#include "mail/classify/language.h"

#include <unordered_map>

#include "mail/classify/words.h"

namespace dsar::mail::classify {
namespace {

struct LanguageWords {
  const char* code;
  std::vector<const char*> words;
};

const std::vector<LanguageWords>& LanguageTable() {
  static const std::vector<LanguageWords> table = {
      {"en", {"the", "and", "to", "of", "my", "i", "you", "your", "please", "is", "are", "for", "with", "this",
              "that", "have", "hello", "hi", "thanks", "regards", "dear", "would", "me", "not", "it", "on",
              "be", "do", "delete", "unsubscribe", "request", "information", "account", "want", "any"}},
      {"de", {"der", "die", "das", "und", "ich", "sie", "mein", "meine", "meiner", "meinen", "mit", "von", "zu",
              "nicht", "bitte", "ist", "sehr", "geehrte", "geehrter", "damen", "herren", "grussen", "freundlichen",
              "hiermit", "uber", "daten", "fur", "auf", "eine", "einen", "den", "dem", "ihre", "ihnen", "gruss"}},
      {"fr", {"le", "la", "les", "et", "je", "vous", "mon", "ma", "mes", "des", "du", "pour", "avec", "pas",
              "est", "bonjour", "merci", "cordialement", "une", "donnees", "votre", "vos", "qui", "dans",
              "sur", "au", "aux", "madame", "monsieur", "demande", "conformement"}},
      {"es", {"el", "los", "las", "y", "yo", "mi", "mis", "del", "por", "para", "con", "una", "es", "hola",
              "gracias", "saludo", "saludos", "datos", "su", "sus", "cuenta", "al", "solicitud", "envienme",
              "atentamente", "derecho", "ustedes", "quiero", "quisiera", "pero", "desde", "sobre", "todos",
              "todas", "les", "pido"}},
      {"it", {"il", "lo", "gli", "io", "mio", "mia", "miei", "mie", "di", "della", "dei", "per", "che", "sono",
              "grazie", "saluti", "dati", "ai", "cordiali", "gentili", "chiedo", "vorrei", "non", "questo",
              "richiesta", "distinti", "presente", "sensi", "degli", "alla", "delle", "allo", "nel", "nella",
              "sul", "sulla", "vostro", "vostra", "vostre", "vi", "prego", "ogni", "tutti", "tutte", "anche"}},
      {"nl", {"het", "een", "en", "ik", "mijn", "u", "uw", "van", "voor", "met", "niet", "graag", "groet",
              "groeten", "bedankt", "vriendelijke", "gegevens", "dat", "te", "om", "op", "ook", "beste", "zijn",
              "wilt", "verzoek", "persoonsgegevens", "alle"}},
      {"pt", {"o", "os", "as", "eu", "meu", "meus", "minha", "minhas", "do", "da", "dos", "das", "com", "uma",
              "nao", "obrigado", "obrigada", "ola", "atenciosamente", "dados", "seus", "voce", "ao", "aos", "em",
              "solicito", "termos", "pessoais", "conta", "podem", "pelo", "pela", "na", "seu", "sua", "voces",
              "gostaria", "peco", "quero"}},
  };
  return table;
}

// A common word -> the languages (indices in LanguageTable) that list it, once per listing.
const std::unordered_map<std::string_view, std::vector<std::size_t>>& LanguageIndex() {
  static const auto index = [] {
    std::unordered_map<std::string_view, std::vector<std::size_t>> m;
    const auto& table = LanguageTable();
    for (std::size_t li = 0; li < table.size(); ++li)
      for (const char* w : table[li].words) m[w].push_back(li);
    return m;
  }();
  return index;
}

}  // namespace

std::string DetectLanguage(const std::vector<Sentence>& sentences) {
  const auto& table = LanguageTable();
  const auto& index = LanguageIndex();
  std::vector<int> score(table.size(), 0);
  int kana = 0;
  for (const Sentence& s : sentences) {
    for (std::size_t i = 0; s.cjk && i < s.text.size();) {
      std::size_t len = 0;
      if (IsKana(CodePointAt(s.text, i, len))) ++kana;
      i += len;
    }
    for (const std::string& w : s.words) {
      if (auto it = index.find(w); it != index.end())
        for (std::size_t li : it->second) ++score[li];
    }
  }
  std::string best = "en";
  int best_score = 0;
  for (std::size_t li = 0; li < table.size(); ++li) {  // the first of equal scores wins, as listed
    if (score[li] > best_score) {
      best = table[li].code;
      best_score = score[li];
    }
  }
  if (kana >= 2 && kana / 2 > best_score) return "ja";
  return best;
}

}  // namespace dsar::mail::classify
