#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/metrics/registry.h"
#include "common/status.h"

namespace tripline::metrics {

enum class HealthState { kOk, kDegraded, kFailed };

// What `/health` reports. `details` is free text for a human ("spool at 93% of quota").
struct Health {
  HealthState state = HealthState::kOk;
  std::string details;
};

// Called on the server thread for every `/health` request: must be thread-safe, quick, and must
// not throw or call Stop().
using HealthFn = std::function<Health()>;

struct MetricsServerOptions {
  // An address, or a name resolved once at Start().
  std::string host = "127.0.0.1";
  // 0 = any free port; port() tells which.
  uint16_t port = 9100;
  // Further connections are closed as soon as they are accepted, and counted.
  std::size_t max_connections = 64;
  // Larger request headers get 431 and a close.
  std::size_t max_header_bytes = 8 * 1024;
  // Bounds each read and write; an idle keep-alive connection is closed after this long.
  std::chrono::milliseconds io_timeout{10'000};
};

// The HTTP endpoint Prometheus scrapes and orchestration probes:
//   GET /metrics -> 200, `text/plain; version=0.0.4; charset=utf-8`, Registry::Render()
//   GET /health  -> 200 (ok, degraded) or 503 (failed), `{"status":"ok","details":"..."}`
//   other paths  -> 404; other methods -> 405 (with `Allow: GET`)
// HTTP/1.1 with keep-alive; Boost.Beast on Asio.
//
// Lifecycle: construct, Start() once, Stop() (idempotent; the destructor calls it). A server is
// not restarted: build a new one.
// Threads: Start() and Stop() are called from the owning thread (main). Start() spawns one I/O
// thread that accepts, parses, renders the registry, calls the health callback and writes; all
// connection state lives on it. Stop() closes the listening socket and every connection, lets
// their handlers finish, and joins that thread; it returns even while clients hold keep-alive
// connections. It must not be called from the health callback or a GaugeFn (it would join the
// thread it runs on).
// Ownership: the server borrows `registry` and `health`; both must outlive it (or at least
// Stop()). It owns its thread, sockets and sessions.
class MetricsServer {
 public:
  // `health` may be empty: `/health` then always says ok.
  MetricsServer(MetricsServerOptions options, const Registry& registry, HealthFn health);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Resolves the host, binds, listens and starts the I/O thread. Errors name host:port
  // ("metrics server: cannot bind 127.0.0.1:9100: Address already in use"); after an error the
  // server holds no socket and no thread. A second call is FailedPrecondition.
  [[nodiscard]] absl::Status Start();

  // Closes the acceptor and all connections and joins the I/O thread.
  void Stop();

  // The bound port (the ephemeral one when options.port was 0); 0 before a successful Start().
  uint16_t port() const;

  // Connections closed at accept because max_connections were open. Any thread.
  uint64_t rejected_connections() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Starts a server on `listen` ("host:port", port 0 = any free one) for `registry` and `health`:
// the one way both binaries turn their `metrics.listen` setting into an endpoint. Errors name the
// setting `what` ("metrics.listen: ...").
absl::StatusOr<std::unique_ptr<MetricsServer>> StartMetricsServer(const std::string& what,
                                                                  const std::string& listen,
                                                                  const Registry& registry,
                                                                  HealthFn health);

}  // namespace tripline::metrics
