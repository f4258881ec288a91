// Secrets kept out of config files and the permission checks on config, key and password files:
// what an operator sees when a file is unsafe, and that no message ever carries a secret.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "common/config/file_safety.h"
#include "common/config/secrets.h"
#include "common/kafka/kafka_client.h"

namespace tripline::config {
namespace {

constexpr char kSecret[] = "s3cr3t-Pa55w0rd";

class ConfigSecurity : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "tripline-sec-XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text, mode_t mode) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::trunc) << text;
    ::chmod(path.c_str(), mode);
    return path;
  }
  // Loads `yaml` as the `kafka:` section of a config file and returns the errors and warnings.
  kafka::KafkaSettings LoadKafka(const std::string& yaml) {
    std::string path = Write("agent.yaml", yaml, 0600);
    errors_ = std::make_unique<ConfigErrors>(path);
    YAML::Node root = LoadYamlFile(path, errors_.get());
    ConfigNode node(errors_.get(), root, "");
    ConfigNode k = node.Child("kafka");
    kafka::KafkaSettings s = kafka::ReadKafkaSettings(k);
    k.Finish();
    return s;
  }
  std::string Errors() const { return errors_->ToString(); }

  std::string dir_;
  std::unique_ptr<ConfigErrors> errors_;
};

TEST_F(ConfigSecurity, AWorldWritableConfigIsRefusedWithItsModeAndTheFix) {
  std::string path = Write("agent.yaml", "agent: {}\n", 0666);
  absl::Status st = CheckFileSafety(path, FileRole::kConfig, nullptr);
  ASSERT_TRUE(absl::IsFailedPrecondition(st)) << st;
  EXPECT_NE(st.message().find(path), std::string::npos) << st;
  EXPECT_NE(st.message().find("world-writable (mode 0666)"), std::string::npos) << st;
  EXPECT_NE(st.message().find("chmod o-w"), std::string::npos) << st;
  ::chmod(path.c_str(), 0664);  // group-writable is the operator's choice
  EXPECT_TRUE(CheckFileSafety(path, FileRole::kConfig, nullptr).ok());
  EXPECT_TRUE(absl::IsNotFound(CheckFileSafety(dir_ + "/none", FileRole::kConfig, nullptr)));
}

TEST_F(ConfigSecurity, ASecretReadableByEveryoneIsWarnedAboutAndAPrivateOneIsNot) {
  std::string path = Write("client.key", "KEY", 0644);
  std::string warning;
  ASSERT_TRUE(CheckFileSafety(path, FileRole::kSecret, &warning).ok());
  EXPECT_NE(warning.find("readable by every local user (mode 0644)"), std::string::npos) << warning;
  ::chmod(path.c_str(), 0640);
  ASSERT_TRUE(CheckFileSafety(path, FileRole::kSecret, &warning).ok());
  EXPECT_EQ(warning, "");
  ::chmod(path.c_str(), 0642);
  EXPECT_TRUE(absl::IsFailedPrecondition(CheckFileSafety(path, FileRole::kSecret, &warning)));
  // A certificate may be world-readable, never world-writable.
  std::string ca = Write("ca.pem", "CA", 0644);
  ASSERT_TRUE(CheckFileSafety(ca, FileRole::kTrusted, &warning).ok());
  EXPECT_EQ(warning, "");
  ::chmod(ca.c_str(), 0666);
  EXPECT_TRUE(absl::IsFailedPrecondition(CheckFileSafety(ca, FileRole::kTrusted, &warning)));
}

TEST_F(ConfigSecurity, APasswordComesFromAFileWithoutItsNewlineOrFromTheEnvironment) {
  std::string file = Write("kafka.password", std::string(kSecret) + "\n", 0600);
  ::setenv("TRIPLINE_TEST_KEY_PASSWORD", "from-env", 1);
  kafka::KafkaSettings s = LoadKafka(
      "kafka:\n  brokers: b:9093\n  properties:\n    security.protocol: SASL_SSL\n"
      "    sasl.password: {file: " + file + "}\n"
      "    ssl.key.password: {env: TRIPLINE_TEST_KEY_PASSWORD}\n    linger.ms: 5\n");
  ASSERT_EQ(Errors(), "");
  EXPECT_EQ(s.secrets.at("sasl.password"), kSecret);
  EXPECT_EQ(s.secrets.at("ssl.key.password"), "from-env");
  EXPECT_EQ(s.properties.at("security.protocol"), "SASL_SSL");
  EXPECT_EQ(s.properties.at("linger.ms"), "5");
  EXPECT_EQ(s.properties.count("sasl.password"), 0u);
  // librdkafka takes both kinds.
  auto conf = kafka::MakeConf(s, {});
  ASSERT_TRUE(conf.ok()) << conf.status();
  char value[128];
  size_t size = sizeof value;
  ASSERT_EQ(rd_kafka_conf_get(conf->get(), "sasl.password", value, &size), RD_KAFKA_CONF_OK);
  EXPECT_STREQ(value, kSecret);
  ::unsetenv("TRIPLINE_TEST_KEY_PASSWORD");
}

TEST_F(ConfigSecurity, APasswordWrittenInTheYamlIsAnErrorWithItsLineAndNoEcho) {
  LoadKafka(std::string("kafka:\n  brokers: b:9093\n  properties:\n    sasl.username: u\n"
                        "    sasl.password: ") + kSecret + "\n");
  EXPECT_NE(Errors().find("agent.yaml:5: kafka.properties.sasl.password: a secret must not be "
                          "written in the config file"),
            std::string::npos)
      << Errors();
  EXPECT_EQ(Errors().find(kSecret), std::string::npos) << Errors();
}

TEST_F(ConfigSecurity, EveryBadSecretSourceIsReportedWithItsPlace) {
  std::string empty = Write("empty", "\n", 0600);
  std::string open = Write("open.password", kSecret, 0666);
  ::unsetenv("TRIPLINE_TEST_UNSET");
  LoadKafka("kafka:\n  brokers: b:9093\n  properties:\n"
            "    sasl.password: {file: relative/path}\n"                      // 4
            "    ssl.key.password: {file: " + empty + "}\n"                    // 5
            "    ssl.keystore.password: {env: TRIPLINE_TEST_UNSET}\n"          // 6
            "    sasl.oauthbearer.client.secret: {file: " + open + "}\n"       // 7
            "    ssl.key.pem: {file: /x, env: Y}\n"                            // 8
            "    sasl.username: {file: /x, bogus: 1}\n");                      // 9
  const std::string e = Errors();
  EXPECT_NE(e.find(":4: kafka.properties.sasl.password.file: 'relative/path' must be an absolute"),
            std::string::npos) << e;
  EXPECT_NE(e.find(":5: kafka.properties.ssl.key.password.file: '" + empty + "' is empty"),
            std::string::npos) << e;
  EXPECT_NE(e.find(":6: kafka.properties.ssl.keystore.password.env: environment variable "
                   "'TRIPLINE_TEST_UNSET' is not set"),
            std::string::npos) << e;
  EXPECT_NE(e.find(":7: kafka.properties.sasl.oauthbearer.client.secret.file: '" + open +
                   "' is world-writable (mode 0666)"),
            std::string::npos) << e;
  EXPECT_NE(e.find(":8: kafka.properties.ssl.key.pem.env: name the secret's source"),
            std::string::npos) << e;
  EXPECT_NE(e.find("kafka.properties.sasl.username.bogus: unknown key"), std::string::npos) << e;
  EXPECT_EQ(e.find(kSecret), std::string::npos) << e;
}

TEST_F(ConfigSecurity, KeyAndCaFilesAreCheckedWhereTheyAreNamed) {
  std::string key = Write("client.key", "KEY", 0644);
  std::string ca = Write("ca.pem", "CA", 0666);
  LoadKafka("kafka:\n  brokers: b:9093\n  properties:\n    ssl.key.location: " + key +
            "\n    ssl.ca.location: " + ca + "\n    ssl.certificate.location: " + dir_ +
            "/missing.pem\n");
  const std::string e = Errors();
  EXPECT_NE(e.find(":5: kafka.properties.ssl.ca.location: '" + ca + "' is world-writable"),
            std::string::npos) << e;
  EXPECT_NE(e.find(":6: kafka.properties.ssl.certificate.location: '" + dir_ +
                   "/missing.pem': No such file"),
            std::string::npos) << e;
  ASSERT_EQ(errors_->warnings().size(), 1u);
  EXPECT_NE(errors_->warnings()[0].find(":4: kafka.properties.ssl.key.location: '" + key +
                                        "' holds a secret and is readable by every local user"),
            std::string::npos) << errors_->warnings()[0];
}

}  // namespace
}  // namespace tripline::config
