// Decoding to UTF-8: MIME charset labels, iconv, windows-1252 and the Japanese encodings.
//
// Pure (no I/O, no clock; the only state is a per-thread cache of iconv descriptors, see
// charset.cpp) and thread-safe. Never throws on malformed input: bytes that cannot be decoded
// become U+FFFD or are taken as windows-1252, so every result is valid UTF-8.
#pragma once

#include <string>
#include <string_view>

namespace dsar::mail {

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

namespace text {

// Appends byte `b` read as windows-1252 (an undefined byte becomes U+FFFD).
void AppendCp1252(std::string& out, unsigned char b);

// `bytes` read as windows-1252.
std::string Cp1252ToUtf8(std::string_view bytes);

// Keeps valid UTF-8 sequences and reads every other byte as windows-1252.
std::string RepairUtf8(std::string_view bytes);

// The iconv name for a MIME charset label, "cp1252" for the windows-1252 family, "utf-8"
// for UTF-8, or "" when the label is empty.
std::string CanonicalCharset(std::string_view label);

}  // namespace text
}  // namespace dsar::mail
