// The correlator's gRPC API behind mTLS and behind a bearer token, against the real binary and
// the fixture Kafka broker. Certificates are made by the test with openssl: a CA, the server's
// certificate (SAN 127.0.0.1), a client certificate from the same CA and one from another CA.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>

#include <cstdlib>

#include "tests/support/kafka_test_util.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tripline/v1/services.grpc.pb.h"

namespace tripline {
namespace {

using namespace std::chrono_literals;
using testing::Process;
using testing::ReadFile;
using testing::WaitUntil;

class ApiSecurity : public ::testing::Test {
 protected:
  void SetUp() override {
    bootstrap_ = testing::FixtureBootstrap();
    ASSERT_FALSE(bootstrap_.empty());
    suffix_ = testing::UniqueSuffix();
    dir_.Write("rules/r.yml",
               "title: t\nid: sec-rule\nlogsource: {category: webserver, product: windows}\n"
               "detection:\n  sel:\n    cs-uri-stem: /x\n  condition: sel\nlevel: low\n");
  }
  void TearDown() override {
    if (agent_) {
      agent_->Signal(SIGTERM);
      (void)agent_->Wait(30s);
    }
    if (correlator_) {
      correlator_->Signal(SIGTERM);
      EXPECT_EQ(correlator_->Wait(30s), 0) << correlator_->Output();
    }
  }

  // Runs a shell command in the test's folder; false on failure.
  bool Sh(const std::string& cmd) {
    std::string full = "cd " + dir_.path() + " && (" + cmd + ") >>openssl.log 2>&1";
    return std::system(full.c_str()) == 0;
  }
  // A CA named `ca` and a certificate `name` signed by it with `ext` (an openssl extension line).
  bool MakeCa(const std::string& ca) {
    return Sh("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
              "-keyout " + ca + ".key -out " + ca + ".pem -subj '/CN=" + ca + "'");
  }
  bool MakeCert(const std::string& ca, const std::string& name, const std::string& ext) {
    dir_.Write(name + ".ext", ext + "\n");
    return Sh("openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " +
              name + ".key -out " + name + ".csr -subj '/CN=" + name + "' && openssl x509 -req -in " +
              name + ".csr -CA " + ca + ".pem -CAkey " + ca + ".key -CAcreateserial -days 2 -out " +
              name + ".pem -extfile " + name + ".ext");
  }

  void StartCorrelator(const std::string& api_extra) {
    dir_.Write("correlator.yaml",
               "kafka:\n  brokers: " + bootstrap_ + "\n  group_id: sec-" + suffix_ +
                   "\n  events_topic: sec.events." + suffix_ + "\n  alerts_topic: \"\"\n"
                   "rules:\n  paths: [" + dir_.File("rules") + "]\n"
                   "  field_map: " TRIPLINE_SOURCE_DIR "/config/field_map.yaml\n"
                   "outputs:\n  stdout: true\n"
                   "api:\n  listen: 127.0.0.1:0\n" + api_extra +
                   "metrics:\n  listen: 127.0.0.1:0\n"
                   "fleet: {heartbeat_interval_s: 1}\n"
                   "correlator:\n  state_dir: " + dir_.File("state") + "\n");
    correlator_ = std::make_unique<Process>(
        std::vector<std::string>{TRIPLINE_CORRELATOR_BIN, "-c", dir_.File("correlator.yaml")},
        dir_.File("correlator.out"));
    std::string port = testing::WaitForOutput(*correlator_, "gRPC API on port ([0-9]+)", 30s);
    ASSERT_FALSE(port.empty()) << correlator_->Output();
    server_ = "127.0.0.1:" + port;
  }

  grpc::Status ListAgents(const std::shared_ptr<grpc::ChannelCredentials>& creds,
                          const std::string& token = "") {
    auto stub = v1::FleetService::NewStub(grpc::CreateChannel(server_, creds));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 5s);
    if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
    v1::ListAgentsResponse resp;
    return stub->ListAgents(&ctx, v1::ListAgentsRequest(), &resp);
  }
  std::shared_ptr<grpc::ChannelCredentials> Tls(const std::string& client = "") {
    grpc::SslCredentialsOptions o;
    o.pem_root_certs = ReadFile(dir_.File("ca.pem"));
    if (!client.empty()) {
      o.pem_cert_chain = ReadFile(dir_.File(client + ".pem"));
      o.pem_private_key = ReadFile(dir_.File(client + ".key"));
    }
    return grpc::SslCredentials(o);
  }

  testing::TempDir dir_;
  std::string bootstrap_, suffix_, server_;
  std::unique_ptr<Process> correlator_, agent_;
};

TEST_F(ApiSecurity, MutualTlsServesOnlyClientsWithACertificateFromTheConfiguredCa) {
  ASSERT_TRUE(MakeCa("ca") && MakeCa("other-ca")) << ReadFile(dir_.File("openssl.log"));
  ASSERT_TRUE(MakeCert("ca", "server", "subjectAltName=IP:127.0.0.1,DNS:localhost") &&
              MakeCert("ca", "client", "extendedKeyUsage=clientAuth") &&
              MakeCert("other-ca", "stranger", "extendedKeyUsage=clientAuth"))
      << ReadFile(dir_.File("openssl.log"));
  StartCorrelator("  tls:\n    cert_file: " + dir_.File("server.pem") + "\n    key_file: " +
                  dir_.File("server.key") + "\n    client_ca_file: " + dir_.File("ca.pem") + "\n");
  EXPECT_NE(correlator_->Output().find("gRPC API security: mTLS"), std::string::npos);

  EXPECT_TRUE(ListAgents(Tls("client")).ok()) << correlator_->Output();
  grpc::Status no_cert = ListAgents(Tls());
  EXPECT_FALSE(no_cert.ok());
  EXPECT_EQ(no_cert.error_code(), grpc::StatusCode::UNAVAILABLE) << no_cert.error_message();
  grpc::Status stranger = ListAgents(Tls("stranger"));
  EXPECT_FALSE(stranger.ok());
  EXPECT_EQ(stranger.error_code(), grpc::StatusCode::UNAVAILABLE) << stranger.error_message();
  EXPECT_FALSE(ListAgents(grpc::InsecureChannelCredentials()).ok());

  // The CLI with the right files is served; without a client certificate it is not.
  Process good({TRIPLINE_TRIPLINE_BIN, "agents", "list", "--json", "--server", server_, "--ca",
                dir_.File("ca.pem"), "--cert", dir_.File("client.pem"), "--key",
                dir_.File("client.key")},
               dir_.File("good.out"));
  EXPECT_EQ(good.Wait(20s), 0) << good.Output();
  Process bad({TRIPLINE_TRIPLINE_BIN, "agents", "list", "--server", server_, "--ca",
               dir_.File("ca.pem")},
              dir_.File("bad.out"));
  EXPECT_EQ(bad.Wait(20s), 1) << bad.Output();

  // An agent with its client certificate registers over mTLS.
  dir_.Write("logs/keep", "");
  std::string config = dir_.Write(
      "agent.yaml",
      "agent:\n  id: exch-tls\n  data_dir: " + dir_.File("agent") + "\n"
      "kafka:\n  brokers: " + bootstrap_ + "\n  topic: sec.events." + suffix_ + "\n"
      "sources:\n  - {name: iis, path: " + dir_.File("logs") + "/*.log, format: w3c}\n"
      "metrics: {listen: \"127.0.0.1:0\"}\n"
      "fleet:\n  server: " + server_ + "\n  tls:\n    ca_file: " + dir_.File("ca.pem") +
      "\n    cert_file: " + dir_.File("client.pem") + "\n    key_file: " +
      dir_.File("client.key") + "\n");
  agent_ = std::make_unique<Process>(std::vector<std::string>{TRIPLINE_AGENT_BIN, "-c", config},
                                     dir_.File("agent.out"));
  ASSERT_TRUE(WaitUntil(20s, [&] {
    auto stub = v1::FleetService::NewStub(grpc::CreateChannel(server_, Tls("client")));
    grpc::ClientContext ctx;
    v1::ListAgentsResponse resp;
    return stub->ListAgents(&ctx, v1::ListAgentsRequest(), &resp).ok() &&
           resp.agents_size() == 1 && resp.agents(0).agent_id() == "exch-tls" &&
           resp.agents(0).health() == "ok";
  })) << agent_->Output() << correlator_->Output();
}

TEST_F(ApiSecurity, EveryServiceWantsTheBearerTokenAndItIsNeverLogged) {
  const std::string token = "tok-" + suffix_ + "-0123456789abcdef";
  dir_.Write("api.token", token + "\n");
  StartCorrelator("  token_file: " + dir_.File("api.token") + "\n");
  auto channel = grpc::CreateChannel(server_, grpc::InsecureChannelCredentials());
  auto fleet = v1::FleetService::NewStub(channel);
  auto alerts = v1::AlertService::NewStub(channel);
  auto rules = v1::RuleService::NewStub(channel);
  // Each service, with no token, a wrong one, and the right one.
  for (const std::string& sent : {std::string(), std::string("wrong"), token + "x", token}) {
    const bool good = sent == token;
    auto call = [&](auto&& rpc) {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + 5s);
      if (!sent.empty()) ctx.AddMetadata("authorization", "Bearer " + sent);
      grpc::Status st = rpc(&ctx);
      if (good) {
        EXPECT_TRUE(st.ok()) << st.error_message();
      } else {
        EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED) << "token '" << sent << "'";
      }
    };
    call([&](grpc::ClientContext* c) {
      v1::ListAgentsResponse r;
      return fleet->ListAgents(c, v1::ListAgentsRequest(), &r);
    });
    call([&](grpc::ClientContext* c) {
      v1::RegisterRequest req;
      req.mutable_agent()->set_agent_id("exch-token");
      v1::RegisterResponse r;
      return fleet->Register(c, req, &r);
    });
    call([&](grpc::ClientContext* c) {
      v1::ListAlertsResponse r;
      return alerts->ListAlerts(c, v1::ListAlertsRequest(), &r);
    });
    call([&](grpc::ClientContext* c) {
      v1::ListRulesResponse r;
      return rules->ListRules(c, v1::ListRulesRequest(), &r);
    });
  }
  grpc::ClientContext sctx;
  auto stream = alerts->StreamAlerts(&sctx, v1::StreamAlertsRequest());
  v1::Alert ignored;
  EXPECT_FALSE(stream->Read(&ignored));
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);

  // The CLI: --token-file, the environment variable, and nothing.
  Process by_file({TRIPLINE_TRIPLINE_BIN, "agents", "list", "--json", "--server", server_,
                   "--token-file", dir_.File("api.token")},
                  dir_.File("file.out"));
  ASSERT_EQ(by_file.Wait(20s), 0) << by_file.Output();
  EXPECT_NE(by_file.Output().find("exch-token"), std::string::npos) << by_file.Output();
  setenv("TRIPLINE_API_TOKEN", token.c_str(), 1);
  Process by_env({TRIPLINE_TRIPLINE_BIN, "agents", "list", "--server", server_},
                 dir_.File("env.out"));
  EXPECT_EQ(by_env.Wait(20s), 0) << by_env.Output();
  unsetenv("TRIPLINE_API_TOKEN");
  Process none({TRIPLINE_TRIPLINE_BIN, "agents", "list", "--server", server_},
               dir_.File("none.out"));
  EXPECT_EQ(none.Wait(20s), 1) << none.Output();
  EXPECT_NE(none.Output().find("token"), std::string::npos) << none.Output();

  correlator_->Signal(SIGTERM);
  EXPECT_EQ(correlator_->Wait(30s), 0);
  EXPECT_EQ(correlator_->Output().find(token), std::string::npos) << "the token was logged";
  correlator_.reset();
}

}  // namespace
}  // namespace tripline
