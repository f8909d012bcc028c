// base64url (RFC 4648 §5) without padding, computed by libsodium.
//
// The alphabet is A-Z a-z 0-9 - _; no '=' is written and none is accepted. Used for the API's
// opaque list cursors (api/routes: "seq:42" <-> "c2VxOjQy"), whose bytes are compared by clients
// and must not change. Thread-safe; no sodium_init() needed.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dsar {

// `bytes` as unpadded base64url, e.g. Base64UrlEncode("seq:42") == "c2VxOjQy".
std::string Base64UrlEncode(std::string_view bytes);

// The bytes `text` encodes; nullopt when `text` holds a character outside the alphabet
// (padding and whitespace included), has a length that no encoding has (4k+1), or leaves
// non-zero bits after its last byte (not the canonical encoding of any bytes).
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace dsar
