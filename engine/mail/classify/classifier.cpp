// Classify (contract in mail/message.h); FindReference and FindVerificationCode are in codes.cpp.
//
// Classification is keyword and phrase based, per language (en, de, fr, es, it, nl, pt, ja),
// over the subject and the fresh text (quoted replies and signatures removed by
// ParseMessage). Text is folded (lower case, no accents, ASCII quotes, full-width ASCII and
// half-width katakana normalised) and split into sentences of words; a phrase pattern is a
// sequence of word alternatives ("delet*" matches by prefix) with bounded gaps ("~4": up to
// four other words), matched inside one sentence. Each type sums the weights of its matching
// patterns; the best type wins when it reaches kRequestThreshold. Matches inside a question
// ("Do you sell my data?") do not count unless the question is a polite request ("Could you
// delete my account?") or the pattern is one that asks for the requester's own data ("What
// data do you hold about me?").
//
// Japanese is written without spaces, so its patterns (kJaRules) are sequences of substring
// alternatives with gaps counted in characters ("開示 ~20 請求|お願い"), matched on the folded
// sentence text; sentences end at 。！？ as well, a line break inside a sentence (after 、 or a
// particle, or in a hard-wrapped line) joins without a blank, and a sentence ending in か is a
// question. Words split where the script changes, so "CSV形式" is "csv" + "形式" for the
// word patterns. A negative weight takes back, within its sentence, what another pattern
// gave: a negation ("削除しないで") or a wording that names two rights as one ("利用停止・消去",
// the APPI erasure request, counts as deletion, not also as objection).
//
// In the other languages a match that asks for nothing does not count (NotAsked): a verb under a
// negation in its clause ("Please don't delete my account", "löschen Sie mein Konto nicht", "ne
// pas supprimer", "no borren"), a deletion of someone or something else ("remove John from my
// team account") or of a business record ("die doppelte Rechnung"), and an objection in a
// sentence that is not about personal data or its processing ("I object to the price increase").
//
// No rule is keyed to particular addresses, names or messages.
#include <algorithm>
#include <array>
#include <map>

#include "mail/classify/agent.h"
#include "mail/classify/form.h"
#include "mail/classify/jurisdiction.h"
#include "mail/classify/language.h"
#include "mail/classify/negation.h"
#include "mail/classify/parties.h"
#include "mail/classify/pattern_set.h"
#include "mail/classify/rules.h"
#include "mail/classify/sentence.h"
#include "mail/message.h"
#include "mail/text/address.h"
#include "mail/text/forward.h"

namespace dsar::mail {
namespace {

using namespace classify;

struct CompiledRules {
  std::vector<RequestType> types;  // of each pattern of `set`
  PatternSet set;
};

const CompiledRules& Rules() {
  static const CompiledRules rules = [] {
    std::vector<RequestType> types;
    std::vector<Pattern> patterns;
    for (const Rule& rule : WordRules()) {
      types.push_back(rule.type);
      patterns.push_back(Compile(rule));
    }
    for (const Rule& rule : JapaneseRules()) {
      types.push_back(rule.type);
      patterns.push_back(Compile(rule, true));
    }
    return CompiledRules{std::move(types), PatternSet(std::move(patterns))};
  }();
  return rules;
}

}  // namespace

Classification Classify(const ParsedMessage& message) {
  Classification c;
  Address sender = message.from.value_or(Address{});
  std::string subject_line = message.subject;
  std::string body = message.fresh_text.substr(0, std::min<std::size_t>(message.fresh_text.size(), 20000));
  bool forwarded = false;

  // contract — who is who: a staff member who forwards a person's mail is neither subject
  // nor requester; the forwarded sender is the one who asked.
  if (auto fwd = FindForwardedBlock(body, SubjectIsForward(message.subject));
      fwd && !SameEmail(fwd->from.email, sender.email)) {
    sender = fwd->from;
    forwarded = true;
    if (!fwd->subject.empty()) subject_line = fwd->subject;
    body = fwd->note + "\n\n" + fwd->body;
  }

  // A web form relayed by an automated sender: the person is in Reply-To or the form.
  const std::vector<FormField> fields = FormFields(body);
  std::optional<Address> form_person;
  for (const FormField& f : fields) {
    if (KeyIs(f.key, {"email", "e mail", "email address", "e mail address", "your email", "mail", "courriel",
                      "adresse email", "adresse e mail", "correo", "correo electronico", "indirizzo email",
                      "e mailadres", "emailadres", "endereco de email", "endereco de e mail", "メールアドレス",
                      "メール", "e メール", "e メールアドレス", "連絡先メールアドレス", "ご連絡先メールアドレス",
                      "電子メール", "メールアドレス 必須"})) {
      const auto found = EmailsIn(f.value);
      if (!found.empty() && !form_person) form_person = Address{"", found.front().email};
    }
  }
  if (form_person) {
    for (const FormField& f : fields) {
      if (KeyIs(f.key, {"name", "full name", "your name", "nom", "nom complet", "nombre", "nome", "naam",
                        "vollstandiger name", "nombre completo", "nome completo", "お名前", "名前", "氏名", "ご氏名",
                        "お名前 必須", "氏名 必須"})) {
        form_person->name = f.value;
        break;
      }
    }
  }
  const bool relay =
      !forwarded && message.from &&
      (IsAutomatedSender(*message.from) ||
       (message.reply_to && form_person && SameEmail(message.reply_to->email, form_person->email)));
  if (relay) {
    if (message.reply_to && !IsAutomatedSender(*message.reply_to)) {
      sender = *message.reply_to;
      if (sender.name.empty() && form_person && SameEmail(form_person->email, sender.email))
        sender.name = form_person->name;
    } else if (form_person) {
      sender = *form_person;
    }
  }

  // The words. A reply's subject ("Re: ...") was written for the earlier message, often ours
  // ("Re: Unsubscribe anytime from our newsletter"): only what the sender wrote now counts.
  if (SubjectIsReply(subject_line)) subject_line.clear();
  std::vector<Sentence> sentences = SplitSentences(subject_line);
  const std::size_t subject_sentences = sentences.size();
  for (auto& s : SplitSentences(body)) sentences.push_back(std::move(s));
  c.language = DetectLanguage(sentences);
  c.jurisdiction_hint = JurisdictionHint(subject_line + "\n" + body, fields, c.language);

  std::map<RequestType, int> score;
  // Where each type is first asked for, in the order written: the body (what the sender wrote
  // now) before the subject line, then sentence, then word.
  using Position = std::array<std::size_t, 3>;
  std::map<RequestType, Position> first_at;
  int questions = 0;  // questions that would have matched a request pattern
  int not_asked = 0;  // matches that ask for nothing (NotAsked): negated, or about something else
  MatchScratch scratch;
  std::vector<std::uint32_t> candidates;
  const CompiledRules& rules = Rules();
  for (std::size_t si = 0; si < sentences.size(); ++si) {
    const Sentence& s = sentences[si];
    rules.set.Candidates(s, scratch, candidates);
    const bool discounted = s.question && !IsPoliteRequest(s);
    bool matched_in_question = false;
    // A sentence gives each type the sum of its patterns' weights, when that is positive (a
    // negative weight only takes back within its sentence), at the first positive match.
    std::map<RequestType, int> here;
    std::map<RequestType, std::size_t> at_here;
    std::vector<std::size_t> clauses;  // NotAsked's scratch space, per sentence
    for (std::uint32_t pi : candidates) {  // (the other patterns cannot match)
      const RequestType type = rules.types[pi];
      const Pattern& pattern = rules.set.patterns()[pi];
      const std::size_t at = MatchStart(pattern, s);
      if (at == std::string::npos) continue;
      if (discounted && !pattern.ok_in_question) {
        matched_in_question = matched_in_question || pattern.weight > 0;
        continue;
      }
      if (pattern.weight > 0 && NotAsked(type, pattern, s, at, clauses)) {
        ++not_asked;
        continue;
      }
      here[type] += pattern.weight;
      if (pattern.weight <= 0) continue;
      auto [it, fresh] = at_here.emplace(type, at);
      if (!fresh) it->second = std::min(it->second, at);
    }
    for (const auto& [type, weight] : here) {
      const auto at = at_here.find(type);
      if (weight <= 0 || at == at_here.end()) continue;
      score[type] += weight;
      const Position pos = {si < subject_sentences ? 1u : 0u, si, at->second};
      auto [it, fresh] = first_at.emplace(type, pos);
      if (!fresh && pos < it->second) it->second = pos;
    }
    if (matched_in_question) ++questions;
  }
  std::optional<RequestType> best;
  int best_score = 0;
  for (RequestType t : kTieOrder) {
    if (score[t] > best_score) {
      best = t;
      best_score = score[t];
    }
  }

  // The data subject: the sender, unless an authorized agent (or a parent) writes for
  // someone whose address is given in the text.
  c.subject.email = sender.email;
  c.subject.name = SensibleName(sender.name);
  const AgentSignals agent = DetectAgent(sentences);
  if (agent.on_behalf) {
    std::optional<FoundEmail> other;
    for (const FoundEmail& e : EmailsIn(body)) {
      if (SameEmail(e.email, sender.email)) continue;
      if (message.from && SameEmail(e.email, message.from->email)) continue;
      if (message.reply_to && SameEmail(e.email, message.reply_to->email)) continue;
      bool ours = false;
      for (const Address& to : message.to) ours = ours || SameEmail(e.email, to.email);
      if (ours) continue;
      other = e;
      break;
    }
    if (other) {
      Requester r;
      r.email = sender.email;
      r.name = SensibleName(sender.name);
      r.relationship = agent.parent ? "parent" : "authorized_agent";
      r.authority = AuthorityOf(sentences, !message.attachments.empty());
      c.requester = std::move(r);
      c.subject = DataSubject{};
      c.subject.email = other->email;
      c.subject.name = CollapseControls(NameBefore(body, other->pos));
    } else if (agent.strong && best) {
      c.outcome = Classification::Outcome::kTriage;
      c.reason = "written by an authorized agent, but the data subject's email address is not given";
      return c;
    }
  }

  if (c.subject.email.empty()) {
    c.reason = "no sender address";
    return c;
  }
  if (!best || best_score < kRequestThreshold) {
    c.reason = questions > 0   ? "a question about privacy, not a recognisable request"
               : not_asked > 0 ? "a request's words, but negated or about something else (\"don't delete\", "
                                 "\"remove John from my team\", an invoice): not a request"
                               : "no data subject request recognised";
    return c;
  }
  c.outcome = Classification::Outcome::kRequest;
  // Every right asked for on its own strength, in the order written. Rights that one wording
  // names together count once, as the narrower one: a copy in a machine-readable format is
  // portability (which includes the copy), an objection to the sale of data or to marketing is
  // that opt-out.
  auto asks = [&](RequestType t) { return score[t] >= kRequestThreshold && first_at.count(t) > 0; };
  std::vector<std::pair<Position, RequestType>> asked;
  for (RequestType t : kTieOrder) {
    if (!asks(t)) continue;
    if (t == kAccess && asks(kPortability)) continue;
    if (t == kObjection && (asks(kSale) || asks(kMarketing))) continue;
    asked.emplace_back(first_at[t], t);
  }
  std::sort(asked.begin(), asked.end());
  for (const auto& a : asked) c.types.push_back(a.second);
  if (c.types.empty()) c.types.push_back(*best);
  c.type = c.types.front();
  return c;
}

}  // namespace dsar::mail
