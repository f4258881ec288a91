#include "correlator/api/alerts_show.h"

#include <gtest/gtest.h>

#include <sstream>

namespace tripline::correlator {
namespace {

v1::Event At(int64_t seconds, const std::string& id) {
  v1::Event e;
  e.set_event_id(id);
  e.mutable_host()->set_name("EXCH01");
  e.mutable_event_time()->set_seconds(seconds);
  return e;
}

TEST(AlertsShow, TheEvidenceChainIsInTimeOrderWithTheFieldsThatMatter) {
  v1::Alert a;
  a.set_alert_id("a1");
  a.set_severity(v1::SEVERITY_CRITICAL);
  a.mutable_rule()->set_id("seq-1");
  a.mutable_rule()->set_title("Web shell written, requested, spawns a shell");
  a.mutable_rule()->set_kind("sequence");
  a.add_attack_technique_ids("T1505.003");
  a.mutable_host()->set_name("EXCH01");
  // Carried out of order: the chain must come out in event time.
  v1::Event proc = At(1614913600, "e3");
  proc.mutable_process()->mutable_process()->set_executable("C:\\Windows\\System32\\cmd.exe");
  proc.mutable_process()->mutable_process()->set_command_line("cmd /c whoami");
  proc.mutable_process()->mutable_parent()->set_executable("C:\\Windows\\System32\\inetsrv\\w3wp.exe");
  v1::Event file = At(1614913500, "e1");
  file.mutable_file()->set_action(v1::FileChange::ACTION_CREATED);
  file.mutable_file()->set_path("C:\\inetpub\\wwwroot\\aspnet_client\\shell.aspx");
  file.mutable_file()->set_hash_sha256("ab12");
  v1::Event cmdlet = At(1614913550, "e2");
  cmdlet.mutable_cmdlet()->set_name("Set-OabVirtualDirectory");
  (*cmdlet.mutable_cmdlet()->mutable_parameters())["ExternalUrl"] = "http://f/<script>";
  *a.add_events() = proc;
  *a.add_events() = file;
  *a.add_events() = cmdlet;
  std::ostringstream out;
  PrintAlertDetail(a, false, out);
  const std::string text = out.str();
  size_t f = text.find("file change"), c = text.find("Exchange cmdlet"), p = text.find("process start");
  ASSERT_NE(f, std::string::npos) << text;
  ASSERT_NE(c, std::string::npos) << text;
  ASSERT_NE(p, std::string::npos) << text;
  EXPECT_LT(f, c);
  EXPECT_LT(c, p);
  for (const char* expected :
       {"Evidence (3 events, in time order)", "file.path", "shell.aspx", "file.hash.sha256",
        "event.action", "created", "-ExternalUrl", "http://f/<script>", "process.command_line",
        "cmd /c whoami", "process.parent.executable", "w3wp.exe", "CRITICAL",
        "(seq-1, sequence)"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << "missing '" << expected << "' in\n"
                                                      << text;
  }
  std::ostringstream coloured;
  PrintAlertDetail(a, true, coloured);
  EXPECT_NE(coloured.str().find("\033[1;35mCRITICAL"), std::string::npos);
}

}  // namespace
}  // namespace tripline::correlator
