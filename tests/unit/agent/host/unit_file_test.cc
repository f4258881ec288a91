#include "agent/sources/host/unit_file.h"

#include <gtest/gtest.h>

namespace tripline::agent {
namespace {

struct ExecCase {
  const char* text;
  const char* executable;
  const char* user;
};

class UnitFileExecTest : public ::testing::TestWithParam<ExecCase> {};

TEST_P(UnitFileExecTest, Parses) {
  UnitFile unit;
  unit.Apply(GetParam().text);
  EXPECT_EQ(unit.executable(), GetParam().executable);
  EXPECT_EQ(unit.user(), GetParam().user);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, UnitFileExecTest,
    ::testing::Values(
        ExecCase{"[Service]\nExecStart=/usr/bin/a -x\nUser=svc\n", "/usr/bin/a", "svc"},
        ExecCase{"[Service]\nExecStart=-@/usr/bin/b argv0 x\n", "/usr/bin/b", ""},
        ExecCase{"[Service]\nExecStart=!!/usr/bin/c\n", "/usr/bin/c", ""},
        ExecCase{"[Service]\nExecStart=\"/opt/with space/d\" -v\n", "/opt/with space/d", ""},
        ExecCase{"[Service]\nExecStart=/first\nExecStart=\nExecStart=/second\n", "/second", ""},
        ExecCase{"[Service]\n# ExecStart=/commented\n; User=no\nExecStart=/real\n", "/real", ""},
        ExecCase{"[Unit]\nExecStart=/wrong-section\n", "", ""},
        ExecCase{"[Service]\nExecStart=/a \\\n  --b\n", "/a", ""},
        ExecCase{"", "", ""}));

TEST(UnitFileTest, DropInOverridesAndInstallSection) {
  UnitFile unit;
  unit.Apply("[Unit]\nDescription=Web\n[Service]\nExecStart=/usr/sbin/w3wp\n"
             "[Install]\nWantedBy=multi-user.target\nRequiredBy=x.target\n");
  unit.Apply("[Service]\nUser=www-data\n");
  EXPECT_EQ(unit.description(), "Web");
  EXPECT_EQ(unit.user(), "www-data");
  EXPECT_EQ(unit.exec_start(), "/usr/sbin/w3wp");
  EXPECT_EQ(unit.wanted_by(), "multi-user.target x.target");
  EXPECT_TRUE(unit.has_install_section());
}

TEST(UnitFileTest, SysvShortDescription) {
  UnitFile unit;
  unit.ApplySysvScript("#!/bin/sh\n# Short-Description:  Mail relay \n");
  EXPECT_EQ(unit.description(), "Mail relay");
}

}  // namespace
}  // namespace tripline::agent
