#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/metrics/counter.h"
#include "common/metrics/histogram.h"
#include "common/status.h"

namespace tripline::metrics {

// One label of a metric: `{reason="quota"}` is Label{"reason", "quota"}.
struct Label {
  std::string name;
  std::string value;
};
// In the order they should appear in the exposition. Every child of a family must use the same
// label names in the same order.
using Labels = std::vector<Label>;

// The set of metrics a process exposes, and their Prometheus text rendering.
//
// Lifecycle: one Registry per process, created in main before the components, destroyed after
// them and after the MetricsServer that renders it. Components register their metrics once while
// they are built and keep the returned pointers; nothing is ever unregistered.
//
// Ownership: the Registry owns every instrument. Returned pointers stay valid, and keep their
// address, until the Registry is destroyed; the Registry is neither copyable nor movable.
//
// Threads: registration and Render() take an internal mutex, so they may run on any thread and
// concurrently with each other (a sink created late registers while a scrape renders). Updates
// through the returned pointers never touch the Registry: they are single relaxed atomics.
//
// Errors: a bad name, a bad label name, a duplicate label set or a family registered twice with
// a different type, help, label names or bounds is a programming error; registration returns it
// as a status (InvalidArgument or AlreadyExists) naming the metric, and the binary should fail
// to start. Nothing is checked at scrape time.
class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // A counter child. The family is rendered as `<name>_total` (the suffix is added unless
  // `name` already ends with it); `help` is the `# HELP` text.
  [[nodiscard]] absl::StatusOr<Counter*> AddCounter(std::string_view name, std::string_view help,
                                                    const Labels& labels = {});

  // A gauge child set by its owner.
  [[nodiscard]] absl::StatusOr<Gauge*> AddGauge(std::string_view name, std::string_view help,
                                                const Labels& labels = {});

  // A gauge child whose value `fn` computes at each scrape, on the scrape thread, with the
  // Registry lock held. See GaugeFn for what the callback must guarantee.
  [[nodiscard]] absl::Status AddGaugeFn(std::string_view name, std::string_view help,
                                        const Labels& labels, GaugeFn fn);

  // A histogram child with bucket upper bounds `bounds` (strictly increasing; +Inf is implied).
  // `le` is reserved and may not be a label name. Children of one family share the bounds.
  [[nodiscard]] absl::StatusOr<Histogram*> AddHistogram(std::string_view name,
                                                        std::string_view help,
                                                        std::vector<double> bounds,
                                                        const Labels& labels = {});

  // Prometheus text format 0.0.4: families sorted by name, each with `# HELP` (when help is not
  // empty) and `# TYPE`, children sorted by label values; ends with "\n" (or is empty when
  // nothing is registered). Evaluates GaugeFn callbacks on the calling thread.
  std::string Render() const;

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Family;
  struct ChildSlot;

  // Validates a registration and finds or creates the family; on success `*values` holds the
  // child's label values, which are not yet present in the family. Requires mu_.
  absl::StatusOr<Family*> PrepareChild(std::string family_name, std::string_view help, Type type,
                                       const Labels& labels, const std::vector<double>& bounds,
                                       std::vector<std::string>* values);
  absl::Status CheckNewFamily(const std::string& family_name, Type type) const;
  static void RenderFamily(const Family& family, std::string& out);

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;  // guarded by mu_
  std::set<std::string, std::less<>> sample_names_;                       // guarded by mu_
};

}  // namespace tripline::metrics
