#include "agent/sources/winevent/evt_api.h"

#include "common/platform/file.h"

namespace tripline::agent::winevent {

absl::StatusOr<std::string> RenderXml(EVT_HANDLE handle, DWORD flags,
                                      std::vector<wchar_t>& buffer) {
  if (buffer.empty()) buffer.resize(4096);
  for (int attempt = 0; attempt < 2; ++attempt) {
    DWORD used = 0;  // bytes, with the terminating NUL
    DWORD properties = 0;
    if (EvtRender(nullptr, handle, flags, static_cast<DWORD>(buffer.size() * sizeof(wchar_t)),
                  buffer.data(), &used, &properties)) {
      size_t chars = used / sizeof(wchar_t);
      if (chars > 0 && buffer[chars - 1] == L'\0') --chars;
      return platform::Narrow(std::wstring_view(buffer.data(), chars));
    }
    DWORD error = GetLastError();
    if (error != ERROR_INSUFFICIENT_BUFFER) {
      return absl::InternalError("EvtRender: " + platform::Win32ErrorText(error));
    }
    buffer.resize(used / sizeof(wchar_t) + 1);
  }
  return absl::InternalError("EvtRender: the rendering kept growing");
}

}  // namespace tripline::agent::winevent
