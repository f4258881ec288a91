#include "correlator/consumer/event_consumer.h"

#include <spdlog/spdlog.h>

namespace tripline::correlator {
void EventConsumer::OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  auto* self = static_cast<EventConsumer*>(opaque);
  ++self->rebalances_;
  std::vector<int32_t> ids;
  std::string parts;
  for (int i = 0; i < partitions->cnt; ++i) {
    ids.push_back(partitions->elems[i].partition);
    parts += (i ? "," : "") + std::to_string(partitions->elems[i].partition);
  }
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    spdlog::info("assigned partitions [{}]", parts);
    if (self->listener_ != nullptr) {
      std::vector<int64_t> start = self->listener_->OnAssigned(ids);
      for (int i = 0; i < partitions->cnt && static_cast<size_t>(i) < start.size(); ++i) {
        if (start[static_cast<size_t>(i)] >= 0) partitions->elems[i].offset = start[static_cast<size_t>(i)];
      }
    }
    rd_kafka_assign(rk, partitions);
  } else {
    spdlog::info("revoked partitions [{}]", parts);
    if (self->listener_ != nullptr) self->listener_->OnRevoked(ids);  // checkpoints and commits
    rd_kafka_assign(rk, nullptr);
  }
}

absl::StatusOr<std::unique_ptr<EventConsumer>> EventConsumer::Create(
    const kafka::KafkaSettings& settings, const std::string& group_id, const std::string& topic,
    PartitionListener* listener) {
  static const std::map<std::string, std::string> kDefaults = {
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", "earliest"},
      {"enable.partition.eof", "false"},
      {"client.id", "tripline-correlator"},
      {"session.timeout.ms", "10000"},
      {"heartbeat.interval.ms", "1000"},
  };
  TRIPLINE_ASSIGN_OR_RETURN(kafka::Conf conf, kafka::MakeConf(settings, kDefaults));
  char err[512];
  if (rd_kafka_conf_set(conf.get(), "group.id", group_id.c_str(), err, sizeof err) !=
      RD_KAFKA_CONF_OK) {
    return absl::InvalidArgumentError(std::string("group.id: ") + err);
  }
  rd_kafka_conf_set_rebalance_cb(conf.get(), &EventConsumer::OnRebalance);
  std::unique_ptr<EventConsumer> c(new EventConsumer());
  c->topic_ = topic;
  c->listener_ = listener;
  rd_kafka_conf_set_opaque(conf.get(), c.get());
  TRIPLINE_ASSIGN_OR_RETURN(c->consumer_, kafka::MakeClient(RD_KAFKA_CONSUMER, std::move(conf)));
  rd_kafka_poll_set_consumer(c->consumer_.get());
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t e = rd_kafka_subscribe(c->consumer_.get(), topics);
  rd_kafka_topic_partition_list_destroy(topics);
  TRIPLINE_RETURN_IF_ERROR(kafka::ErrorStatus(e, "subscribe to " + topic));
  return c;
}

EventConsumer::~EventConsumer() { Close(); }

std::vector<Message> EventConsumer::PollBatch(size_t max, std::chrono::milliseconds timeout) {
  std::vector<Message> out;
  int wait = static_cast<int>(timeout.count());
  uint64_t rebalances = rebalances_;
  while (out.size() < max) {
    Message m(rd_kafka_consumer_poll(consumer_.get(), out.empty() ? wait : 0));
    if (rebalances_ != rebalances) {
      out.clear();
      rebalances = rebalances_;
    }
    if (!m) break;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        ++errors_;
        spdlog::warn("consumer: {}", rd_kafka_message_errstr(m.get()));
      }
      continue;
    }
    out.push_back(std::move(m));
  }
  return out;
}

absl::Status EventConsumer::CommitOffsets(
    const std::vector<std::pair<int32_t, int64_t>>& offsets) {
  if (offsets.empty()) return absl::OkStatus();
  rd_kafka_topic_partition_list_t* list =
      rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size()));
  for (const auto& [partition, offset] : offsets) {
    rd_kafka_topic_partition_list_add(list, topic_.c_str(), partition)->offset = offset;
  }
  rd_kafka_resp_err_t e = rd_kafka_commit(consumer_.get(), list, 0);
  rd_kafka_topic_partition_list_destroy(list);
  return kafka::ErrorStatus(e, "commit offsets");
}

void EventConsumer::Close() {
  if (closed_ || !consumer_) return;
  closed_ = true;
  rd_kafka_consumer_close(consumer_.get());  // revokes: the listener checkpoints and commits
}

}  // namespace tripline::correlator
