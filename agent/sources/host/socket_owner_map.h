#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

namespace tripline::agent {

// Socket inode → owning pid, from the `socket:[inode]` links under /proc/<pid>/fd.
//
// Rebuilding walks every process's descriptors, so it is the expensive part of the network
// source: the owner calls Rebuild() at most once per scan and only when a new connection's inode
// is missing. A socket shared by several processes (inherited) maps to the lowest pid seen.
// Walks stop after `max_links` descriptors (counted in truncated_rebuilds()).
//
// Thread: one owner; not thread-safe.
class SocketOwnerMap {
 public:
  SocketOwnerMap(std::string proc_root, size_t max_links);

  void Rebuild();
  // 0 when unknown.
  int64_t Find(uint64_t inode) const;

  size_t size() const { return owners_.size(); }
  uint64_t rebuilds() const { return rebuilds_; }
  uint64_t truncated_rebuilds() const { return truncated_rebuilds_; }

 private:
  // Adds the sockets of one process; returns false once the link budget is spent.
  bool AddProcess(int64_t pid, size_t& links);

  std::string root_;
  size_t max_links_;
  std::unordered_map<uint64_t, int64_t> owners_;
  uint64_t rebuilds_ = 0;
  uint64_t truncated_rebuilds_ = 0;
};

}  // namespace tripline::agent
