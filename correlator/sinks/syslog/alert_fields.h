#pragma once

#include <string>
#include <string_view>

#include "tripline/v1/alert.pb.h"

namespace tripline::correlator {

// The facts of an alert that CEF and LEEF both carry, gathered once: the alert's own fields and,
// for the rest, the first contributing event (in order) that has each one. Empty means unknown;
// the formats leave unknown keys out.
struct AlertFields {
  std::string src_ip, dst_ip, src_port, dst_port, transport;  // network / HTTP
  std::string src_host, dst_host;  // dst_host: the alert's host (name, else id)
  std::string src_user, dst_user;  // acting user; target account (a service's account)
  std::string src_process, dst_process, src_pid, dst_pid;  // parent / process (or writer)
  std::string file_name, file_path, file_hash;  // file.*, else the process image
  std::string request, request_method, user_agent;  // url path?query, method
  std::string action;  // file/service action (created, installed, ...) or cmdlet name
  std::string techniques, tactics;  // comma-separated
};

AlertFields CollectAlertFields(const v1::Alert& alert);

}  // namespace tripline::correlator

namespace tripline::correlator {

// CEF's dictionary caps most strings at 1023 characters; we cap every value at this many bytes,
// cut on a UTF-8 character boundary, so one long command line cannot outgrow a receiver's
// message size (rsyslog's default maxMessageSize is 8 KiB).
inline constexpr size_t kMaxValueBytes = 1023;

// The longest prefix of `s` of at most `max` bytes that does not split a UTF-8 sequence.
std::string_view Utf8Prefix(std::string_view s, size_t max);

}  // namespace tripline::correlator
