#include "mail/classify/negation.h"

#include <algorithm>

#include "mail/classify/words.h"

namespace dsar::mail::classify {
namespace {

// The clause of each word of `s`: clauses end at a comma, colon, parenthesis, quote or a dash
// between blanks; one that starts with "that" (dass, que, che, dat) continues the one before
// ("Ich möchte nicht, dass Sie meine Daten löschen").
std::vector<std::size_t> Clauses(const Sentence& s) {
  std::vector<std::size_t> out;
  out.reserve(s.words.size());
  std::size_t clause = 0;
  std::string piece;
  auto flush = [&] {
    const std::vector<std::string> words = Words(piece);
    piece.clear();
    if (words.empty()) return;
    const bool continues = !out.empty() && WordIn(words.front(), {"that", "dass", "que", "qu", "che", "dat"});
    for (std::size_t k = 0; k < words.size(); ++k) out.push_back(continues ? out.back() : clause);
    ++clause;
  };
  const std::string_view t = s.text;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    const bool dash = c == '-' && i > 0 && t[i - 1] == ' ' && i + 1 < t.size() && t[i + 1] == ' ';
    if (c == ',' || c == ':' || c == '(' || c == ')' || c == '"' || dash) {
      flush();
      continue;
    }
    piece += c;
  }
  flush();
  if (out.size() != s.words.size()) out.assign(s.words.size(), 0);  // one clause, as a fallback
  return out;
}

// Words that join two clauses ("and", "but", "so"): a negation does not reach across them.
bool IsConjunction(std::string_view w) {
  return WordIn(w, {"and", "but", "so", "then", "therefore", "instead", "or", "und", "aber", "sondern", "dann",
                    "deshalb", "daher", "darum", "stattdessen", "oder", "et", "mais", "donc", "alors", "ou", "y",
                    "pero", "sino", "entonces", "o", "e", "ma", "quindi", "invece", "oppure", "en", "maar", "dus",
                    "daarom", "of", "mas", "entao", "portanto", "porem"});
}

bool IsPoliteness(std::string_view w) {
  return WordIn(w, {"please", "kindly", "bitte", "svp", "plait", "favor", "favore", "graag", "alstublieft", "aub",
                    "gentileza"});
}

// True when words[i] negates: "not", "never", "don't" (en), "ne ... pas" (fr), "no", "nunca"
// (es), "non", "mai" (it), "não", "nunca" (pt), and the German and Dutch ones, which may stand
// anywhere in the clause ("löschen Sie mein Konto nicht"): `clause_wide`. Followed by "more",
// "longer" (mehr, meer, plus, più, mais) it means "no longer", and by "only" (nur, seulement,
// solo, alleen, apenas) "not only": neither says not to do what is asked.
bool IsNegation(const std::vector<std::string>& w, std::size_t i, bool& clause_wide) {
  clause_wide = false;
  for (std::size_t k = i + 1; k < w.size() && k <= i + 2; ++k) {
    if (WordIn(w[k], {"more", "longer", "mehr", "meer", "plus", "piu", "mais", "mas", "only", "just", "nur",
                      "seulement", "uniquement", "solo", "solamente", "soltanto", "alleen", "apenas", "somente"}))
      return false;
  }
  const std::string& x = w[i];
  if (WordIn(x, {"nicht", "nichts", "kein", "keine", "keinen", "keinem", "keiner", "keines", "nie", "niemals",
                 "niet", "niets", "geen", "nooit"})) {
    clause_wide = true;
    return true;
  }
  if (WordIn(x, {"not", "never", "dont", "no", "nunca", "jamas", "non", "mai", "nao", "nem", "ni"})) return true;
  if (x == "t") return i > 0 && WordIn(w[i - 1], {"don", "doesn", "didn", "won", "wouldn", "shouldn", "mustn"});
  if (x == "ne" || x == "n") {  // French: with "pas", "jamais", "rien", "aucun(e)" after it
    for (std::size_t k = i + 1; k < w.size() && k <= i + 4; ++k) {
      if (WordIn(w[k], {"pas", "jamais", "rien", "aucun", "aucune", "point"})) return true;
    }
  }
  return false;
}

// True when a negation governs the verb at word `verb` of `s`: one before it in its clause,
// within four words ("no": three) with no conjunction or "please" between; or a German or Dutch
// one anywhere in its clause with no conjunction between.
bool Negated(const Sentence& s, const std::vector<std::size_t>& clause, std::size_t verb) {
  const std::vector<std::string>& w = s.words;
  bool wide = false;
  for (std::size_t k = verb; k-- > 0;) {
    if (clause[k] != clause[verb] || IsConjunction(w[k])) break;
    if (IsNegation(w, k, wide) && (wide || verb - k <= (w[k] == "no" ? 3u : 4u))) return true;
    if (IsPoliteness(w[k])) break;
  }
  for (std::size_t k = verb + 1; k < w.size(); ++k) {
    if (clause[k] != clause[verb] || IsConjunction(w[k])) break;
    if (IsNegation(w, k, wide) && wide) return true;
  }
  return false;
}

// Articles, possessives and pronouns (folded), which name nothing themselves.
bool IsDeterminerOrPronoun(std::string_view w) {
  return WordIn(w, {"the", "a", "an", "my", "our", "your", "his", "her", "their", "this", "that", "these", "those",
                    "all", "any", "every", "some", "of", "it", "them", "you", "us", "i", "also", "too", "sie", "die",
                    "der", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer", "mein", "meine",
                    "meinen", "meinem", "meiner", "meines", "unser", "unsere", "unseren", "ihr", "ihre", "ihren",
                    "ihrem", "ihrer", "alle", "allen", "samtliche", "es", "auch", "vous", "la", "le", "les", "l",
                    "un", "une", "mon", "ma", "mes", "notre", "nos", "votre", "vos", "ce", "cet", "cette", "ces",
                    "aussi", "je", "j", "el", "los", "las", "una", "mis", "su", "sus", "este", "esta", "estos",
                    "estas", "usted", "ustedes", "al", "lo", "les", "tambien", "il", "i", "gli", "uno", "mio",
                    "mia", "miei", "mie", "vostro", "vostra", "questo", "questa", "anche", "vi", "ci", "het", "een",
                    "mijn", "uw", "onze", "ons", "dit", "deze", "ook", "u", "je", "jullie", "o", "os", "as", "um",
                    "uma", "meu", "minha", "meus", "minhas", "seu", "sua", "seus", "suas", "isso", "isto", "tambem",
                    "voce", "voces"});
}

// Words that name the sender's personal data, or the sender.
bool IsPersonalDataWord(std::string_view w) {
  return WordIn(w, {"data", "daten", "donnees", "datos", "dati", "gegevens", "dados", "info", "details", "angaben",
                    "account", "accounts", "konto", "benutzerkonto", "kundenkonto", "compte", "cuenta", "conto",
                    "conta", "cadastro", "profile", "profil", "perfil", "profilo", "profiel", "records", "history",
                    "coordonnees", "everything", "alles", "tout", "tous", "toutes", "todo", "todos", "todas",
                    "tudo", "tutto", "tutti", "me", "mich", "moi", "mi", "mij", "myself", "email", "mail",
                    "address", "adresse", "adres", "direccion", "indirizzo", "endereco", "name", "nom", "nombre",
                    "nome", "naam", "phone", "telephone"}) ||
         WordStarts(w, {"persoonsgegevens", "personenbezogen", "personal", "personnel", "persoonlijk", "pessoa",
                        "information", "informacion", "informazion", "informacoes", "informatie", "telefon",
                        "photo", "foto", "picture", "image"});
}

// Business records: deleting one ("die doppelte Rechnung") is not an erasure request.
bool IsBusinessRecordWord(std::string_view w) {
  return WordIn(w, {"invoice", "invoices", "bill", "bills", "receipt", "receipts", "order", "orders", "payment",
                    "payments", "transaction", "transactions", "charge", "charges", "refund", "refunds", "quote",
                    "quotes", "rechnung", "rechnungen", "gutschrift", "gutschriften", "quittung", "quittungen",
                    "beleg", "belege", "bestellung", "bestellungen", "zahlung", "zahlungen", "abbuchung",
                    "abbuchungen", "lastschrift", "lastschriften", "mahnung", "mahnungen", "angebot", "angebote",
                    "facture", "factures", "commande", "commandes", "paiement", "paiements", "prelevement",
                    "prelevements", "devis", "recu", "recus", "factura", "facturas", "recibo", "recibos", "pedido",
                    "pedidos", "cobro", "cobros", "cargo", "cargos", "pago", "pagos", "presupuesto", "fattura",
                    "fatture", "ricevuta", "ricevute", "ordine", "ordini", "pagamento", "pagamenti", "addebito",
                    "addebiti", "preventivo", "factuur", "facturen", "bon", "bonnetje", "bestelling",
                    "bestellingen", "betaling", "betalingen", "afschrijving", "offerte", "fatura", "faturas",
                    "boleto", "boletos", "cobranca", "cobrancas", "encomenda", "encomendas"});
}

bool IsDeletionVerb(std::string_view w) {
  return WordStarts(w, {"delet", "eras", "remov", "wipe", "purg", "destroy", "losch", "loesch", "gelosch",
                        "geloesch", "entfern", "supprim", "effac", "suprim", "elimin", "borr", "cancel", "rimuov",
                        "distrugg", "verwijder", "vernietig", "exclu", "apag"}) ||
         WordIn(w, {"wis", "wissen", "gewist"});
}

// True when a deletion verb in the clause of word `at` takes someone or something else out of
// a container ("remove John from my team account", "Max aus meinem Konto entfernen"): the words
// between the verb and a "from" that leads to an account, profile, team or list (or, with the
// verb last, the clause's words before that "from") name no personal data of the sender.
bool RemovesSomethingElse(const Sentence& s, const std::vector<std::size_t>& clause, std::size_t at) {
  const std::vector<std::string>& w = s.words;
  std::size_t first = at, last = at;
  while (first > 0 && clause[first - 1] == clause[at]) --first;
  while (last + 1 < w.size() && clause[last + 1] == clause[at]) ++last;
  for (std::size_t p = first; p <= last; ++p) {
    if (!WordIn(w[p], {"from", "off", "aus", "von", "vom", "de", "du", "d", "del", "da", "dal", "dalla", "dallo",
                       "dai", "uit", "van", "do", "dos", "das", "desde"}))
      continue;
    std::size_t container = std::string::npos;  // "from [my team] account", with no verb in between
    for (std::size_t k = p + 1; k <= last && k <= p + 3 && !IsDeletionVerb(w[k]); ++k) {
      if (WordIn(w[k], {"account", "accounts", "profile", "team", "workspace", "organisation", "organization",
                        "group", "project", "list", "konto", "benutzerkonto", "kundenkonto", "profil", "compte",
                        "equipe", "cuenta", "perfil", "equipo", "conto", "profilo", "squadra", "gruppo", "profiel",
                        "conta", "grupo", "lista", "liste"})) {
        container = k;
        break;
      }
    }
    if (container == std::string::npos) continue;
    std::size_t verb = std::string::npos;  // the nearest deletion verb before the "from", else after it
    for (std::size_t k = first; k < p; ++k) {
      if (IsDeletionVerb(w[k])) verb = k;
    }
    for (std::size_t k = container + 1; verb == std::string::npos && k <= last; ++k) {
      if (IsDeletionVerb(w[k])) verb = k;
    }
    if (verb == std::string::npos) continue;
    const std::size_t from = verb < p ? verb + 1 : first;
    bool personal = false, other = false;
    for (std::size_t k = from; k < p; ++k) {
      if (IsPersonalDataWord(w[k])) personal = true;
      else if (!IsPoliteness(w[k]) && !IsConjunction(w[k]) && !IsDeterminerOrPronoun(w[k])) other = true;
    }
    if (other && !personal) return true;
  }
  return false;
}

// True when `s` is about personal data or its processing (data, processing, profiling, tracking,
// marketing, consent, legitimate interests, a data protection statute, in our languages): an
// objection must be to that, not to a price increase.
bool AboutPersonalData(const Sentence& s) {
  if (s.cjk && TextHasAny(s.text, {"個人情報", "個人データ", "データ", "情報", "利用", "取り扱い", "取扱", "処理",
                                   "プロファイリング", "マーケティング", "広告", "ダイレクトメール", "クッキー", "同意",
                                   "正当な利益"}))
    return true;
  for (const std::string& w : s.words) {
    if (WordIn(w, {"data", "daten", "donnees", "datos", "dati", "gegevens", "dados", "info", "marketing",
                   "reclame", "prospection", "einwilligung", "consentement", "consentimiento", "consenso",
                   "toestemming", "consentimento", "gdpr", "dsgvo", "rgpd", "avg", "lgpd", "ccpa"}) ||
        WordStarts(w, {"persoonsgegevens", "personenbezogen", "personal", "personnel", "persoonlijk", "pessoa",
                       "information", "informacion", "informazion", "informacoes", "informatie", "process",
                       "verarbeit", "traitement", "tratamiento", "trattament", "tratamento", "verwerk", "profil",
                       "perfil", "track", "analy", "analis", "werb", "publicit", "pubblicit", "publicidad",
                       "cookie", "consent", "legitim", "legittim", "gerechtvaardigd", "berechtigt"}))
      return true;
  }
  return false;
}

bool IsObjectionVerb(std::string_view w) {
  return WordStarts(w, {"object", "widerspr", "oppos", "oppon", "opong", "opon", "opor", "bezwaar", "withdraw",
                        "revok", "revoc", "revog", "retir", "stop", "cease", "restrict", "intrek", "trek"});
}

}  // namespace

// Why the match of word pattern or cjk pattern `p`, for `type`, at `at` in `s` (MatchStart) asks
// for nothing: "negated" or "about something else"; nullptr when it asks. Negation is checked for
// deletion and objection, whose wrong reading does harm or binds us; a missed access or
// correction request only waits for staff. `clauses` is scratch space for Clauses(s), filled on
// first use (empty before).
const char* NotAsked(RequestType type, const Pattern& p, const Sentence& s, std::size_t at,
                     std::vector<std::size_t>& clauses) {
  if (p.about_data && !AboutPersonalData(s)) return "about something else";
  if (p.cjk) {  // Japanese negations are patterns of their own; a business record is checked here
    const bool record = TextHasAny(s.text, {"請求書", "領収書", "見積書", "納品書", "注文書", "明細書", "インボイス"});
    const bool personal = TextHasAny(s.text, {"個人情報", "個人データ", "データ", "アカウント", "会員", "履歴", "記録",
                                              "プロフィール", "アドレス", "氏名", "名前", "住所", "登録情報"});
    return type == kDeletion && record && !personal ? "about something else" : nullptr;
  }
  if ((type != kDeletion && type != kObjection) || p.elems.empty()) return nullptr;
  const std::size_t end = MatchEndFrom(p, s.words, 1, at + 1);
  if (end == std::string::npos) return nullptr;
  if (clauses.empty()) clauses = Clauses(s);
  // The verb, which may come last ("mi cuenta, por favor bórrenla", "I do not object"); else the
  // first word.
  std::size_t verb = at;
  for (std::size_t k = at; k < end; ++k) {
    if (type == kDeletion ? IsDeletionVerb(s.words[k]) : IsObjectionVerb(s.words[k])) verb = k;
  }
  if (Negated(s, clauses, verb)) return "negated";
  if (type != kDeletion) return nullptr;
  if (RemovesSomethingElse(s, clauses, at)) return "about something else";
  // A business record, and no personal data, in the clauses of the match.
  std::size_t first = at, last = end - 1;
  while (first > 0 && clauses[first - 1] == clauses[at]) --first;
  while (last + 1 < s.words.size() && clauses[last + 1] == clauses[end - 1]) ++last;
  bool record = false, personal = false;
  for (std::size_t k = first; k <= last; ++k) {
    record = record || IsBusinessRecordWord(s.words[k]);
    personal = personal || IsPersonalDataWord(s.words[k]);
  }
  return record && !personal ? "about something else" : nullptr;
}

}  // namespace dsar::mail::classify
