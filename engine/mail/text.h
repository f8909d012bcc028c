// Text helpers behind ParseMessage and Classify: charset conversion, RFC 2047 header
// decoding, address lists, HTML to text, format=flowed, and the "fresh text" of a reply.
//
// All functions are pure (no I/O, no clock, no globals other than the C library's iconv
// tables) and thread-safe. They never throw on malformed input: bytes that cannot be
// decoded become U+FFFD or are taken as windows-1252, so every result is valid UTF-8.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mail/message.h"

namespace dsar::mail {

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates).
bool IsValidUtf8(std::string_view s);

// Converts `bytes` written in `charset` (a MIME charset name, case-insensitive) to UTF-8.
// us-ascii and iso-8859-1 are read as windows-1252 (their superset in practice, as in the
// WHATWG Encoding standard); an empty or unknown charset keeps valid UTF-8 as it is and
// reads anything else as windows-1252. 8-bit bytes under a us-ascii label (which cannot have
// any; also unknown-8bit) are the sender's client writing UTF-8 with a default label: when they
// are valid UTF-8 they are kept as UTF-8, otherwise read as windows-1252. Undecodable sequences
// become U+FFFD.
// Japanese labels are read as the mail clients that write them mean them (as the WHATWG
// Encoding standard does): Shift_JIS and its aliases as windows-31j (CP932, with the NEC and
// IBM extensions: ①, ㈱, 髙), EUC-JP as EUC-JP-MS, and ISO-2022-JP by a stateless
// translation to EUC-JP-MS, so those characters survive in ISO-2022-JP too (glibc's own
// ISO-2022-JP decoder refuses them) and one bad pair never garbles the rest of a line.
std::string ToUtf8(std::string_view bytes, std::string_view charset);

// Decodes an unstructured header value as it appears after the colon (possibly folded):
// unfolds it, decodes RFC 2047 encoded-words (B and Q, any charset iconv knows; whitespace
// between adjacent encoded-words dropped; adjacent words in one charset joined before
// conversion so a character split across words survives), and reads raw 8-bit bytes as
// UTF-8 when valid, else windows-1252. Leading and trailing blanks are trimmed.
//
// Written because GMime 3.2.13 drops the rest of a header after a base64 encoded-word that
// ends in '=' padding (GMime issue #133, fixed in 3.2.14).
std::string DecodeHeaderText(std::string_view raw);

// Parses an address-list header value (raw, possibly folded, possibly with encoded-words in
// display names, including ones that decode to commas). Groups ("team: a@x, b@y;") are
// flattened. Entries without an '@' are skipped. Display names are decoded and made one line
// (CollapseControls). The addr-spec is kept as written, never rewritten into another mailbox:
// only blanks at its ends and around '@' and '.' (RFC 5322 obsolete CFWS), stray angle
// brackets, a "mailto:" and quotes around a whole address ("\"a@x\"") are dropped, so a quoted
// local part or one with blanks ("\"john doe\"@example.com") stays as it is and fails
// IsValidEmail later.
std::vector<Address> ParseAddressList(std::string_view raw);

// `s` made one line, for display names and the Subject: every run of blanks that holds a
// control character (C0 including CR, LF and TAB, DEL, C1, U+2028, U+2029) becomes one space,
// and the ends are trimmed ("Eve\nSubject: pwned" -> "Eve Subject: pwned").
std::string CollapseControls(std::string_view s);

// Converts HTML to plain text: drops head/script/style and comments, turns block elements
// into line breaks and table cells into "cell<TAB>cell" lines, decodes character
// references, and prefixes text inside <blockquote> with "> " so it is seen as quoted.
std::string HtmlToText(std::string_view html);

// Undoes RFC 3676 format=flowed: joins soft line breaks (a line ending in a space, except
// the signature separator "-- "), removes space-stuffing, and with delsp=yes the space
// before a soft break.
std::string UnflowText(std::string_view text, bool delsp);

// The part of a message body the sender wrote now: stops at the first reply header ("On
// ... wrote:" and its de/fr/es/it/nl/pt/ja forms, Gmail's "<date> <name> <addr>:" in any
// language, "-----Original Message-----" and its translations such as "--- 元のメッセージ ---",
// an Outlook "From:/Sent:" block or its Japanese "差出人:/送信日時:" form, a "____" separator
// before one), drops lines quoted with '>' or '＞', and cuts the signature ("-- ", "Sent from
// my iPhone" and its translations, "iPhoneから送信", and a rule of "━━━" / "───" / "＝＝＝"
// above a short block with contact details, or above at most three lines closed by another
// rule). An inline forward ("---------- Forwarded message ---------", "Begin forwarded
// message:", "-------- 転送メッセージ --------", ...) is kept with its header block so the
// forwarded sender can be read; when `subject_is_forward` (Fwd:/FW:/WG:/TR:/RV:/I:/転送: ...),
// the first Outlook-style header block is also taken as a forward and kept.
std::string ExtractFreshText(std::string_view text, bool subject_is_forward);

// True when a subject line starts with a forward prefix (Fwd:, FW:, WG:, TR:, RV:, I:,
// Doorst:, Enc:, 転送:), possibly after "Re:" prefixes or a [tag].
bool SubjectIsForward(std::string_view subject);

// True when a subject line starts with a reply prefix (Re:, AW:, SV:, Antw:, R:, Res:, Ref:,
// 返信:), possibly after a [tag]: the rest of the line was written for an earlier message.
bool SubjectIsReply(std::string_view subject);

// If `line` (trimmed) is an inline-forward separator line, true.
bool IsForwardMarker(std::string_view line);

// An inline forward found in a message's fresh text: the header block after a forward
// marker ("---------- Forwarded message ---------", "Begin forwarded message:" and their
// translations; with `subject_is_forward`, also an Outlook "From:/Sent:" block or an
// "Original Message" separator).
struct ForwardedBlock {
  Address from;      // the forwarded message's sender ("From:", "Von:", "De :", ...)
  std::string subject;  // the forwarded Subject line, as written
  std::string note;     // what the forwarder wrote above the marker
  std::string body;     // the forwarded text after its header block
};

// The first inline forward in `fresh_text` whose From line holds an address; nullopt when
// there is none.
std::optional<ForwardedBlock> FindForwardedBlock(std::string_view fresh_text, bool subject_is_forward);

// Width folding as in Unicode NFKC, for the forms Japanese mail uses: full-width ASCII
// (U+FF01..U+FF5E, "ＧＤＰＲ" -> "GDPR", "：" -> ":") and the ideographic space become ASCII;
// half-width katakana (U+FF61..U+FF9F, as Shift_JIS mail may carry) become full-width, with a
// following half-width (semi-)voiced sound mark composed ("ﾃﾞｰﾀ" -> "データ"). Case is kept;
// everything else is copied. For matching only.
std::string NarrowWidth(std::string_view utf8);

// Lower-cases ASCII and Latin-1 letters and folds accents (é -> e, ß -> ss, ...), maps
// typographic quotes, dashes, horizontal bars and box-drawing rules ("─", "━") and no-break
// spaces to ASCII, after NarrowWidth. Han and kana are kept as they are. For keyword matching
// only.
std::string FoldForMatching(std::string_view utf8);

}  // namespace dsar::mail
