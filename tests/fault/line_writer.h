#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tripline::fault {

// What a written line is, so that the tallies know what each one should cause.
enum class LineKind { kPlain, kMarker, kStepA, kStepB, kStepC };

// How the log is rotated while lines are written.
enum class Rotation {
  kNone,
  kRenameCreate,  // logrotate `create`: rename to u_ex1.log.<k> (outside the glob), start anew
  kCopyTruncate,  // logrotate `copytruncate`: copy to u_ex1.log.<k>, truncate in place
};

// Appends IIS W3C lines to `<dir>/u_ex1.log` at a steady rate from a thread of its own, every
// line numbered and checkable: line n carries `n=<n>` as its query string (the agent puts it in
// `http.url_query`), so a record on the topic is tied to exactly one written line. Every
// `marker_every`-th line is a request for an unknown page under /owa/auth/ (one alert each from
// config/rules/demo); Step() writes a step of the test sequence rule (tests/fault/rules): step
// a, b, c of sequence s request /fault/<step>.aspx from client 10.201.<s/256>.<s%256>.
// Event times are the wall clock (UTC, whole seconds), so sequences stay within their windows.
//
// Thread: Start() and Stop() from the test thread; Step() and the accessors from any thread
// (one mutex guards the file). Stop() joins the writer thread.
class LineWriter {
 public:
  struct Options {
    std::string dir;  // the watched folder
    int lines_per_second = 1000;
    int marker_every = 250;  // 0: no markers
    Rotation rotation = Rotation::kNone;
    std::chrono::milliseconds rotate_every{1000};
    // kCopyTruncate: called before each truncation with the number of data lines written so
    // far; returns when the reader has them (a copytruncate loses what was not read by then,
    // for any reader, so the test waits for it, bounded, as a careful operator would schedule it).
    std::function<void(uint64_t)> before_truncate;
  };

  explicit LineWriter(Options options);
  ~LineWriter();
  LineWriter(const LineWriter&) = delete;
  LineWriter& operator=(const LineWriter&) = delete;

  void Start();
  void Stop();
  // Writes step `step` ('a', 'b' or 'c') of sequence `seq` now; returns its line number.
  uint64_t Step(int seq, char step);

  uint64_t lines() const;  // data lines written so far (numbers 0 .. lines()-1)
  std::map<uint64_t, LineKind> special() const;  // markers and steps by line number
  std::map<uint64_t, int> step_seq() const;      // step line -> its sequence
  uint64_t markers() const;
  int rotations() const { return rotations_; }
  uint64_t bytes() const;

 private:
  std::string Line(uint64_t n, LineKind kind, int seq) const;
  void AppendLocked(const std::string& text);
  void WriteLocked(uint64_t count);
  void RotateLocked();
  void Run();

  Options options_;
  std::string path_;
  mutable std::mutex mu_;
  uint64_t next_ = 0;
  uint64_t markers_ = 0;
  uint64_t bytes_ = 0;
  std::map<uint64_t, LineKind> special_;
  std::map<uint64_t, int> step_seq_;
  std::atomic<int> rotations_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace tripline::fault
