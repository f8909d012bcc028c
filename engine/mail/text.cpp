#include "mail/text.h"

#include <iconv.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <map>

namespace dsar::mail {
namespace {

// ---------------------------------------------------------------------------------------
// Small string helpers.

bool IsWsp(char c) { return c == ' ' || c == '\t'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool Contains(std::string_view s, std::string_view p) { return s.find(p) != std::string_view::npos; }

void AppendUtf8(std::string& out, std::uint32_t cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not valid.
std::size_t Utf8SeqLen(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return 1;
  std::size_t len;
  std::uint32_t min;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  std::uint32_t cp = b0 & (0xFF >> (len + 1));
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

// windows-1252 bytes 0x80..0x9F (0 = undefined, read as U+FFFD).
constexpr std::array<std::uint16_t, 32> kCp1252High = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

void AppendCp1252(std::string& out, unsigned char b) {
  if (b < 0x80) {
    out += static_cast<char>(b);
  } else if (b < 0xA0) {
    const std::uint16_t cp = kCp1252High[b - 0x80];
    AppendUtf8(out, cp ? cp : 0xFFFD);
  } else {
    AppendUtf8(out, b);
  }
}

std::string Cp1252ToUtf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 4);
  for (char c : bytes) AppendCp1252(out, static_cast<unsigned char>(c));
  return out;
}

// Keeps valid UTF-8 sequences and reads every other byte as windows-1252.
std::string RepairUtf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  std::size_t i = 0;
  while (i < bytes.size()) {
    const std::size_t len = Utf8SeqLen(bytes, i);
    if (len == 0) {
      AppendCp1252(out, static_cast<unsigned char>(bytes[i]));
      ++i;
    } else {
      out.append(bytes.substr(i, len));
      i += len;
    }
  }
  return out;
}

// The iconv name for a MIME charset label, "cp1252" for the windows-1252 family, "utf-8"
// for UTF-8, or "" when the label is empty.
std::string CanonicalCharset(std::string_view label) {
  std::string cs = LowerAscii(Trim(label));
  if (!cs.empty() && (cs.front() == '"' || cs.front() == '\'')) cs.erase(0, 1);
  if (!cs.empty() && (cs.back() == '"' || cs.back() == '\'')) cs.pop_back();
  if (const auto star = cs.find('*'); star != std::string::npos) cs.erase(star);  // RFC 2231 language
  if (cs.empty()) return "";
  if (cs == "utf-8" || cs == "utf8" || cs == "unicode-1-1-utf-8") return "utf-8";
  static const char* const kLatin1[] = {"us-ascii", "ascii", "iso-8859-1", "iso8859-1", "iso_8859-1",
                                        "latin1", "latin-1", "l1", "cp1252", "windows-1252",
                                        "x-cp1252", "cp819", "ibm819", "ansi_x3.4-1968", "iso-ir-100",
                                        "x-user-defined", "default", "unknown-8bit", "x-unknown"};
  for (const char* name : kLatin1) {
    if (cs == name) return "cp1252";
  }
  if (cs == "gb2312" || cs == "gbk" || cs == "x-gbk" || cs == "euc-cn" || cs == "cp936" || cs == "x-gb2312")
    return "GB18030";
  if (cs == "ks_c_5601-1987" || cs == "ks_c_5601" || cs == "euc-kr") return "CP949";
  if (cs == "iso-8859-8-i") return "ISO-8859-8";
  // Japanese: what the labels mean in practice (see ToUtf8).
  if (cs == "shift_jis" || cs == "x-sjis" || cs == "shift-jis" || cs == "sjis" || cs == "ms_kanji" ||
      cs == "csshiftjis" || cs == "windows-31j" || cs == "cswindows31j" || cs == "cp932" || cs == "ms932" ||
      cs == "x-ms-cp932")
    return "CP932";
  if (cs == "euc-jp" || cs == "x-euc-jp" || cs == "eucjp" || cs == "cseucpkdfmtjapanese") return "EUC-JP-MS";
  if (cs == "iso-2022-jp" || cs == "csiso2022jp" || cs == "iso-2022-jp-1") return "iso-2022-jp";
  if (cs == "unicode-1-1-utf-7") return "UTF-7";
  if (cs == "tis-620") return "TIS-620";
  return cs;
}

// True for a us-ascii label (or one that says the charset is unknown): text under it has no
// 8-bit bytes, so any it has were written in another charset.
bool IsUnknownOrAsciiLabel(std::string_view label) {
  std::string cs = LowerAscii(Trim(label));
  if (!cs.empty() && (cs.front() == '"' || cs.front() == '\'')) cs.erase(0, 1);
  if (!cs.empty() && (cs.back() == '"' || cs.back() == '\'')) cs.pop_back();
  if (const auto star = cs.find('*'); star != std::string::npos) cs.erase(star);  // RFC 2231 language
  return cs == "us-ascii" || cs == "ascii" || cs == "ansi_x3.4-1968" || cs == "unknown-8bit" || cs == "x-unknown";
}

// iconv descriptors to UTF-8, kept per thread (at most kMaxKept charsets, those met first), so
// that a converter is opened once: glibc unloads a converter's module when its last descriptor
// closes, so an iconv_open per conversion loaded (dlopen) and unloaded it every time, under the
// dynamic linker's global lock — a tenth of the parsing time, and threads parsing at the same
// time waited for each other. Charsets iconv does not know are not kept.
class IconvCache {
 public:
  static constexpr std::size_t kMaxKept = 32;
  ~IconvCache() {
    for (auto& [cs, cd] : kept_) iconv_close(cd);
  }
  // A descriptor in its initial state, or (iconv_t)-1; `owned` says the caller must close it.
  iconv_t Open(const std::string& charset, bool& owned) {
    owned = false;
    if (auto it = kept_.find(charset); it != kept_.end()) {
      iconv(it->second, nullptr, nullptr, nullptr, nullptr);  // back to the initial state
      return it->second;
    }
    iconv_t cd = iconv_open("UTF-8", charset.c_str());
    if (cd == reinterpret_cast<iconv_t>(-1)) return cd;
    if (kept_.size() < kMaxKept) kept_.emplace(charset, cd);
    else owned = true;
    return cd;
  }

 private:
  std::map<std::string, iconv_t> kept_;
};

// Converts with iconv; false when iconv does not know the charset.
bool IconvToUtf8(std::string_view bytes, const std::string& charset, std::string& out) {
  thread_local IconvCache cache;
  bool owned = false;
  iconv_t cd = cache.Open(charset, owned);
  if (cd == reinterpret_cast<iconv_t>(-1)) return false;
  out.clear();
  std::string in(bytes);
  char* inp = in.data();
  std::size_t inleft = in.size();
  std::array<char, 4096> buf;
  while (inleft > 0) {
    char* outp = buf.data();
    std::size_t outleft = buf.size();
    const std::size_t rc = iconv(cd, &inp, &inleft, &outp, &outleft);
    out.append(buf.data(), static_cast<std::size_t>(outp - buf.data()));
    if (rc == static_cast<std::size_t>(-1)) {
      if (errno == E2BIG) continue;
      // EILSEQ or EINVAL: an undecodable or truncated sequence; skip one byte.
      AppendUtf8(out, 0xFFFD);
      ++inp;
      --inleft;
      iconv(cd, nullptr, nullptr, nullptr, nullptr);  // reset shift state
    }
  }
  // Flush stateful encodings (ISO-2022-JP).
  char* outp = buf.data();
  std::size_t outleft = buf.size();
  iconv(cd, nullptr, nullptr, &outp, &outleft);
  out.append(buf.data(), static_cast<std::size_t>(outp - buf.data()));
  if (owned) iconv_close(cd);
  return true;
}

// ISO-2022-JP (RFC 1468; also JIS X 0212 from ISO-2022-JP-1 and half-width katakana after
// ESC ( I or SO) rewritten as EUC-JP: the same JIS row and cell with the high bit set. EUC-JP is
// stateless, so a pair iconv cannot read costs one character, and EUC-JP-MS reads the NEC row 13
// (①, ㈱) and IBM rows that Outlook and other clients put in "iso-2022-jp" mail (CP50220/50221).
// Control bytes pass through in any mode (some clients do not shift back before a line end).
std::string Iso2022JpToEucJp(std::string_view in) {
  enum class Mode { kAscii, kJis0208, kJis0212, kKana };
  Mode mode = Mode::kAscii;
  std::string out;
  out.reserve(in.size());
  auto is_graphic = [](unsigned char b) { return b >= 0x21 && b <= 0x7E; };
  for (std::size_t i = 0; i < in.size(); ++i) {
    const auto b = static_cast<unsigned char>(in[i]);
    if (b == 0x1B) {
      const std::string_view esc = in.substr(i + 1, 3);
      if (StartsWith(esc, "(B") || StartsWith(esc, "(J")) {
        mode = Mode::kAscii;
        i += 2;
      } else if (StartsWith(esc, "$B") || StartsWith(esc, "$@")) {
        mode = Mode::kJis0208;
        i += 2;
      } else if (esc == "$(D") {
        mode = Mode::kJis0212;
        i += 3;
      } else if (esc == "$(Q" || esc == "$(O") {  // JIS X 0213 plane 1: a superset of JIS X 0208
        mode = Mode::kJis0208;
        i += 3;
      } else if (StartsWith(esc, "(I")) {
        mode = Mode::kKana;
        i += 2;
      }
      continue;  // an unknown escape is dropped; its printable bytes follow as they are
    }
    if (b == 0x0E) {  // SO: half-width katakana until SI
      mode = Mode::kKana;
      continue;
    }
    if (b == 0x0F) {
      mode = Mode::kAscii;
      continue;
    }
    if (mode == Mode::kAscii || !is_graphic(b)) {
      out += static_cast<char>(b);
      continue;
    }
    if (mode == Mode::kKana) {
      if (b <= 0x5F) {
        out += static_cast<char>(0x8E);
        out += static_cast<char>(b | 0x80);
      } else {
        out += static_cast<char>(b);
      }
      continue;
    }
    if (i + 1 >= in.size() || !is_graphic(static_cast<unsigned char>(in[i + 1]))) {
      out += static_cast<char>(0xFF);  // half a pair: undecodable, becomes U+FFFD
      continue;
    }
    if (mode == Mode::kJis0212) out += static_cast<char>(0x8F);
    out += static_cast<char>(b | 0x80);
    out += static_cast<char>(static_cast<unsigned char>(in[i + 1]) | 0x80);
    ++i;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// RFC 2047.

std::string Unfold(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '\r') continue;
    if (c == '\n') continue;  // a fold's WSP follows and is kept; a bare newline is dropped
    out += c;
  }
  return out;
}

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string DecodeBase64Lenient(std::string_view in) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+' || c == '-') v = 62;
    else if (c == '/' || c == '_') v = 63;
    else if (c == '=') break;  // padding ends this word
    else continue;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

std::string DecodeQWord(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '_') {
      out += ' ';
    } else if (c == '=' && i + 2 < in.size() && HexVal(in[i + 1]) >= 0 && HexVal(in[i + 2]) >= 0) {
      out += static_cast<char>(HexVal(in[i + 1]) * 16 + HexVal(in[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

struct EncodedWord {
  std::string charset;  // canonical
  std::string bytes;    // decoded, still in charset
  std::size_t end = 0;  // index just past "?="
};

// Parses "=?charset?B|Q?text?=" at s[i]; false when there is none.
bool ParseEncodedWord(std::string_view s, std::size_t i, EncodedWord& ew) {
  if (s.compare(i, 2, "=?") != 0) return false;
  const std::size_t q1 = s.find('?', i + 2);
  if (q1 == std::string_view::npos || q1 == i + 2 || q1 + 2 >= s.size() || s[q1 + 2] != '?') return false;
  const char enc = AsciiLower(s[q1 + 1]);
  if (enc != 'b' && enc != 'q') return false;
  const std::size_t text_start = q1 + 3;
  const std::size_t close = s.find("?=", text_start);
  if (close == std::string_view::npos) return false;
  const std::string_view charset = s.substr(i + 2, q1 - i - 2);
  const std::string_view text = s.substr(text_start, close - text_start);
  for (char c : charset) {
    if (IsSpace(c)) return false;
  }
  for (char c : text) {
    if (IsSpace(c)) return false;
  }
  ew.charset = CanonicalCharset(charset);
  ew.bytes = enc == 'b' ? DecodeBase64Lenient(text) : DecodeQWord(text);
  ew.end = close + 2;
  return true;
}

// ---------------------------------------------------------------------------------------
// HTML.

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

// ---------------------------------------------------------------------------------------
// Fresh text.

std::string FoldedLine(std::string_view line) { return FoldForMatching(Trim(line)); }

std::string_view StripChars(std::string_view s, std::string_view chars) {
  while (!s.empty() && chars.find(s.front()) != std::string_view::npos) s.remove_prefix(1);
  while (!s.empty() && chars.find(s.back()) != std::string_view::npos) s.remove_suffix(1);
  return s;
}

// "-----Original Message-----" and its translations (folded input).
bool IsOriginalSeparator(std::string_view f) {
  if (!(StartsWith(f, "--") || StartsWith(f, "__") || StartsWith(f, "=="))) return false;
  const std::string_view core = StripChars(f, "-_= ");
  static const char* const kNames[] = {"original message", "ursprungliche nachricht", "originalnachricht",
                                       "message d'origine", "message original", "mensaje original",
                                       "messaggio originale", "messaggio originale", "oorspronkelijk bericht",
                                       "origineel bericht", "oorspronkelijk bericht", "mensagem original",
                                       "reply message", "original-nachricht", "元のメッセージ", "元メッセージ",
                                       "オリジナルメッセージ", "オリジナル メッセージ", "返信元メッセージ"};
  for (const char* n : kNames) {
    if (core == n) return true;
  }
  return false;
}

bool HasHeaderKey(std::string_view f, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    const std::size_t n = std::strlen(k);
    if (f.size() > n && f.compare(0, n, k) == 0) {
      std::size_t j = n;
      while (j < f.size() && f[j] == ' ') ++j;
      if (j < f.size() && f[j] == ':') return true;
    }
  }
  return false;
}

bool IsFromKey(std::string_view f) {
  return HasHeaderKey(f, {"from", "von", "de", "da", "van", "fra", "od", "remitente", "expediteur", "mittente",
                          "差出人"});
}

bool IsSentKey(std::string_view f) {
  return HasHeaderKey(f, {"sent", "date", "gesendet", "datum", "envoye", "date d'envoi", "enviado", "fecha",
                          "inviato", "data", "verzonden", "verstuurd", "enviada", "sendt", "送信日時", "送信日",
                          "日付", "日時"});
}

// An Outlook-style quoted header block: a From: line with a Sent:/Date: line within the
// next four lines (the To:/Subject: lines come in any order).
bool IsOutlookBlockStart(const std::vector<std::string_view>& lines, std::size_t i) {
  std::string f = FoldedLine(lines[i]);
  // Outlook writes "*From:*" in the text version of HTML mail.
  while (!f.empty() && f.front() == '*') f.erase(0, 1);
  if (!IsFromKey(f)) return false;
  for (std::size_t k = i + 1; k < lines.size() && k <= i + 4; ++k) {
    std::string g = FoldedLine(lines[k]);
    while (!g.empty() && g.front() == '*') g.erase(0, 1);
    if (IsSentKey(g)) return true;
  }
  return false;
}

// "On <date>, <name> wrote:" and its translations, possibly wrapped over up to 3 lines.
bool IsWroteLine(const std::vector<std::string_view>& lines, std::size_t i) {
  static const char* const kVerbs[] = {"wrote",    "schrieb", "a ecrit", "escribio", "ha scritto",
                                       "scrisse",  "schreef", "escreveu", "skrev",   "napisal",
                                       "kirjoitti", "wrote on", "ecrivait", "のメール"};
  std::string joined;
  for (std::size_t k = i; k < lines.size() && k < i + 3; ++k) {
    const std::string f = FoldedLine(lines[k]);
    if (k > i && f.empty()) break;
    // An attribution line does not end a sentence before its "wrote:".
    if (k > i && !joined.empty() && std::strchr(".!?", joined.back()) != nullptr) return false;
    if (!joined.empty()) joined += ' ';
    joined += f;
    if (joined.size() > 400) return false;
    if (!joined.empty() && joined.back() == ':') {
      // Thunderbird in Japanese: "山田太郎 さんは書きました:", without a date.
      if (joined.size() > 16 && joined.compare(joined.size() - 16, 16, "書きました:") == 0) return true;
      bool verb = false;
      for (const char* v : kVerbs) {
        if (Contains(joined, v)) verb = true;
      }
      // Gmail writes "<date> <name> <addr>:" with no verb in some languages (Japanese:
      // "2026年11月20日(金) 10:00 山田太郎 <yamada@example.com>:"): a year and an address in angle
      // brackets right before the colon.
      if (!verb && joined.size() >= 2 && joined.compare(joined.size() - 2, 2, ">:") == 0 && Contains(joined, "@")) {
        int run = 0;
        for (char c : joined) {
          run = (c >= '0' && c <= '9') ? run + 1 : 0;
          if (run == 4) return true;
        }
      }
      if (!verb) return false;
      const bool has_digit = std::any_of(joined.begin(), joined.end(), [](char c) { return c >= '0' && c <= '9'; });
      return has_digit || Contains(joined, "@") || StartsWith(joined, "on ") || StartsWith(joined, "am ") ||
             StartsWith(joined, "le ") || StartsWith(joined, "el ") || StartsWith(joined, "il ") ||
             StartsWith(joined, "op ") || StartsWith(joined, "em ");
    }
  }
  return false;
}

bool IsSignatureSeparator(std::string_view line) {
  std::string_view l = line;
  while (!l.empty() && l.back() == '\r') l.remove_suffix(1);
  return l == "-- " || l == "--" || l == "—" || l == "-- \t";
}

bool IsMobileSignature(std::string_view line) {
  const std::string f = FoldedLine(line);
  if (f.empty() || f.size() > 70) return false;
  static const char* const kPrefixes[] = {
      "sent from my ",        "sent from mail for windows", "sent from outlook", "get outlook for ",
      "sent via ",            "von meinem ",                "gesendet von meinem", "gesendet mit ",
      "envoye de mon ",       "envoye depuis mon ",         "envoye a partir de", "enviado desde mi ",
      "enviado de mi ",       "enviado desde ",             "inviato da ",        "inviato dal mio ",
      "verzonden vanaf mijn ", "verstuurd vanaf mijn ",     "verzonden met ",     "enviado do meu ",
      "enviado de meu ",      "enviado do ",                "obtenir outlook pour ", "outlook voor "};
  for (const char* p : kPrefixes) {
    if (StartsWith(f, p)) return true;
  }
  // Japanese: "iPhoneから送信", "Android から送信", "Outlook for iOS から送信".
  static constexpr std::string_view kSentFromJa = "から送信";
  return f.size() > kSentFromJa.size() && f.size() <= 60 &&
         f.compare(f.size() - kSentFromJa.size(), kSentFromJa.size(), kSentFromJa) == 0;
}

bool IsQuoted(std::string_view line) {
  std::string_view l = line;
  while (!l.empty() && (l.front() == ' ')) l.remove_prefix(1);
  return !l.empty() && (l.front() == '>' || StartsWith(l, "\xEF\xBC\x9E"));  // '>' or U+FF1E '＞'
}

// The code point at s[i] (U+FFFD for a byte that does not start valid UTF-8); `len` gets its size.
std::uint32_t CodePointAt(std::string_view s, std::size_t i, std::size_t& len) {
  len = Utf8SeqLen(s, i);
  if (len == 0) {
    len = 1;
    return 0xFFFD;
  }
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (len == 1) return b0;
  std::uint32_t cp = b0 & (0xFF >> (len + 1));
  for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return cp;
}

// A rule line Japanese mail draws around a signature: at least five characters, all from box
// drawing ("─", "━", "═"), the horizontal bar "―", full-width "＝＊＿－～", "ー", "〜", geometric
// shapes ("■□◆◇") and stars, optionally mixed with ASCII "-=*_~" and blanks. An ASCII-only rule
// (or one of em dashes) is not one: it keeps its old meaning, a separator before an Outlook block.
bool IsJapaneseRuleLine(std::string_view line) {
  const std::string_view t = Trim(line);
  int chars = 0;
  bool wide = false;
  for (std::size_t i = 0; i < t.size();) {
    std::size_t len = 0;
    const std::uint32_t cp = CodePointAt(t, i, len);
    i += len;
    ++chars;
    if (cp == '-' || cp == '=' || cp == '*' || cp == '_' || cp == '~' || cp == ' ' || cp == 0x3000) continue;
    if ((cp >= 0x2500 && cp <= 0x257F) || (cp >= 0x25A0 && cp <= 0x25FF) || cp == 0x2015 ||
        cp == 0x2605 || cp == 0x2606 || cp == 0xFF1D || cp == 0xFF0A || cp == 0xFF3F || cp == 0xFF0D ||
        cp == 0x30FC || cp == 0xFF5E || cp == 0x301C) {
      wide = true;
      continue;
    }
    return false;
  }
  return wide && chars >= 5;
}

// Contact details that mark a block as a signature (folded line).
bool HasContactMarker(std::string_view f) {
  static const char* const kMarkers[] = {"@",    "http", "www.", "tel",      "fax",      "〒",       "電話",
                                         "携帯", "(株)", "㈱",   "株式会社", "有限会社", "合同会社"};
  for (const char* m : kMarkers) {
    if (Contains(f, m)) return true;
  }
  return false;
}

bool IsSeparatorLine(std::string_view line) {
  const std::string_view t = Trim(line);
  if (t.size() < 5) return false;
  return std::all_of(t.begin(), t.end(), [](char c) { return c == '_' || c == '-' || c == '=' || c == '*'; });
}

}  // namespace

// ---------------------------------------------------------------------------------------

bool IsValidUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t len = Utf8SeqLen(s, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

std::string ToUtf8(std::string_view bytes, std::string_view charset) {
  const std::string cs = CanonicalCharset(charset);
  if (cs.empty() || cs == "utf-8") return RepairUtf8(bytes);
  if (cs == "cp1252") {
    // 8-bit bytes under a label that allows none: a client's default label on UTF-8 text.
    if (IsUnknownOrAsciiLabel(charset) && IsValidUtf8(bytes)) return std::string(bytes);
    return Cp1252ToUtf8(bytes);
  }
  std::string out;
  if (cs == "iso-2022-jp") {
    const bool eight_bit =
        std::any_of(bytes.begin(), bytes.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
    if (!eight_bit) {
      if (IconvToUtf8(Iso2022JpToEucJp(bytes), "EUC-JP-MS", out)) return RepairUtf8(out);
      return RepairUtf8(bytes);
    }
    // 8-bit bytes under an ISO-2022-JP label: UTF-8 or Shift_JIS sent with the wrong label.
    if (IsValidUtf8(bytes)) return std::string(bytes);
    if (IconvToUtf8(bytes, "CP932", out)) return RepairUtf8(out);
    return RepairUtf8(bytes);
  }
  if (IconvToUtf8(bytes, cs, out)) return RepairUtf8(out);
  return RepairUtf8(bytes);
}

std::string DecodeHeaderText(std::string_view raw_in) {
  const std::string s = Unfold(raw_in);
  std::string out;
  std::string raw;       // pending undecoded bytes
  std::string ew_cs;     // charset of the pending encoded-word bytes
  std::string ew_bytes;  // pending encoded-word bytes
  bool have_ew = false;
  std::string held_ws;   // whitespace after an encoded-word
  auto flush_raw = [&] {
    if (!raw.empty()) out += RepairUtf8(raw);
    raw.clear();
  };
  auto flush_ew = [&] {
    if (have_ew) out += ToUtf8(ew_bytes, ew_cs);
    have_ew = false;
    ew_bytes.clear();
    ew_cs.clear();
  };
  std::size_t i = 0;
  bool last_was_ew = false;
  while (i < s.size()) {
    EncodedWord ew;
    if (s[i] == '=' && ParseEncodedWord(s, i, ew)) {
      held_ws.clear();  // whitespace between adjacent encoded-words is not displayed
      if (!last_was_ew) flush_raw();
      if (have_ew && ew.charset != ew_cs) flush_ew();
      if (!have_ew) {
        have_ew = true;
        ew_cs = ew.charset;
      }
      ew_bytes += ew.bytes;
      i = ew.end;
      last_was_ew = true;
      continue;
    }
    if (last_was_ew && IsWsp(s[i])) {
      held_ws += s[i];
      ++i;
      continue;
    }
    if (last_was_ew) {
      flush_ew();
      raw += held_ws;
      held_ws.clear();
      last_was_ew = false;
    }
    raw += s[i];
    ++i;
  }
  flush_ew();
  raw += held_ws;
  flush_raw();
  return std::string(Trim(out));
}

std::vector<Address> ParseAddressList(std::string_view raw_in) {
  const std::string s = Unfold(raw_in);
  // Split at top-level ',' ';' and group ':' (outside quotes, comments, angle brackets and
  // encoded-words).
  std::vector<std::string> entries;
  std::string cur;
  bool in_quote = false;
  int comment = 0;
  bool in_angle = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (!in_quote && comment == 0 && c == '=' && i + 1 < s.size() && s[i + 1] == '?') {
      EncodedWord ew;
      if (ParseEncodedWord(s, i, ew)) {
        cur.append(s, i, ew.end - i);
        i = ew.end - 1;
        continue;
      }
    }
    if (in_quote) {
      cur += c;
      if (c == '\\' && i + 1 < s.size()) cur += s[++i];
      else if (c == '"') in_quote = false;
      continue;
    }
    if (comment > 0) {
      cur += c;
      if (c == '\\' && i + 1 < s.size()) cur += s[++i];
      else if (c == '(') ++comment;
      else if (c == ')') --comment;
      continue;
    }
    if (c == '"') in_quote = true;
    else if (c == '(') comment = 1;
    else if (c == '<') in_angle = true;
    else if (c == '>') in_angle = false;
    if (!in_angle && (c == ',' || c == ';')) {
      entries.push_back(cur);
      cur.clear();
      continue;
    }
    if (!in_angle && c == ':' && cur.find('@') == std::string::npos) {  // "group:" display name
      cur.clear();
      continue;
    }
    cur += c;
  }
  entries.push_back(cur);

  std::vector<Address> out;
  for (const std::string& e : entries) {
    std::string_view entry = Trim(e);
    if (entry.empty()) continue;
    Address a;
    std::string name_raw;
    const std::size_t lt = [&] {  // the first '<' outside quotes
      bool q = false;
      for (std::size_t i = 0; i < entry.size(); ++i) {
        if (entry[i] == '"' && (i == 0 || entry[i - 1] != '\\')) q = !q;
        if (!q && entry[i] == '<') return i;
      }
      return std::string_view::npos;
    }();
    std::string addr;
    if (lt != std::string_view::npos) {
      const std::size_t gt = entry.find('>', lt);
      addr = std::string(entry.substr(lt + 1, (gt == std::string_view::npos ? entry.size() : gt) - lt - 1));
      name_raw = std::string(entry.substr(0, lt));
      if (const auto colon = addr.rfind(':'); colon != std::string::npos) addr.erase(0, colon + 1);  // route
    } else {
      // "addr (Comment Name)"
      std::string rest;
      int depth = 0;
      for (char c : entry) {
        if (c == '(') {
          if (depth++ == 0) continue;
        } else if (c == ')' && depth > 0) {
          if (--depth == 0) continue;
        }
        if (depth > 0) name_raw += c;
        else rest += c;
      }
      addr = rest;
    }
    // Display name: drop quoting, keep encoded-words for the decoder.
    std::string name;
    for (std::size_t i = 0; i < name_raw.size(); ++i) {
      const char c = name_raw[i];
      if (c == '\\' && i + 1 < name_raw.size()) {
        name += name_raw[++i];
      } else if (c != '"') {
        name += c;
      }
    }
    a.name = CollapseControls(DecodeHeaderText(name));
    while (a.name.size() >= 2 && a.name.front() == '\'' && a.name.back() == '\'') a.name = a.name.substr(1, a.name.size() - 2);
    // Address: as written, never squeezed into another mailbox ("\"john doe\"@x" is not
    // "johndoe@x"): without "mailto:", stray angle brackets, and blanks at its ends or next to '@'
    // and '.' (obsolete CFWS). A whole address in quotes ("\"a@x\"") is unquoted.
    std::string_view spec = Trim(addr);
    if (LowerAscii(spec.substr(0, 7)) == "mailto:") spec = Trim(spec.substr(7));
    if (spec.size() > 2 && spec.front() == '"' && spec.back() == '"' &&
        spec.substr(1, spec.size() - 2).find_first_of("\" \t\\") == std::string_view::npos)
      spec = spec.substr(1, spec.size() - 2);
    std::string email;
    bool quoted = false;
    for (std::size_t i = 0; i < spec.size(); ++i) {
      const char c = spec[i];
      if (c == '"' && (i == 0 || spec[i - 1] != '\\')) quoted = !quoted;
      if (!quoted && (c == '<' || c == '>')) continue;
      if (!quoted && IsSpace(c)) {
        std::size_t next = i;
        while (next < spec.size() && IsSpace(spec[next])) ++next;
        const bool by_separator = (!email.empty() && (email.back() == '@' || email.back() == '.')) ||
                                  (next < spec.size() && (spec[next] == '@' || spec[next] == '.'));
        if (by_separator) {
          i = next - 1;
          continue;
        }
      }
      email += c;
    }
    if (email.find('@') == std::string::npos) continue;
    a.email = RepairUtf8(email);
    if (LowerAscii(a.name) == LowerAscii(a.email)) a.name.clear();
    out.push_back(std::move(a));
  }
  return out;
}

std::string CollapseControls(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    // A run of blanks and control characters: kept as it is unless it holds a control.
    std::size_t j = i;
    bool control = false;
    while (j < s.size()) {
      const auto b = static_cast<unsigned char>(s[j]);
      const auto b1 = j + 1 < s.size() ? static_cast<unsigned char>(s[j + 1]) : 0;
      const auto b2 = j + 2 < s.size() ? static_cast<unsigned char>(s[j + 2]) : 0;
      if (b == ' ') {
        ++j;
      } else if (b < 0x20 || b == 0x7F) {
        control = true;
        ++j;
      } else if (b == 0xC2 && b1 >= 0x80 && b1 <= 0x9F) {  // C1: U+0080..U+009F
        control = true;
        j += 2;
      } else if (b == 0xE2 && b1 == 0x80 && (b2 == 0xA8 || b2 == 0xA9)) {  // U+2028, U+2029
        control = true;
        j += 3;
      } else {
        break;
      }
    }
    if (j == i) {
      out += s[i++];
      continue;
    }
    if (control) out += ' ';
    else out.append(s.substr(i, j - i));
    i = j;
  }
  return std::string(Trim(out));
}

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

std::string UnflowText(std::string_view text, bool delsp) {
  std::string out;
  std::string para;        // the logical line being joined
  std::string para_prefix; // its quote prefix
  bool in_para = false;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t nl = text.find('\n', pos);
    const bool last = nl == std::string_view::npos;
    if (last) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (last && line.empty()) break;
    std::size_t depth = 0;
    while (depth < line.size() && line[depth] == '>') ++depth;
    std::string prefix(line.substr(0, depth));
    std::string_view content = line.substr(depth);
    if (!content.empty() && content.front() == ' ') content.remove_prefix(1);  // space-stuffing
    const bool sig = content == "-- ";
    const bool soft = !sig && !content.empty() && content.back() == ' ';
    if (in_para && prefix != para_prefix) {  // quote depth changed: end the paragraph
      out += para_prefix.empty() ? para : para_prefix + " " + para;
      out += '\n';
      para.clear();
      in_para = false;
    }
    if (!in_para) para_prefix = prefix;
    std::string_view piece = content;
    if (soft && delsp) piece.remove_suffix(1);
    para.append(piece);
    in_para = true;
    if (!soft) {
      out += para_prefix.empty() ? para : para_prefix + " " + para;
      out += '\n';
      para.clear();
      in_para = false;
    }
  }
  if (in_para) out += para_prefix.empty() ? para : para_prefix + " " + para;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

bool IsForwardMarker(std::string_view line) {
  const std::string f = FoldedLine(line);
  if (f.empty()) return false;
  static const char* const kWords[] = {"forward",     "weitergeleitet", "transfere",  "reenviad",
                                       "inoltrat",    "doorgestuurd",   "encaminhad", "reencaminhad",
                                       "reexpedi",    "fwd",            "転送"};
  if (StartsWith(f, "--") || StartsWith(f, "==") || StartsWith(f, "__")) {
    const std::string_view core = StripChars(f, "-_= ");
    if (core.size() > 40) return false;
    for (const char* w : kWords) {
      if (Contains(core, w)) return true;
    }
    return false;
  }
  static const char* const kBegin[] = {"begin forwarded message",       "anfang der weitergeleiteten",
                                       "debut du message reexpedie",    "debut du message transfere",
                                       "inicio del mensaje reenviado",  "comienzo del mensaje reenviado",
                                       "inizio messaggio inoltrato",    "inizio del messaggio inoltrato",
                                       "begin doorgestuurd bericht",    "inicio da mensagem reencaminhada",
                                       "inicio da mensagem encaminhada", "forwarded message:",
                                       "転送されたメッセージ",          "転送メッセージ"};
  for (const char* b : kBegin) {
    if (StartsWith(f, b) && f.size() < 60) return true;
  }
  return false;
}

namespace {
const char* const kRe[] = {"re", "aw", "sv", "antw", "r", "ref", "res", "返信"};
}  // namespace

bool SubjectIsForward(std::string_view subject) {
  std::string f = FoldForMatching(subject);
  std::string_view s = Trim(f);
  static const char* const kFwd[] = {"fwd", "fw", "wg", "tr", "rv", "i", "doorst", "enc", "fwd.", "weiterl", "転送"};
  for (int guard = 0; guard < 8; ++guard) {
    if (!s.empty() && s.front() == '[') {  // [tag]
      const std::size_t close = s.find(']');
      if (close == std::string_view::npos) break;
      s = Trim(s.substr(close + 1));
      continue;
    }
    const std::size_t colon = s.find(':');
    if (colon == std::string_view::npos || colon > 10) break;
    const std::string_view key = Trim(s.substr(0, colon));
    for (const char* k : kFwd) {
      if (key == k) return true;
    }
    bool re = false;
    for (const char* k : kRe) {
      if (key == k) re = true;
    }
    if (!re) break;
    s = Trim(s.substr(colon + 1));
  }
  return false;
}

bool SubjectIsReply(std::string_view subject) {
  std::string f = FoldForMatching(subject);
  std::string_view s = Trim(f);
  for (int guard = 0; guard < 4 && !s.empty() && s.front() == '['; ++guard) {
    const std::size_t close = s.find(']');
    if (close == std::string_view::npos) break;
    s = Trim(s.substr(close + 1));
  }
  const std::size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon > 10) return false;
  const std::string_view key = Trim(s.substr(0, colon));
  for (const char* k : kRe) {
    if (key == k) return true;
  }
  return false;
}

namespace {

// A Japanese rule line (IsJapaneseRuleLine) at lines[i] that starts the signature: the lines
// after it, up to the end or the first reply header, quote or forward, are at most twelve
// non-blank ones with contact details (an address, a URL, "TEL", "〒", "株式会社", ...), or at
// most three short ones closed by another rule, without a sentence end or a colon. A rule
// between two parts of a request ("━━━ 請求内容 ━━━" followed by more text) is not a signature.
bool IsJapaneseSignatureRule(const std::vector<std::string_view>& lines, std::size_t i) {
  if (!IsJapaneseRuleLine(lines[i])) return false;
  int count = 0;
  bool contact = false;
  bool closed = false;       // the last non-blank line of the block is a rule
  bool sentence = false;     // a line with "。" or a colon
  for (std::size_t k = i + 1; k < lines.size(); ++k) {
    const std::string_view line = lines[k];
    if (Trim(line).empty()) continue;
    if (IsQuoted(line) || IsForwardMarker(line) || IsWroteLine(lines, k) || IsOutlookBlockStart(lines, k) ||
        IsOriginalSeparator(FoldedLine(line)))
      break;
    if (IsJapaneseRuleLine(line)) {
      closed = true;
      continue;
    }
    closed = false;
    const std::string f = FoldedLine(line);
    if (++count > 12) return false;
    contact = contact || HasContactMarker(f);
    sentence = sentence || Contains(line, "。") || Contains(f, ":") || f.size() > 60;
  }
  return count > 0 && (contact || (closed && count <= 3 && !sentence));
}

}  // namespace

std::string ExtractFreshText(std::string_view text, bool subject_is_forward) {
  std::vector<std::string_view> lines;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    pos = nl + 1;
  }
  // The index of the next forward marker at or after `from`, or lines.size().
  auto next_forward = [&](std::size_t from) {
    for (std::size_t k = from; k < lines.size(); ++k) {
      if (IsQuoted(lines[k])) continue;
      if (IsForwardMarker(lines[k])) return k;
      if (IsWroteLine(lines, k)) break;
    }
    return lines.size();
  };

  std::vector<std::string_view> out;
  bool in_fwd_header = false;
  bool fwd_header_seen = false;  // a non-blank line of the forwarded header block
  bool forward_allowance = subject_is_forward;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    if (in_fwd_header) {
      out.push_back(line);
      if (!Trim(line).empty()) fwd_header_seen = true;
      else if (fwd_header_seen) in_fwd_header = false;
      continue;
    }
    if (IsForwardMarker(line)) {
      out.push_back(line);
      in_fwd_header = true;
      fwd_header_seen = false;
      forward_allowance = false;
      continue;
    }
    const std::string f = FoldedLine(line);
    const bool original = IsOriginalSeparator(f);
    const bool outlook = IsOutlookBlockStart(lines, i);
    if (forward_allowance && (original || outlook)) {
      // The subject says this is a forward: the first header block is the forwarded one.
      forward_allowance = false;
      out.push_back(line);
      in_fwd_header = true;
      fwd_header_seen = outlook;
      continue;
    }
    if (original || outlook || IsWroteLine(lines, i)) break;
    if (IsQuoted(line)) continue;
    if (IsSignatureSeparator(line) || IsMobileSignature(line) || IsJapaneseSignatureRule(lines, i)) {
      // A signature ends the fresh text, unless an inline forward follows it.
      const std::size_t fwd = next_forward(i + 1);
      if (fwd == lines.size()) break;
      i = fwd - 1;
      continue;
    }
    out.push_back(line);
  }
  // Trailing blank and separator lines ("____" before an Outlook block) are noise.
  while (!out.empty() && (Trim(out.back()).empty() || IsSeparatorLine(out.back()))) out.pop_back();
  std::string result;
  for (std::size_t k = 0; k < out.size(); ++k) {
    if (k) result += '\n';
    result.append(out[k]);
  }
  return result;
}

std::string NarrowWidth(std::string_view s) {
  // U+FF61..U+FF9F, half-width katakana and punctuation, as full-width characters.
  static constexpr std::uint16_t kHalfKana[63] = {
      0x3002, 0x300C, 0x300D, 0x3001, 0x30FB, 0x30F2, 0x30A1, 0x30A3, 0x30A5, 0x30A7, 0x30A9, 0x30E3, 0x30E5,
      0x30E7, 0x30C3, 0x30FC, 0x30A2, 0x30A4, 0x30A6, 0x30A8, 0x30AA, 0x30AB, 0x30AD, 0x30AF, 0x30B1, 0x30B3,
      0x30B5, 0x30B7, 0x30B9, 0x30BB, 0x30BD, 0x30BF, 0x30C1, 0x30C4, 0x30C6, 0x30C8, 0x30CA, 0x30CB, 0x30CC,
      0x30CD, 0x30CE, 0x30CF, 0x30D2, 0x30D5, 0x30D8, 0x30DB, 0x30DE, 0x30DF, 0x30E0, 0x30E1, 0x30E2, 0x30E4,
      0x30E6, 0x30E8, 0x30E9, 0x30EA, 0x30EB, 0x30EC, 0x30ED, 0x30EF, 0x30F3, 0x309B, 0x309C};
  std::string out;
  out.reserve(s.size());
  std::uint32_t last = 0;      // the last code point written, when it was a converted katakana
  std::size_t last_at = 0;     // where it starts in `out`
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t len = 0;
    const std::uint32_t cp = CodePointAt(s, i, len);
    if (cp == 0xFFFD && len == 1) {  // an invalid byte: copied (ToUtf8 output never has one)
      out += s[i];
      ++i;
      last = 0;
      continue;
    }
    const std::uint32_t prev = last;
    last = 0;
    if (cp >= 0xFF01 && cp <= 0xFF5E) {
      out += static_cast<char>(cp - 0xFEE0);
    } else if (cp == 0x3000) {
      out += ' ';
    } else if (cp == 0xFF9E || cp == 0xFF9F) {
      // A (semi-)voiced sound mark after a half-width kana composes with it (ｶﾞ -> ガ, ﾊﾟ -> パ).
      const bool kstt = (prev >= 0x30AB && prev <= 0x30C1 && (prev - 0x30AB) % 2 == 0) || prev == 0x30C4 ||
                        prev == 0x30C6 || prev == 0x30C8;
      const bool h = prev == 0x30CF || prev == 0x30D2 || prev == 0x30D5 || prev == 0x30D8 || prev == 0x30DB;
      std::uint32_t composed = 0;
      if (cp == 0xFF9E && (kstt || h)) composed = prev + 1;
      if (cp == 0xFF9E && prev == 0x30A6) composed = 0x30F4;  // ｳﾞ -> ヴ
      if (cp == 0xFF9F && h) composed = prev + 2;
      if (composed != 0) {
        out.resize(last_at);
        AppendUtf8(out, composed);
      } else {
        AppendUtf8(out, kHalfKana[cp - 0xFF61]);
      }
    } else if (cp >= 0xFF61 && cp <= 0xFF9D) {
      last_at = out.size();
      last = kHalfKana[cp - 0xFF61];
      AppendUtf8(out, last);
    } else {
      out.append(s.substr(i, len));
    }
    i += len;
  }
  return out;
}

std::string FoldForMatching(std::string_view input) {
  const std::string narrowed = NarrowWidth(input);
  const std::string_view s = narrowed;
  // U+00C0..U+00FF, lower-cased and without accents.
  static const char* const kLatin1Fold[64] = {
      "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
      "d", "n", "o", "o", "o", "o", "o",  " ", "o", "u", "u", "u", "u", "y", "th", "ss",
      "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
      "d", "n", "o", "o", "o", "o", "o",  " ", "o", "u", "u", "u", "u", "y", "th", "y"};
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      out += AsciiLower(static_cast<char>(b));
      ++i;
      continue;
    }
    const std::size_t len = Utf8SeqLen(s, i);
    if (len == 0) {
      out += ' ';
      ++i;
      continue;
    }
    std::uint32_t cp = b & (0xFF >> (len + 1));
    for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    if (cp >= 0xC0 && cp <= 0xFF) {
      out += kLatin1Fold[cp - 0xC0];
    } else if (cp == 0xA0 || cp == 0x2007 || cp == 0x202F || cp == 0x2009 || cp == 0x2002 || cp == 0x2003 ||
               cp == 0xA1 || cp == 0xBF) {
      out += ' ';
    } else if (cp == 0xAB || cp == 0xBB || cp == 0x201C || cp == 0x201D || cp == 0x201E) {
      out += '"';
    } else if (cp == 0x2018 || cp == 0x2019 || cp == 0x201A || cp == 0x2032 || cp == 0xB4) {
      out += '\'';
    } else if (cp == 0x2010 || cp == 0x2011 || cp == 0x2012 || cp == 0x2013 || cp == 0x2014 || cp == 0x2015 ||
               cp == 0x2212 || cp == 0x2500 || cp == 0x2501 || cp == 0x2550) {
      out += '-';
    } else if (cp == 0x2026) {
      out += "...";
    } else if (cp == 0x200B || cp == 0x200C || cp == 0x200D || cp == 0xFEFF || cp == 0xAD) {
      // zero-width: dropped
    } else if (cp == 0xAA || cp == 0xBA) {  // ordinal indicators: "nº" -> "no"
      out += cp == 0xAA ? 'a' : 'o';
    } else if (cp == 0x0152 || cp == 0x0153) {
      out += "oe";
    } else if (cp >= 0x0100 && cp <= 0x017F) {
      // Latin Extended-A: fold the common letters to their base.
      static const char kExtA[] =
          "aaaaaa" "cccccccc" "dddd" "eeeeeeeeee" "gggggggg" "hhhh" "iiiiiiiiii" "ii" "jj" "kkk"
          "llllllllll" "nnnnnnnnn" "oooooo" "oo" "rrrrrr" "ssssssss" "tttttt" "uuuuuuuuuuuu" "ww"
          "yyy" "zzzzzz" "s";
      static_assert(sizeof(kExtA) - 1 == 128);
      const std::size_t idx = cp - 0x0100;
      if (idx < sizeof(kExtA) - 1) out += kExtA[idx];
      else out.append(s.substr(i, len));
    } else {
      out.append(s.substr(i, len));
    }
    i += len;
  }
  return out;
}

}  // namespace dsar::mail

namespace dsar::mail {
namespace {

bool IsSubjectKey(std::string_view f) {
  return HasHeaderKey(f, {"subject", "betreff", "objet", "asunto", "oggetto", "onderwerp", "assunto", "emne",
                          "件名"});
}

// "Name [mailto:x@y]" (Outlook) -> "Name <x@y>".
std::string OutlookMailtoToAngle(std::string_view v) {
  std::string s(v);
  const std::string folded = FoldForMatching(s);
  const auto at = folded.find("[mailto:");
  if (at != std::string::npos && folded.size() == s.size()) {
    const auto close = s.find(']', at);
    const std::string addr = s.substr(at + 8, (close == std::string::npos ? s.size() : close) - at - 8);
    s = s.substr(0, at) + "<" + addr + ">";
  }
  return s;
}

}  // namespace

std::optional<ForwardedBlock> FindForwardedBlock(std::string_view fresh_text, bool subject_is_forward) {
  std::vector<std::string_view> lines;
  std::size_t pos = 0;
  while (pos <= fresh_text.size()) {
    std::size_t nl = fresh_text.find('\n', pos);
    if (nl == std::string_view::npos) nl = fresh_text.size();
    std::string_view line = fresh_text.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    pos = nl + 1;
  }
  for (std::size_t m = 0; m < lines.size(); ++m) {
    std::size_t header_start;
    if (IsForwardMarker(lines[m])) {
      header_start = m + 1;
    } else if (subject_is_forward && IsOriginalSeparator(FoldedLine(lines[m]))) {
      header_start = m + 1;
    } else if (subject_is_forward && IsOutlookBlockStart(lines, m)) {
      header_start = m;
    } else {
      continue;
    }
    // Skip blank lines right after the marker.
    while (header_start < lines.size() && Trim(lines[header_start]).empty()) ++header_start;
    ForwardedBlock block;
    bool have_from = false;
    std::size_t k = header_start;
    for (; k < lines.size() && !Trim(lines[k]).empty(); ++k) {
      std::string f = FoldedLine(lines[k]);
      std::string_view line = Trim(lines[k]);
      while (!line.empty() && line.front() == '*') line.remove_prefix(1);  // "*From:*"
      while (!f.empty() && f.front() == '*') f.erase(0, 1);
      const auto colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string_view value = Trim(line.substr(colon + 1));
      while (!value.empty() && value.front() == '*') value.remove_prefix(1);
      if (!have_from && IsFromKey(f)) {
        const auto list = ParseAddressList(OutlookMailtoToAngle(value));
        if (!list.empty()) {
          block.from = list.front();
          have_from = true;
        }
      } else if (block.subject.empty() && IsSubjectKey(f)) {
        block.subject = std::string(value);
      }
    }
    if (!have_from) continue;
    for (std::size_t n = 0; n < m; ++n) {
      block.note.append(lines[n]);
      block.note += '\n';
    }
    for (; k < lines.size(); ++k) {
      block.body.append(lines[k]);
      block.body += '\n';
    }
    block.note = std::string(Trim(block.note));
    block.body = std::string(Trim(block.body));
    return block;
  }
  return std::nullopt;
}

}  // namespace dsar::mail
