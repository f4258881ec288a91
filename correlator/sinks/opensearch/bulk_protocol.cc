#include "correlator/sinks/opensearch/bulk_protocol.h"

#include <nlohmann/json.hpp>

namespace tripline::correlator::bulk {
namespace {

// json::value() throws on a type mismatch; a receiver's odd answer must not.
std::string StringField(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

void AppendCreate(const std::string& index, const std::string& id, const std::string& document,
                  std::string* body) {
  nlohmann::json meta = {{"_index", index}};
  if (!id.empty()) meta["_id"] = id;
  body->append("{\"create\":");
  body->append(meta.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  body->append("}\n");
  size_t start = body->size();
  body->append(document);
  for (size_t i = start; i < body->size(); ++i) {
    if ((*body)[i] == '\n' || (*body)[i] == '\r') (*body)[i] = ' ';
  }
  body->push_back('\n');
}

absl::StatusOr<std::vector<ItemResult>> ParseResponse(const std::string& body, size_t expected) {
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return absl::InternalError("_bulk response is not JSON: " + body.substr(0, 200));
  }
  auto items = doc.find("items");
  if (items == doc.end() || !items->is_array() || items->size() != expected) {
    return absl::InternalError(
        "_bulk response holds " +
        std::to_string(items != doc.end() && items->is_array() ? items->size() : 0) +
        " item(s) for " + std::to_string(expected) + " sent");
  }
  std::vector<ItemResult> out;
  out.reserve(expected);
  for (const auto& item : *items) {
    // {"<action>": {...}}: one key whatever the action.
    if (!item.is_object() || item.size() != 1 || !item.begin()->is_object()) {
      return absl::InternalError("_bulk response item is malformed: " + item.dump());
    }
    const nlohmann::json& r = *item.begin();
    ItemResult result;
    if (auto st = r.find("status"); st != r.end() && st->is_number_integer()) {
      result.status = st->get<int>();
    }
    result.id = StringField(r, "_id");
    if (auto err = r.find("error"); err != r.end() && err->is_object()) {
      result.error_type = StringField(*err, "type");
      result.error_reason = StringField(*err, "reason");
    }
    out.push_back(std::move(result));
  }
  return out;
}

ItemOutcome Classify(int status) {
  if (status == 200 || status == 201) return ItemOutcome::kIndexed;
  if (status == 409) return ItemOutcome::kConflict;
  if (status == 429 || status >= 500) return ItemOutcome::kRetry;
  return ItemOutcome::kDeadLetter;
}

}  // namespace tripline::correlator::bulk
