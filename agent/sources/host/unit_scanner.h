#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace tripline::agent {

// One installed service as the files on disk describe it.
struct ServiceUnit {
  std::string type;        // "systemd" or "sysv"
  std::string name;        // foo.service, or the init script's name
  std::string path;        // the unit file or script that defines it
  std::string sha256;      // over the unit file and its drop-ins (or the script)
  std::string start_type;  // enabled, disabled, static, masked (systemd); enabled, disabled (sysv)
  std::string user;        // User= ("" = root)
  std::string executable;  // ExecStart's program, or the script
  std::string exec_start;  // the whole first ExecStart= line
  std::string wanted_by;
  std::string description;

  // Baseline key: type and name (a SysV script and a unit may share a name).
  std::string key() const { return type + ":" + name; }
};

// Finds the services defined on disk: `*.service` files in the systemd unit folders (the first
// folder that defines a name wins, as systemd's precedence /etc > /run > /lib does), their
// drop-ins (`<name>.d/*.conf`, every folder, by file name), the enablement links in `*.wants/`
// and `*.requires/`, and SysV scripts in the init.d folders with their `../rc?.d/S*` links.
//
// Bounded: unit files and scripts are read up to 1 MiB each. Missing folders are empty.
// Stateless between scans; one owner; any thread.
class UnitScanner {
 public:
  UnitScanner(std::vector<std::string> unit_dirs, std::vector<std::string> sysv_dirs);

  // Every service found, by key(). `bytes` (may be null) adds the bytes read.
  std::map<std::string, ServiceUnit> Scan(uint64_t* bytes) const;

 private:
  void ScanSystemd(std::map<std::string, ServiceUnit>& out, uint64_t& bytes) const;
  void ScanSysv(const std::string& dir, std::map<std::string, ServiceUnit>& out,
                uint64_t& bytes) const;
  // Names linked from *.wants / *.requires folders.
  std::set<std::string> EnabledUnits() const;
  ServiceUnit ReadUnit(const std::string& dir, const std::string& name, uint64_t& bytes,
                       const std::set<std::string>& enabled) const;

  std::vector<std::string> unit_dirs_;
  std::vector<std::string> sysv_dirs_;
};

}  // namespace tripline::agent
