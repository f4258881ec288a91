# Project-wide compile options and the helper that declares one library per leaf folder.
set(TRIPLINE_SANITIZER "" CACHE STRING
    "Build with a sanitizer: address (with undefined), undefined, thread, fuzzer (clang) or empty")
if(MSVC)
  set(tripline_warnings /W3 /utf-8 /permissive-)
else()
  set(tripline_warnings -Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wno-unused-parameter)
endif()
# address and undefined stop at the first UBSan finding (-fno-sanitize-recover), so that a finding
# fails its test instead of scrolling by; scripts/sanitize.sh sets the runtime options.
if(TRIPLINE_SANITIZER STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined)
elseif(TRIPLINE_SANITIZER STREQUAL "undefined")
  add_compile_options(-fsanitize=undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=undefined -fno-sanitize-recover=undefined)
elseif(TRIPLINE_SANITIZER STREQUAL "fuzzer")
  # Every library instrumented for libFuzzer's coverage, with ASan and UBSan (tests/fuzz).
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
elseif(TRIPLINE_SANITIZER STREQUAL "thread")
  add_compile_options(-fsanitize=thread)
  add_link_options(-fsanitize=thread)
endif()

# tripline_library(<name> SOURCES ... DEPS ...) -> target tripline_<name>, alias tripline::<name>.
function(tripline_library name)
  cmake_parse_arguments(arg "" "" "SOURCES;DEPS" ${ARGN})
  add_library(tripline_${name} STATIC ${arg_SOURCES})
  add_library(tripline::${name} ALIAS tripline_${name})
  target_include_directories(tripline_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_compile_options(tripline_${name} PRIVATE ${tripline_warnings})
  target_link_libraries(tripline_${name} PUBLIC ${arg_DEPS})
endfunction()

function(tripline_executable name)
  cmake_parse_arguments(arg "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${arg_SOURCES})
  target_compile_options(${name} PRIVATE ${tripline_warnings})
  target_link_libraries(${name} PRIVATE ${arg_DEPS})
endfunction()
