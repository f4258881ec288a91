# The Windows agent's dependencies (cross-build: scripts/windows.sh builds them from Debian source
# packages into TRIPLINE_MINGW_PREFIX; a native MSVC build gets them from vcpkg.json). The targets
# keep the names the Linux build uses, so the libraries' CMakeLists do not change.
find_package(Threads REQUIRED)
find_package(absl CONFIG REQUIRED)
find_package(protobuf CONFIG REQUIRED)
find_package(spdlog CONFIG REQUIRED)
find_package(yaml-cpp CONFIG REQUIRED)
find_package(RdKafka CONFIG REQUIRED)
set(OPENSSL_USE_STATIC_LIBS ON)
find_package(OpenSSL REQUIRED)
if(TRIPLINE_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
endif()

# protoc runs on the build machine: Debian's protoc of the same version as the library.
if(NOT TARGET protobuf::protoc)
  find_program(TRIPLINE_HOST_PROTOC protoc REQUIRED NO_CMAKE_FIND_ROOT_PATH)
  add_executable(protobuf::protoc IMPORTED)
  set_target_properties(protobuf::protoc PROPERTIES IMPORTED_LOCATION ${TRIPLINE_HOST_PROTOC})
endif()

# Header-only libraries (Boost.Asio/Beast, CLI11, nlohmann/json): their include folder.
find_path(TRIPLINE_BOOST_INCLUDE boost/asio.hpp REQUIRED)
find_path(TRIPLINE_CLI11_INCLUDE CLI/CLI.hpp REQUIRED)
find_path(TRIPLINE_JSON_INCLUDE nlohmann/json.hpp REQUIRED)
add_library(Boost::system INTERFACE IMPORTED)
target_include_directories(Boost::system INTERFACE ${TRIPLINE_BOOST_INCLUDE})
target_compile_definitions(Boost::system INTERFACE BOOST_ALL_NO_LIB BOOST_ERROR_CODE_HEADER_ONLY)
target_link_libraries(Boost::system INTERFACE ws2_32 mswsock)
add_library(CLI11::CLI11 INTERFACE IMPORTED)
target_include_directories(CLI11::CLI11 INTERFACE ${TRIPLINE_CLI11_INCLUDE})
add_library(nlohmann_json::nlohmann_json INTERFACE IMPORTED)
target_include_directories(nlohmann_json::nlohmann_json INTERFACE ${TRIPLINE_JSON_INCLUDE})

# librdkafka exports its own build's Windows 8.1 target (WINVER, _WIN32_WINNT = 0x0603) to whoever
# links it, against ours below: its headers do not need it, so it is taken out.
get_target_property(rdkafka_defs RdKafka::rdkafka INTERFACE_COMPILE_DEFINITIONS)
list(FILTER rdkafka_defs EXCLUDE REGEX "^(WINVER|_WIN32_WINNT)=")
set_target_properties(RdKafka::rdkafka PROPERTIES INTERFACE_COMPILE_DEFINITIONS "${rdkafka_defs}")

# librdkafka, linked statically (LIBRDKAFKA_STATICLIB: no dllimport in its headers).
add_library(PkgConfig::RDKAFKA INTERFACE IMPORTED)
target_link_libraries(PkgConfig::RDKAFKA INTERFACE RdKafka::rdkafka++ RdKafka::rdkafka
                      OpenSSL::SSL OpenSSL::Crypto crypt32 ws2_32 secur32 bcrypt)
target_compile_definitions(PkgConfig::RDKAFKA INTERFACE LIBRDKAFKA_STATICLIB)
set_property(TARGET OpenSSL::Crypto APPEND PROPERTY INTERFACE_LINK_LIBRARIES crypt32 ws2_32)

# libevtx (libyal), when scripts/windows.sh could build it: .evtx files read as on Linux.
find_package(PkgConfig)
find_library(TRIPLINE_LIBEVTX evtx)
find_path(TRIPLINE_LIBEVTX_INCLUDE libevtx.h)
if(TRIPLINE_LIBEVTX AND TRIPLINE_LIBEVTX_INCLUDE)
  add_library(PkgConfig::LIBEVTX INTERFACE IMPORTED)
  target_include_directories(PkgConfig::LIBEVTX INTERFACE ${TRIPLINE_LIBEVTX_INCLUDE})
  target_link_libraries(PkgConfig::LIBEVTX INTERFACE ${TRIPLINE_LIBEVTX})
  set(TRIPLINE_WITH_EVTX ON)
else()
  set(TRIPLINE_WITH_EVTX OFF)
endif()

# Windows 10 / Server 2016 and later (where Exchange 2016 and 2019 run); wide-character APIs.
add_compile_definitions(_WIN32_WINNT=0x0A00 WINVER=0x0A00 NOMINMAX WIN32_LEAN_AND_MEAN UNICODE
                        _UNICODE)
