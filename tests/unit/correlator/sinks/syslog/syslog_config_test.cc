// outputs.syslog: defaults, and every problem reported with its line.
#include "correlator/sinks/syslog/syslog_config.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace tripline::correlator {
namespace {

struct Loaded {
  std::optional<SyslogSinkConfig> config;
  std::string errors;
};

Loaded Load(const tripline::testing::TempDir& dir, const std::string& yaml) {
  const std::string path = dir.Write("c.yaml", yaml);
  config::ConfigErrors errors(path);
  YAML::Node root = config::LoadYamlFile(path, &errors);
  config::ConfigNode outputs(&errors, root["outputs"], "outputs");
  Loaded out;
  out.config = ReadSyslogSinkConfig(outputs, dir.path());
  outputs.Finish();
  out.errors = errors.ToString();
  return out;
}

TEST(SyslogConfig, AbsentMeansNoSinkAndDefaultsAreDocumented) {
  tripline::testing::TempDir dir;
  Loaded none = Load(dir, "outputs:\n  jsonl: x\n");
  EXPECT_FALSE(none.config.has_value());
  Loaded l = Load(dir, "outputs:\n  syslog:\n    address: siem.example.com:6514\n");
  ASSERT_TRUE(l.config.has_value());
  EXPECT_EQ(l.errors, "");
  EXPECT_EQ(l.config->host, "siem.example.com");
  EXPECT_EQ(l.config->port, 6514);
  EXPECT_EQ(l.config->transport, SyslogSinkConfig::Transport::kTcp);
  EXPECT_EQ(l.config->format, SyslogSinkConfig::Format::kCef);
  EXPECT_EQ(l.config->facility, 20);  // local4
  EXPECT_EQ(l.config->app_name, "tripline-correlator");
  EXPECT_EQ(l.config->timeout_ms, 10000);
  Loaded v6 = Load(dir, "outputs:\n  syslog: {address: '[::1]:514', transport: tls, "
                        "format: leef, facility: authpriv, ca_file: c.yaml}\n");
  EXPECT_EQ(v6.errors, "");
  EXPECT_EQ(v6.config->host, "::1");
  EXPECT_EQ(v6.config->facility, 10);
  EXPECT_EQ(v6.config->ca_file, dir.File("c.yaml"));  // relative to the config's folder
}

TEST(SyslogConfig, EveryProblemIsListedWithItsLine) {
  tripline::testing::TempDir dir;
  Loaded l = Load(dir,
                  "outputs:\n"
                  "  syslog:\n"
                  "    address: siem:99999\n"             // 3
                  "    transport: udp\n"                  // 4
                  "    format: json\n"                    // 5
                  "    facility: local9\n"                // 6
                  "    app_name: has space\n"             // 7
                  "    ca_file: ca.pem\n"                 // 8: tcp, and missing
                  "    client_cert_file: c.pem\n"         // 9: without a key
                  "    timeout: 5\n");                    // 10: unknown
  const std::string f = dir.File("c.yaml");
  for (const std::string want :
       {f + ":3: outputs.syslog.address: must be host:port", f + ":4: outputs.syslog.transport:",
        f + ":5: outputs.syslog.format: must be cef or leef", f + ":6: outputs.syslog.facility:",
        f + ":7: outputs.syslog.app_name:", f + ":8: outputs.syslog.ca_file: only applies",
        f + ":8: outputs.syslog.ca_file: no such file",
        f + ":9: outputs.syslog.client_cert_file: client_cert_file and client_key_file go",
        f + ":10: outputs.syslog.timeout: unknown key"}) {
    EXPECT_NE(l.errors.find(want), std::string::npos) << want << "\n" << l.errors;
  }
  Loaded missing = Load(dir, "outputs:\n  syslog: {format: cef}\n");
  EXPECT_NE(missing.errors.find(":2: outputs.syslog.address:"), std::string::npos)
      << missing.errors;
}

}  // namespace
}  // namespace tripline::correlator
