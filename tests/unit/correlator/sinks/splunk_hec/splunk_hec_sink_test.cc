#include "correlator/sinks/splunk_hec/splunk_hec_sink.h"

#include <gtest/gtest.h>

#include <deque>
#include <nlohmann/json.hpp>
#include <regex>

namespace tripline::correlator {
namespace {

using namespace std::chrono_literals;

// A scripted HEC receiver: records every request and answers from a queue (200 Success when the
// queue is empty). No sockets: the sink's protocol logic is what is under test here.
class FakeHec final : public http::HttpClient {
 public:
  struct Call {
    std::string method, target, body;
    std::map<std::string, std::string> headers;
  };
  FakeHec() : http::HttpClient(http::HttpClientOptions{}) {}

  absl::StatusOr<http::HttpResponse> Request(
      const std::string& method, const std::string& target, const std::string& body,
      const std::map<std::string, std::string>& headers) override {
    calls.push_back({method, target, body, headers});
    if (!replies.empty()) {
      auto r = replies.front();
      replies.pop_front();
      return r;
    }
    if (target == "/services/collector/ack") {  // ids from ack_from on are acknowledged
      nlohmann::json acks = nlohmann::json::object();
      const nlohmann::json query = nlohmann::json::parse(body);
      for (uint64_t id : query["acks"]) acks[std::to_string(id)] = id >= ack_from;
      return http::HttpResponse{200, nlohmann::json{{"acks", acks}}.dump(), {}};
    }
    return http::HttpResponse{
        200, R"({"text":"Success","code":0,"ackId":)" + std::to_string(next_ack_id++) + "}", {}};
  }
  void Reply(int status, std::string body) { replies.push_back(http::HttpResponse{status, body, {}}); }
  void FailTransport() { replies.push_back(absl::UnavailableError("connection refused")); }
  // The alert ids in an event request's body, in order.
  static std::vector<std::string> Ids(const Call& c) {
    std::vector<std::string> ids;
    size_t pos = 0;
    while (pos < c.body.size()) {
      size_t end = c.body.find('\n', pos);
      if (end == std::string::npos) end = c.body.size();
      ids.push_back(nlohmann::json::parse(c.body.substr(pos, end - pos))["event"]["id"]);
      pos = end + 1;
    }
    return ids;
  }
  std::vector<Call> EventCalls() const {
    std::vector<Call> out;
    for (const auto& c : calls) {
      if (c.target == "/services/collector/event") out.push_back(c);
    }
    return out;
  }

  std::vector<Call> calls;
  std::deque<absl::StatusOr<http::HttpResponse>> replies;  // scripted first, then the defaults
  uint64_t next_ack_id = 0;
  uint64_t ack_from = 0;
};

class SplunkHecSinkTest : public ::testing::Test {
 protected:
  void Make(bool ack = false, size_t batch_max_bytes = 1'000'000) {
    config_.url = "http://127.0.0.1:8088";
    config_.token = "11111111-2222-3333-4444-555555555555";
    config_.token_from = "token_file /etc/tripline/hec.token";
    config_.index = "security";
    config_.ack = ack;
    config_.ack_timeout = 5s;
    config_.batch_max_bytes = batch_max_bytes;
    auto fake = std::make_unique<FakeHec>();
    hec_ = fake.get();
    SplunkHecSink::Clock clock{[this] { return now_; },
                               [this](std::chrono::milliseconds d) { now_ += d; }};
    sink_ = SplunkHecSink::CreateWith(config_, std::move(fake), clock);
  }
  v1::Alert Alert(int i) {
    v1::Alert a;
    a.set_alert_id("al-" + std::to_string(i));
    a.mutable_rule()->set_id("r1");
    a.mutable_host()->set_name("EXCH01");
    return a;
  }
  void WriteAlerts(int from, int to) {
    for (int i = from; i < to; ++i) ASSERT_TRUE(sink_->Write(Alert(i), "{}").ok());
  }

  SplunkHecConfig config_;
  FakeHec* hec_ = nullptr;
  std::chrono::steady_clock::time_point now_{};
  std::unique_ptr<SplunkHecSink> sink_;
};

TEST_F(SplunkHecSinkTest, SendsConcatenatedEnvelopesCutAtTheByteLimitWithTheToken) {
  Make(false, 1024);
  WriteAlerts(0, 20);
  ASSERT_TRUE(sink_->Flush(1s).ok());
  auto calls = hec_->EventCalls();
  ASSERT_GT(calls.size(), 1u);
  std::vector<std::string> all;
  for (const auto& c : calls) {
    EXPECT_EQ(c.method, "POST");
    EXPECT_LE(c.body.size(), 1024u);
    EXPECT_EQ(c.body.front(), '{');  // envelopes, not a JSON array
    EXPECT_EQ(c.headers.at("Authorization"), "Splunk " + config_.token);
    EXPECT_EQ(c.headers.count("X-Splunk-Request-Channel"), 0u);  // ack off
    for (auto& id : FakeHec::Ids(c)) all.push_back(id);
  }
  ASSERT_EQ(all.size(), 20u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(all[i], "al-" + std::to_string(i));
  EXPECT_EQ(sink_->counters().sent, 20u);
}

TEST_F(SplunkHecSinkTest, InvalidEventNumberDeadLettersThatEventAndResendsOnlyTheRest) {
  Make();
  WriteAlerts(0, 5);
  hec_->Reply(400, R"({"text":"Invalid data format","code":6,"invalid-event-number":2})");
  ASSERT_TRUE(sink_->Flush(1s).ok());
  auto calls = hec_->EventCalls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(FakeHec::Ids(calls[1]), (std::vector<std::string>{"al-3", "al-4"}));
  EXPECT_EQ(sink_->counters().dead_lettered, 1u);
  EXPECT_EQ(sink_->counters().sent, 5u - 1u);
}

TEST_F(SplunkHecSinkTest, AnUnnamedBadEventIsFoundBySendingOnePerRequest) {
  Make();
  WriteAlerts(0, 3);
  hec_->Reply(400, R"({"text":"Invalid data format","code":6})");
  hec_->Reply(200, R"({"text":"Success","code":0})");
  hec_->Reply(400, R"({"text":"Invalid data format","code":6})");
  ASSERT_TRUE(sink_->Flush(1s).ok());
  auto calls = hec_->EventCalls();
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_EQ(FakeHec::Ids(calls[2]), std::vector<std::string>{"al-1"});
  EXPECT_EQ(sink_->counters().dead_lettered, 1u);
}

TEST_F(SplunkHecSinkTest, ARetryAfterBusyResendsOnlyWhatWasNotAccepted) {
  Make(false, 700);
  WriteAlerts(0, 6);
  hec_->Reply(200, R"({"text":"Success","code":0})");
  hec_->Reply(503, R"({"text":"Server is busy","code":9})");
  absl::Status st = sink_->Flush(1s);
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable) << st;
  EXPECT_NE(st.message().find("Server is busy"), std::string::npos) << st;
  auto first = hec_->EventCalls();
  ASSERT_EQ(first.size(), 2u);
  std::vector<std::string> accepted = FakeHec::Ids(first[0]);
  // The dispatcher writes the whole batch again, then flushes.
  hec_->calls.clear();
  WriteAlerts(0, 6);
  ASSERT_TRUE(sink_->Flush(1s).ok());
  std::vector<std::string> resent;
  for (const auto& c : hec_->EventCalls()) {
    for (auto& id : FakeHec::Ids(c)) resent.push_back(id);
  }
  EXPECT_EQ(resent.size() + accepted.size(), 6u);
  for (const auto& id : accepted) {
    EXPECT_EQ(std::count(resent.begin(), resent.end(), id), 0) << id << " was resent";
  }
}

TEST_F(SplunkHecSinkTest, ARefusedTokenIsNamedButNeverShownAndTheAlertsAreKept) {
  Make();
  WriteAlerts(0, 2);
  hec_->Reply(403, R"({"text":"Invalid token","code":4})");
  absl::Status st = sink_->Flush(1s);
  EXPECT_EQ(st.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(st.message().find("token_file /etc/tripline/hec.token"), std::string::npos) << st;
  EXPECT_NE(st.message().find("Invalid token"), std::string::npos) << st;
  EXPECT_EQ(st.message().find(config_.token), std::string::npos) << st;
  WriteAlerts(0, 2);
  ASSERT_TRUE(sink_->Flush(1s).ok());
  EXPECT_EQ(FakeHec::Ids(hec_->EventCalls().back()), (std::vector<std::string>{"al-0", "al-1"}));
}

TEST_F(SplunkHecSinkTest, WithAckFlushWaitsUntilTheIndexerAcknowledges) {
  Make(true);
  WriteAlerts(0, 3);
  hec_->Reply(200, R"({"text":"Success","code":0,"ackId":0})");
  hec_->Reply(200, R"({"acks":{"0":false}})");
  hec_->Reply(200, R"({"acks":{"0":true}})");
  ASSERT_TRUE(sink_->Flush(2s).ok());
  ASSERT_EQ(hec_->calls.size(), 3u);
  const std::string channel = hec_->calls[0].headers.at("X-Splunk-Request-Channel");
  EXPECT_TRUE(std::regex_match(
      channel, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << channel;
  EXPECT_EQ(hec_->calls[1].target, "/services/collector/ack");
  EXPECT_EQ(nlohmann::json::parse(hec_->calls[1].body), nlohmann::json::parse(R"({"acks":[0]})"));
  EXPECT_EQ(hec_->calls[2].headers.at("X-Splunk-Request-Channel"), channel);
  EXPECT_EQ(sink_->counters().acked, 3u);
  EXPECT_EQ(sink_->counters().acked_requests, 1u);
}

TEST_F(SplunkHecSinkTest, AnAckThatNeverComesMakesFlushFailAndThenResendsAfterTheAckTimeout) {
  Make(true);  // ack_timeout 5 s
  hec_->ack_from = 1;  // ackId 0 is never acknowledged
  WriteAlerts(0, 2);
  absl::Status st = sink_->Flush(1s);  // shorter than ack_timeout: still waiting
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable) << st;
  EXPECT_NE(st.message().find("not yet acknowledged"), std::string::npos) << st;
  EXPECT_EQ(hec_->EventCalls().size(), 1u);
  WriteAlerts(0, 2);  // the dispatcher's retry: nothing new to send ...
  absl::Status again = sink_->Flush(10s);  // ... until ack_timeout passes: then sent again, acked
  ASSERT_TRUE(again.ok()) << again;
  EXPECT_EQ(hec_->EventCalls().size(), 2u);
  EXPECT_EQ(FakeHec::Ids(hec_->EventCalls()[1]), (std::vector<std::string>{"al-0", "al-1"}));
  EXPECT_GE(now_ - std::chrono::steady_clock::time_point{}, 5s);
  EXPECT_EQ(sink_->counters().ack_timeouts, 1u);
  EXPECT_EQ(sink_->counters().resent, 2u);
  EXPECT_EQ(sink_->counters().acked, 2u);
}

TEST_F(SplunkHecSinkTest, AReceiverThatRestartedIsDetectedAndItsLostRequestsResent) {
  Make(true, 700);
  WriteAlerts(0, 4);
  // Two requests; acks pending; then the receiver goes away during the poll.
  hec_->Reply(200, R"({"text":"Success","code":0,"ackId":4})");
  hec_->Reply(200, R"({"text":"Success","code":0,"ackId":5})");
  hec_->FailTransport();
  EXPECT_FALSE(sink_->Flush(1s).ok());
  EXPECT_EQ(sink_->counters().resent, 4u);
  WriteAlerts(0, 4);
  // The restarted receiver numbers from 0 again and acknowledges.
  hec_->Reply(200, R"({"text":"Success","code":0,"ackId":0})");
  hec_->Reply(200, R"({"text":"Success","code":0,"ackId":1})");
  hec_->Reply(200, R"({"acks":{"0":true,"1":true}})");
  ASSERT_TRUE(sink_->Flush(1s).ok());
  EXPECT_EQ(sink_->counters().acked, 4u);
}

TEST_F(SplunkHecSinkTest, ABatchTheDispatcherGaveUpOnIsAbandonedNotSentForever) {
  Make();
  WriteAlerts(0, 2);
  hec_->Reply(503, R"({"text":"Server is busy","code":9})");
  EXPECT_FALSE(sink_->Flush(1s).ok());
  WriteAlerts(10, 11);  // the next batch: the first one was dropped (on_failure: drop)
  ASSERT_TRUE(sink_->Flush(1s).ok());
  EXPECT_EQ(FakeHec::Ids(hec_->EventCalls().back()), std::vector<std::string>{"al-10"});
  EXPECT_EQ(sink_->counters().abandoned, 2u);
}

}  // namespace
}  // namespace tripline::correlator
