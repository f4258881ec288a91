#include "correlator/sinks/kafka/kafka_alert_sink.h"

namespace tripline::correlator {

absl::StatusOr<std::unique_ptr<KafkaAlertSink>> KafkaAlertSink::Create(
    const kafka::KafkaSettings& settings, std::string topic) {
  static const std::map<std::string, std::string> kDefaults = {
      {"enable.idempotence", "true"},
      {"linger.ms", "5"},
      {"compression.type", "zstd"},
      {"client.id", "tripline-correlator-alerts"},
  };
  TRIPLINE_ASSIGN_OR_RETURN(kafka::Conf conf, kafka::MakeConf(settings, kDefaults));
  std::unique_ptr<KafkaAlertSink> sink(new KafkaAlertSink());
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &KafkaAlertSink::OnDelivery);
  rd_kafka_conf_set_opaque(conf.get(), sink.get());
  TRIPLINE_ASSIGN_OR_RETURN(sink->producer_, kafka::MakeClient(RD_KAFKA_PRODUCER, std::move(conf)));
  sink->topic_ = std::move(topic);
  return sink;
}

void KafkaAlertSink::OnDelivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) return;
  auto* self = static_cast<KafkaAlertSink*>(opaque);
  self->failed_.emplace_back(std::string(static_cast<const char*>(msg->key), msg->key_len),
                             std::string(static_cast<const char*>(msg->payload), msg->len));
  self->last_error_ = rd_kafka_err2str(msg->err);
}

absl::Status KafkaAlertSink::Write(const v1::Alert& alert, const std::string& ecs_json) {
  return Produce(alert.alert_id(), ecs_json);
}

absl::Status KafkaAlertSink::Produce(const std::string& key, const std::string& value) {
  while (true) {
    rd_kafka_resp_err_t err = rd_kafka_producev(
        producer_.get(), RD_KAFKA_V_TOPIC(topic_.c_str()),
        RD_KAFKA_V_KEY(const_cast<char*>(key.data()), key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) return kafka::ErrorStatus(err, "produce alert");
    rd_kafka_poll(producer_.get(), 100);
  }
}

absl::Status KafkaAlertSink::Flush(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    rd_kafka_resp_err_t err =
        rd_kafka_flush(producer_.get(), static_cast<int>(std::max<int64_t>(left.count(), 0)));
    if (failed_.empty() && err == RD_KAFKA_RESP_ERR_NO_ERROR) return absl::OkStatus();
    if (std::chrono::steady_clock::now() >= deadline) {
      return absl::UnavailableError(
          std::to_string(failed_.size() + static_cast<size_t>(rd_kafka_outq_len(producer_.get()))) +
          " alert(s) not yet delivered to " + topic_ + ": " + last_error_);
    }
    auto failed = std::move(failed_);
    failed_.clear();
    for (const auto& [key, value] : failed) {
      ++resent_;
      TRIPLINE_RETURN_IF_ERROR(Produce(key, value));
    }
  }
}

}  // namespace tripline::correlator
