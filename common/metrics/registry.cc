#include "common/metrics/registry.h"

#include <utility>
#include <variant>

#include "common/metrics/text_format.h"

namespace tripline::metrics {

struct Registry::ChildSlot {
  std::variant<std::unique_ptr<Counter>, std::unique_ptr<Gauge>, GaugeFn,
               std::unique_ptr<Histogram>>
      instrument;
};

struct Registry::Family {
  std::string name;  // as rendered (counters include `_total`)
  std::string help;
  Type type = Type::kGauge;
  std::vector<std::string> label_names;
  std::vector<double> bounds;  // histograms only
  std::map<std::vector<std::string>, ChildSlot> children;  // keyed by label values
};

namespace {

constexpr std::string_view kTotalSuffix = "_total";

std::string_view TypeName(int type) {
  static constexpr std::string_view kNames[] = {"counter", "gauge", "histogram"};
  return kNames[type];
}

// The sample names a family writes, which no other family may also write.
std::vector<std::string> SampleNames(const std::string& family_name, bool histogram) {
  if (!histogram) {
    return {family_name};
  }
  return {family_name + "_bucket", family_name + "_sum", family_name + "_count"};
}

// `{a="x",b="y"}`, with an optional extra label last (`le` for histogram buckets); nothing when
// there are no labels at all.
void AppendLabels(const std::vector<std::string>& names, const std::vector<std::string>& values,
                  std::string_view extra_name, std::string_view extra_value, std::string& out) {
  if (names.empty() && extra_name.empty()) {
    return;
  }
  out += '{';
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    out += names[i];
    out += "=\"";
    AppendEscapedLabelValue(values[i], out);
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!names.empty()) out += ',';
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
}

void AppendSample(std::string_view name, std::string_view suffix, const std::string& labels,
                  std::string_view value, std::string& out) {
  out += name;
  out += suffix;
  out += labels;
  out += ' ';
  out += value;
  out += '\n';
}

// `_bucket` per bound and +Inf (cumulative), then `_sum` and `_count`, from one snapshot.
void AppendHistogram(const std::string& name, const std::vector<std::string>& names,
                     const std::vector<std::string>& values, const Histogram& histogram,
                     std::string& out) {
  Histogram::Snapshot snap = histogram.TakeSnapshot();
  std::string labels;
  std::string count;
  for (size_t i = 0; i < snap.cumulative.size(); ++i) {
    labels.clear();
    count.clear();
    bool inf = i == histogram.bounds().size();
    AppendLabels(names, values, "le", inf ? "+Inf" : FormatValue(histogram.bounds()[i]), labels);
    AppendValue(snap.cumulative[i], count);
    AppendSample(name, "_bucket", labels, count, out);
  }
  labels.clear();
  count.clear();
  AppendLabels(names, values, {}, {}, labels);
  AppendSample(name, "_sum", labels, FormatValue(snap.sum), out);
  AppendValue(snap.count, count);
  AppendSample(name, "_count", labels, count, out);
}

}  // namespace

Registry::Registry() = default;
Registry::~Registry() = default;

absl::Status Registry::CheckNewFamily(const std::string& family_name, Type type) const {
  for (const std::string& sample : SampleNames(family_name, type == Type::kHistogram)) {
    if (sample_names_.count(sample) > 0 || families_.count(sample) > 0) {
      return absl::AlreadyExistsError("metric " + family_name + ": sample name " + sample +
                                      " is already written by another metric");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Registry::Family*> Registry::PrepareChild(std::string family_name,
                                                         std::string_view help, Type type,
                                                         const Labels& labels,
                                                         const std::vector<double>& bounds,
                                                         std::vector<std::string>* values) {
  const std::string where = "metric " + family_name + ": ";
  std::vector<std::string> names;
  for (const Label& label : labels) {
    if (absl::Status st = ValidateLabelName(label.name); !st.ok()) {
      return absl::InvalidArgumentError(where + std::string(st.message()));
    }
    if (type == Type::kHistogram && label.name == "le") {
      return absl::InvalidArgumentError(where + "label name \"le\" is reserved for histograms");
    }
    for (const std::string& seen : names) {
      if (seen == label.name) {
        return absl::InvalidArgumentError(where + "label " + label.name + " appears twice");
      }
    }
    names.push_back(label.name);
    values->push_back(label.value);
  }
  auto it = families_.find(family_name);
  if (it == families_.end()) {
    TRIPLINE_RETURN_IF_ERROR(CheckNewFamily(family_name, type));
    auto family = std::make_unique<Family>();
    family->name = family_name;
    family->help = std::string(help);
    family->type = type;
    family->label_names = std::move(names);
    family->bounds = bounds;
    for (std::string& sample : SampleNames(family_name, type == Type::kHistogram)) {
      sample_names_.insert(std::move(sample));
    }
    it = families_.emplace(std::move(family_name), std::move(family)).first;
    return it->second.get();
  }
  Family& family = *it->second;
  if (family.type != type) {
    return absl::AlreadyExistsError(where + "already registered as a " +
                                    std::string(TypeName(static_cast<int>(family.type))));
  }
  if (family.help != help) {
    return absl::InvalidArgumentError(where + "registered again with a different help text");
  }
  if (family.label_names != names) {
    return absl::InvalidArgumentError(where + "registered again with different label names");
  }
  if (family.bounds != bounds) {
    return absl::InvalidArgumentError(where + "registered again with different bucket bounds");
  }
  if (family.children.count(*values) > 0) {
    return absl::AlreadyExistsError(where + "this label set is already registered");
  }
  return &family;
}

absl::StatusOr<Counter*> Registry::AddCounter(std::string_view name, std::string_view help,
                                              const Labels& labels) {
  TRIPLINE_RETURN_IF_ERROR(ValidateMetricName(name));
  std::string family_name(name);
  if (!name.ends_with(kTotalSuffix)) {
    family_name += kTotalSuffix;
  }
  std::lock_guard lock(mu_);
  std::vector<std::string> values;
  TRIPLINE_ASSIGN_OR_RETURN(Family * family,
                            PrepareChild(std::move(family_name), help, Type::kCounter, labels,
                                         {}, &values));
  auto counter = std::make_unique<Counter>();
  Counter* handle = counter.get();
  family->children[std::move(values)].instrument = std::move(counter);
  return handle;
}

absl::StatusOr<Gauge*> Registry::AddGauge(std::string_view name, std::string_view help,
                                          const Labels& labels) {
  TRIPLINE_RETURN_IF_ERROR(ValidateMetricName(name));
  std::lock_guard lock(mu_);
  std::vector<std::string> values;
  TRIPLINE_ASSIGN_OR_RETURN(
      Family * family, PrepareChild(std::string(name), help, Type::kGauge, labels, {}, &values));
  auto gauge = std::make_unique<Gauge>();
  Gauge* handle = gauge.get();
  family->children[std::move(values)].instrument = std::move(gauge);
  return handle;
}

absl::Status Registry::AddGaugeFn(std::string_view name, std::string_view help,
                                  const Labels& labels, GaugeFn fn) {
  TRIPLINE_RETURN_IF_ERROR(ValidateMetricName(name));
  if (!fn) {
    return absl::InvalidArgumentError("metric " + std::string(name) + ": empty callback");
  }
  std::lock_guard lock(mu_);
  std::vector<std::string> values;
  TRIPLINE_ASSIGN_OR_RETURN(
      Family * family, PrepareChild(std::string(name), help, Type::kGauge, labels, {}, &values));
  family->children[std::move(values)].instrument = std::move(fn);
  return absl::OkStatus();
}

absl::StatusOr<Histogram*> Registry::AddHistogram(std::string_view name, std::string_view help,
                                                  std::vector<double> bounds,
                                                  const Labels& labels) {
  TRIPLINE_RETURN_IF_ERROR(ValidateMetricName(name));
  absl::StatusOr<std::vector<double>> checked = Histogram::CheckBounds(std::move(bounds));
  if (!checked.ok()) {
    return absl::InvalidArgumentError("metric " + std::string(name) + ": " +
                                      std::string(checked.status().message()));
  }
  std::lock_guard lock(mu_);
  std::vector<std::string> values;
  TRIPLINE_ASSIGN_OR_RETURN(Family * family, PrepareChild(std::string(name), help,
                                                          Type::kHistogram, labels, *checked,
                                                          &values));
  auto histogram = std::make_unique<Histogram>(*std::move(checked));
  Histogram* handle = histogram.get();
  family->children[std::move(values)].instrument = std::move(histogram);
  return handle;
}

void Registry::RenderFamily(const Family& family, std::string& out) {
  if (!family.help.empty()) {
    out += "# HELP " + family.name + ' ';
    AppendEscapedHelp(family.help, out);
    out += '\n';
  }
  out += "# TYPE " + family.name + ' ';
  out += TypeName(static_cast<int>(family.type));
  out += '\n';
  std::string labels;
  std::string value;
  for (const auto& [label_values, child] : family.children) {
    if (const auto* histogram = std::get_if<std::unique_ptr<Histogram>>(&child.instrument)) {
      AppendHistogram(family.name, family.label_names, label_values, **histogram, out);
      continue;
    }
    labels.clear();
    value.clear();
    AppendLabels(family.label_names, label_values, {}, {}, labels);
    if (const auto* counter = std::get_if<std::unique_ptr<Counter>>(&child.instrument)) {
      AppendValue((*counter)->Value(), value);
    } else if (const auto* gauge = std::get_if<std::unique_ptr<Gauge>>(&child.instrument)) {
      AppendValue((*gauge)->Value(), value);
    } else {
      AppendValue(std::get<GaugeFn>(child.instrument)(), value);
    }
    AppendSample(family.name, {}, labels, value, out);
  }
}

std::string Registry::Render() const {
  std::string out;
  std::lock_guard lock(mu_);
  out.reserve(families_.size() * 256);
  for (const auto& [name, family] : families_) {
    RenderFamily(*family, out);
  }
  return out;
}

}  // namespace tripline::metrics
