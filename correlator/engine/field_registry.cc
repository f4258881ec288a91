#include "correlator/engine/field_registry.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <ctime>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "correlator/engine/absl_compat.h"

// The table below is the single place that knows how an ECS-style name maps onto the Event proto.
// Fields shared by several bodies (process.executable is the process started, the file writer or
// the connecting process) read whichever body the event carries. A few values are composed into
// `scratch` to match what Sigma rules expect from Sysmon (process.hashes, user.qualified_name).
namespace tripline::correlator::engine {
namespace {

using v1::Event;

template <typename B>
const B* Body(const Event& e);
template <>
const v1::HttpRequest* Body(const Event& e) { return e.has_http() ? &e.http() : nullptr; }
template <>
const v1::ProcessStart* Body(const Event& e) { return e.has_process() ? &e.process() : nullptr; }
template <>
const v1::FileChange* Body(const Event& e) { return e.has_file() ? &e.file() : nullptr; }
template <>
const v1::NetworkConnection* Body(const Event& e) { return e.has_network() ? &e.network() : nullptr; }
template <>
const v1::ExchangeCmdlet* Body(const Event& e) { return e.has_cmdlet() ? &e.cmdlet() : nullptr; }
template <>
const v1::WindowsEvent* Body(const Event& e) { return e.has_windows() ? &e.windows() : nullptr; }
template <>
const v1::AppLog* Body(const Event& e) { return e.has_app() ? &e.app() : nullptr; }

FieldValue Render(uint64_t v, std::string* scratch) {
  scratch->clear();
  absl::StrAppend(scratch, v);
  return std::string_view(*scratch);
}
FieldValue Render(int64_t v, std::string* scratch) {
  scratch->clear();
  absl::StrAppend(scratch, v);
  return std::string_view(*scratch);
}

// A string member of one body.
template <typename B, auto M>
FieldValue Str(const Event& e, const std::string&, std::string*) {
  const B* b = Body<B>(e);
  if (b == nullptr) return std::nullopt;
  return std::string_view((b->*M)());
}

// A numeric member of one body, rendered in decimal.
template <typename B, auto M>
FieldValue Num(const Event& e, const std::string&, std::string* scratch) {
  const B* b = Body<B>(e);
  if (b == nullptr) return std::nullopt;
  auto v = (b->*M)();
  if constexpr (std::is_signed_v<decltype(v)>) {
    return Render(static_cast<int64_t>(v), scratch);
  } else {
    return Render(static_cast<uint64_t>(v), scratch);
  }
}

// A string-to-string map member of one body, looked up by the accessor's key.
template <typename B, auto M>
FieldValue MapValue(const Event& e, const std::string& key, std::string*) {
  const B* b = Body<B>(e);
  if (b == nullptr) return std::nullopt;
  const auto& map = (b->*M)();
  auto it = map.find(key);
  if (it == map.end()) return std::nullopt;
  return std::string_view(it->second);
}

// The record's own named values, whatever body carries them: AppLog.fields (JSON lines, flattened
// to dotted keys) or WindowsEvent.data. The generic mapping of structured logs reads this.
FieldValue RecordField(const Event& e, const std::string& key, std::string*) {
  const google::protobuf::Map<std::string, std::string>* map = nullptr;
  if (e.has_app()) {
    map = &e.app().fields();
  } else if (e.has_windows()) {
    map = &e.windows().data();
  } else {
    return std::nullopt;
  }
  auto it = map->find(key);
  if (it == map->end()) return std::nullopt;
  return std::string_view(it->second);
}

// A string member of one body that is absent when empty: for values only some sources report
// (Sysmon's ParentUser, LogonId), so that Sigma `null` filters see "not reported" as absent.
template <typename B, auto M>
FieldValue StrIfSet(const Event& e, const std::string&, std::string*) {
  const B* b = Body<B>(e);
  if (b == nullptr || (b->*M)().empty()) return std::nullopt;
  return std::string_view((b->*M)());
}

FieldValue Label(const Event& e, const std::string& key, std::string*) {
  auto it = e.labels().find(key);
  if (it == e.labels().end()) return std::nullopt;
  return std::string_view(it->second);
}

// The process acting in the event: the one started, the file writer, the connecting process.
const v1::ProcessRef* ActingProcess(const Event& e) {
  switch (e.body_case()) {
    case Event::kProcess:
      return &e.process().process();
    case Event::kFile:
      return e.file().has_process() ? &e.file().process() : nullptr;
    case Event::kNetwork:
      return e.network().has_process() ? &e.network().process() : nullptr;
    default:
      return nullptr;
  }
}

template <auto M>
FieldValue ProcStr(const Event& e, const std::string&, std::string*) {
  const v1::ProcessRef* p = ActingProcess(e);
  if (p == nullptr) return std::nullopt;
  return std::string_view((p->*M)());
}

FieldValue ProcPid(const Event& e, const std::string&, std::string* scratch) {
  const v1::ProcessRef* p = ActingProcess(e);
  if (p == nullptr) return std::nullopt;
  return Render(static_cast<int64_t>(p->pid()), scratch);
}

template <auto M>
FieldValue ParentStr(const Event& e, const std::string&, std::string*) {
  if (!e.has_process()) return std::nullopt;
  return std::string_view((e.process().parent().*M)());
}

FieldValue ParentPid(const Event& e, const std::string&, std::string* scratch) {
  if (!e.has_process()) return std::nullopt;
  return Render(static_cast<int64_t>(e.process().parent().pid()), scratch);
}

// Sysmon's Hashes field: "SHA1=...,MD5=...,SHA256=..." (only the hashes the event has).
FieldValue ProcessHashes(const Event& e, const std::string&, std::string* scratch) {
  if (!e.has_process()) return std::nullopt;
  const v1::ProcessStart& p = e.process();
  scratch->clear();
  const std::pair<const char*, const std::string*> parts[] = {
      {"SHA1=", &p.hash_sha1()}, {"MD5=", &p.hash_md5()}, {"SHA256=", &p.hash_sha256()}};
  for (const auto& [label, value] : parts) {
    if (value->empty()) continue;
    if (!scratch->empty()) scratch->push_back(',');
    absl::StrAppend(scratch, label, *value);
  }
  return std::string_view(*scratch);
}

FieldValue UserName(const Event& e, const std::string&, std::string*) {
  switch (e.body_case()) {
    case Event::kHttp: return std::string_view(e.http().user_name());
    case Event::kProcess: return std::string_view(e.process().user_name());
    case Event::kFile: return std::string_view(e.file().user_name());
    case Event::kNetwork: return std::string_view(e.network().user_name());
    case Event::kCmdlet: return std::string_view(e.cmdlet().user_name());
    default: return std::nullopt;
  }
}

// Sysmon's User field: "DOMAIN\name" (kept as is when the name already carries a domain).
FieldValue UserQualified(const Event& e, const std::string& key, std::string* scratch) {
  if (!e.has_process()) return UserName(e, key, scratch);
  const v1::ProcessStart& p = e.process();
  if (p.user_domain().empty() || p.user_name().find('\\') != std::string::npos) {
    return std::string_view(p.user_name());
  }
  scratch->clear();
  absl::StrAppend(scratch, p.user_domain(), "\\", p.user_name());
  return std::string_view(*scratch);
}

FieldValue SourceIp(const Event& e, const std::string&, std::string*) {
  if (e.has_http()) return std::string_view(e.http().source_ip());
  if (e.has_network()) return std::string_view(e.network().source_ip());
  return std::nullopt;
}
FieldValue DestinationIp(const Event& e, const std::string&, std::string*) {
  if (e.has_http()) return std::string_view(e.http().destination_ip());
  if (e.has_network()) return std::string_view(e.network().destination_ip());
  return std::nullopt;
}
FieldValue SourcePort(const Event& e, const std::string&, std::string* scratch) {
  if (e.has_http()) return Render(uint64_t{e.http().source_port()}, scratch);
  if (e.has_network()) return Render(uint64_t{e.network().source_port()}, scratch);
  return std::nullopt;
}
FieldValue DestinationPort(const Event& e, const std::string&, std::string* scratch) {
  if (e.has_http()) return Render(uint64_t{e.http().destination_port()}, scratch);
  if (e.has_network()) return Render(uint64_t{e.network().destination_port()}, scratch);
  return std::nullopt;
}

// The lower-case extension of the last path segment, without its dot ("" when it has none), as
// web proxies report c-uri-extension.
FieldValue UrlExtension(const Event& e, const std::string&, std::string* scratch) {
  if (!e.has_http()) return std::nullopt;
  std::string_view path = e.http().url_path();
  path = path.substr(0, path.find_first_of("?#"));
  std::string_view leaf = path.substr(path.find_last_of('/') + 1);
  size_t dot = leaf.find_last_of('.');
  scratch->clear();
  if (dot == std::string_view::npos) return std::string_view(*scratch);
  for (char c : leaf.substr(dot + 1)) {
    scratch->push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return std::string_view(*scratch);
}

// Sysmon's SourceIsIpv6 / DestinationIsIpv6, from the address itself.
template <bool kSource>
FieldValue IsIpv6(const Event& e, const std::string&, std::string*) {
  if (!e.has_network()) return std::nullopt;
  const std::string& ip = kSource ? e.network().source_ip() : e.network().destination_ip();
  if (ip.empty()) return std::nullopt;
  return std::string_view(ip.find(':') != std::string::npos ? "true" : "false");
}

// Sysmon's CreationUtcTime layout, "2023-05-31 14:02:03.123"; absent when the source did not
// report the creation time.
FieldValue FileCreated(const Event& e, const std::string&, std::string* scratch) {
  if (!e.has_file() || !e.file().has_created()) return std::nullopt;
  const google::protobuf::Timestamp& t = e.file().created();
  time_t seconds = static_cast<time_t>(t.seconds());
  struct tm parts;
  gmtime_r(&seconds, &parts);
  char text[40];
  size_t n = strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S", &parts);
  scratch->assign(text, n);
  absl::StrAppend(scratch, ".", absl::Dec(t.nanos() / 1000000, absl::kZeroPad3));
  return std::string_view(*scratch);
}

// url.original as IIS would log cs-uri: path, then '?' and the query when there is one.
FieldValue UrlOriginal(const Event& e, const std::string&, std::string* scratch) {
  if (!e.has_http()) return std::nullopt;
  if (e.http().url_query().empty()) return std::string_view(e.http().url_path());
  scratch->clear();
  absl::StrAppend(scratch, e.http().url_path(), "?", e.http().url_query());
  return std::string_view(*scratch);
}

// event.original: the raw line or record. A request parsed column by column may come without it
// (the agent's default for W3C and HttpProxy files): keyword searches then see its values
// joined by spaces, in the W3C column order (URL query '+' stays as logged, the user agent has
// the spaces IIS writes as '+'), then every other column.
FieldValue EventOriginal(const Event& e, const std::string&, std::string* scratch) {
  if (!e.original().empty() || !e.has_http()) return std::string_view(e.original());
  const v1::HttpRequest& h = e.http();
  scratch->clear();
  auto add = [&](std::string_view v) {
    if (v.empty()) return;
    if (!scratch->empty()) scratch->push_back(' ');
    scratch->append(v);
  };
  add(h.destination_ip());
  add(h.method());
  add(h.url_path());
  add(h.url_query());
  add(h.user_name());
  add(h.source_ip());
  std::string agent = h.user_agent();
  std::replace(agent.begin(), agent.end(), ' ', '+');
  add(agent);
  add(h.referrer());
  add(h.url_domain());
  if (h.status_code() != 0) add(absl::StrCat(h.status_code()));
  add(h.anchor_mailbox());
  add(h.routing_hint());
  add(h.backend_server());
  for (const auto& [name, value] : h.extra()) add(value);
  return std::string_view(*scratch);
}

// Sysmon network Initiated: "true" for outbound connections.
FieldValue NetworkInitiated(const Event& e, const std::string&, std::string*) {
  if (!e.has_network()) return std::nullopt;
  return std::string_view(e.network().direction() == "outbound" ? "true" : "false");
}

FieldValue CmdletSucceeded(const Event& e, const std::string&, std::string*) {
  if (!e.has_cmdlet()) return std::nullopt;
  return std::string_view(e.cmdlet().succeeded() ? "true" : "false");
}

FieldValue WebshellMarkers(const Event& e, const std::string&, std::string* scratch) {
  if (!e.has_file()) return std::nullopt;
  scratch->clear();
  for (const std::string& m : e.file().webshell_markers()) {
    if (!scratch->empty()) scratch->push_back(',');
    scratch->append(m);
  }
  return std::string_view(*scratch);
}

// A service install is System 7045 from the Service Control Manager; reporting it so lets the
// SigmaHQ `service: system` rules (EventID 7045, Provider_Name) run on ServiceChange events.
FieldValue EventCode(const Event& e, const std::string&, std::string* scratch) {
  if (e.has_windows()) return Render(uint64_t{e.windows().event_code()}, scratch);
  if (e.has_service() && e.service().action() == v1::ServiceChange::ACTION_INSTALLED) {
    return std::string_view("7045");
  }
  return std::nullopt;
}
FieldValue ProviderName(const Event& e, const std::string&, std::string*) {
  if (e.has_windows()) return std::string_view(e.windows().provider());
  if (e.has_service()) return std::string_view("Service Control Manager");
  return std::nullopt;
}

FieldValue EventAction(const Event& e, const std::string&, std::string*) {
  static constexpr std::string_view kFile[] = {"", "created", "modified", "deleted", "renamed"};
  static constexpr std::string_view kService[] = {"",        "installed", "changed",
                                                  "started", "stopped",   "removed"};
  if (e.has_file() && e.file().action() >= 0 && e.file().action() < std::ssize(kFile)) {
    return kFile[e.file().action()];
  }
  if (e.has_service() && e.service().action() >= 0 &&
      e.service().action() < std::ssize(kService)) {
    return kService[e.service().action()];
  }
  return std::nullopt;
}

// service.* also reads System 7045 / Security 4697 data when the event is a raw WindowsEvent.
template <auto M>
FieldValue ServiceStr(const Event& e, const std::string& key, std::string*) {
  if (e.has_service()) return std::string_view((e.service().*M)());
  if (!e.has_windows()) return std::nullopt;
  auto it = e.windows().data().find(key);
  if (it == e.windows().data().end()) return std::nullopt;
  return std::string_view(it->second);
}

#define TRIPLINE_ENVELOPE(expr) \
  [](const Event& e, const std::string&, std::string*) -> FieldValue { return std::string_view(expr); }

struct Entry {
  std::string_view name;
  FieldAccessor::Fn fn;
  std::string_view implied_key = {};  // fixed key passed to fn (service.* on WindowsEvent)
};

using H = v1::HttpRequest;
using P = v1::ProcessStart;
using F = v1::FileChange;
using S = v1::ServiceChange;
using N = v1::NetworkConnection;
using C = v1::ExchangeCmdlet;
using W = v1::WindowsEvent;
using R = v1::ProcessRef;

const Entry kFields[] = {
    // Envelope.
    {"event.id", TRIPLINE_ENVELOPE(e.event_id())},
    {"agent.id", TRIPLINE_ENVELOPE(e.agent_id())},
    {"host.id", TRIPLINE_ENVELOPE(e.host().id())},
    {"host.name", TRIPLINE_ENVELOPE(e.host().name())},
    {"host.os.type", TRIPLINE_ENVELOPE(e.host().os_type())},
    {"host.os.version", TRIPLINE_ENVELOPE(e.host().os_version())},
    {"host.exchange_build", TRIPLINE_ENVELOPE(e.host().exchange_build())},
    {"event.original", &EventOriginal},
    {"source.format", TRIPLINE_ENVELOPE(e.source().format())},
    {"source.name", TRIPLINE_ENVELOPE(e.source().name())},
    {"log.file.path", TRIPLINE_ENVELOPE(e.source().path())},
    {"event.action", &EventAction},
    // HttpRequest.
    {"http.request.method", &Str<H, &H::method>},
    {"url.path", &Str<H, &H::url_path>},
    {"url.query", &Str<H, &H::url_query>},
    {"url.domain", &Str<H, &H::url_domain>},
    {"url.original", &UrlOriginal},
    {"url.extension", &UrlExtension},
    {"http.response.status_code", &Num<H, &H::status_code>},
    {"http.response.substatus", &Num<H, &H::substatus>},
    {"http.response.win32_status", &Num<H, &H::win32_status>},
    {"user_agent.original", &Str<H, &H::user_agent>},
    {"http.request.referrer", &Str<H, &H::referrer>},
    {"http.response.bytes", &Num<H, &H::response_bytes>},
    {"http.request.bytes", &Num<H, &H::request_bytes>},
    {"http.duration_ms", &Num<H, &H::duration_ms>},
    {"iis.site_name", &Str<H, &H::site>},
    {"iis.server_name", &Str<H, &H::server_name>},
    {"exchange.protocol", &Str<H, &H::protocol>},
    {"exchange.anchor_mailbox", &Str<H, &H::anchor_mailbox>},
    {"exchange.routing_hint", &Str<H, &H::routing_hint>},
    {"exchange.backend_server", &Str<H, &H::backend_server>},
    {"exchange.correlation_id", &Str<H, &H::correlation_id>},
    // HttpRequest and NetworkConnection.
    {"source.ip", &SourceIp},
    {"source.port", &SourcePort},
    {"destination.ip", &DestinationIp},
    {"destination.port", &DestinationPort},
    {"user.name", &UserName},
    {"user.qualified_name", &UserQualified},
    // ProcessStart (process.* also reads the file writer and the connecting process).
    {"process.executable", &ProcStr<&R::executable>},
    {"process.name", &ProcStr<&R::name>},
    {"process.command_line", &ProcStr<&R::command_line>},
    {"process.entity_id", &ProcStr<&R::entity_id>},
    {"process.pid", &ProcPid},
    {"process.parent.executable", &ParentStr<&R::executable>},
    {"process.parent.name", &ParentStr<&R::name>},
    {"process.parent.command_line", &ParentStr<&R::command_line>},
    {"process.parent.entity_id", &ParentStr<&R::entity_id>},
    {"process.parent.pid", &ParentPid},
    {"process.working_directory", &Str<P, &P::working_directory>},
    {"user.domain", &Str<P, &P::user_domain>},
    {"process.integrity_level", &Str<P, &P::integrity_level>},
    {"process.pe.original_file_name", &Str<P, &P::original_file_name>},
    {"process.pe.company", &Str<P, &P::company>},
    {"process.pe.description", &Str<P, &P::description>},
    {"process.pe.product", &Str<P, &P::product>},
    {"process.hash.sha256", &Str<P, &P::hash_sha256>},
    {"process.hash.sha1", &Str<P, &P::hash_sha1>},
    {"process.hash.md5", &Str<P, &P::hash_md5>},
    {"process.hashes", &ProcessHashes},
    {"process.parent.user.name", &StrIfSet<P, &P::parent_user_name>},
    {"process.logon_id", &StrIfSet<P, &P::logon_id>},
    {"process.pe.file_version", &StrIfSet<P, &P::file_version>},
    // FileChange.
    {"file.path", &Str<F, &F::path>},
    {"file.name", &Str<F, &F::name>},
    {"file.extension", &Str<F, &F::extension>},
    {"file.old_path", &Str<F, &F::old_path>},
    {"file.size", &Num<F, &F::size>},
    {"file.hash.sha256", &Str<F, &F::hash_sha256>},
    {"file.webshell_markers", &WebshellMarkers},
    {"file.created", &FileCreated},
    // ServiceChange (or the data of a raw System 7045 / Security 4697 event).
    {"service.name", &ServiceStr<&S::name>, "ServiceName"},
    {"service.display_name", &ServiceStr<&S::display_name>, "DisplayName"},
    {"service.executable", &ServiceStr<&S::executable>, "ImagePath"},
    {"service.start_type", &ServiceStr<&S::start_type>, "StartType"},
    {"service.account", &ServiceStr<&S::account>, "AccountName"},
    {"service.type", &ServiceStr<&S::service_type>, "ServiceType"},
    // NetworkConnection.
    {"network.transport", &Str<N, &N::transport>},
    {"network.direction", &Str<N, &N::direction>},
    {"network.initiated", &NetworkInitiated},
    {"destination.domain", &Str<N, &N::destination_domain>},
    {"source.domain", &StrIfSet<N, &N::source_domain>},
    {"source.is_ipv6", &IsIpv6<true>},
    {"destination.is_ipv6", &IsIpv6<false>},
    {"source.bytes", &Num<N, &N::bytes_sent>},
    {"destination.bytes", &Num<N, &N::bytes_received>},
    // ExchangeCmdlet.
    {"exchange.cmdlet.name", &Str<C, &C::name>},
    {"exchange.cmdlet.origin", &Str<C, &C::origin>},
    {"exchange.cmdlet.command_line", &Str<C, &C::command_line>},
    {"exchange.cmdlet.error", &Str<C, &C::error>},
    {"exchange.cmdlet.succeeded", &CmdletSucceeded},
    // WindowsEvent.
    {"winlog.provider_name", &ProviderName},
    {"winlog.channel", &Str<W, &W::channel>},
    {"winlog.computer_name", &Str<W, &W::computer>},
    {"winlog.user.identifier", &Str<W, &W::user_sid>},
    {"winlog.record_id", &Num<W, &W::record_id>},
    {"log.level", &Num<W, &W::level>},
    {"event.code", &EventCode},
    {"message", [](const Event& e, const std::string&, std::string*) -> FieldValue {
       if (e.has_windows()) return std::string_view(e.windows().message());
       if (e.has_app()) return std::string_view(e.app().message());
       return std::nullopt;
     }},
};

// Map fields: the rest of the name is the key.
const Entry kPrefixes[] = {
    {"winlog.event_data.", &MapValue<W, &W::data>},
    {"exchange.cmdlet.parameters.", &MapValue<C, &C::parameters>},
    {"http.extra.", &MapValue<H, &H::extra>},
    {"app.fields.", &MapValue<v1::AppLog, &v1::AppLog::fields>},
    {"fields.", &RecordField},
    {"labels.", &Label},
};

#undef TRIPLINE_ENVELOPE

}  // namespace

absl::StatusOr<FieldAccessor> FieldRegistry::Resolve(std::string_view name) {
  for (const Entry& entry : kFields) {
    if (entry.name == name) {
      return FieldAccessor{entry.fn, std::string(entry.implied_key), std::string(name)};
    }
  }
  for (const Entry& entry : kPrefixes) {
    if (name.size() > entry.name.size() && name.substr(0, entry.name.size()) == entry.name) {
      return FieldAccessor{entry.fn, std::string(name.substr(entry.name.size())),
                           std::string(name)};
    }
  }
  return absl::InvalidArgumentError(Cat("unknown field '", name, "'"));
}

bool FieldRegistry::IsMapPrefix(std::string_view prefix) {
  return std::any_of(std::begin(kPrefixes), std::end(kPrefixes),
                     [&](const Entry& e) { return e.name == prefix; });
}

std::vector<std::string> FieldRegistry::Names() {
  std::vector<std::string> names;
  for (const Entry& e : kFields) names.emplace_back(e.name);
  for (const Entry& e : kPrefixes) names.emplace_back(e.name);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace tripline::correlator::engine
