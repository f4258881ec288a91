#include "common/hash.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>

namespace tripline {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void ToHex(const unsigned char* bytes, size_t n, std::string* out) {
  out->resize(n * 2);
  for (size_t i = 0; i < n; ++i) {
    (*out)[2 * i] = kHex[bytes[i] >> 4];
    (*out)[2 * i + 1] = kHex[bytes[i] & 0x0f];
  }
}

std::string ToHex(const unsigned char* bytes, size_t n) {
  std::string out;
  ToHex(bytes, n, &out);
  return out;
}

// One fetched SHA-256 implementation for the process (OpenSSL 3's implicit fetch per call costs
// more than the hash of a short input) and a context per hash. No longer per record (event ids
// hash once per source), so no thread_local context either: a thread_local with a destructor that
// calls into OpenSSL hung the joining thread at thread exit under MinGW/Wine.
const EVP_MD* Sha256Md() {
  static EVP_MD* const kMd = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return kMd;
}

class Sha256 {
 public:
  Sha256() { EVP_DigestInit_ex(ctx_.get(), Sha256Md(), nullptr); }
  void Update(std::string_view data) { EVP_DigestUpdate(ctx_.get(), data.data(), data.size()); }
  std::array<unsigned char, 32> Final() {
    std::array<unsigned char, 32> digest{};
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_.get(), digest.data(), &len);
    return digest;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
};

}  // namespace

std::string Sha256Hex(std::string_view data) {
  Sha256 h;
  h.Update(data);
  auto d = h.Final();
  return ToHex(d.data(), d.size());
}

// SHA-256 over the parts, each prefixed with its length.
static std::array<unsigned char, 32> HashParts(std::initializer_list<std::string_view> parts) {
  Sha256 h;
  for (std::string_view p : parts) {
    uint64_t len = p.size();
    unsigned char prefix[8];
    for (int i = 0; i < 8; ++i) prefix[i] = static_cast<unsigned char>(len >> (8 * i));
    h.Update(std::string_view(reinterpret_cast<const char*>(prefix), 8));
    h.Update(p);
  }
  return h.Final();
}

std::string StableId(std::initializer_list<std::string_view> parts) {
  auto d = HashParts(parts);
  return ToHex(d.data(), 16);
}

EventIdKey::EventIdKey(std::string_view agent_id, std::string_view file_id) {
  auto d = HashParts({agent_id, file_id});
  std::string hex = ToHex(d.data(), 8);
  std::copy(hex.begin(), hex.end(), prefix_);
  for (size_t i = 0; i < 8; ++i) key_ |= static_cast<uint64_t>(d[8 + i]) << (8 * i);
}

void EventIdKey::IdTo(uint64_t position, std::string* out) const {
  // Each step is invertible (xor with a constant, xor-shift, multiplication by an odd number),
  // so distinct positions give distinct values.
  uint64_t x = position ^ key_;
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  out->resize(32);
  char* p = out->data();
  for (size_t i = 0; i < 16; ++i) p[i] = prefix_[i];
  for (size_t i = 0; i < 16; ++i) p[16 + i] = kHex[(x >> (60 - 4 * i)) & 0x0f];
}

std::string EventId(std::string_view agent_id, std::string_view file_id, uint64_t position) {
  std::string out;
  EventIdKey(agent_id, file_id).IdTo(position, &out);
  return out;
}

}  // namespace tripline
