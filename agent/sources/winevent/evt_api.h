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

// EvtRender of `handle` (an event with EvtRenderEventXml, a bookmark with EvtRenderBookmark) as
// UTF-8. `buffer` is reused between calls and grows as needed. Errors carry the Win32 code.
[[nodiscard]] absl::StatusOr<std::string> RenderXml(EVT_HANDLE handle, DWORD flags,
                                                    std::vector<wchar_t>& buffer);

}  // namespace tripline::agent::winevent
