#include "agent/sources/evtx/evtx_file.h"

#include <libevtx.h>

#include <vector>

namespace tripline::agent {
namespace {

libevtx_file_t* Handle(void* file) { return static_cast<libevtx_file_t*>(file); }

// libevtx's error text (its backtrace, joined), then frees the error.
std::string TakeError(libevtx_error_t*& error) {
  if (error == nullptr) return "unknown libevtx error";
  char buffer[1024] = {};
  libevtx_error_sprint(error, buffer, sizeof(buffer));
  libevtx_error_free(&error);
  std::string text(buffer);
  while (!text.empty() && (text.back() == '\n' || text.back() == '.')) text.pop_back();
  for (char& c : text) {
    if (c == '\n') c = ' ';
  }
  return text;
}

// A record handle freed on scope exit.
class RecordHandle {
 public:
  ~RecordHandle() {
    if (record_ != nullptr) libevtx_record_free(&record_, nullptr);
  }
  libevtx_record_t** out() { return &record_; }
  libevtx_record_t* get() const { return record_; }

 private:
  libevtx_record_t* record_ = nullptr;
};

absl::Status GetRecord(void* file, int index, bool recovered, RecordHandle& record) {
  libevtx_error_t* error = nullptr;
  libevtx_file_t* handle = Handle(file);
  int rc = recovered
               ? libevtx_file_get_recovered_record_by_index(handle, index, record.out(), &error)
               : libevtx_file_get_record_by_index(handle, index, record.out(), &error);
  if (rc != 1) return absl::DataLossError(TakeError(error));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<EvtxFile>> EvtxFile::Open(const std::string& path) {
  libevtx_file_t* file = nullptr;
  libevtx_error_t* error = nullptr;
  if (libevtx_file_initialize(&file, &error) != 1) {
    return absl::InternalError("libevtx: " + TakeError(error));
  }
  if (libevtx_file_open(file, path.c_str(), LIBEVTX_OPEN_READ, &error) != 1) {
    std::string why = TakeError(error);
    libevtx_file_free(&file, nullptr);
    return absl::DataLossError(path + ": cannot open as EVTX: " + why);
  }
  return std::unique_ptr<EvtxFile>(new EvtxFile(file));
}

EvtxFile::~EvtxFile() {
  libevtx_file_t* file = Handle(file_);
  libevtx_file_close(file, nullptr);
  libevtx_file_free(&file, nullptr);
}

int EvtxFile::RecordCount(bool recovered) const {
  int count = 0;
  libevtx_error_t* error = nullptr;
  int rc = recovered ? libevtx_file_get_number_of_recovered_records(Handle(file_), &count, &error)
                     : libevtx_file_get_number_of_records(Handle(file_), &count, &error);
  if (rc != 1) {
    libevtx_error_free(&error);
    return 0;
  }
  return count;
}

absl::StatusOr<EvtxRecordInfo> EvtxFile::Info(int index, bool recovered) const {
  RecordHandle record;
  TRIPLINE_RETURN_IF_ERROR(GetRecord(file_, index, recovered, record));
  EvtxRecordInfo info;
  libevtx_error_t* error = nullptr;
  if (libevtx_record_get_identifier(record.get(), &info.record_id, &error) != 1 ||
      libevtx_record_get_written_time(record.get(), &info.written_filetime, &error) != 1) {
    return absl::DataLossError(TakeError(error));
  }
  return info;
}

absl::StatusOr<std::string> EvtxFile::Xml(int index, bool recovered) const {
  RecordHandle record;
  TRIPLINE_RETURN_IF_ERROR(GetRecord(file_, index, recovered, record));
  libevtx_error_t* error = nullptr;
  size_t size = 0;
  if (libevtx_record_get_utf8_xml_string_size(record.get(), &size, &error) != 1 || size == 0) {
    return absl::DataLossError("cannot render the record as XML: " + TakeError(error));
  }
  std::vector<uint8_t> buffer(size);
  if (libevtx_record_get_utf8_xml_string(record.get(), buffer.data(), size, &error) != 1) {
    return absl::DataLossError("cannot render the record as XML: " + TakeError(error));
  }
  // The size counts the terminating NUL.
  return std::string(reinterpret_cast<const char*>(buffer.data()), size - 1);
}

}  // namespace tripline::agent
