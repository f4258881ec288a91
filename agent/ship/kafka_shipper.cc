#include "agent/ship/kafka_shipper.h"

#include <spdlog/spdlog.h>

namespace tripline::agent {

namespace {

const std::map<std::string, std::string>& ProducerDefaults() {
  static const std::map<std::string, std::string> kDefaults = {
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"compression.type", "lz4"},
      {"linger.ms", "50"},
      // The disk spool holds the backlog; librdkafka's queue only needs a few batches in flight.
      {"queue.buffering.max.kbytes", "4096"},
      {"queue.buffering.max.messages", "50000"},
      {"batch.num.messages", "10000"},
      {"message.timeout.ms", "120000"},
      {"client.id", "tripline-agent"},
  };
  return kDefaults;
}

}  // namespace

absl::StatusOr<std::unique_ptr<KafkaShipper>> KafkaShipper::Create(
    const kafka::KafkaSettings& settings, std::string topic) {
  TRIPLINE_ASSIGN_OR_RETURN(kafka::Conf conf, kafka::MakeConf(settings, ProducerDefaults()));
  std::unique_ptr<KafkaShipper> shipper(new KafkaShipper());
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &KafkaShipper::OnDelivery);
  rd_kafka_conf_set_error_cb(conf.get(), &KafkaShipper::OnError);
  rd_kafka_conf_set_opaque(conf.get(), shipper.get());
  TRIPLINE_ASSIGN_OR_RETURN(shipper->producer_, kafka::MakeClient(RD_KAFKA_PRODUCER, std::move(conf)));
  shipper->topic_ = std::move(topic);
  shipper->rkt_ = rd_kafka_topic_new(shipper->producer_.get(), shipper->topic_.c_str(), nullptr);
  return shipper;
}

KafkaShipper::~KafkaShipper() {
  if (main_queue_ != nullptr) rd_kafka_queue_destroy(main_queue_);
  if (rkt_ != nullptr) rd_kafka_topic_destroy(rkt_);
}

void KafkaShipper::OnDelivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  auto* self = static_cast<KafkaShipper*>(opaque);
  auto token = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(msg->_private));
  if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++self->counters_.delivered;
    if (self->sink_ != nullptr) self->sink_->push_back(token);
    return;
  }
  ++self->counters_.errors[rd_kafka_err2name(msg->err)];
  if (self->counters_.errors[rd_kafka_err2name(msg->err)] <= 10) {
    spdlog::warn("delivery failed ({}), the record will be sent again", rd_kafka_err2str(msg->err));
  }
  self->failed_.push_back(Failed{
      std::string(static_cast<const char*>(msg->key), msg->key_len),
      std::string(static_cast<const char*>(msg->payload), msg->len), token,
      rd_kafka_err2str(msg->err)});
}

// Served by rd_kafka_poll() on the owner thread, like delivery reports. librdkafka's reason text
// names the broker and the failure, never a credential (it redacts secret properties itself).
void KafkaShipper::OnError(rd_kafka_t*, int err, const char* reason, void* opaque) {
  auto* self = static_cast<KafkaShipper*>(opaque);
  auto code = static_cast<rd_kafka_resp_err_t>(err);
  uint64_t n = ++self->counters_.client_errors[rd_kafka_err2name(code)];
  if (n > 10 && n % 100 != 0) return;  // a broker refusing every reconnect must not flood the log
  const char* hint = "";
  if (code == RD_KAFKA_RESP_ERR__AUTHENTICATION) {
    hint = " (check kafka.properties sasl.username and the password's file or variable; "
           "records wait in the spool)";
  } else if (code == RD_KAFKA_RESP_ERR__SSL) {
    hint = " (check ssl.ca.location and the client certificate; records wait in the spool)";
  }
  spdlog::error("kafka client error {} [{}x]: {}{}", rd_kafka_err2name(code), n, reason, hint);
}

absl::Status KafkaShipper::Produce(std::string_view key, std::string_view payload,
                                   uint64_t token) {
  rd_kafka_resp_err_t err = rd_kafka_producev(
      producer_.get(), RD_KAFKA_V_RKT(rkt_),
      RD_KAFKA_V_KEY(const_cast<char*>(key.data()), key.size()),
      RD_KAFKA_V_VALUE(const_cast<char*>(payload.data()), payload.size()),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
      RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<uintptr_t>(token))), RD_KAFKA_V_END);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++counters_.produced;
    return absl::OkStatus();
  }
  if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) return absl::ResourceExhaustedError("producer queue full");
  if (err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) {
    ++counters_.rejected;
    ++counters_.errors[rd_kafka_err2name(err)];
    return absl::InvalidArgumentError("record of " + std::to_string(payload.size()) +
                                      " bytes is larger than message.max.bytes allows");
  }
  return kafka::ErrorStatus(err, "produce");
}

void KafkaShipper::Resend() {
  size_t done = 0;
  for (; done < failed_.size(); ++done) {
    const Failed& f = failed_[done];
    if (!Produce(f.key, f.payload, f.token).ok()) break;  // queue full: next poll
    ++counters_.retried;
  }
  failed_.erase(failed_.begin(), failed_.begin() + static_cast<std::ptrdiff_t>(done));
}

void KafkaShipper::Poll(std::chrono::milliseconds timeout, std::vector<uint64_t>* delivered) {
  sink_ = delivered;
  rd_kafka_poll(producer_.get(), static_cast<int>(timeout.count()));
  sink_ = nullptr;
  Resend();
}

size_t KafkaShipper::in_flight() const {
  return static_cast<size_t>(rd_kafka_outq_len(producer_.get())) + failed_.size();
}

void KafkaShipper::NotifyDeliveries(platform::Wakeup* wakeup) {
  if (main_queue_ == nullptr) main_queue_ = rd_kafka_queue_get_main(producer_.get());
  // Called on a librdkafka thread when the queue turns non-empty.
  rd_kafka_queue_cb_event_enable(
      main_queue_, [](rd_kafka_t*, void* w) { static_cast<platform::Wakeup*>(w)->Signal(); },
      wakeup);
}

absl::Status KafkaShipper::FatalError() const {
  char err[512];
  rd_kafka_resp_err_t code = rd_kafka_fatal_error(producer_.get(), err, sizeof err);
  if (code == RD_KAFKA_RESP_ERR_NO_ERROR) return absl::OkStatus();
  return absl::InternalError(std::string("fatal producer error: ") + err);
}

}  // namespace tripline::agent
