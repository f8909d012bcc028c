// ParseMessage: raw RFC 5322 bytes -> ParsedMessage, with GMime 3.
//
// GMime parses the MIME structure and undoes transfer encodings; headers are decoded by
// DecodeHeaderText (mail/text/rfc2047.h) from GMime's raw header values, because GMime before
// 3.2.14 truncates a header after a base64 encoded-word ending in '=' padding (issue #133).
// Bodies are converted to UTF-8 by ToUtf8 so a windows-1252 byte in an "iso-8859-1" part
// still becomes the character the sender saw.
#include <gmime/gmime.h>

#include <algorithm>
#include <memory>

#include "mail/gmime_support.h"
#include "mail/message.h"
#include "mail/text/address.h"
#include "mail/text/charset.h"
#include "mail/text/flowed.h"
#include "mail/text/forward.h"
#include "mail/text/html.h"
#include "mail/text/quoting.h"
#include "mail/text/rfc2047.h"
#include "mail/text/utf8.h"

namespace dsar::mail {
namespace {

using text::LowerAscii;
using text::TrimBlanks;

// The raw value of the first header named `name` (case-insensitive), or nullopt.
std::optional<std::string> RawHeader(GMimeHeaderList* headers, const char* name) {
  const int n = g_mime_header_list_get_count(headers);
  for (int i = 0; i < n; ++i) {
    GMimeHeader* h = g_mime_header_list_get_header_at(headers, i);
    const char* hname = g_mime_header_get_name(h);
    if (hname && g_ascii_strcasecmp(hname, name) == 0) {
      const char* raw = g_mime_header_get_raw_value(h);
      return std::string(raw ? raw : "");
    }
  }
  return std::nullopt;
}

std::optional<Millis> ParseDate(std::string_view text) {
  const std::string s(TrimBlanks(text));
  if (s.empty()) return std::nullopt;
  GDateTime* dt = g_mime_utils_header_decode_date(s.c_str());
  if (!dt) return std::nullopt;
  const Millis ms = static_cast<Millis>(g_date_time_to_unix(dt)) * 1000 + g_date_time_get_microsecond(dt) / 1000;
  g_date_time_unref(dt);
  // GMime returns the epoch for dates it could not read.
  if (ms == 0) return std::nullopt;
  return ms;
}

// A msg-id we keep (RFC 5322 §3.6.4: id-left "@" id-right): 1 to kMaxMessageIdLength
// characters of visible ASCII, no '<' or '>', and an '@' with something on each side. We copy
// ids into the headers of our own mail, so nothing else may pass.
constexpr std::size_t kMaxMessageIdLength = 250;

bool IsValidMessageId(std::string_view id) {
  if (id.empty() || id.size() > kMaxMessageIdLength) return false;
  for (char ch : id) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7F || c == '<' || c == '>') return false;
  }
  const auto at = id.rfind('@');
  return at != std::string_view::npos && at > 0 && at + 1 < id.size();
}

// The valid msg-ids of a Message-ID, In-Reply-To or References value, in order, without angle
// brackets: every "<...>" outside comments and quoted phrases; in a value with no angle brackets
// at all, its blank-separated words, when every one of them is a valid id. Invalid ids are
// dropped ("<hello world@example.com>" gives none, not "hello").
std::vector<std::string> MessageIds(std::string_view raw) {
  std::vector<std::string> out;
  std::string bare;  // the value outside comments, for a value without angle brackets
  bool angle = false;
  int comment = 0;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '\\' && comment > 0) {
      ++i;
    } else if (c == '(') {
      ++comment;
    } else if (c == ')' && comment > 0) {
      --comment;
    } else if (comment > 0) {
      continue;
    } else if (c == '"' && raw.find('"', i + 1) != std::string_view::npos) {
      i = raw.find('"', i + 1);
    } else if (c == '<') {
      angle = true;
      const std::size_t close = raw.find('>', i + 1);
      const std::size_t end = close == std::string_view::npos ? raw.size() : close;
      const std::string_view id = TrimBlanks(raw.substr(i + 1, end - i - 1));
      if (IsValidMessageId(id)) out.emplace_back(id);
      if (close == std::string_view::npos) break;
      i = close;
    } else {
      bare += c;
    }
  }
  if (angle) return out;
  std::string_view rest = TrimBlanks(bare);
  while (!rest.empty()) {
    const std::size_t sp = std::min(rest.find_first_of(" \t\r\n"), rest.size());
    if (!IsValidMessageId(rest.substr(0, sp))) return {};
    out.emplace_back(rest.substr(0, sp));
    rest = TrimBlanks(rest.substr(sp));
  }
  return out;
}

std::string PartText(GMimePart* part) {
  GMimeDataWrapper* content = g_mime_part_get_content(part);
  if (!content) return "";
  GPtr<GMimeStream> mem(g_mime_stream_mem_new());
  if (g_mime_data_wrapper_write_to_stream(content, mem.get()) < 0) return "";
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem.get()));
  if (!bytes || bytes->len == 0) return "";
  const std::string_view raw(reinterpret_cast<const char*>(bytes->data), bytes->len);
  GMimeObject* obj = GMIME_OBJECT(part);
  const char* charset = g_mime_object_get_content_type_parameter(obj, "charset");
  std::string cs = charset ? charset : "";
  GMimeContentType* ct = g_mime_object_get_content_type(obj);
  const bool html = ct && g_mime_content_type_is_type(ct, "text", "html");
  if (cs.empty() && html) {
    // <meta charset="..."> or <meta http-equiv content="...; charset=...">
    const std::string head = LowerAscii(raw.substr(0, std::min<std::size_t>(raw.size(), 4096)));
    const auto at = head.find("charset=");
    if (at != std::string::npos) {
      std::size_t b = at + 8;
      while (b < head.size() && (head[b] == '"' || head[b] == '\'')) ++b;
      std::size_t e = b;
      while (e < head.size() && (std::isalnum(static_cast<unsigned char>(head[e])) || head[e] == '-' || head[e] == '_'))
        ++e;
      cs = head.substr(b, e - b);
    }
  }
  std::string text = ToUtf8(raw, cs);
  if (html) return HtmlToText(text);
  // Normalise line ends.
  std::string lf;
  lf.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      if (i + 1 < text.size() && text[i + 1] == '\n') continue;
      lf += '\n';
    } else {
      lf += text[i];
    }
  }
  const char* format = ct ? g_mime_content_type_get_parameter(ct, "format") : nullptr;
  if (format && g_ascii_strcasecmp(format, "flowed") == 0) {
    const char* delsp = g_mime_content_type_get_parameter(ct, "delsp");
    return UnflowText(lf, delsp && g_ascii_strcasecmp(delsp, "yes") == 0);
  }
  return lf;
}

// "type/subtype" of a part, lower case; empty when GMime has no content type for it.
std::string MimeTypeOf(GMimeObject* obj) {
  GMimeContentType* ct = obj ? g_mime_object_get_content_type(obj) : nullptr;
  if (!ct) return "";
  std::unique_ptr<char, GFreeDeleter> type(g_mime_content_type_get_mime_type(ct));
  return type ? LowerAscii(type.get()) : std::string();
}

// The first token of a keyword header ("auto-replied; owner-email=..." -> "auto-replied"), lower
// case, skipping leading blanks and RFC 5322 comments.
std::string KeywordOf(std::string_view v) {
  std::size_t i = 0;
  while (i < v.size()) {
    if (v[i] == ' ' || v[i] == '\t' || v[i] == '\r' || v[i] == '\n') {
      ++i;
    } else if (v[i] == '(') {
      int depth = 0;
      for (; i < v.size(); ++i) {
        if (v[i] == '(') ++depth;
        if (v[i] == ')' && --depth == 0) break;
      }
      if (i < v.size()) ++i;  // past ')'; an unclosed comment ends the value
    } else {
      break;
    }
  }
  std::size_t e = i;
  while (e < v.size() && (std::isalnum(static_cast<unsigned char>(v[e])) || v[e] == '-' || v[e] == '_' || v[e] == '.'))
    ++e;
  return LowerAscii(v.substr(i, e - i));
}

struct BodyParts {
  std::vector<std::string> plain;
  std::vector<std::string> html;
  std::vector<std::string> attachments;
  std::vector<std::string> types;  // leaf parts' "type/subtype", outside attached messages
};

void Walk(GMimeObject* obj, BodyParts& parts, int depth) {
  if (!obj || depth > 32) return;
  if (GMIME_IS_MULTIPART(obj)) {
    GMimeMultipart* mp = GMIME_MULTIPART(obj);
    const int n = g_mime_multipart_get_count(mp);
    for (int i = 0; i < n; ++i) Walk(g_mime_multipart_get_part(mp, i), parts, depth + 1);
    return;
  }
  parts.types.push_back(MimeTypeOf(obj));
  GMimeContentDisposition* disp = g_mime_object_get_content_disposition(obj);
  const bool attachment = disp && g_mime_content_disposition_is_attachment(disp);
  if (GMIME_IS_MESSAGE_PART(obj)) {
    // An attached (forwarded) message: its sender is not ours to classify.
    const char* fname = disp ? g_mime_content_disposition_get_parameter(disp, "filename") : nullptr;
    if (!fname) fname = g_mime_object_get_content_type_parameter(obj, "name");
    parts.attachments.push_back(fname ? DecodeHeaderText(fname) : std::string("message.eml"));
    return;
  }
  if (!GMIME_IS_PART(obj)) return;
  GMimePart* part = GMIME_PART(obj);
  const char* fname = g_mime_part_get_filename(part);
  GMimeContentType* ct = g_mime_object_get_content_type(obj);
  const bool plain = ct && g_mime_content_type_is_type(ct, "text", "plain");
  const bool html = ct && g_mime_content_type_is_type(ct, "text", "html");
  if (!attachment && (plain || html)) {
    // An inline text part with a file name (Apple Mail) is still text.
    (plain ? parts.plain : parts.html).push_back(PartText(part));
    return;
  }
  if (fname || attachment) {
    parts.attachments.push_back(fname ? DecodeHeaderText(fname) : std::string("attachment"));
  }
}

std::string JoinParts(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    if (TrimBlanks(s).empty()) continue;
    if (!out.empty()) out += "\n\n";
    out += s;
  }
  return out;
}

}  // namespace

Result<ParsedMessage> ParseMessage(std::string_view raw) {
  InitGMimeOnce();
  if (raw.empty()) return Status::Invalid("empty message");
  GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MESSAGE);
  GPtr<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), nullptr));
  if (!message) return Status::Invalid("not an RFC 5322 message");
  GMimeHeaderList* headers = g_mime_object_get_header_list(GMIME_OBJECT(message.get()));
  if (!headers || g_mime_header_list_get_count(headers) == 0) return Status::Invalid("message has no headers");

  ParsedMessage m;
  // contract — ids: only valid msg-ids (message.h), the first one for Message-ID and In-Reply-To.
  if (auto v = RawHeader(headers, "Message-ID")) {
    auto ids = MessageIds(*v);
    if (!ids.empty()) m.message_id = std::move(ids.front());
  }
  if (auto v = RawHeader(headers, "In-Reply-To")) {
    auto ids = MessageIds(*v);
    if (!ids.empty()) m.in_reply_to = std::move(ids.front());
  }
  if (auto v = RawHeader(headers, "References")) m.references = MessageIds(*v);
  if (auto v = RawHeader(headers, "From")) {
    auto list = ParseAddressList(*v);
    if (!list.empty()) m.from = list.front();
  }
  if (auto v = RawHeader(headers, "Reply-To")) {
    auto list = ParseAddressList(*v);
    if (!list.empty()) m.reply_to = list.front();
  }
  if (auto v = RawHeader(headers, "To")) m.to = ParseAddressList(*v);
  if (auto v = RawHeader(headers, "Subject")) m.subject = CollapseControls(DecodeHeaderText(*v));
  if (auto v = RawHeader(headers, "Date")) m.date = ParseDate(*v);
  // contract — receipt time: the topmost Received header is the one our own MTA added.
  if (auto v = RawHeader(headers, "Received")) {
    const auto semi = v->rfind(';');
    if (semi != std::string::npos) m.received_at = ParseDate(std::string_view(*v).substr(semi + 1));
  }

  GMimeObject* root = g_mime_message_get_mime_part(message.get());

  // Header data for MachineGenerated. GMime keeps the top-level Content-* headers in the root
  // part's list, the others in the message's; both are merged back into the order they were
  // written in by their stream offsets. Values are decoded by our own decoder (issue #133).
  std::vector<std::pair<gint64, GMimeHeader*>> all;
  for (GMimeHeaderList* list : {headers, root ? g_mime_object_get_header_list(root) : nullptr}) {
    const int n = list ? g_mime_header_list_get_count(list) : 0;
    for (int i = 0; i < n; ++i) {
      GMimeHeader* h = g_mime_header_list_get_header_at(list, i);
      all.emplace_back(g_mime_header_get_offset(h), h);
    }
  }
  std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  m.headers.reserve(all.size());
  for (const auto& [offset, h] : all) {
    const char* hname = g_mime_header_get_name(h);
    const char* hraw = g_mime_header_get_raw_value(h);
    m.headers.emplace_back(hname ? hname : "", DecodeHeaderText(hraw ? hraw : ""));
  }
  if (auto v = RawHeader(headers, "Return-Path")) m.return_path = std::string(TrimBlanks(*v));
  if (auto v = RawHeader(headers, "Auto-Submitted")) m.auto_submitted = KeywordOf(*v);
  if (auto v = RawHeader(headers, "Precedence")) m.precedence = KeywordOf(*v);
  if (auto v = RawHeader(headers, "List-Id")) m.list_id = DecodeHeaderText(*v);

  m.content_type = MimeTypeOf(root);
  if (root && m.content_type == "multipart/report") {
    const char* report = g_mime_object_get_content_type_parameter(root, "report-type");
    if (report) m.report_type = KeywordOf(report);
  }

  BodyParts parts;
  Walk(root, parts, 0);
  m.text = std::string(TrimBlanks(!parts.plain.empty() ? JoinParts(parts.plain) : JoinParts(parts.html)));
  m.attachments = std::move(parts.attachments);
  m.part_types = std::move(parts.types);
  m.fresh_text = ExtractFreshText(m.text, SubjectIsForward(m.subject));
  return m;
}

}  // namespace dsar::mail
