#pragma once

#include <string>
#include <vector>

#include "common/status.h"

// The wire format of the Elasticsearch / OpenSearch _bulk API as the alert sink uses it, kept
// free of I/O so that it is tested with canned bodies.
//
// Request body (NDJSON, Content-Type application/x-ndjson), two lines per alert, each ending in
// "\n" (the last one too):
//   {"create":{"_index":"<index>","_id":"<alert id>"}}
//   <the alert's ECS document on one line>
// `create` rather than `index`: a resend of an alert already there answers 409 instead of
// replacing it, which makes retries idempotent, and data streams accept nothing else.
//
// Response: HTTP 200 even when items fail; `items` holds one entry per action, in request order:
//   {"errors":true,"items":[{"create":{"_id":"a1","status":201}},
//                           {"create":{"_id":"a2","status":400,"error":{"type":..,"reason":..}}}]}
namespace tripline::correlator::bulk {

// Query string that keeps the response down to what ParseBulkResponse reads (one entry per item
// still, so positions line up with the request).
inline constexpr const char* kFilterPath =
    "filter_path=errors,items.*._id,items.*.status,items.*.error.type,items.*.error.reason";

// Appends one `create` action and its document. `id` empty: the cluster picks one. A raw newline
// in `document` can only be whitespace between JSON tokens (inside strings it is escaped), so it
// becomes a space: the document must stay on one line.
void AppendCreate(const std::string& index, const std::string& id, const std::string& document,
                  std::string* body);

struct ItemResult {
  int status = 0;
  std::string id;
  std::string error_type;    // e.g. mapper_parsing_exception
  std::string error_reason;  // Elasticsearch's sentence, for the log
};

// The items of a 2xx _bulk response, in request order. An error when the body is not a _bulk
// response or does not hold exactly `expected` items (then nothing can be trusted about them).
[[nodiscard]] absl::StatusOr<std::vector<ItemResult>> ParseResponse(const std::string& body,
                                                                    size_t expected);

enum class ItemOutcome {
  kIndexed,     // 200/201
  kConflict,    // 409: the id is already there (an earlier attempt got it in): success
  kRetry,       // 429 or 5xx: that item again, later
  kDeadLetter,  // any other status (mapping error, ...): sending it again cannot help
};
ItemOutcome Classify(int status);

}  // namespace tripline::correlator::bulk
