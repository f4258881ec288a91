#include "common/hash.h"

#include <openssl/evp.h>

#include <array>
#include <charconv>
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


// One fetched SHA-256 implementation for the process and one context per thread: hashing is on
// the hot path (an id per event), and OpenSSL 3's implicit fetch and context allocation per call
// cost more than the hash of a short input.
const EVP_MD* Sha256Md() {
  static EVP_MD* const kMd = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return kMd;
}

class Sha256 {
 public:
  Sha256() : ctx_(ThreadContext()) { EVP_DigestInit_ex(ctx_, Sha256Md(), nullptr); }
  void Update(std::string_view data) { EVP_DigestUpdate(ctx_, data.data(), data.size()); }
  std::array<unsigned char, 32> Final() {
    std::array<unsigned char, 32> digest{};
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_, digest.data(), &len);
    return digest;
  }

 private:
  static EVP_MD_CTX* ThreadContext() {
    thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                             &EVP_MD_CTX_free);
    return ctx.get();
  }
  EVP_MD_CTX* ctx_;
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

void EventIdTo(std::string_view agent_id, std::string_view file_id, uint64_t position,
               std::string* out) {
  char pos[24];
  auto [end, ec] = std::to_chars(pos, pos + sizeof pos, position);
  auto d = HashParts({agent_id, file_id, std::string_view(pos, static_cast<size_t>(end - pos))});
  ToHex(d.data(), 16, out);
}

std::string EventId(std::string_view agent_id, std::string_view file_id, uint64_t position) {
  std::string out;
  EventIdTo(agent_id, file_id, position, &out);
  return out;
}

}  // namespace tripline
