#include "agent/sources/host/proc_connector.h"

#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tripline::agent {
namespace {

constexpr int kReceiveBuffer = 4 * 1024 * 1024;
constexpr size_t kDatagramBytes = 8192;

absl::Status Errno(const char* what) {
  return absl::UnavailableError(std::string("proc connector: ") + what + ": " +
                                std::strerror(errno));
}

}  // namespace

ProcConnector::~ProcConnector() {
  if (fd_ < 0) return;
  (void)SendControl(PROC_CN_MCAST_IGNORE);
  ::close(fd_);
}

absl::Status ProcConnector::SendControl(int op) {
  alignas(nlmsghdr) char buf[NLMSG_SPACE(sizeof(cn_msg) + sizeof(int))] = {};
  auto* nl = reinterpret_cast<nlmsghdr*>(buf);
  auto* cn = static_cast<cn_msg*>(NLMSG_DATA(nl));
  nl->nlmsg_len = NLMSG_LENGTH(sizeof(cn_msg) + sizeof(int));
  nl->nlmsg_type = NLMSG_DONE;
  nl->nlmsg_pid = 0;
  cn->id.idx = CN_IDX_PROC;
  cn->id.val = CN_VAL_PROC;
  cn->seq = ++seq_;
  cn->ack = seq_;  // the kernel answers with ack + 1 (it does not echo seq on every version)
  cn->len = sizeof(int);
  std::memcpy(cn->data, &op, sizeof(int));
  if (::send(fd_, buf, nl->nlmsg_len, 0) < 0) return Errno("send");
  return absl::OkStatus();
}

absl::Status ProcConnector::Open(std::chrono::milliseconds ack_timeout) {
  seq_ = static_cast<uint32_t>(::getpid()) << 8;  // acks are multicast: tell ours from others'
  fd_ = ::socket(PF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_CONNECTOR);
  if (fd_ < 0) return Errno("socket");
  auto fail = [this](absl::Status st) {
    ::close(fd_);
    fd_ = -1;
    return st;
  };
  // A large buffer makes ENOBUFS rare under fork storms; FORCE needs CAP_NET_ADMIN, which we have
  // if the subscription can work at all.
  if (::setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &kReceiveBuffer, sizeof(int)) != 0) {
    (void)::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &kReceiveBuffer, sizeof(int));
  }
  sockaddr_nl addr{};
  addr.nl_family = AF_NETLINK;
  addr.nl_groups = CN_IDX_PROC;
  addr.nl_pid = 0;  // the kernel picks a port id
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return fail(Errno("bind"));
  if (absl::Status st = SendControl(PROC_CN_MCAST_LISTEN); !st.ok()) return fail(st);
  auto deadline = std::chrono::steady_clock::now() + ack_timeout;
  char buf[kDatagramBytes];
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return fail(absl::UnavailableError("proc connector: no acknowledgement"));
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      if (errno == ENOBUFS) {
        early_.overflowed = true;
        continue;
      }
      return fail(Errno("recv"));
    }
    int err = -1;
    if (Parse(buf, static_cast<size_t>(n), early_, &err)) {
      if (err != 0) {
        errno = err;
        return fail(Errno("subscribe"));
      }
      return absl::OkStatus();
    }
  }
}

bool ProcConnector::Parse(const char* data, size_t len, ProcConnectorBatch& batch, int* ack_err) {
  bool acked = false;
  size_t left = len;
  for (auto* nl = reinterpret_cast<const nlmsghdr*>(data); NLMSG_OK(nl, left);
       nl = NLMSG_NEXT(nl, left)) {
    if (nl->nlmsg_type == NLMSG_NOOP || nl->nlmsg_type == NLMSG_ERROR) continue;
    if (nl->nlmsg_len < NLMSG_LENGTH(sizeof(cn_msg) + sizeof(proc_event))) continue;
    const auto* cn = static_cast<const cn_msg*>(NLMSG_DATA(nl));
    if (cn->id.idx != CN_IDX_PROC || cn->id.val != CN_VAL_PROC) continue;
    proc_event ev;
    std::memcpy(&ev, cn->data, sizeof(ev));
    if (ev.what == proc_event::PROC_EVENT_EXEC) {
      batch.exec_pids.push_back(ev.event_data.exec.process_tgid);
    } else if (ev.what == proc_event::PROC_EVENT_NONE && ack_err != nullptr &&
               cn->ack == seq_ + 1) {
      *ack_err = static_cast<int>(ev.event_data.ack.err);
      acked = true;
    }
  }
  return acked;
}

ProcConnectorBatch ProcConnector::Drain(size_t max_datagrams) {
  ProcConnectorBatch batch = std::move(early_);
  early_ = ProcConnectorBatch{};
  if (fd_ < 0) return batch;
  char buf[kDatagramBytes];
  for (size_t i = 0; i < max_datagrams; ++i) {
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == ENOBUFS) {
        batch.overflowed = true;
        continue;
      }
      batch.drained = errno == EAGAIN || errno == EWOULDBLOCK;
      break;
    }
    batch.bytes += static_cast<size_t>(n);
    Parse(buf, static_cast<size_t>(n), batch, nullptr);
  }
  return batch;
}

}  // namespace tripline::agent
