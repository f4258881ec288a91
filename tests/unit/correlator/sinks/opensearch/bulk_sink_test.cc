#include "correlator/sinks/opensearch/bulk_sink.h"

#include <gtest/gtest.h>

#include <deque>
#include <nlohmann/json.hpp>

#include "tests/support/process.h"

namespace tripline::correlator {
namespace {

using namespace std::chrono_literals;

struct SentRequest {
  std::string method, target, body;
  std::map<std::string, std::string> headers;
  // The _id of each `create` line, in order.
  std::vector<std::string> ids() const {
    std::vector<std::string> out;
    auto lines = testing::NonEmptyLines(body);
    for (size_t i = 0; i < lines.size(); i += 2) {
      out.push_back(nlohmann::json::parse(lines[i])["create"]["_id"]);
    }
    return out;
  }
};

http::HttpResponse Items(const std::vector<int>& statuses) {
  nlohmann::json items = nlohmann::json::array();
  for (int s : statuses) {
    nlohmann::json r = {{"status", s}};
    if (s >= 300)
      r["error"] = {{"type", s == 400 ? "mapper_parsing_exception" : "other"},
                    {"reason", "reason " + std::to_string(s)}};
    items.push_back({{"create", r}});
  }
  return {200, nlohmann::json{{"errors", true}, {"items", items}}.dump(), {}};
}

http::HttpResponse Whole(int status, std::string body = "{}") { return {status, body, {}}; }

// Answers each request with the next scripted response; records what it was sent.
class ScriptedClient final : public http::HttpClient {
 public:
  ScriptedClient() : HttpClient(http::HttpClientOptions{}) {}
  absl::StatusOr<http::HttpResponse> Request(
      const std::string& method, const std::string& target, const std::string& body,
      const std::map<std::string, std::string>& extra_headers) override {
    sent->push_back({method, target, body, extra_headers});
    if (script->empty() && *answer_created) {
      return Items(std::vector<int>(sent->back().ids().size(), 201));
    }
    if (script->empty()) return absl::InternalError("no scripted response left");
    auto r = script->front();
    script->pop_front();
    return r;
  }
  std::shared_ptr<std::vector<SentRequest>> sent = std::make_shared<std::vector<SentRequest>>();
  std::shared_ptr<bool> answer_created = std::make_shared<bool>(false);
  std::shared_ptr<std::deque<absl::StatusOr<http::HttpResponse>>> script =
      std::make_shared<std::deque<absl::StatusOr<http::HttpResponse>>>();
};

class BulkSinkTest : public ::testing::Test {
 protected:
  void SetUp() override { Make(BulkSinkConfig{}); }
  void Make(BulkSinkConfig config) {
    config.url = "http://127.0.0.1:9200";
    auto client = std::make_unique<ScriptedClient>();
    sent_ = client->sent;
    script_ = client->script;
    answer_created_ = client->answer_created;
    sink_ = std::make_unique<BulkSink>(config, std::move(client));
  }
  void WriteAll(const std::vector<std::string>& ids, size_t doc_bytes = 10) {
    for (const auto& id : ids) {
      v1::Alert a;
      a.set_alert_id(id);
      std::string doc =
          "{\"event\":{\"id\":\"" + id + "\"},\"pad\":\"" + std::string(doc_bytes, 'x') + "\"}";
      ASSERT_TRUE(sink_->Write(a, doc).ok());
    }
  }

  std::shared_ptr<std::vector<SentRequest>> sent_;
  std::shared_ptr<bool> answer_created_;
  std::shared_ptr<std::deque<absl::StatusOr<http::HttpResponse>>> script_;
  std::unique_ptr<BulkSink> sink_;
};

TEST_F(BulkSinkTest, OneRequestPerFlushWithNdjsonAndTheFilteredResponse) {
  WriteAll({"a1", "a2"});
  script_->push_back(Items({201, 201}));
  ASSERT_TRUE(sink_->Flush(5s).ok());
  ASSERT_EQ(sent_->size(), 1u);
  const SentRequest& r = (*sent_)[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target.rfind("/_bulk?filter_path=", 0), 0u) << r.target;
  EXPECT_EQ(r.target.find("refresh"), std::string::npos);
  EXPECT_EQ(r.headers.at("Content-Type"), "application/x-ndjson");
  EXPECT_EQ(r.ids(), (std::vector<std::string>{"a1", "a2"}));
  EXPECT_EQ(r.body.back(), '\n');
  EXPECT_NE(r.body.find("\"_index\":\"logs-tripline.alert-default\""), std::string::npos);
  EXPECT_EQ(sink_->counters().sent, 2u);
  EXPECT_EQ(sink_->queued(), 0u);
  // Nothing queued: no request.
  ASSERT_TRUE(sink_->Flush(5s).ok());
  EXPECT_EQ(sent_->size(), 1u);
}

TEST_F(BulkSinkTest, ConflictIsDeliveredAndMappingErrorsAreDeadLetteredNotRetried) {
  WriteAll({"a1", "a2", "a3"});
  script_->push_back(Items({201, 409, 400}));
  ASSERT_TRUE(sink_->Flush(5s).ok());
  BulkSinkCounters c = sink_->counters();
  EXPECT_EQ(c.sent, 1u);
  EXPECT_EQ(c.conflicts, 1u);
  EXPECT_EQ(c.dead_lettered, 1u);
  EXPECT_EQ(sink_->queued(), 0u);
  EXPECT_EQ(sent_->size(), 1u);
}

TEST_F(BulkSinkTest, OnlyThe429And5xxItemsAreSentAgain) {
  WriteAll({"a1", "a2", "a3", "a4"});
  script_->push_back(Items({201, 429, 409, 503}));
  absl::Status st = sink_->Flush(5s);
  EXPECT_TRUE(absl::IsUnavailable(st)) << st;
  EXPECT_EQ(sink_->counters().retried, 2u);
  // The caller (dispatcher or outbox) writes the whole batch again after its backoff.
  WriteAll({"a1", "a2", "a3", "a4"});
  script_->push_back(Items({201, 201}));
  ASSERT_TRUE(sink_->Flush(5s).ok());
  ASSERT_EQ(sent_->size(), 2u);
  EXPECT_EQ((*sent_)[1].ids(), (std::vector<std::string>{"a2", "a4"}));
  EXPECT_EQ(sink_->counters().sent, 3u);
}

TEST_F(BulkSinkTest, WholeRequestFailuresKeepEverythingForTheNextAttempt) {
  WriteAll({"a1", "a2"});
  script_->push_back(Whole(429, R"({"error":{"type":"es_rejected_execution_exception"}})"));
  EXPECT_TRUE(absl::IsUnavailable(sink_->Flush(5s)));
  script_->push_back(absl::UnavailableError("connect 127.0.0.1:9200: Connection refused"));
  EXPECT_TRUE(absl::IsUnavailable(sink_->Flush(5s)));  // flushed again without a new write
  script_->push_back(Whole(503));
  WriteAll({"a1", "a2", "a3"});  // a resend with one more
  EXPECT_TRUE(absl::IsUnavailable(sink_->Flush(5s)));
  EXPECT_EQ(sink_->queued(), 3u);
  WriteAll({"a1", "a2", "a3"});
  script_->push_back(Items({201, 201, 201}));
  ASSERT_TRUE(sink_->Flush(5s).ok());
  EXPECT_EQ((*sent_)[3].ids(), (std::vector<std::string>{"a1", "a2", "a3"}));
  EXPECT_EQ(sink_->counters().failed_requests, 3u);
  EXPECT_EQ(sink_->counters().sent, 3u);
}

TEST_F(BulkSinkTest, AuthAndClientErrorsFailTheFlushAndDropNothing) {
  WriteAll({"a1"});
  script_->push_back(Whole(401, R"({"error":"unauthorized"})"));
  absl::Status st = sink_->Flush(5s);
  EXPECT_TRUE(absl::IsPermissionDenied(st)) << st;
  EXPECT_NE(st.message().find("401"), std::string::npos);
  script_->push_back(Whole(404));
  EXPECT_TRUE(absl::IsFailedPrecondition(sink_->Flush(5s)));
  EXPECT_EQ(sink_->queued(), 1u);
  EXPECT_EQ(sink_->counters().dead_lettered, 0u);
}

TEST_F(BulkSinkTest, AnUnreadableResponseRetriesTheWholeRequest) {
  WriteAll({"a1", "a2"});
  script_->push_back(Items({201}));  // one item for two sent
  EXPECT_FALSE(sink_->Flush(5s).ok());
  EXPECT_EQ(sink_->queued(), 2u);
}

TEST_F(BulkSinkTest, AlertsAlreadyInDuringAFailedFlushAreNotSentAgain) {
  BulkSinkConfig config;
  config.batch_max_bytes = 4096;
  Make(config);
  WriteAll({"a1", "a2", "a3", "a4"}, 1500);  // two per request
  script_->push_back(Items({201, 201}));
  script_->push_back(absl::UnavailableError("read: connection reset"));
  EXPECT_FALSE(sink_->Flush(5s).ok());
  WriteAll({"a1", "a2", "a3", "a4"}, 1500);
  script_->push_back(Items({201, 201}));
  ASSERT_TRUE(sink_->Flush(5s).ok());
  ASSERT_EQ(sent_->size(), 3u);
  EXPECT_EQ((*sent_)[2].ids(), (std::vector<std::string>{"a3", "a4"}));
  // After a successful flush an id may come again (a replay): it is sent (the cluster says 409).
  WriteAll({"a1"});
  script_->push_back(Items({409}));
  ASSERT_TRUE(sink_->Flush(5s).ok());
  EXPECT_EQ(sink_->counters().conflicts, 1u);
}

TEST_F(BulkSinkTest, RequestsStayUnderBatchMaxBytes) {
  BulkSinkConfig config;
  config.batch_max_bytes = 8192;
  Make(config);
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) ids.push_back("id" + std::to_string(i));
  WriteAll(ids, 1000);
  *answer_created_ = true;  // each request: 201 for every item it carried
  ASSERT_TRUE(sink_->Flush(5s).ok());
  size_t total = 0;
  for (const auto& r : *sent_) {
    EXPECT_LE(r.body.size(), 8192u);
    total += r.ids().size();
  }
  EXPECT_EQ(total, 20u);
  EXPECT_GT(sent_->size(), 1u);
}

TEST_F(BulkSinkTest, TooLargeHalvesTheRequestAndDeadLettersASingleOversizedAlert) {
  WriteAll({"a1", "a2", "a3", "a4"});
  script_->push_back(Whole(413));         // all four: too large
  script_->push_back(Items({201, 201}));  // a1 a2
  script_->push_back(Whole(413));         // a3 a4
  script_->push_back(Items({201}));       // a3
  script_->push_back(Whole(413));         // a4 alone: dead-lettered
  ASSERT_TRUE(sink_->Flush(5s).ok());
  EXPECT_EQ(sink_->counters().sent, 3u);
  EXPECT_EQ(sink_->counters().dead_lettered, 1u);
  EXPECT_EQ(sink_->queued(), 0u);
}

TEST_F(BulkSinkTest, RefreshWaitsForTheAlertsToBeSearchable) {
  BulkSinkConfig config;
  config.refresh = true;
  Make(config);
  WriteAll({"a1"});
  script_->push_back(Items({201}));
  ASSERT_TRUE(sink_->Flush(5s).ok());
  EXPECT_NE((*sent_)[0].target.find("&refresh=wait_for"), std::string::npos);
}

}  // namespace
}  // namespace tripline::correlator
