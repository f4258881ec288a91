#include "tests/fault/fault_suite.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <regex>

#include "tests/support/process.h"

namespace tripline::fault {
namespace {

using namespace std::chrono_literals;
using testing::WaitUntil;

// The agent's own totals, logged when it stops: records dropped from a full spool over all its
// runs that stopped cleanly (the fault tests that count drops never kill it).
uint64_t LoggedDrops(const std::string& agent_out) {
  static const std::regex kTotals("spool: [0-9]+ appended, [0-9]+ acked, ([0-9]+) dropped");
  uint64_t dropped = 0;
  for (auto it = std::sregex_iterator(agent_out.begin(), agent_out.end(), kTotals);
       it != std::sregex_iterator(); ++it) {
    dropped += std::stoull((*it)[1]);
  }
  return dropped;
}

std::string First(const std::vector<uint64_t>& lines, size_t n) {
  std::string out;
  for (size_t i = 0; i < lines.size() && i < n; ++i) out += std::to_string(lines[i]) + " ";
  return out;
}

}  // namespace

void FaultTest::TearDown() {
  if (!HasFailure()) return;
  namespace fs = std::filesystem;
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  fs::path keep = fs::temp_directory_path() / "tripline-fault-failed" /
                  (std::string(info->test_suite_name()) + "." + info->name());
  std::error_code ec;
  fs::remove_all(keep, ec);
  fs::create_directories(keep, ec);
  for (const char* name : {"agent.out", "correlator.out", "agent.yaml", "correlator.yaml",
                           "alerts.jsonl", "rsyslog.out", "kafka/server.out"}) {
    fs::copy_file(dir_.File(name), keep / fs::path(name).filename(), ec);
  }
  std::printf("[ fault    ] logs kept in %s\n", keep.c_str());
}

bool FaultTest::WaitEvaluated(FaultPipeline& pipeline, uint64_t line,
                              std::chrono::seconds timeout) {
  return WaitUntil(timeout, [&] {
    return pipeline.JsonlAlerts().NewestMarkerLine(kSequenceRuleId) > static_cast<int64_t>(line);
  });
}

void FaultTest::Phase(const std::string& what) const {
  std::printf("[ fault    ] %6.1f s  %s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(),
              what.c_str());
  std::fflush(stdout);
}

void FaultTest::Finish(const std::string& fault, FaultPipeline& pipeline, LineWriter& writer,
                       Expect expect) {
  writer.Stop();
  Phase("writer stopped after " + std::to_string(writer.lines()) + " lines");
  const uint64_t lines = writer.lines();
  EventTally events;
  TopicReader reader(pipeline.bootstrap(), pipeline.events_topic());
  auto on_event = [&](const std::string&, const std::string& value) { events.Add(value); };
  uint64_t dropped = 0;
  if (expect.counted_drops) {
    // Everything the agent kept is delivered once its spool has nothing unacknowledged and its
    // sources nothing unread; what is missing then is what it dropped.
    EXPECT_TRUE(WaitUntil(
        300s,
        [&] {
          return pipeline.AgentMetric("tripline_agent_spool_unacked_records") == 0.0 &&
                 pipeline.AgentMetric("tripline_agent_source_lag_bytes{source=\"iis\"}") == 0.0;
        }))
        << "the agent did not drain its spool" << pipeline.Logs();
    dropped = static_cast<uint64_t>(
        pipeline.AgentMetric("tripline_agent_drops_total{reason=\"spool_quota\"}").value_or(0));
  }
  reader.ReadUntil(
      on_event, [&] { return events.Delivered(lines) + dropped >= lines; }, 300s);
  Phase("events read: " + std::to_string(events.Delivered(lines)) + " lines");
  // The alerts of every line that arrived.
  std::vector<uint64_t> missing = events.Missing(lines);
  const std::set<uint64_t> missing_set(missing.begin(), missing.end());
  WaitUntil(180s, [&] {
    auto c = pipeline.JsonlAlerts().Against(writer, kSequenceRuleId, missing_set);
    return c.raised >= c.expected;
  });
  Phase("alerts raised");
  AlertTally received;
  std::set<std::string> raised_ids = pipeline.JsonlAlerts().Ids();
  auto receiver_has_all = [&](const std::set<std::string>& have) {
    return std::includes(have.begin(), have.end(), raised_ids.begin(), raised_ids.end());
  };
  TopicReader alerts_reader(pipeline.bootstrap(), pipeline.alerts_topic());
  auto on_alert = [&](const std::string&, const std::string& value) { received.AddJson(value); };
  if (expect.syslog != nullptr) {
    WaitUntil(180s, [&] { return receiver_has_all(expect.syslog->Ids()); });
  } else {
    alerts_reader.ReadUntil(
        on_alert, [&] { return receiver_has_all(received.Ids()); }, 180s);
  }
  Phase("alerts at the receiver");
  // Stop both; then read what is on the topics now that nothing writes to them any more.
  std::optional<int> agent_exit = pipeline.StopAgent();
  std::optional<int> correlator_exit = pipeline.StopCorrelator();
  Phase("agent and correlator stopped");
  EXPECT_TRUE(reader.ReadToEnd(on_event, 120s));
  if (expect.syslog == nullptr) EXPECT_TRUE(alerts_reader.ReadToEnd(on_alert, 60s));
  Phase("topics read to their end");
  if (expect.counted_drops) {
    const uint64_t logged = LoggedDrops(pipeline.AgentOutput());
    EXPECT_EQ(logged, dropped) << "the drop metric and the agent's totals disagree";
    dropped = logged;
  }

  missing = events.Missing(lines);
  const AlertTally jsonl = pipeline.JsonlAlerts();
  raised_ids = jsonl.Ids();
  const AlertTally::Check check = jsonl.Against(writer, kSequenceRuleId, missing_set);
  uint64_t receiver_messages = 0;
  std::set<std::string> at_receiver =
      expect.syslog != nullptr ? expect.syslog->Ids(&receiver_messages) : received.Ids();
  uint64_t received_raised = 0;
  for (const auto& id : raised_ids) received_raised += at_receiver.count(id);

  FaultRow row;
  row.fault = fault;
  row.sent = lines;
  row.delivered = events.Delivered(lines);
  row.same_id_dups = events.SameIdDuplicates();
  row.new_id_dups = events.NewIdDuplicates();
  row.dropped = dropped;
  row.lost = missing.size() > dropped ? missing.size() - dropped : 0;
  row.alerts_expected = check.expected;
  row.alerts_raised = check.raised;
  row.alerts_received = received_raised;
  row.alert_copies = jsonl.copies() - raised_ids.size();
  row.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  row.ok = row.lost == 0 && missing.size() == dropped && row.new_id_dups == 0 &&
           events.bad() == 0 && check.raised == check.expected && check.extra_ids == 0 &&
           check.unexpected == 0 && received_raised == raised_ids.size() && agent_exit == 0 &&
           correlator_exit == 0;
  Report(row);

  std::string logs = pipeline.Logs();
  EXPECT_EQ(missing.size(), dropped)
      << (expect.counted_drops ? "missing lines must be exactly the counted drops"
                               : "lines written but not on the topic")
      << "; first missing: " << First(missing, 20) << logs;
  EXPECT_EQ(row.new_id_dups, 0u) << "lines on the topic under two event ids";
  EXPECT_EQ(events.bad(), 0u) << "records on the topic that are none of the written lines";
  EXPECT_EQ(check.raised, check.expected) << "expected alerts missing" << logs;
  EXPECT_EQ(check.extra_ids, 0u) << "an expected alert raised under more than one alert id";
  EXPECT_EQ(check.unexpected, 0u) << "alerts nobody expected";
  for (const auto& p : check.problems) ADD_FAILURE() << p;
  EXPECT_EQ(received_raised, raised_ids.size())
      << "raised alerts missing at the receiver (" << at_receiver.size() << " ids, "
      << receiver_messages << " messages there)" << logs;
  EXPECT_EQ(agent_exit, 0) << logs;
  EXPECT_EQ(correlator_exit, 0) << logs;
}

}  // namespace tripline::fault
