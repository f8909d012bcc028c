// FindReference and FindVerificationCode (contracts in mail/message.h).
#include <cstring>

#include "mail/classify/words.h"
#include "mail/message.h"
#include "mail/text/fold.h"

namespace dsar::mail {

using namespace classify;

std::string FindReference(std::string_view text) {
  auto crockford = [](char ch) -> char {
    char u = (ch >= 'a' && ch <= 'z') ? static_cast<char>(ch - 'a' + 'A') : ch;
    if (u == 'O') return '0';
    if (u == 'I' || u == 'L') return '1';
    if ((u >= '0' && u <= '9') || (u >= 'A' && u <= 'Z' && u != 'U')) return u;
    return 0;
  };
  for (std::size_t i = 0; i + 13 <= text.size(); ++i) {
    if (i > 0 && IsAlnumByte(text[i - 1])) continue;
    if ((text[i] != 'D' && text[i] != 'd') || (text[i + 1] != 'S' && text[i + 1] != 's') ||
        (text[i + 2] != 'R' && text[i + 2] != 'r') || text[i + 3] != '-' || text[i + 8] != '-')
      continue;
    std::string ref = "DSR-";
    bool ok = true;
    for (std::size_t k = 4; k < 13 && ok; ++k) {
      if (k == 8) {
        ref += '-';
        continue;
      }
      const char ch = crockford(text[i + k]);
      ok = ch != 0;
      ref += ch;
    }
    if (!ok) continue;
    if (i + 13 < text.size() && IsAlnumByte(text[i + 13])) continue;
    return ref;
  }
  return "";
}

std::string FindVerificationCode(std::string_view fresh_text) {
  // Full-width digits ("４７９２８９", as Japanese input writes them) are read as ASCII.
  const std::string narrowed = NarrowWidth(fresh_text);
  const std::string_view t = narrowed;
  auto is_digit = [](char ch) { return ch >= '0' && ch <= '9'; };
  struct Candidate {
    std::string code;
    std::size_t pos;  // where its digits start in `t`
    std::size_t end;  // after its last digit
  };
  std::vector<Candidate> candidates;
  for (std::size_t i = 0; i < t.size();) {
    if (!is_digit(t[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < t.size() && is_digit(t[j])) ++j;
    const std::size_t len = j - i;
    // Digits glued to letters, or part of a date, time, phone or decimal number, are not a code.
    const bool left_ok = i == 0 || (!IsAlnumByte(t[i - 1]) &&
                                    !((t[i - 1] == '-' || t[i - 1] == '.' || t[i - 1] == '/' ||
                                       t[i - 1] == ':' || t[i - 1] == ',' || t[i - 1] == '+') &&
                                      i >= 2 && is_digit(t[i - 2])) &&
                                    t[i - 1] != '+');
    const bool right_ok = j == t.size() || (!IsAlnumByte(t[j]) &&
                                            !((t[j] == '-' || t[j] == '.' || t[j] == '/' || t[j] == ':' ||
                                               t[j] == ',') &&
                                              j + 1 < t.size() && is_digit(t[j + 1])));
    if (len == 6 && left_ok && right_ok) candidates.push_back({std::string(t.substr(i, 6)), i, j});
    // "123 456", not inside a longer run of digit groups ("030 123 456").
    if (len == 3 && left_ok && j + 4 <= t.size() && (t[j] == ' ' || t[j] == '-') && is_digit(t[j + 1]) &&
        is_digit(t[j + 2]) && is_digit(t[j + 3]) && (j + 4 == t.size() || !IsAlnumByte(t[j + 4])) &&
        !(i >= 2 && t[i - 1] == ' ' && is_digit(t[i - 2])) &&
        !(j + 5 < t.size() && (t[j + 4] == ' ' || t[j + 4] == '-') && is_digit(t[j + 5]))) {
      candidates.push_back({std::string(t.substr(i, 3)) + std::string(t.substr(j + 1, 3)), i, j + 4});
    }
    i = j;
  }
  if (candidates.empty()) return "";

  // The text of the candidate's sentence before it (at most 40 bytes) and after it (30).
  auto is_sentence_end = [&](std::size_t k) {
    const bool stop = t[k] == '.' || t[k] == '!' || t[k] == '?';
    return (stop && (k + 1 == t.size() || t[k + 1] == ' ' || t[k + 1] == '\n')) || t.substr(k, 3) == "。";
  };
  auto before = [&](const Candidate& c) {
    std::size_t from = c.pos >= 40 ? c.pos - 40 : 0;
    while (from > 0 && (static_cast<unsigned char>(t[from]) & 0xC0) == 0x80) --from;
    for (std::size_t k = from; k < c.pos; ++k) {
      if (is_sentence_end(k)) from = k + 1;
    }
    return t.substr(from, c.pos - from);
  };
  auto after = [&](const Candidate& c) {
    std::size_t to = std::min(t.size(), c.end + 30);
    while (to < t.size() && (static_cast<unsigned char>(t[to]) & 0xC0) == 0x80) ++to;
    for (std::size_t k = c.end; k < to; ++k) {
      if (is_sentence_end(k)) to = k;
    }
    return t.substr(c.end, to - c.end);
  };
  // A word that introduces a code in one of our languages ("code", "Code", "código", "codice",
  // "Bestätigungscode", "verificatiecode", "コード", "認証番号", ...), not a postcode, zip code,
  // bar code or discount code.
  auto has_code_word = [](std::string_view raw) {
    const std::string f = FoldForMatching(raw);
    if (TextHasAny(f, {"コード", "認証番号", "確認番号", "暗証番号", "ワンタイム"}) &&
        !TextHasAny(f, {"バーコード", "qrコード", "郵便"}))
      return true;
    const std::vector<std::string> words = Words(f);
    for (std::size_t k = 0; k < words.size(); ++k) {
      const std::string& w = words[k];
      const bool code = WordStarts(w, {"cod", "verif"}) || WordIn(w, {"kode", "otp", "pin", "tan"}) ||
                        (w.size() > 4 && w.compare(w.size() - 4, 4, "code") == 0);
      if (!code || WordIn(w, {"postcode", "zipcode", "barcode", "areacode", "qrcode", "promocode", "postalcode"}))
        continue;
      if (k > 0 && WordIn(words[k - 1], {"post", "postal", "zip", "area", "country", "promo", "promotional",
                                         "discount", "voucher", "coupon", "gift", "bar", "qr", "sort", "dialling",
                                         "dialing", "tracking", "customer", "client", "order", "source", "rabatt",
                                         "gutschein"}))
        continue;
      if (k + 1 < words.size() && WordIn(words[k + 1], {"postal", "postale", "fiscale", "promocional", "sconto"}))
        continue;
      return true;
    }
    return false;
  };
  // A label that says the number is something else ("customer number", "Kundennummer", "order").
  auto has_other_label = [](std::string_view raw) {
    const std::string f = FoldForMatching(raw);
    if (TextHasAny(f, {"電話", "注文", "会員番号", "お客様番号", "顧客番号", "郵便"})) return true;
    for (const std::string& w : Words(f)) {
      if (WordIn(w, {"number", "no", "nr", "nummer", "numero", "ticket", "order", "customer", "client", "phone",
                     "tel", "mobile", "invoice", "account", "konto", "iban", "ref", "reference", "referenz", "id",
                     "rechnung", "facture", "factura", "fattura", "factuur", "fatura", "commande", "pedido",
                     "ordine", "bestelling", "bestellung", "auftrag", "postcode", "zipcode", "zip", "postal",
                     "postale", "postleitzahl", "plz", "cap", "cep"}) ||
          WordStarts(w, {"kunden", "telefon", "bestellnummer", "rechnungsnummer", "auftragsnummer"}))
        return true;
    }
    return false;
  };
  // 1. Introduced as a code ("My code is 123456"), the first such number; 2. followed by a code
  // word ("123456 is the code").
  for (const Candidate& c : candidates) {
    if (has_code_word(before(c))) return c.code;
  }
  for (const Candidate& c : candidates) {
    if (has_code_word(after(c))) return c.code;
  }
  // 3. On a line of its own; 4. essentially all the sender wrote (a few words around the only
  // number). Neither when a label names it as something else.
  for (const Candidate& c : candidates) {
    std::size_t line_start = t.rfind('\n', c.pos);
    line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
    std::size_t line_end = t.find('\n', c.end);
    if (line_end == std::string_view::npos) line_end = t.size();
    auto is_trim = [](char ch) { return ch == ' ' || ch == '\t' || ch == '\r' || std::strchr(".,;:!", ch) != nullptr; };
    while (line_start < c.pos && is_trim(t[line_start])) ++line_start;
    while (line_end > c.end && is_trim(t[line_end - 1])) --line_end;
    if (line_start == c.pos && line_end == c.end && !has_other_label(before(c))) return c.code;
  }
  if (candidates.size() == 1) {
    const Candidate& c = candidates.front();
    const std::string rest = std::string(t.substr(0, c.pos)) + " " + std::string(t.substr(c.end));
    if (Words(FoldForMatching(rest)).size() <= 6 && !has_other_label(before(c))) return c.code;
  }
  return "";
}

}  // namespace dsar::mail
