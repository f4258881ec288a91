#pragma once

// Windows only: the few Windows Event Log API helpers WineventSource needs.

#include <windows.h>
#include <winevt.h>

#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "common/status.h"

namespace tripline::agent::winevent {

// An owned EVT_HANDLE (subscription, event, bookmark), closed with EvtClose.
struct EvtHandleCloser {
  void operator()(EVT_HANDLE handle) const noexcept { EvtClose(handle); }
};
using EvtHandle = std::unique_ptr<std::remove_pointer_t<EVT_HANDLE>, EvtHandleCloser>;

// UTF-8 <-> UTF-16 (invalid sequences become U+FFFD). Until common/platform has them.
std::wstring Widen(std::string_view utf8);
std::string Narrow(std::wstring_view utf16);

// "message (code N)" for a Win32 error code, for logs and statuses.
std::string ErrorText(DWORD code);

// EvtRender of `handle` (an event with EvtRenderEventXml, a bookmark with EvtRenderBookmark) as
// UTF-8. `buffer` is reused between calls and grows as needed. Errors carry the Win32 code.
[[nodiscard]] absl::StatusOr<std::string> RenderXml(EVT_HANDLE handle, DWORD flags,
                                                    std::vector<wchar_t>& buffer);

}  // namespace tripline::agent::winevent
