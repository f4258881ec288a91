// A librdkafka plugin for fault tests: loaded into a Tripline binary through its own Kafka
// configuration (plugin.library.paths), it raises a fatal producer error, the kind a lost
// idempotence state causes, after the N-th record a producer of the process sends:
//
//   kafka:
//     properties:
//       plugin.library.paths: /path/to/libtripline_fatal_error_plugin.so
//       tripline.test.fatal_after: "3000"
//
// Once per process: a producer created after the error is left alone. Nothing in Tripline knows
// about this plugin; it uses librdkafka's public interceptor API and rd_kafka_test_fatal_error().
#include <librdkafka/rdkafka.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

namespace {

constexpr const char* kName = "tripline-fatal-error";
std::atomic<long> g_after{0};
std::atomic<long> g_sent{0};
std::atomic<bool> g_fired{false};
std::mutex g_mu;
std::thread g_trigger;  // raises the error outside librdkafka's call stack

void JoinTrigger() {
  std::lock_guard lock(g_mu);
  if (g_trigger.joinable()) g_trigger.join();
}

rd_kafka_resp_err_t OnSend(rd_kafka_t* rk, rd_kafka_message_t*, void*) {
  if (g_after > 0 && ++g_sent == g_after && !g_fired.exchange(true)) {
    std::lock_guard lock(g_mu);
    g_trigger = std::thread([rk] {
      rd_kafka_test_fatal_error(rk, RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER,
                                "injected by the test plugin");
    });
  }
  return RD_KAFKA_RESP_ERR_NO_ERROR;
}

rd_kafka_resp_err_t OnDestroy(rd_kafka_t*, void*) {
  JoinTrigger();  // the handle must outlive the call that uses it
  return RD_KAFKA_RESP_ERR_NO_ERROR;
}

rd_kafka_resp_err_t OnNew(rd_kafka_t* rk, const rd_kafka_conf_t*, void*, char*, size_t) {
  rd_kafka_interceptor_add_on_send(rk, kName, OnSend, nullptr);
  rd_kafka_interceptor_add_on_destroy(rk, kName, OnDestroy, nullptr);
  return RD_KAFKA_RESP_ERR_NO_ERROR;
}

rd_kafka_conf_res_t OnConfSet(rd_kafka_conf_t*, const char* name, const char* value, char*,
                              size_t, void*) {
  if (std::strcmp(name, "tripline.test.fatal_after") != 0) return RD_KAFKA_CONF_UNKNOWN;
  g_after = std::strtol(value, nullptr, 10);
  return RD_KAFKA_CONF_OK;
}

rd_kafka_resp_err_t OnConfDup(rd_kafka_conf_t* new_conf, const rd_kafka_conf_t*, size_t,
                              const char**, void*) {
  rd_kafka_conf_interceptor_add_on_new(new_conf, kName, OnNew, nullptr);
  rd_kafka_conf_interceptor_add_on_conf_set(new_conf, kName, OnConfSet, nullptr);
  rd_kafka_conf_interceptor_add_on_conf_dup(new_conf, kName, OnConfDup, nullptr);
  return RD_KAFKA_RESP_ERR_NO_ERROR;
}

}  // namespace

extern "C" rd_kafka_resp_err_t conf_init(rd_kafka_conf_t* conf, void** plug_opaquep, char*,
                                         size_t) {
  *plug_opaquep = nullptr;
  rd_kafka_conf_interceptor_add_on_new(conf, kName, OnNew, nullptr);
  rd_kafka_conf_interceptor_add_on_conf_set(conf, kName, OnConfSet, nullptr);
  rd_kafka_conf_interceptor_add_on_conf_dup(conf, kName, OnConfDup, nullptr);
  return RD_KAFKA_RESP_ERR_NO_ERROR;
}
