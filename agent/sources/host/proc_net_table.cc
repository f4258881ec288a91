#include "agent/sources/host/proc_net_table.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace tripline::agent {
namespace {

bool ParseHex32(std::string_view hex, uint32_t& out) {
  if (hex.size() != 8) return false;
  auto [ptr, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), out, 16);
  return ec == std::errc() && ptr == hex.data() + hex.size();
}

// "ADDR:PORT" → (address, port).
bool ParseEndpoint(std::string_view text, std::string& ip, uint16_t& port) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) return false;
  auto addr = ProcNetTable::ParseAddress(text.substr(0, colon));
  std::string_view port_hex = text.substr(colon + 1);
  auto [ptr, ec] = std::from_chars(port_hex.data(), port_hex.data() + port_hex.size(), port, 16);
  if (!addr || ec != std::errc() || ptr != port_hex.data() + port_hex.size()) return false;
  ip = std::move(*addr);
  return true;
}

std::vector<std::string_view> Words(std::string_view row) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos < row.size()) {
    size_t start = row.find_first_not_of(" \t", pos);
    if (start == std::string_view::npos) break;
    size_t end = row.find_first_of(" \t", start);
    if (end == std::string_view::npos) end = row.size();
    out.push_back(row.substr(start, end - start));
    pos = end;
  }
  return out;
}

TcpState StateOf(uint32_t code) {
  switch (code) {
    case 0x01: return TcpState::kEstablished;
    case 0x02: return TcpState::kSynSent;
    case 0x0A: return TcpState::kListen;
    default: return TcpState::kOther;
  }
}

}  // namespace

std::optional<std::string> ProcNetTable::ParseAddress(std::string_view hex) {
  char buf[INET6_ADDRSTRLEN];
  if (hex.size() == 8) {
    uint32_t word = 0;
    if (!ParseHex32(hex, word)) return std::nullopt;
    in_addr a{};
    std::memcpy(&a, &word, sizeof(word));  // the kernel printed the raw word in host order
    return std::string(::inet_ntop(AF_INET, &a, buf, sizeof(buf)));
  }
  if (hex.size() != 32) return std::nullopt;
  in6_addr a{};
  for (int i = 0; i < 4; ++i) {
    uint32_t word = 0;
    if (!ParseHex32(hex.substr(static_cast<size_t>(i) * 8, 8), word)) return std::nullopt;
    std::memcpy(reinterpret_cast<char*>(&a) + i * 4, &word, sizeof(word));
  }
  if (IN6_IS_ADDR_V4MAPPED(&a)) {
    in_addr v4{};
    std::memcpy(&v4, reinterpret_cast<const char*>(&a) + 12, 4);
    return std::string(::inet_ntop(AF_INET, &v4, buf, sizeof(buf)));
  }
  return std::string(::inet_ntop(AF_INET6, &a, buf, sizeof(buf)));
}

std::optional<TcpSocket> ProcNetTable::ParseRow(std::string_view row, bool v6) {
  // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
  std::vector<std::string_view> w = Words(row);
  if (w.size() < 10 || w[0].empty() || w[0].back() != ':') return std::nullopt;
  TcpSocket s;
  s.v6 = v6;
  uint32_t state = 0;
  auto st = std::from_chars(w[3].data(), w[3].data() + w[3].size(), state, 16);
  auto uid = std::from_chars(w[7].data(), w[7].data() + w[7].size(), s.uid);
  auto ino = std::from_chars(w[9].data(), w[9].data() + w[9].size(), s.inode);
  if (!ParseEndpoint(w[1], s.local_ip, s.local_port) ||
      !ParseEndpoint(w[2], s.remote_ip, s.remote_port) || st.ec != std::errc() ||
      uid.ec != std::errc() || ino.ec != std::errc()) {
    return std::nullopt;
  }
  s.state = StateOf(state);
  return s;
}

std::vector<TcpSocket> ProcNetTable::Parse(std::string_view text, bool v6, uint64_t* bad_rows) {
  std::vector<TcpSocket> out;
  size_t pos = text.find('\n');  // the first line is the column header
  while (pos != std::string_view::npos && pos + 1 < text.size()) {
    size_t end = text.find('\n', pos + 1);
    std::string_view row =
        text.substr(pos + 1, end == std::string_view::npos ? std::string_view::npos : end - pos - 1);
    pos = end;
    if (row.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    if (auto s = ParseRow(row, v6)) {
      out.push_back(std::move(*s));
    } else if (bad_rows != nullptr) {
      ++*bad_rows;
    }
  }
  return out;
}

}  // namespace tripline::agent
