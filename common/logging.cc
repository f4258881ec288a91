#include "common/logging.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "common/platform/system.h"

namespace tripline {

absl::Status SetupLogging(const std::string& program, const std::string& level,
                          const std::string& format) {
  auto lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off") {
    return absl::InvalidArgumentError("unknown log level '" + level + "'");
  }
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>(
      platform::StderrIsTerminal() ? spdlog::color_mode::automatic : spdlog::color_mode::never);
  auto logger = std::make_shared<spdlog::logger>(program, sink);
  if (format == "json") {
    logger->set_pattern(
        R"({"@timestamp":"%Y-%m-%dT%H:%M:%S.%eZ","log.level":"%l","process.name":"%n","message":"%v"})",
        spdlog::pattern_time_type::utc);
  } else if (format == "text") {
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %n: %v");
  } else {
    return absl::InvalidArgumentError("unknown log format '" + format + "' (text or json)");
  }
  logger->set_level(lvl);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  return absl::OkStatus();
}

}  // namespace tripline
