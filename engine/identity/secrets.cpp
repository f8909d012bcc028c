#include "identity/secrets.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>

#include "core/sha256.h"

namespace dsar::service {

namespace {

void InitSodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) std::abort();
  });
}

constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

}  // namespace

Result<Secrets> Secrets::LoadOrCreate(const std::string& key_file) {
  InitSodium();
  std::ifstream in(key_file, std::ios::binary);
  if (in) {
    std::stringstream ss;
    ss << in.rdbuf();
    std::string key = ss.str();
    if (key.size() < 32) return Status::Invalid("server key file " + key_file + " is shorter than 32 bytes");
    return Secrets(key);
  }
  unsigned char key[32];
  randombytes_buf(key, sizeof key);
  int fd = ::open(key_file.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    // Another process may have created it first: read theirs.
    std::ifstream again(key_file, std::ios::binary);
    if (again) return LoadOrCreate(key_file);
    return Status::IoError("cannot create server key file " + key_file);
  }
  const bool ok = ::write(fd, key, sizeof key) == static_cast<ssize_t>(sizeof key) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return Status::IoError("cannot write server key file " + key_file);
  return Secrets(std::string(reinterpret_cast<char*>(key), sizeof key));
}

Secrets Secrets::FromKey(std::string key) {
  InitSodium();
  return Secrets(std::move(key));
}

std::string Secrets::KeyedHash(std::string_view secret) const { return HmacSha256Hex(key_, secret); }

bool Secrets::HashesEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string Secrets::NewVerificationCode() {
  InitSodium();
  char buf[8];
  std::snprintf(buf, sizeof buf, "%06u", randombytes_uniform(1000000));
  return buf;
}

std::string Secrets::NewToken() {
  InitSodium();
  std::string out;
  for (int i = 0; i < 52; ++i) out.push_back(kCrockford[randombytes_uniform(32)]);
  return out;
}

std::string Secrets::NewReference() {
  InitSodium();
  std::string out = "DSR-";
  for (int i = 0; i < 8; ++i) {
    if (i == 4) out.push_back('-');
    out.push_back(kCrockford[randombytes_uniform(32)]);
  }
  return out;
}

std::string Secrets::RandomHex(size_t bytes) {
  InitSodium();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), bytes);
  return HexEncode(raw.data(), bytes);
}

std::string Secrets::NewUuid() {
  InitSodium();
  unsigned char b[16];
  randombytes_buf(b, sizeof b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  std::string h = HexEncode(b, sizeof b);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

}  // namespace dsar::service
