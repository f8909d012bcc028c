// base64url (engine/core/encoding.h): RFC 4648 §10 vectors, the bytes of existing API cursors,
// and what the decoder refuses.
#include <catch2/catch.hpp>

#include <string>

#include "core/encoding.h"

using dsar::Base64UrlDecode;
using dsar::Base64UrlEncode;

TEST_CASE("base64url encodes the RFC 4648 vectors without padding", "[core][encoding]") {
  CHECK(Base64UrlEncode("") == "");
  CHECK(Base64UrlEncode("f") == "Zg");
  CHECK(Base64UrlEncode("fo") == "Zm8");
  CHECK(Base64UrlEncode("foo") == "Zm9v");
  CHECK(Base64UrlEncode("foob") == "Zm9vYg");
  CHECK(Base64UrlEncode("fooba") == "Zm9vYmE");
  CHECK(Base64UrlEncode("foobar") == "Zm9vYmFy");
  // The URL-safe alphabet: 62 and 63 are '-' and '_' (standard base64 would write "+/8=").
  CHECK(Base64UrlEncode("\xfb\xff") == "-_8");
  CHECK(Base64UrlEncode(std::string("\0\0\0", 3)) == "AAAA");
}

TEST_CASE("base64url keeps the bytes of the API's list cursors", "[core][encoding]") {
  // The values the hand-written encoder of api/routes emitted (cursors clients already hold).
  CHECK(Base64UrlEncode("seq:0") == "c2VxOjA");
  CHECK(Base64UrlEncode("seq:42") == "c2VxOjQy");
  CHECK(Base64UrlEncode("seq:100") == "c2VxOjEwMA");
  CHECK(Base64UrlEncode("seq:9223372036854775807") == "c2VxOjkyMjMzNzIwMzY4NTQ3NzU4MDc");
  CHECK(Base64UrlDecode("c2VxOjQy") == std::optional<std::string>("seq:42"));
  CHECK(Base64UrlDecode("c2VxOjEwMA") == std::optional<std::string>("seq:100"));
}

TEST_CASE("base64url decoding round-trips every byte and length", "[core][encoding]") {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (std::size_t n = 0; n <= all.size(); n += 1) {
    const std::string in = all.substr(all.size() - n);
    const std::string enc = Base64UrlEncode(in);
    INFO("length " << n);
    REQUIRE(enc.size() == (n * 4 + 2) / 3);
    REQUIRE(enc.find_first_of("+/=") == std::string::npos);
    REQUIRE(Base64UrlDecode(enc) == std::optional<std::string>(in));
  }
}

TEST_CASE("base64url decoding refuses what no encoder writes", "[core][encoding]") {
  CHECK(Base64UrlDecode("") == std::optional<std::string>(""));
  CHECK_FALSE(Base64UrlDecode("Zg==").has_value());       // padding
  CHECK_FALSE(Base64UrlDecode("Zm9v+/").has_value());     // the standard alphabet
  CHECK_FALSE(Base64UrlDecode("Zm9v Yg").has_value());    // whitespace
  CHECK_FALSE(Base64UrlDecode("Zm9vY").has_value());      // 4k+1 characters
  CHECK_FALSE(Base64UrlDecode(std::string("Zm\0v", 4)).has_value());
  CHECK_FALSE(Base64UrlDecode("Zh").has_value());         // non-zero bits after the last byte
  CHECK(Base64UrlDecode("Zg") == std::optional<std::string>("f"));
}
