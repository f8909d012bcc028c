#include "mail/text/charset.h"

#include <iconv.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <map>

#include "mail/text/utf8.h"

namespace dsar::mail {
namespace text {

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
  for (std::size_t i = 0; i < bytes.size();) {
    if (const std::size_t len = Utf8SeqLen(bytes, i); len != 0) {
      out.append(bytes.substr(i, len));
      i += len;
    } else {
      AppendCp1252(out, static_cast<unsigned char>(bytes[i++]));
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

}  // namespace text

namespace {

using namespace text;

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

}  // namespace

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

}  // namespace dsar::mail
