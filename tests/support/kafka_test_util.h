#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace tripline::testing {

// The bootstrap address of the ctest fixture broker (TRIPLINE_KAFKA_DIR/bootstrap), or "".
std::string FixtureBootstrap();

// A unique suffix for topic and group names, so tests sharing a broker stay independent.
std::string UniqueSuffix();

struct KafkaRecord {
  std::string key;
  std::string value;
};

// Reads `topic` from the beginning, with a fresh consumer group, until `want` records arrived,
// or `idle` passed without a new record after at least one arrived, or `timeout` passed.
std::vector<KafkaRecord> ConsumeTopic(const std::string& bootstrap, const std::string& topic,
                                      size_t want, std::chrono::milliseconds timeout,
                                      std::chrono::milliseconds idle = std::chrono::seconds(5));
// The same, until `done(record)` returns true (it sees every record as it arrives).
std::vector<KafkaRecord> ConsumeTopicUntil(const std::string& bootstrap, const std::string& topic,
                                           const std::function<bool(const KafkaRecord&)>& done,
                                           std::chrono::milliseconds timeout,
                                           std::chrono::milliseconds idle);

// Produces `records` (key and value) to `topic` and waits until all are acknowledged; false on
// any delivery error.
bool ProduceRecords(const std::string& bootstrap, const std::string& topic,
                    const std::vector<KafkaRecord>& records);

// The offset `group` committed for partition `partition` of `topic` (-1 when none), read without
// joining the group.
int64_t CommittedOffset(const std::string& bootstrap, const std::string& group,
                        const std::string& topic, int32_t partition);

// A broker of a test's own (for tests that kill or stop it), run by scripts/kafka.sh in `dir`.
// The destructor stops it and removes its data.
class PrivateBroker {
 public:
  explicit PrivateBroker(std::string dir);
  ~PrivateBroker();
  bool Start();    // format and start on free ports; false when it did not come up
  void Kill();     // kill -9
  bool Restart();  // start again on the same ports and data
  const std::string& bootstrap() const { return bootstrap_; }

 private:
  std::string dir_;
  std::string bootstrap_;
};

}  // namespace tripline::testing
