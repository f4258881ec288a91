#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tripline::agent {

// TCP states as /proc/net/tcp prints them (include/net/tcp_states.h).
enum class TcpState : uint8_t {
  kEstablished = 0x01,
  kSynSent = 0x02,
  kListen = 0x0A,
  kOther = 0xFF,
};

// One row of /proc/net/tcp or /proc/net/tcp6.
struct TcpSocket {
  std::string local_ip;  // printable; v4-mapped IPv6 addresses as plain IPv4
  uint16_t local_port = 0;
  std::string remote_ip;
  uint16_t remote_port = 0;
  TcpState state = TcpState::kOther;
  int64_t uid = -1;
  uint64_t inode = 0;  // 0: no owning socket file (orphaned)
  bool v6 = false;
};

// Parses the text of /proc/net/tcp and /proc/net/tcp6.
//
// Addresses are hex words in the kernel's byte order (IPv4: one 32-bit word, "0100007F" is
// 127.0.0.1 on little-endian hosts; IPv6: four 32-bit words); ports are plain hex. Stateless;
// any thread.
class ProcNetTable {
 public:
  // Rows that parse; malformed rows are counted in `bad_rows` (may be null) and skipped.
  static std::vector<TcpSocket> Parse(std::string_view text, bool v6, uint64_t* bad_rows);
  static std::optional<TcpSocket> ParseRow(std::string_view row, bool v6);
  // "0100007F" or a 32-hex-digit IPv6 word group → printable address; nullopt when malformed.
  static std::optional<std::string> ParseAddress(std::string_view hex);
};

}  // namespace tripline::agent
