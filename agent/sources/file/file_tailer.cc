#include "agent/sources/file/file_tailer.h"

#include <algorithm>
#include <cstring>

#include "common/utf8.h"

namespace tripline::agent {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::string_view kUtf16LeBom = "\xFF\xFE";

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

size_t Utf16LeToUtf8(std::string_view in, std::string* out) {
  size_t replaced = 0;
  auto unit = [&](size_t i) {
    return static_cast<uint16_t>(static_cast<unsigned char>(in[i]) |
                                 (static_cast<unsigned char>(in[i + 1]) << 8));
  };
  for (size_t i = 0; i + 1 < in.size(); i += 2) {
    uint32_t u = unit(i);
    if (u >= 0xD800 && u <= 0xDBFF && i + 3 < in.size()) {
      uint32_t low = unit(i + 2);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        AppendUtf8(0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00), out);
        i += 2;
        continue;
      }
    }
    const bool unpaired = u >= 0xD800 && u <= 0xDFFF;
    replaced += unpaired ? 1 : 0;
    AppendUtf8(unpaired ? 0xFFFD : u, out);
  }
  if (in.size() % 2 != 0) {
    AppendUtf8(0xFFFD, out);
    ++replaced;
  }
  return replaced;
}

FileTailer::FileTailer(std::string path, size_t max_line_bytes, FileEncoding encoding)
    : path_(std::move(path)), max_line_bytes_(max_line_bytes), encoding_(encoding) {}

FileTailer::~FileTailer() = default;

absl::Status FileTailer::Open() {
  absl::StatusOr<platform::File> file = platform::File::Open(path_, platform::File::Access::kRead);
  if (!file.ok()) return absl::NotFoundError(file.status().message());
  TRIPLINE_ASSIGN_OR_RETURN(platform::File::Info info, file->Stat());
  file_ = *std::move(file);
  inode_id_ = info.id;
  if (encoding_ == FileEncoding::kAuto) {
    auto head = ReadAt(0, 2);
    encoding_ = head.ok() && *head == kUtf16LeBom ? FileEncoding::kUtf16Le : FileEncoding::kUtf8;
  }
  return absl::OkStatus();
}

void FileTailer::Seek(uint64_t offset) {
  if (encoding_ == FileEncoding::kUtf16Le) offset &= ~uint64_t{1};  // stay on a code unit
  read_offset_ = line_offset_ = offset;
  used_ = 0;
  skipping_ = false;
}

void FileTailer::Restart() { Seek(0); }

absl::StatusOr<std::string> FileTailer::ReadAt(uint64_t offset, size_t len) const {
  std::string out(len, '\0');
  TRIPLINE_ASSIGN_OR_RETURN(size_t done, file_.ReadAt(offset, out.data(), len));
  out.resize(done);
  return out;
}

absl::StatusOr<uint64_t> FileTailer::Size() const {
  TRIPLINE_ASSIGN_OR_RETURN(platform::File::Info info, file_.Stat());
  return info.size;
}

bool FileTailer::Deleted() const {
  absl::StatusOr<platform::File::Info> info = file_.Stat();
  return info.ok() && info->deleted;
}

absl::StatusOr<size_t> FileTailer::Poll(size_t max_bytes, const LineFn& on_line) {
  // Lines already read but refused by the caller last time go first.
  TRIPLINE_RETURN_IF_ERROR(EmitLines(on_line));
  constexpr size_t kChunk = 64 * 1024;
  size_t consumed = 0;
  while (consumed < max_bytes) {
    size_t want = std::min(kChunk, max_bytes - consumed);
    if (buffer_.size() < used_ + want) buffer_.resize(used_ + want);
    TRIPLINE_ASSIGN_OR_RETURN(size_t n, file_.ReadAt(read_offset_, buffer_.data() + used_, want));
    if (n == 0) break;
    used_ += n;
    read_offset_ += n;
    consumed += n;
    TRIPLINE_RETURN_IF_ERROR(EmitLines(on_line));
  }
  return consumed;
}

size_t FileTailer::FindTerminator(size_t from) const {
  if (encoding_ != FileEncoding::kUtf16Le) return Pending().find('\n', from);
  for (size_t i = from; i + 1 < used_; i += 2) {
    if (buffer_[i] == '\n' && buffer_[i + 1] == '\0') return i;
  }
  return std::string::npos;
}

absl::Status FileTailer::Emit(const LineFn& on_line, size_t start, size_t len, size_t end,
                              bool truncated) {
  std::string_view raw = Pending().substr(start, len);
  const bool utf16 = encoding_ == FileEncoding::kUtf16Le;
  if (truncated && utf16 && raw.size() >= 2 &&
      (static_cast<unsigned char>(raw.back()) & 0xFC) == 0xD8) {
    raw.remove_suffix(2);  // the cut fell between the two halves of a surrogate pair
  } else if (truncated && !utf16) {
    raw = Utf8Prefix(Pending().substr(start), len);  // not inside a character
  }
  uint64_t offset = line_offset_ + start;
  if (offset == 0) {
    std::string_view bom = utf16 ? kUtf16LeBom : kUtf8Bom;
    if (raw.substr(0, bom.size()) == bom) raw.remove_prefix(bom.size());
  }
  size_t errors = 0;
  if (utf16) {
    utf8_.clear();
    errors = Utf16LeToUtf8(raw, &utf8_);
    raw = utf8_;
  } else if (!IsValidUtf8(raw)) {
    utf8_.clear();
    errors = AppendRepairedUtf8(raw, &utf8_);
    raw = utf8_;
  }
  return on_line(TailedLine{raw, offset, line_offset_ + end, truncated, errors});
}

absl::Status FileTailer::EmitLines(const LineFn& on_line) {
  const size_t unit = encoding_ == FileEncoding::kUtf16Le ? 2 : 1;
  size_t pos = 0;
  absl::Status status = absl::OkStatus();
  while (status.ok()) {
    size_t nl = FindTerminator(pos);
    if (nl == std::string::npos) {
      size_t pending = used_ - pos;
      if (!skipping_ && pending > max_line_bytes_) {
        // Over-long line: return its head now, flagged, and skip to its terminator. Its
        // checkpoint position is the end of what was read, so a restart skips the rest too.
        size_t cut = max_line_bytes_ - max_line_bytes_ % unit;
        status = Emit(on_line, pos, cut, used_, true);
        if (!status.ok()) break;
        skipping_ = true;
      }
      if (skipping_) pos = used_;
      break;
    }
    if (skipping_) {
      skipping_ = false;
    } else {
      size_t len = nl - pos;
      bool cut = len > max_line_bytes_;
      status = Emit(on_line, pos, cut ? max_line_bytes_ - max_line_bytes_ % unit : len, nl + unit,
                    cut);
      if (!status.ok()) break;
    }
    pos = nl + unit;
  }
  if (pos > 0 && pos < used_) std::memmove(buffer_.data(), buffer_.data() + pos, used_ - pos);
  used_ -= pos;
  line_offset_ += pos;
  return status;
}

}  // namespace tripline::agent
