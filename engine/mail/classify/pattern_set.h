// A set of patterns indexed by their alternatives, so that a sentence runs only the few
// patterns that can match it.
//
// Thread safety: a PatternSet is immutable once built and may be shared; a MatchScratch belongs
// to one thread.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "mail/classify/pattern.h"
#include "mail/classify/sentence.h"

namespace dsar::mail::classify {

using ElemIds = std::vector<std::uint32_t>;

// Scratch space of PatternSet::Candidates, reused across the sentences of a message.
struct MatchScratch {
  std::vector<std::uint32_t> elem_stamp, pattern_stamp;  // == stamp: marked for the current sentence
  std::uint32_t stamp = 0;
  std::vector<std::uint32_t> touched;  // patterns with a marked element
};

// Patterns with an index of their alternatives that tells which of them can match a sentence at
// all: a pattern matches only when each of its elements has a word of the sentence that one of
// its alternatives matches (for a cjk pattern: an alternative found in the sentence's text). Only
// those (a few per sentence) run the matcher; the others cannot match, so the results are those
// of running every pattern, at a fraction of the cost. Immutable once built.
class PatternSet {
 public:
  explicit PatternSet(std::vector<Pattern> patterns) : patterns_(std::move(patterns)), trie_(1) {
    std::map<std::string, ElemIds> cjk;
    for (std::uint32_t pi = 0; pi < patterns_.size(); ++pi) {
      const Pattern& p = patterns_[pi];
      first_elem_.push_back(static_cast<std::uint32_t>(elem_pattern_.size()));
      for (const Elem& e : p.elems) {
        const auto id = static_cast<std::uint32_t>(elem_pattern_.size());
        elem_pattern_.push_back(pi);
        for (const Alt& a : e.alts) {
          if (p.cjk) cjk[a.word].push_back(id);
          else Add(a.word, a.prefix, id);
        }
      }
    }
    first_elem_.push_back(static_cast<std::uint32_t>(elem_pattern_.size()));
    cjk_alts_.assign(cjk.begin(), cjk.end());
  }

  const std::vector<Pattern>& patterns() const { return patterns_; }

  // The indices of the patterns that may match `s`, ascending, into `out` (the others cannot).
  void Candidates(const Sentence& s, MatchScratch& m, std::vector<std::uint32_t>& out) const {
    out.clear();
    m.elem_stamp.resize(std::max(m.elem_stamp.size(), elem_pattern_.size()), 0);
    m.pattern_stamp.resize(std::max(m.pattern_stamp.size(), patterns_.size()), 0);
    m.touched.clear();
    const std::uint32_t stamp = ++m.stamp;
    auto mark = [&](const ElemIds& ids) {
      for (std::uint32_t id : ids) {
        m.elem_stamp[id] = stamp;
        const std::uint32_t pi = elem_pattern_[id];
        if (m.pattern_stamp[pi] != stamp) {
          m.pattern_stamp[pi] = stamp;
          m.touched.push_back(pi);
        }
      }
    };
    for (const std::string& w : s.words) {  // down the trie: each prefix alternative on the way, then the word
      std::uint32_t n = w.empty() ? 0 : root_[static_cast<unsigned char>(w[0])];
      for (std::size_t i = 1; n != 0 && i <= w.size(); ++i) {
        mark(trie_[n].prefix);
        if (i == w.size()) {
          mark(trie_[n].exact);
          break;
        }
        const auto& next = trie_[n].next;
        auto it = std::find_if(next.begin(), next.end(), [&](const auto& e) { return e.first == w[i]; });
        n = it == next.end() ? 0 : it->second;
      }
    }
    if (s.cjk)
      for (const auto& [alt, ids] : cjk_alts_)
        if (s.text.find(alt) != std::string::npos) mark(ids);
    for (std::uint32_t pi : m.touched) {
      bool all = first_elem_[pi] < first_elem_[pi + 1];
      for (std::uint32_t id = first_elem_[pi]; all && id < first_elem_[pi + 1]; ++id) all = m.elem_stamp[id] == stamp;
      if (all) out.push_back(pi);
    }
    std::sort(out.begin(), out.end());
  }

 private:
  struct Node {
    std::vector<std::pair<char, std::uint32_t>> next;
    ElemIds exact;   // elements with this whole word as an alternative
    ElemIds prefix;  // elements with this as a prefix alternative ("delet" of "delet*")
  };

  void Add(const std::string& word, bool prefix, std::uint32_t id) {  // (word is not empty)
    std::uint32_t n = 0;
    for (const char ch : word) {
      auto& next = trie_[n].next;
      auto it = std::find_if(next.begin(), next.end(), [&](const auto& e) { return e.first == ch; });
      if (it != next.end()) {
        n = it->second;
        continue;
      }
      const auto child = static_cast<std::uint32_t>(trie_.size());
      next.emplace_back(ch, child);
      if (n == 0) root_[static_cast<unsigned char>(ch)] = child;
      trie_.emplace_back();  // (after this, `next` may dangle: not used again)
      n = child;
    }
    (prefix ? trie_[n].prefix : trie_[n].exact).push_back(id);
  }

  std::vector<Pattern> patterns_;
  std::vector<std::uint32_t> elem_pattern_;  // element id -> its pattern (a pattern's elements are consecutive)
  std::vector<std::uint32_t> first_elem_;    // pattern -> its first element id; [size] = the element count
  std::vector<Node> trie_;                   // the word alternatives, byte by byte; [0] is the root
  std::array<std::uint32_t, 256> root_{};    // the root's children by byte (0: none), for speed
  std::vector<std::pair<std::string, ElemIds>> cjk_alts_;  // the cjk alternatives (substrings)
};

// Where `p` first matches in `s`: a word index, or for a cjk pattern the byte index in s.text of
// its key element; npos when it does not.
std::size_t MatchStart(const Pattern& p, const Sentence& s);

bool Matches(const Pattern& p, const Sentence& s);

}  // namespace dsar::mail::classify
