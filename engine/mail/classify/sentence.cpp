#include "mail/classify/sentence.h"

#include <algorithm>
#include <cstring>
#include <iterator>

#include "mail/classify/words.h"
#include "mail/text/fold.h"

namespace dsar::mail::classify {

// Splits text into sentences: at ? ! ; (and the Japanese 。？！) and at a '.' followed by a
// blank and a capital or a line end; at a blank line; at a line end after a short line or one
// ending in punctuation (greetings, form rows), but not inside a hard-wrapped paragraph. A
// line ending in Han or kana joins the next without a blank when it ends in 、 or a particle
// or is a hard-wrapped one (50 columns or more, a wide character counting two); a Japanese
// sentence ending in か is a question.
std::vector<Sentence> SplitSentences(std::string_view text) {
  std::vector<Sentence> out;
  std::string cur;
  auto flush = [&](bool question) {
    Sentence s;
    s.text = FoldForMatching(cur);
    s.words = Words(s.text);
    s.cjk = HasCjk(s.text);
    std::string_view t = s.text;
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\r')) t.remove_suffix(1);
    s.question = question || (s.cjk && EndsWith(t, "か"));
    if (!s.words.empty()) out.push_back(std::move(s));
    cur.clear();
  };
  static constexpr std::string_view kFullStop = "。", kHalfStop = "｡", kWideStop = "．";
  static constexpr std::string_view kWideQuestion = "？", kWideBang = "！";
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '?' || c == '!' || c == ';') {
      flush(c == '?');
      continue;
    }
    if (static_cast<unsigned char>(c) >= 0xE0) {
      const std::string_view rest = text.substr(i, 3);
      if (rest == kFullStop || rest == kHalfStop || rest == kWideStop || rest == kWideBang ||
          rest == kWideQuestion) {
        flush(rest == kWideQuestion);
        i += 2;
        continue;
      }
    }
    if (c == '.') {
      std::size_t j = i + 1;
      while (j < text.size() && (text[j] == ' ' || text[j] == '\t')) ++j;
      if (j >= text.size() || text[j] == '\n' || (j > i + 1 && IsUpperStart(text.substr(j)))) {
        flush(false);
        continue;
      }
    }
    if (c == '\n') {
      std::string_view line = text.substr(line_start, i - line_start);
      while (!line.empty() && (line.back() == ' ' || line.back() == '\r' || line.back() == '\t')) line.remove_suffix(1);
      line_start = i + 1;
      const bool blank_next = i + 1 < text.size() && text[i + 1] == '\n';
      const std::uint32_t last = LastCodePoint(line);
      if (IsCjkLetter(last) || last == 0x3001 || last == 0xFF0C) {
        // Columns: a wide (3-byte) character counts two.
        std::size_t wide = 0;
        for (std::size_t k = 0; k < line.size();) {
          std::size_t len = 0;
          if (IsCjkLetter(CodePointAt(line, k, len)) && len == 3) ++wide;
          k += len;
        }
        static const std::uint32_t kParticles[] = {0x3001, 0xFF0C, 0x306E /*の*/, 0x3092 /*を*/, 0x306B /*に*/,
                                                   0x306F /*は*/, 0x304C /*が*/, 0x3068 /*と*/, 0x3067 /*で*/,
                                                   0x3078 /*へ*/, 0x3084 /*や*/, 0x3082 /*も*/, 0x3066 /*て*/};
        const bool particle = std::find(std::begin(kParticles), std::end(kParticles), last) != std::end(kParticles);
        if (blank_next || !(particle || line.size() - wide >= 50)) flush(false);
        continue;
      }
      const bool punct = !line.empty() && std::strchr(".!?:;,", line.back()) != nullptr;
      if (blank_next || punct || line.size() < 50 || line.find('\t') != std::string_view::npos) {
        flush(false);
        continue;
      }
      cur += ' ';
      continue;
    }
    cur += c;
  }
  flush(false);
  return out;
}

bool HasWord(const Sentence& s, std::initializer_list<const char*> words, std::size_t within) {
  for (std::size_t i = 0; i < s.words.size() && i < within; ++i) {
    for (const char* w : words) {
      if (s.words[i] == w) return true;
    }
  }
  return false;
}

// A question that is really a polite request ("Could you delete my account?",
// "削除していただけますか").
bool IsPoliteRequest(const Sentence& s) {
  if (s.words.empty()) return false;
  if (s.cjk) {
    // Asking to be told something (教えて, 知りたい, いつ頃, どのように, ...) is a question. A
    // request is asked with a polite form ("削除していただけますか", "いただくことは可能でしょうか");
    // "削除は可能ですか" without one is a question.
    if (TextHasAny(s.text, {"教えて", "知りたい", "伺いたい", "お伺い", "質問", "どのくらい", "どれくらい", "どの程度",
                            "どのように", "どうすれば", "どうやって", "いつ頃", "いつごろ", "いつまで", "いつから",
                            "なぜ", "どうして"}))
      return false;
    if (TextHasAny(s.text, {"いただ", "頂", "ください", "下さい", "お願い", "もらえ", "くれ", "願え"})) return true;
  }
  // Asking to be told something is a question, however polite.
  if (HasWord(s, {"tell", "explain", "inform", "know", "clarify", "wissen", "sagen", "erklaren", "mitteilen",
                  "dire", "expliquer", "savoir", "decir", "explicar", "saber", "dirmi", "spiegare", "sapere",
                  "vertellen", "uitleggen", "weten", "dizer", "informar", "whether", "ob", "how", "why",
                  "when", "warum", "wann", "comment", "pourquoi", "quand", "como", "perche", "quando", "hoe",
                  "waarom", "wanneer"},
              6)) {
    return false;
  }
  if (HasWord(s, {"please", "kindly", "bitte", "plait", "favor", "favore", "alstublieft", "aub", "gentileza"}))
    return true;
  static const char* const kModalsWithPronoun[] = {"can", "could", "would", "will", "konnen", "konnten",
                                                   "wurden", "pouvez", "pourriez", "voudriez", "kunt",
                                                   "kunnen", "zou", "zoudt", "wilt", "kun"};
  static const char* const kPoliteModals[] = {"podrian", "podria", "pueden", "puede", "potreste", "potete",
                                              "potrebbe", "podem", "poderiam", "poderia", "pode"};
  // The modal may follow a greeting ("Hi Tom, could you ...").
  for (std::size_t k = 0; k < s.words.size() && k < 4; ++k) {
    const std::string& w = s.words[k];
    for (const char* m : kPoliteModals) {
      if (w == m) return true;
    }
    for (const char* m : kModalsWithPronoun) {
      if (w != m) continue;
      for (std::size_t j = k + 1; j < s.words.size() && j <= k + 2; ++j) {
        for (const char* p : {"you", "u", "sie", "vous", "jullie", "ihr"}) {
          if (s.words[j] == p) return true;
        }
      }
    }
  }
  return false;
}

}  // namespace dsar::mail::classify
