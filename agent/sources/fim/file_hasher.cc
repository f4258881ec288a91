#include "agent/sources/fim/file_hasher.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "agent/sources/fim/webshell_scanner.h"

namespace tripline::agent {
namespace {

constexpr size_t kChunkBytes = 64 * 1024;

std::string Hex(const unsigned char* bytes, unsigned n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (unsigned i = 0; i < n; ++i) {
    out[2 * i] = kHex[bytes[i] >> 4];
    out[2 * i + 1] = kHex[bytes[i] & 0x0f];
  }
  return out;
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Reads up to `max_bytes` into the digest and the scanner. False on a read error.
bool ReadAndHash(int fd, uint64_t max_bytes, WebshellScanner* scanner, FileDigest* digest) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  std::string buf(kChunkBytes, '\0');
  while (digest->bytes_read < max_bytes) {
    uint64_t left = max_bytes - digest->bytes_read;
    size_t want = static_cast<size_t>(std::min<uint64_t>(kChunkBytes, left));
    ssize_t n = ::read(fd, buf.data(), want);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      digest->error = std::strerror(errno);
      return false;
    }
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

FileStat FileStatOf(const struct stat& st) {
  FileStat out;
  out.size = static_cast<uint64_t>(st.st_size);
  out.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  out.ctime_ns = static_cast<int64_t>(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec;
  return out;
}

bool StatRegularFile(const std::string& path, FileStat* stat) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  *stat = FileStatOf(st);
  return true;
}

FileDigest HashFile(const std::string& path, uint64_t max_bytes, bool scan_markers) {
  FileDigest digest;
  // O_NONBLOCK: a FIFO planted in the tree must not hang the agent; O_NOFOLLOW: no symlinks.
  Fd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  struct stat st {};
  if (fd.get() < 0) {
    if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) return digest;
    digest.error = std::strerror(errno);
    if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return digest;
    digest.outcome = FileDigest::Outcome::kUnreadable;
    digest.stat = FileStatOf(st);
    return digest;
  }
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return digest;
  digest.stat = FileStatOf(st);
  WebshellScanner scanner;
  if (!ReadAndHash(fd.get(), max_bytes, scan_markers ? &scanner : nullptr, &digest)) {
    digest.outcome = FileDigest::Outcome::kUnreadable;
    digest.sha256.clear();
    return digest;
  }
  // Size from the bytes seen when the file grew while it was read; a prefix hash when too big.
  digest.truncated = digest.bytes_read >= max_bytes && digest.stat.size > max_bytes;
  if (!digest.truncated && digest.bytes_read != digest.stat.size) {
    if (::fstat(fd.get(), &st) == 0) digest.stat = FileStatOf(st);
  }
  if (scan_markers) digest.markers = scanner.Markers();
  digest.outcome = FileDigest::Outcome::kHashed;
  return digest;
}

}  // namespace tripline::agent
