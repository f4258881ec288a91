#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace tripline::agent {

// Reads the cmdlet invocations the `MSExchange CmdletLogs` provider writes to the
// `MSExchange Management` channel (event 1 succeeded, 6 failed), in the two shapes collectors
// hand them over:
//  * rendered message text: `Cmdlet suceeded. Cmdlet Set-OabVirtualDirectory, parameters
//    -ExternalUrl "http://f/#<script ...>" -Identity "OAB (Default Web Site)".` (sic "suceeded");
//  * positional EventData strings: [0] cmdlet name, [1] parameters, [2] user, ... (EVTX).
// Parameters are `-Name "value"`, `-Name value`, `-Name:value` or bare switches `-Force` (value
// "True"), or Exchange 2010's `{Name=value, Name2=value}`. Exchange does not escape quotes inside
// quoted values (the China Chopper ExternalUrl is full of them), so a quoted value ends only at a
// quote followed by the end or by ` -Name`.
//
// Stateless; all functions are pure and thread-safe.
class ExchangeCmdletParser {
 public:
  struct Invocation {
    std::string name;             // Set-OabVirtualDirectory
    std::string parameters_text;  // the parameters as logged
  };

  // Splits a rendered message; nullopt when the text is not a cmdlet log message.
  static std::optional<Invocation> ParseMessage(std::string_view message);

  // Parses a parameter string into name -> value (the last occurrence of a name wins).
  static std::map<std::string, std::string> ParseParameters(std::string_view text);

 private:
  static void ParseDashed(std::string_view text, std::map<std::string, std::string>& out);
  static void ParseBraced(std::string_view text, std::map<std::string, std::string>& out);
  static size_t QuotedValueEnd(std::string_view text, size_t open_quote);
};

}  // namespace tripline::agent
