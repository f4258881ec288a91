#include "correlator/sinks/opensearch/bulk_protocol.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/process.h"

namespace tripline::correlator::bulk {
namespace {

TEST(BulkProtocol, CreateActionAndDocumentAreTwoNewlineTerminatedLines) {
  std::string body;
  AppendCreate("logs-tripline.alert-default", "a1", R"({"event":{"kind":"alert"}})", &body);
  AppendCreate("logs-tripline.alert-default", "a2", R"({"x":1})", &body);
  EXPECT_EQ(body,
            "{\"create\":{\"_id\":\"a1\",\"_index\":\"logs-tripline.alert-default\"}}\n"
            "{\"event\":{\"kind\":\"alert\"}}\n"
            "{\"create\":{\"_id\":\"a2\",\"_index\":\"logs-tripline.alert-default\"}}\n"
            "{\"x\":1}\n");
}

TEST(BulkProtocol, IdsAreJsonEscapedAndDocumentsStayOnOneLine) {
  std::string body;
  AppendCreate("idx", "we\"ird\\id", "{\"a\":\n 1,\r\n\"b\":\"line\\nbreak\"}", &body);
  auto lines = testing::NonEmptyLines(body);
  ASSERT_EQ(lines.size(), 2u) << body;
  auto meta = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(meta["create"]["_id"], "we\"ird\\id");
  auto doc = nlohmann::json::parse(lines[1]);
  EXPECT_EQ(doc["a"], 1);
  EXPECT_EQ(doc["b"], "line\nbreak");  // an escaped newline inside a string is kept
}

TEST(BulkProtocol, NoIdLetsTheClusterPickOne) {
  std::string body;
  AppendCreate("idx", "", "{}", &body);
  EXPECT_EQ(body, "{\"create\":{\"_index\":\"idx\"}}\n{}\n");
}

// A real OpenSearch 2.19 answer (filter_path applied) to create, create, create-again.
const char* kMixed =
    R"j({"errors":true,"items":[)j"
    R"j({"create":{"_id":"a1","status":400,"error":{"type":"mapper_parsing_exception",)j"
    R"j("reason":"failed to parse field [host.name] of type [long]"}}},)j"
    R"j({"create":{"_id":"a2","status":201}},)j"
    R"j({"create":{"_id":"a3","status":409,"error":{"type":"version_conflict_engine_exception",)j"
    R"j("reason":"[a3]: version conflict, document already exists (current version [1])"}}},)j"
    R"j({"create":{"_id":"a4","status":429,"error":{"type":"es_rejected_execution_exception",)j"
    R"j("reason":"rejected execution"}}}]})j";

TEST(BulkProtocol, ParsesEveryItemInRequestOrder) {
  auto items = ParseResponse(kMixed, 4);
  ASSERT_TRUE(items.ok()) << items.status();
  ASSERT_EQ(items->size(), 4u);
  EXPECT_EQ((*items)[0].id, "a1");
  EXPECT_EQ((*items)[0].status, 400);
  EXPECT_EQ((*items)[0].error_type, "mapper_parsing_exception");
  EXPECT_NE((*items)[0].error_reason.find("host.name"), std::string::npos);
  EXPECT_EQ((*items)[1].status, 201);
  EXPECT_TRUE((*items)[1].error_type.empty());
  EXPECT_EQ((*items)[2].status, 409);
  EXPECT_EQ((*items)[3].status, 429);
}

TEST(BulkProtocol, ACountMismatchOrGarbageIsAnError) {
  EXPECT_FALSE(ParseResponse(kMixed, 3).ok());
  EXPECT_FALSE(ParseResponse("<html>502 Bad Gateway</html>", 1).ok());
  EXPECT_FALSE(ParseResponse(R"({"errors":false})", 1).ok());
  EXPECT_FALSE(ParseResponse(R"({"items":[{"create":{"status":201},"index":{}}]})", 1).ok());
  // Odd types do not throw: the item simply has no status.
  auto odd = ParseResponse(R"({"items":[{"create":{"status":"201","_id":7}}]})", 1);
  ASSERT_TRUE(odd.ok());
  EXPECT_EQ((*odd)[0].status, 0);
}

TEST(BulkProtocol, ClassifiesItemStatuses) {
  struct Case {
    int status;
    ItemOutcome outcome;
  };
  for (const Case& c : {Case{200, ItemOutcome::kIndexed}, Case{201, ItemOutcome::kIndexed},
                        Case{409, ItemOutcome::kConflict}, Case{429, ItemOutcome::kRetry},
                        Case{500, ItemOutcome::kRetry}, Case{503, ItemOutcome::kRetry},
                        Case{400, ItemOutcome::kDeadLetter}, Case{404, ItemOutcome::kDeadLetter},
                        Case{413, ItemOutcome::kDeadLetter}}) {
    EXPECT_EQ(Classify(c.status), c.outcome) << c.status;
  }
}

}  // namespace
}  // namespace tripline::correlator::bulk
