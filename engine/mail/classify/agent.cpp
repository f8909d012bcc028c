#include "mail/classify/agent.h"

#include "mail/classify/pattern_set.h"

namespace dsar::mail::classify {

AgentSignals DetectAgent(const std::vector<Sentence>& sentences) {
  // One set: the strong signals, then the weak ones (from strong_end), then kin (from weak_end).
  struct Signals {
    PatternSet set;
    std::size_t strong_end, weak_end;
  };
  static const Signals kSignals = [] {
    std::vector<Pattern> v;
    for (const char* s :
         {"authorized|authorised|authorizing ~1 agent", "power ~1 of ~1 attorney", "my ~1 client|clients",
          "behalf ~1 of ~2 my ~1 client|clients", "bevollmachtigt*|vollmacht", "mein* ~1 mandant*", "im ~1 auftrag ~2 meines|meiner",
          "mandataire|mandat", "mon|ma ~1 client|cliente", "agente ~1 autorizado|autorizzato", "mi ~1 cliente|representado|representada",
          "apoderad*", "il ~1 mio|la ~1 mia ~1 cliente|assistit*", "mio|mia ~1 cliente|assistito|assistita", "gemachtigde|machtiging",
          "mijn ~1 client|clienten", "meu|minha ~1 cliente", "procurador*|procuracao"}) {
      v.push_back(Compile(Rule{kAccess, s, 1}));
    }
    // Japanese: 代理人 (agent, 法定代理人 a parent or guardian), 委任状 (power of attorney),
    // 依頼人 (a lawyer's client), 受任 (mandate accepted).
    v.push_back(Compile(Rule{kAccess, "代理人|委任状|委任を受け|依頼人|依頼者様|ご依頼者|受任", 1}, true));
    const std::size_t strong_end = v.size();
    for (const char* s : {"on ~1 behalf ~1 of", "acting ~2 for", "im ~1 namen|auftrag ~1 von", "au ~1 nom ~1 de",
                          "pour ~1 le ~1 compte ~1 de", "en ~1 nombre ~1 de", "en ~1 representacion ~1 de",
                          "per ~1 conto ~1 di", "in ~1 nome ~1 di", "namens", "in ~1 opdracht ~1 van",
                          "em ~1 nome ~1 de", "em ~1 representacao ~1 de"}) {
      v.push_back(Compile(Rule{kAccess, s, 1}));
    }
    v.push_back(Compile(Rule{kAccess, "に代わって|の代わりに|に代わり|代理で|代理として|を代理|代理申請|代理請求", 1}, true));
    const std::size_t weak_end = v.size();
    v.push_back(Compile(Rule{
        kAccess,
        "my|mein|meine|meines|meiner|mon|ma|mi|mio|mia|mijn|meu|minha ~1 son|daughter|child|children|kid|sohn|tochter|kind|kindes|fils|fille|enfant|hijo|hija|figlio|figlia|zoon|dochter|filho|filha|crianca",
        1}));
    v.push_back(Compile(Rule{kAccess, "息子|娘|子供|子ども|長男|長女|次男|次女|未成年の子", 1}, true));
    return Signals{PatternSet(std::move(v)), strong_end, weak_end};
  }();
  AgentSignals a;
  MatchScratch scratch;
  std::vector<std::uint32_t> candidates;
  for (const Sentence& s : sentences) {
    kSignals.set.Candidates(s, scratch, candidates);
    for (std::uint32_t pi : candidates) {
      if (MatchStart(kSignals.set.patterns()[pi], s) == std::string::npos) continue;
      if (pi < kSignals.strong_end) a.strong = a.on_behalf = true;
      else if (pi < kSignals.weak_end) a.on_behalf = true;
      else a.parent = true;
    }
  }
  if (!a.on_behalf) a.parent = false;
  return a;
}

std::string AuthorityOf(const std::vector<Sentence>& sentences, bool has_attachment) {
  static const std::vector<Pattern> kAttorney = [] {
    std::vector<Pattern> v;
    for (const char* spec : {"power ~1 of ~1 attorney", "vollmacht*", "procuration", "procuracao", "poder ~1 notarial",
                             "procura", "volmacht", "mandat ~1 ecrit|signe"}) {
      v.push_back(Compile(Rule{kAccess, spec, 1}));
    }
    v.push_back(Compile(Rule{kAccess, "委任状", 1}, true));
    return v;
  }();
  static const Pattern kSignedJa =
      Compile(Rule{kAccess, "同意書|承諾書|署名 ~8 同意|委任|承諾|書面", 1}, true);
  static const Pattern kSigned = Compile(Rule{
      kAccess,
      "signed|unterschrieben*|unterzeichnet*|signe|signee|firmad*|firmat*|getekend*|ondertekend*|assinad* ~3 authori*|permission|consent|autoriz*|authorization|ermachtigung|mandat*|machtiging|delega|letter|declaration",
      1});
  for (const Sentence& s : sentences) {
    for (const Pattern& p : kAttorney) {
      if (Matches(p, s)) return "power of attorney";
    }
  }
  for (const Sentence& s : sentences) {
    if (Matches(kSigned, s) || Matches(kSignedJa, s)) return "signed permission";
  }
  return has_attachment ? "signed permission" : "";
}

}  // namespace dsar::mail::classify
