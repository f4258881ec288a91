#include "agent/sources/winevent/evt_api.h"

namespace tripline::agent::winevent {

std::wstring Widen(std::string_view utf8) {
  if (utf8.empty()) return {};
  int n = MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), nullptr, 0);
  std::wstring out(static_cast<size_t>(n), L'\0');
  MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), out.data(), n);
  return out;
}

std::string Narrow(std::wstring_view utf16) {
  if (utf16.empty()) return {};
  int n = WideCharToMultiByte(CP_UTF8, 0, utf16.data(), static_cast<int>(utf16.size()), nullptr, 0,
                              nullptr, nullptr);
  std::string out(static_cast<size_t>(n), '\0');
  WideCharToMultiByte(CP_UTF8, 0, utf16.data(), static_cast<int>(utf16.size()), out.data(), n,
                      nullptr, nullptr);
  return out;
}

std::string ErrorText(DWORD code) {
  // Wine's stubs (and a few Windows paths) fail without setting an error code.
  if (code == ERROR_SUCCESS) return "failed without an error code";
  wchar_t* text = nullptr;
  DWORD n = FormatMessageW(
      FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
      nullptr, code, 0, reinterpret_cast<wchar_t*>(&text), 0, nullptr);
  std::string message = n == 0 ? std::string("error") : Narrow(std::wstring_view(text, n));
  if (text != nullptr) LocalFree(text);
  while (!message.empty() && (message.back() == '\n' || message.back() == '\r' ||
                              message.back() == ' ' || message.back() == '.')) {
    message.pop_back();
  }
  return message + " (code " + std::to_string(code) + ")";
}

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
      return Narrow(std::wstring_view(buffer.data(), chars));
    }
    DWORD error = GetLastError();
    if (error != ERROR_INSUFFICIENT_BUFFER) {
      return absl::InternalError("EvtRender: " + ErrorText(error));
    }
    buffer.resize(used / sizeof(wchar_t) + 1);
  }
  return absl::InternalError("EvtRender: the rendering kept growing");
}

}  // namespace tripline::agent::winevent
