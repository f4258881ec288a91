#include "tests/support/kafka_test_util.h"

#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <cstdlib>
#include <random>

#include "tests/support/process.h"

namespace tripline::testing {
namespace {

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

std::string FixtureBootstrap() {
  const char* dir = std::getenv("TRIPLINE_KAFKA_DIR");
  return dir == nullptr ? "" : Trim(ReadFile(std::string(dir) + "/bootstrap"));
}

std::string UniqueSuffix() {
  std::random_device rd;
  return std::to_string(::getpid()) + "-" + std::to_string(rd() % 1000000);
}

bool ProduceRecords(const std::string& bootstrap, const std::string& topic,
                    const std::vector<KafkaRecord>& records) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "linger.ms", "1", err, sizeof err);
  static int failures = 0;
  failures = 0;
  rd_kafka_conf_set_dr_msg_cb(conf, [](rd_kafka_t*, const rd_kafka_message_t* m, void*) {
    if (m->err) ++failures;
  });
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (rk == nullptr) return false;
  for (const KafkaRecord& r : records) {
    rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic.c_str()),
                      RD_KAFKA_V_KEY(const_cast<char*>(r.key.data()), r.key.size()),
                      RD_KAFKA_V_VALUE(const_cast<char*>(r.value.data()), r.value.size()),
                      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
  }
  bool flushed = rd_kafka_flush(rk, 30000) == RD_KAFKA_RESP_ERR_NO_ERROR;
  rd_kafka_destroy(rk);
  return flushed && failures == 0;
}

int64_t CommittedOffset(const std::string& bootstrap, const std::string& group,
                        const std::string& topic, int32_t partition) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "group.id", group.c_str(), err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (rk == nullptr) return -1;
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, topic.c_str(), partition);
  int64_t offset = -1;
  if (rd_kafka_committed(rk, list, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR &&
      list->elems[0].err == RD_KAFKA_RESP_ERR_NO_ERROR && list->elems[0].offset >= 0) {
    offset = list->elems[0].offset;
  }
  rd_kafka_topic_partition_list_destroy(list);
  rd_kafka_destroy(rk);
  return offset;
}

std::vector<KafkaRecord> ConsumeTopic(const std::string& bootstrap, const std::string& topic,
                                      size_t want, std::chrono::milliseconds timeout,
                                      std::chrono::milliseconds idle) {
  size_t seen = 0;
  return ConsumeTopicUntil(
      bootstrap, topic, [&](const KafkaRecord&) { return ++seen >= want; }, timeout, idle);
}

std::vector<KafkaRecord> ConsumeTopicUntil(const std::string& bootstrap, const std::string& topic,
                                           const std::function<bool(const KafkaRecord&)>& done,
                                           std::chrono::milliseconds timeout,
                                           std::chrono::milliseconds idle) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "group.id", ("test-reader-" + UniqueSuffix()).c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "auto.offset.reset", "earliest", err, sizeof err);
  rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_subscribe(rk, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  std::vector<KafkaRecord> out;
  auto now = [] { return std::chrono::steady_clock::now(); };
  auto deadline = now() + timeout;
  auto last = now();
  bool finished = false;
  while (!finished && now() < deadline && (out.empty() || now() - last < idle)) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 200);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      out.push_back({std::string(static_cast<const char*>(m->key), m->key_len),
                     std::string(static_cast<const char*>(m->payload), m->len)});
      finished = done(out.back());
      last = now();
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return out;
}

PrivateBroker::PrivateBroker(std::string dir) : dir_(std::move(dir)) {}

PrivateBroker::~PrivateBroker() {
  std::string cmd = std::string(TRIPLINE_SOURCE_DIR) + "/scripts/kafka.sh stop '" + dir_ + "' >/dev/null 2>&1";
  (void)std::system(cmd.c_str());
}

bool PrivateBroker::Start() {
  std::string cmd = std::string(TRIPLINE_SOURCE_DIR) + "/scripts/kafka.sh start '" + dir_ + "'";
  if (std::system(cmd.c_str()) != 0) return false;
  bootstrap_ = Trim(ReadFile(dir_ + "/bootstrap"));
  return !bootstrap_.empty();
}

void PrivateBroker::Kill() {
  std::string cmd = std::string(TRIPLINE_SOURCE_DIR) + "/scripts/kafka.sh kill '" + dir_ + "'";
  (void)std::system(cmd.c_str());
}

bool PrivateBroker::Restart() {
  std::string cmd = std::string(TRIPLINE_SOURCE_DIR) + "/scripts/kafka.sh restart '" + dir_ + "'";
  return std::system(cmd.c_str()) == 0;
}

}  // namespace tripline::testing
