#include "mail/text/html.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>

#include "mail/text/charset.h"
#include "mail/text/utf8.h"

namespace dsar::mail {
namespace {

using namespace text;

// Named character references 160..255, in code point order.
constexpr std::array<const char*, 96> kLatin1Entities = {
    "nbsp",   "iexcl",  "cent",   "pound",  "curren", "yen",    "brvbar", "sect",   "uml",    "copy",
    "ordf",   "laquo",  "not",    "shy",    "reg",    "macr",   "deg",    "plusmn", "sup2",   "sup3",
    "acute",  "micro",  "para",   "middot", "cedil",  "sup1",   "ordm",   "raquo",  "frac14", "frac12",
    "frac34", "iquest", "Agrave", "Aacute", "Acirc",  "Atilde", "Auml",   "Aring",  "AElig",  "Ccedil",
    "Egrave", "Eacute", "Ecirc",  "Euml",   "Igrave", "Iacute", "Icirc",  "Iuml",   "ETH",    "Ntilde",
    "Ograve", "Oacute", "Ocirc",  "Otilde", "Ouml",   "times",  "Oslash", "Ugrave", "Uacute", "Ucirc",
    "Uuml",   "Yacute", "THORN",  "szlig",  "agrave", "aacute", "acirc",  "atilde", "auml",   "aring",
    "aelig",  "ccedil", "egrave", "eacute", "ecirc",  "euml",   "igrave", "iacute", "icirc",  "iuml",
    "eth",    "ntilde", "ograve", "oacute", "ocirc",  "otilde", "ouml",   "divide", "oslash", "ugrave",
    "uacute", "ucirc",  "uuml",   "yacute", "thorn",  "yuml"};

struct NamedEntity {
  const char* name;
  std::uint32_t cp;
};
constexpr NamedEntity kOtherEntities[] = {
    {"amp", '&'},       {"lt", '<'},        {"gt", '>'},        {"quot", '"'},      {"apos", '\''},
    {"euro", 0x20AC},   {"hellip", 0x2026}, {"mdash", 0x2014},  {"ndash", 0x2013},  {"lsquo", 0x2018},
    {"rsquo", 0x2019},  {"ldquo", 0x201C},  {"rdquo", 0x201D},  {"sbquo", 0x201A},  {"bdquo", 0x201E},
    {"bull", 0x2022},   {"trade", 0x2122},  {"zwnj", 0x200C},   {"zwj", 0x200D},    {"oelig", 0x0153},
    {"OElig", 0x0152},  {"scaron", 0x0161}, {"Scaron", 0x0160}, {"thinsp", 0x2009}, {"ensp", 0x2002},
    {"emsp", 0x2003},   {"lrm", 0x200E},    {"rlm", 0x200F},
};

// Decodes a character reference at html[i] == '&'; returns the number of bytes consumed
// (0 when it is not a reference, so '&' is literal).
std::size_t DecodeEntity(std::string_view html, std::size_t i, std::string& out) {
  std::size_t j = i + 1;
  if (j < html.size() && html[j] == '#') {
    ++j;
    bool hex = false;
    if (j < html.size() && (html[j] == 'x' || html[j] == 'X')) {
      hex = true;
      ++j;
    }
    std::uint32_t cp = 0;
    const std::size_t start = j;
    while (j < html.size() && j - start < 8) {
      const int v = hex ? HexVal(html[j]) : ((html[j] >= '0' && html[j] <= '9') ? html[j] - '0' : -1);
      if (v < 0) break;
      cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(v);
      ++j;
    }
    if (j == start) return 0;
    if (j < html.size() && html[j] == ';') ++j;
    if (cp == 0xA0) cp = ' ';
    if (cp >= 0x80 && cp < 0xA0) {  // windows-1252 numeric references, as browsers read them
      AppendCp1252(out, static_cast<unsigned char>(cp));
    } else if (cp == 0) {
      AppendUtf8(out, 0xFFFD);
    } else {
      AppendUtf8(out, cp);
    }
    return j - i;
  }
  const std::size_t start = j;
  while (j < html.size() && j - start < 10 && std::isalnum(static_cast<unsigned char>(html[j]))) ++j;
  const std::string_view name = html.substr(start, j - start);
  if (name.empty()) return 0;
  const bool semi = j < html.size() && html[j] == ';';
  for (std::size_t k = 0; k < kLatin1Entities.size(); ++k) {
    if (name == kLatin1Entities[k]) {
      if (k == 0) out += ' ';
      else AppendUtf8(out, static_cast<std::uint32_t>(0xA0 + k));
      return (j - i) + (semi ? 1 : 0);
    }
  }
  for (const auto& e : kOtherEntities) {
    if (name == e.name) {
      AppendUtf8(out, e.cp);
      return (j - i) + (semi ? 1 : 0);
    }
  }
  return 0;
}

bool IsBlockTag(std::string_view t) {
  static const char* const kBlock[] = {"p",     "div",     "tr",    "li",      "ul",      "ol",
                                       "table", "h1",      "h2",    "h3",      "h4",      "h5",
                                       "h6",    "pre",     "hr",    "section", "article", "header",
                                       "footer", "dl",     "dt",    "dd",      "form",    "center",
                                       "address", "tbody", "thead", "tfoot",   "caption", "blockquote",
                                       "main",  "nav",     "aside", "figure",  "fieldset", "legend"};
  for (const char* b : kBlock) {
    if (t == b) return true;
  }
  return false;
}

// Collapses runs of blank lines and trims each line's trailing blanks.
std::string TidyLines(std::string_view text) {
  std::string out;
  int blank_run = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    while (!line.empty() && IsSpace(line.back())) line.remove_suffix(1);
    if (Trim(line).empty()) {
      ++blank_run;
      if (blank_run == 1 && !out.empty()) out += '\n';
    } else {
      blank_run = 0;
      out.append(line);
      out += '\n';
    }
    pos = nl + 1;
  }
  while (!out.empty() && (out.back() == '\n')) out.pop_back();
  return out;
}

}  // namespace

std::string HtmlToText(std::string_view html) {
  std::string out;
  int quote_depth = 0;
  int pre_depth = 0;
  int cell_index = 0;
  bool at_line_start = true;
  bool pending_space = false;
  auto newline = [&] {
    out += '\n';
    at_line_start = true;
    pending_space = false;
  };
  auto emit_text = [&](std::string_view t) {
    if (at_line_start) {
      for (int d = 0; d < quote_depth; ++d) out += "> ";
      at_line_start = false;
    } else if (pending_space) {
      out += ' ';
    }
    pending_space = false;
    out.append(t);
  };
  std::size_t i = 0;
  std::string text_run;
  while (i < html.size()) {
    const char c = html[i];
    if (c == '<') {
      if (html.compare(i, 4, "<!--") == 0) {
        const std::size_t end = html.find("-->", i + 4);
        i = end == std::string_view::npos ? html.size() : end + 3;
        continue;
      }
      // Tag name.
      std::size_t j = i + 1;
      bool closing = false;
      if (j < html.size() && html[j] == '/') {
        closing = true;
        ++j;
      }
      const std::size_t name_start = j;
      while (j < html.size() && (std::isalnum(static_cast<unsigned char>(html[j])) || html[j] == ':')) ++j;
      if (j == name_start && !(j < html.size() && (html[j] == '!' || html[j] == '?'))) {
        emit_text("<");  // a literal '<'
        ++i;
        continue;
      }
      const std::string name = LowerAscii(html.substr(name_start, j - name_start));
      // Find the end of the tag, respecting quoted attribute values.
      char q = 0;
      while (j < html.size()) {
        if (q) {
          if (html[j] == q) q = 0;
        } else if (html[j] == '"' || html[j] == '\'') {
          q = html[j];
        } else if (html[j] == '>') {
          break;
        }
        ++j;
      }
      i = j < html.size() ? j + 1 : html.size();
      if (!closing && (name == "script" || name == "style" || name == "head" || name == "title" ||
                       name == "xml" || name == "noscript")) {
        const std::string close = "</" + name;
        std::size_t k = i;
        while (true) {
          k = html.find("</", k);
          if (k == std::string_view::npos) break;
          if (LowerAscii(html.substr(k, close.size())) == close) break;
          k += 2;
        }
        if (k == std::string_view::npos) {
          i = html.size();
        } else {
          const std::size_t gt = html.find('>', k);
          i = gt == std::string_view::npos ? html.size() : gt + 1;
        }
        continue;
      }
      if (name == "br") {
        newline();
      } else if (name == "td" || name == "th") {
        if (!closing) {
          if (cell_index > 0) {
            out += '\t';
            pending_space = false;
          }
          ++cell_index;
        }
      } else if (IsBlockTag(name)) {
        if (name == "tr" || name == "table") cell_index = 0;
        if (name == "blockquote") quote_depth = std::max(0, quote_depth + (closing ? -1 : 1));
        if (name == "pre") pre_depth = std::max(0, pre_depth + (closing ? -1 : 1));
        if (!at_line_start) newline();
        if (name == "p" || name == "blockquote" || name == "table" || name == "hr") {
          if (!out.empty() && !(out.size() >= 2 && out[out.size() - 2] == '\n')) newline();
        }
      } else if (name == "img" && !closing) {
        // Ignored: alt text of tracking pixels is noise.
      }
      continue;
    }
    if (c == '&') {
      std::string decoded;
      const std::size_t n = DecodeEntity(html, i, decoded);
      if (n > 0) {
        if (decoded == " ") {
          if (!at_line_start) pending_space = true;
        } else {
          emit_text(decoded);
        }
        i += n;
        continue;
      }
    }
    if (IsSpace(c)) {
      if (pre_depth > 0 && c == '\n') {
        newline();
      } else if (!at_line_start) {
        pending_space = true;
      }
      ++i;
      continue;
    }
    // A run of ordinary characters.
    std::size_t j = i;
    while (j < html.size() && html[j] != '<' && html[j] != '&' && !IsSpace(html[j])) ++j;
    emit_text(html.substr(i, j - i));
    i = j;
  }
  // Non-breaking spaces decoded from UTF-8 input become plain spaces.
  std::string cleaned;
  cleaned.reserve(out.size());
  for (std::size_t k = 0; k < out.size(); ++k) {
    if (static_cast<unsigned char>(out[k]) == 0xC2 && k + 1 < out.size() &&
        static_cast<unsigned char>(out[k + 1]) == 0xA0) {
      cleaned += ' ';
      ++k;
    } else {
      cleaned += out[k];
    }
  }
  return TidyLines(cleaned);
}

}  // namespace dsar::mail
