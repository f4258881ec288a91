#include "agent/sources/fim/file_hasher.h"

#include <openssl/evp.h>

#include <algorithm>
#include <memory>

#include "agent/sources/fim/fim_fs.h"
#include "agent/sources/fim/webshell_scanner.h"

namespace tripline::agent {
namespace {

constexpr size_t kChunkBytes = 64 * 1024;
// 100 ns ticks from 1601-01-01 (the Windows epoch) to 1970-01-01.
constexpr int64_t kWindowsToUnixTicks = 116'444'736'000'000'000;

std::string Hex(const unsigned char* bytes, unsigned n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (unsigned i = 0; i < n; ++i) {
    out[2 * i] = kHex[bytes[i] >> 4];
    out[2 * i + 1] = kHex[bytes[i] & 0x0f];
  }
  return out;
}

// Reads up to `max_bytes` into the digest and the scanner. False on a read error.
bool ReadAndHash(fim_fs::ReadOnlyFile& file, uint64_t max_bytes, WebshellScanner* scanner,
                 FileDigest* digest) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  std::string buf(kChunkBytes, '\0');
  while (digest->bytes_read < max_bytes) {
    uint64_t left = max_bytes - digest->bytes_read;
    size_t want = static_cast<size_t>(std::min<uint64_t>(kChunkBytes, left));
    int64_t n = file.Read(buf.data(), want, &digest->error);
    if (n < 0) return false;
    if (n == 0) break;
    EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(n));
    if (scanner != nullptr) scanner->Feed(std::string_view(buf.data(), static_cast<size_t>(n)));
    digest->bytes_read += static_cast<uint64_t>(n);
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_DigestFinal_ex(ctx.get(), md, &len);
  digest->sha256 = Hex(md, len);
  return true;
}

}  // namespace

FileStat FileStatFromWindows(uint64_t size, int64_t last_write_time, int64_t change_time) {
  FileStat out;
  out.size = size;
  out.mtime_ns = (last_write_time - kWindowsToUnixTicks) * 100;
  out.ctime_ns = (change_time - kWindowsToUnixTicks) * 100;
  return out;
}

FileDigest HashFile(const std::string& path, uint64_t max_bytes, bool scan_markers) {
  FileDigest digest;
  fim_fs::ReadOnlyFile file;
  switch (file.Open(path, &digest.stat, &digest.error)) {
    case fim_fs::ReadOnlyFile::Result::kMissing:
      digest.stat = FileStat{};
      return digest;
    case fim_fs::ReadOnlyFile::Result::kUnreadable:
      digest.outcome = FileDigest::Outcome::kUnreadable;
      return digest;
    case fim_fs::ReadOnlyFile::Result::kOpened:
      break;
  }
  WebshellScanner scanner;
  if (!ReadAndHash(file, max_bytes, scan_markers ? &scanner : nullptr, &digest)) {
    digest.outcome = FileDigest::Outcome::kUnreadable;
    digest.sha256.clear();
    return digest;
  }
  // Size from the bytes seen when the file grew while it was read; a prefix hash when too big.
  digest.truncated = digest.bytes_read >= max_bytes && digest.stat.size > max_bytes;
  if (!digest.truncated && digest.bytes_read != digest.stat.size) {
    FileStat now;
    if (file.Stat(&now)) digest.stat = now;
  }
  if (scan_markers) digest.markers = scanner.Markers();
  digest.outcome = FileDigest::Outcome::kHashed;
  return digest;
}

}  // namespace tripline::agent
