#include "tests/fault/line_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <stdexcept>

namespace tripline::fault {
namespace {

std::string UtcNow(const char* format) {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

std::string Header() {
  return "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: " +
         UtcNow("%Y-%m-%d %H:%M:%S") +
         "\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
         "cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n";
}

}  // namespace

LineWriter::LineWriter(Options options)
    : options_(std::move(options)), path_(options_.dir + "/u_ex1.log") {
  std::filesystem::create_directories(options_.dir);
}

LineWriter::~LineWriter() { Stop(); }

void LineWriter::Start() {
  {
    std::lock_guard lock(mu_);
    if (!std::filesystem::exists(path_)) AppendLocked(Header());
  }
  thread_ = std::thread([this] { Run(); });
}

void LineWriter::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

std::string LineWriter::Line(uint64_t n, LineKind kind, int seq) const {
  std::string path = "/owa/service.svc";
  std::string client = "192.0.2.10";
  switch (kind) {
    case LineKind::kPlain:
      break;
    case LineKind::kMarker:
      path = "/owa/auth/fault" + std::to_string(n) + ".aspx";
      break;
    case LineKind::kStepA:
      path = "/fault/a.aspx";
      break;
    case LineKind::kStepB:
      path = "/fault/b.aspx";
      break;
    case LineKind::kStepC:
      path = "/fault/c.aspx";
      break;
  }
  if (kind != LineKind::kPlain && kind != LineKind::kMarker) {
    client = "10.201." + std::to_string(seq / 256) + "." + std::to_string(seq % 256);
  }
  return UtcNow("%Y-%m-%d %H:%M:%S") + " 10.0.0.5 GET " + path + " n=" + std::to_string(n) +
         " 443 - " + client + " Mozilla/5.0+(Windows+NT+10.0) - 200 0 0 1\n";
}

void LineWriter::AppendLocked(const std::string& text) {
  // One write(2) per slice: a reader never sees a line without its newline for long, and the
  // file grows the way a web server's log does.
  int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot open " + path_);
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) {
      ::close(fd);
      throw std::runtime_error("cannot write " + path_);
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  bytes_ += text.size();
}

void LineWriter::WriteLocked(uint64_t count) {
  std::string text;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t n = next_++;
    LineKind kind = LineKind::kPlain;
    if (options_.marker_every > 0 && n % options_.marker_every == options_.marker_every - 1) {
      kind = LineKind::kMarker;
      special_[n] = kind;
      ++markers_;
    }
    text += Line(n, kind, 0);
  }
  AppendLocked(text);
}

uint64_t LineWriter::Step(int seq, char step) {
  LineKind kind = step == 'a'   ? LineKind::kStepA
                  : step == 'b' ? LineKind::kStepB
                                : LineKind::kStepC;
  std::lock_guard lock(mu_);
  uint64_t n = next_++;
  special_[n] = kind;
  step_seq_[n] = seq;
  AppendLocked(Line(n, kind, seq));
  return n;
}

void LineWriter::RotateLocked() {
  int k = rotations_ + 1;
  std::string rotated = path_ + "." + std::to_string(k);
  if (options_.rotation == Rotation::kRenameCreate) {
    std::filesystem::rename(path_, rotated);
  } else {
    if (options_.before_truncate) options_.before_truncate(next_);
    std::filesystem::copy_file(path_, rotated);
    if (::truncate(path_.c_str(), 0) != 0) throw std::runtime_error("cannot truncate " + path_);
  }
  AppendLocked(Header());
  rotations_ = k;
}

void LineWriter::Run() {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto next_rotation = start + options_.rotate_every;
  uint64_t paced = 0;
  while (!stop_) {
    double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    uint64_t due = static_cast<uint64_t>(elapsed * options_.lines_per_second);
    {
      std::lock_guard lock(mu_);
      if (due > paced) WriteLocked(due - paced);
      paced = std::max(paced, due);
      if (options_.rotation != Rotation::kNone && Clock::now() >= next_rotation) {
        RotateLocked();
        next_rotation = Clock::now() + options_.rotate_every;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

uint64_t LineWriter::lines() const {
  std::lock_guard lock(mu_);
  return next_;
}
std::map<uint64_t, LineKind> LineWriter::special() const {
  std::lock_guard lock(mu_);
  return special_;
}
std::map<uint64_t, int> LineWriter::step_seq() const {
  std::lock_guard lock(mu_);
  return step_seq_;
}
uint64_t LineWriter::markers() const {
  std::lock_guard lock(mu_);
  return markers_;
}
uint64_t LineWriter::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

}  // namespace tripline::fault
