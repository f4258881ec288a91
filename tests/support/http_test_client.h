#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

// A deliberately dumb blocking HTTP/1.1 client over a raw loopback socket, so the server under
// test is not checked against its own library. Every wait is bounded by a deadline (poll), so a
// broken server fails the test instead of hanging it.
//
// Lifecycle: one connection per object, closed by the destructor. One thread.
namespace tripline::testing {

struct TestResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

class TestHttpClient {
 public:
  static constexpr std::chrono::milliseconds kDefaultWait{5000};

  explicit TestHttpClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~TestHttpClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  TestHttpClient(const TestHttpClient&) = delete;
  TestHttpClient& operator=(const TestHttpClient&) = delete;

  bool connected() const { return connected_; }

  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  static std::string Request(std::string_view method, std::string_view path,
                             std::string_view extra_headers = "") {
    return std::string(method) + " " + std::string(path) +
           " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + std::string(extra_headers) + "\r\n";
  }

  // Reads one complete response (Content-Length framed); nullopt if the connection closed, was
  // reset or stayed silent past `wait` first.
  std::optional<TestResponse> ReadResponse(std::chrono::milliseconds wait = kDefaultWait) {
    auto deadline = std::chrono::steady_clock::now() + wait;
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(deadline)) return std::nullopt;
    }
    TestResponse response;
    std::string head = buffer_.substr(0, end + 2);
    buffer_.erase(0, end + 4);
    if (head.size() < 12 || head.compare(0, 5, "HTTP/") != 0) return std::nullopt;
    response.status = std::stoi(head.substr(9, 3));
    for (size_t pos = head.find("\r\n") + 2; pos < head.size();) {
      size_t eol = head.find("\r\n", pos);
      std::string line = head.substr(pos, eol - pos);
      pos = eol + 2;
      size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      size_t value_start = line.find_first_not_of(' ', colon + 1);
      response.headers[name] = value_start == std::string::npos ? "" : line.substr(value_start);
    }
    size_t length = std::stoul(response.headers.count("content-length") > 0
                                   ? response.headers["content-length"]
                                   : std::string("0"));
    while (buffer_.size() < length) {
      if (!Fill(deadline)) return std::nullopt;
    }
    response.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return response;
  }

  // True when the server closes (EOF or reset) within `wait`, discarding anything it sends.
  bool WaitClosed(std::chrono::milliseconds wait = kDefaultWait) {
    auto deadline = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!Fill(deadline)) return !timed_out_;
    }
    return false;
  }

 private:
  // Appends what arrives before `deadline`. False on EOF, error or timeout.
  bool Fill(std::chrono::steady_clock::time_point deadline) {
    timed_out_ = false;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd pfd{fd_, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) {
      timed_out_ = true;
      return false;
    }
    char chunk[4096];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  bool timed_out_ = false;
  std::string buffer_;
};

// One sample of a Prometheus /metrics page on `port`: `sample` is the name with its labels as
// rendered (`tripline_correlator_worker_events_total{worker="0"}`); -1 when absent or unreachable.
inline double ScrapeMetric(uint16_t port, const std::string& sample) {
  TestHttpClient client(port);
  if (!client.connected() || !client.Send(TestHttpClient::Request("GET", "/metrics"))) return -1;
  auto response = client.ReadResponse();
  if (!response) return -1;
  std::string body = "\n" + response->body;
  size_t at = body.find("\n" + sample + " ");
  if (at == std::string::npos) return -1;
  return std::stod(body.substr(at + sample.size() + 2));
}

}  // namespace tripline::testing
