#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/config/config_node.h"
#include "common/status.h"

namespace tripline::kafka {

// The `kafka:` section shared by the agent and the correlator. TLS, mTLS and SASL are librdkafka
// properties (security.protocol, ssl.*, sasl.*), not code branches.
struct KafkaSettings {
  std::string brokers;
  std::map<std::string, std::string> properties;  // passed to librdkafka as they are
  // Properties whose values came from a file or the environment (`sasl.password: {file: ...}`).
  // Passed to librdkafka like the others; never logged, never part of an error message.
  std::map<std::string, std::string> secrets;
};

// Reads `brokers` and `properties` from `node` (the caller reads its own topic keys). A property
// value is a scalar, or `{file: /path}` / `{env: NAME}` (config::ReadSecret). Secret properties
// (sasl.password, ssl.key.password, ...) must come from a file or the environment: written in
// the YAML they are an error. Key, certificate and CA files named by ssl.*.location are checked
// for existence and safe permissions (config::CheckFileSafety).
KafkaSettings ReadKafkaSettings(config::ConfigNode& node);

// Whether librdkafka property `name` holds a secret that must not be written in a config file.
bool IsSecretProperty(const std::string& name);

struct HandleDeleter {
  void operator()(rd_kafka_t* rk) const;
};
using Handle = std::unique_ptr<rd_kafka_t, HandleDeleter>;

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
using Conf = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;

// Builds a librdkafka configuration: `defaults` first, then the user's properties over them, then
// bootstrap.servers. An unknown or invalid property is an error naming it.
absl::StatusOr<Conf> MakeConf(const KafkaSettings& settings,
                              const std::map<std::string, std::string>& defaults);

// Creates a client of `type` from `conf` (ownership of conf passes to the handle on success).
absl::StatusOr<Handle> MakeClient(rd_kafka_type_t type, Conf conf);

// Creates the topics that do not exist yet (Admin API). Existing topics are left alone.
absl::Status EnsureTopics(rd_kafka_t* rk, const std::vector<std::string>& topics, int partitions,
                          std::chrono::milliseconds timeout);

// A librdkafka error code as a status, prefixed with `what`.
absl::Status ErrorStatus(rd_kafka_resp_err_t err, const std::string& what);

}  // namespace tripline::kafka
