#include "common/kafka/kafka_client.h"

#include <spdlog/spdlog.h>

#include <optional>
#include <set>

#include "common/config/secrets.h"

namespace tripline::kafka {

void HandleDeleter::operator()(rd_kafka_t* rk) const {
  if (rk != nullptr) rd_kafka_destroy(rk);
}

bool IsSecretProperty(const std::string& name) {
  static const std::set<std::string> kSecret = {
      "sasl.password",  "ssl.key.password", "ssl.keystore.password", "ssl.key.pem",
      "sasl.oauthbearer.client.secret"};
  return kSecret.count(name) != 0;
}

namespace {

// librdkafka properties naming files whose permissions are checked at load ("probe" asks
// librdkafka to look in the system's usual places).
std::optional<config::FileRole> FileProperty(const std::string& name) {
  if (name == "ssl.key.location" || name == "ssl.keystore.location" ||
      name == "sasl.kerberos.keytab") {
    return config::FileRole::kSecret;
  }
  if (name == "ssl.ca.location" || name == "ssl.certificate.location" ||
      name == "ssl.crl.location") {
    return config::FileRole::kTrusted;
  }
  return std::nullopt;
}

}  // namespace

KafkaSettings ReadKafkaSettings(config::ConfigNode& node) {
  KafkaSettings s;
  s.brokers = node.RequiredString("brokers");
  if (node.Has("properties") && !node.IsMapping("properties")) {
    (void)node.StringMap("properties");  // reports "expected a mapping"
    return s;
  }
  config::ConfigNode props = node.Child("properties");
  for (const std::string& key : props.Keys()) {
    if (props.IsMapping(key)) {
      if (auto value = config::ReadSecret(props.Child(key))) s.secrets[key] = *std::move(value);
      continue;
    }
    std::string value = props.String(key);
    if (IsSecretProperty(key)) {
      props.Error(key, "a secret must not be written in the config file: give {file: /path} "
                       "(a file only the service account reads) or {env: VARIABLE} instead");
      continue;
    }
    if (auto role = FileProperty(key); role && value != "probe") {
      config::CheckFileKey(props, key, value, *role);
    }
    s.properties[key] = std::move(value);
  }
  props.Finish();
  return s;
}

namespace {

// librdkafka's own log lines go through spdlog, so they share the binary's format (text or JSON).
void OnLog(const rd_kafka_t* rk, int level, const char* fac, const char* buf) {
  spdlog::level::level_enum lvl = level <= 3   ? spdlog::level::err
                                  : level == 4 ? spdlog::level::warn
                                  : level <= 6 ? spdlog::level::info
                                               : spdlog::level::debug;
  spdlog::log(lvl, "kafka {} {}: {}", rd_kafka_name(rk), fac, buf);
}

}  // namespace

absl::StatusOr<Conf> MakeConf(const KafkaSettings& settings,
                              const std::map<std::string, std::string>& defaults) {
  Conf conf(rd_kafka_conf_new());
  rd_kafka_conf_set_log_cb(conf.get(), OnLog);
  char err[512];
  auto set = [&](const std::string& k, const std::string& v) -> absl::Status {
    if (rd_kafka_conf_set(conf.get(), k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      return absl::InvalidArgumentError("kafka property " + k + ": " + err);
    }
    return absl::OkStatus();
  };
  for (const auto& [k, v] : defaults) TRIPLINE_RETURN_IF_ERROR(set(k, v));
  for (const auto& [k, v] : settings.properties) TRIPLINE_RETURN_IF_ERROR(set(k, v));
  for (const auto& [k, v] : settings.secrets) {
    // librdkafka quotes a rejected value in its message: name the property, never the value.
    if (rd_kafka_conf_set(conf.get(), k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      return absl::InvalidArgumentError("kafka property " + k +
                                        ": librdkafka rejected the value read for it");
    }
  }
  TRIPLINE_RETURN_IF_ERROR(set("bootstrap.servers", settings.brokers));
  return conf;
}

absl::StatusOr<Handle> MakeClient(rd_kafka_type_t type, Conf conf) {
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), err, sizeof err);
  if (rk == nullptr) return absl::InvalidArgumentError(std::string("kafka client: ") + err);
  conf.release();  // owned by rk now
  return Handle(rk);
}

absl::Status ErrorStatus(rd_kafka_resp_err_t err, const std::string& what) {
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return absl::OkStatus();
  return absl::UnavailableError(what + ": " + rd_kafka_err2str(err));
}

absl::Status EnsureTopics(rd_kafka_t* rk, const std::vector<std::string>& topics, int partitions,
                          std::chrono::milliseconds timeout) {
  if (topics.empty()) return absl::OkStatus();
  char err[512];
  std::vector<rd_kafka_NewTopic_t*> news;
  for (const auto& t : topics) {
    news.push_back(rd_kafka_NewTopic_new(t.c_str(), partitions, -1, err, sizeof err));
    if (news.back() == nullptr) {
      for (auto* n : news) rd_kafka_NewTopic_destroy(n);
      return absl::InvalidArgumentError("topic " + t + ": " + err);
    }
  }
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
  rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_operation_timeout(options, static_cast<int>(timeout.count()), err,
                                              sizeof err);
  rd_kafka_CreateTopics(rk, news.data(), news.size(), options, queue);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(queue, static_cast<int>(timeout.count()) + 1000);
  absl::Status status = absl::OkStatus();
  if (ev == nullptr) {
    status = absl::DeadlineExceededError("creating topics timed out");
  } else if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    status = absl::UnavailableError(std::string("creating topics: ") +
                                    rd_kafka_event_error_string(ev));
  } else {
    const rd_kafka_CreateTopics_result_t* res = rd_kafka_event_CreateTopics_result(ev);
    size_t n = 0;
    const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(res, &n);
    for (size_t i = 0; i < n; ++i) {
      rd_kafka_resp_err_t e = rd_kafka_topic_result_error(results[i]);
      if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
        spdlog::info("created topic {} ({} partitions)", rd_kafka_topic_result_name(results[i]),
                     partitions);
      } else if (e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        status = absl::UnavailableError(std::string("creating topic ") +
                                        rd_kafka_topic_result_name(results[i]) + ": " +
                                        rd_kafka_err2str(e));
      }
    }
  }
  if (ev != nullptr) rd_kafka_event_destroy(ev);
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_queue_destroy(queue);
  for (auto* n : news) rd_kafka_NewTopic_destroy(n);
  return status;
}

}  // namespace tripline::kafka
