#pragma once
// Debian 12's libevtx-dev includes <libbfio.h> but does not depend on libbfio-dev. libevtx.h
// needs only the opaque handle type from it (for libevtx_file_open_file_io_handle, which
// Tripline does not call); this is that type as libbfio declares it. Used only when the real
// header is missing (see CMakeLists.txt).
#include <stdint.h>
typedef intptr_t libbfio_handle_t;
