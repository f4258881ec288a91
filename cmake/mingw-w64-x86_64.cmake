# Cross-compiling the Windows agent on Debian with g++-mingw-w64 (posix threads: std::thread and
# std::mutex need them). scripts/windows.sh passes this file and TRIPLINE_MINGW_PREFIX, the folder
# where it built the agent's dependencies from Debian source packages.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(triple x86_64-w64-mingw32)

set(CMAKE_C_COMPILER ${triple}-gcc-posix)
set(CMAKE_CXX_COMPILER ${triple}-g++-posix)
set(CMAKE_RC_COMPILER ${triple}-windres)
set(CMAKE_AR ${triple}-ar CACHE FILEPATH "")
set(CMAKE_RANLIB ${triple}-ranlib CACHE FILEPATH "")

if(NOT TRIPLINE_MINGW_PREFIX AND DEFINED ENV{TRIPLINE_MINGW_PREFIX})
  set(TRIPLINE_MINGW_PREFIX $ENV{TRIPLINE_MINGW_PREFIX})
endif()
set(CMAKE_FIND_ROOT_PATH /usr/${triple} ${TRIPLINE_MINGW_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
list(APPEND CMAKE_PREFIX_PATH ${TRIPLINE_MINGW_PREFIX})

# One self-contained .exe: no libstdc++/libgcc/winpthread DLLs to ship beside it.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -static-libgcc -static-libstdc++")
