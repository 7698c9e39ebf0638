# Cross-compiles for linux/arm64 with Debian's aarch64-linux-gnu GCC against a Debian
# arm64 root that holds the libraries' headers and .a files (tests/tools/build-sysroot.sh).
#   cmake -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-linux-arm64.cmake -DKETCD_SYSROOT=<root> ...
# Programs (protoc, grpc_cpp_plugin) are the build machine's own; libraries, headers and
# CMake package files come from the root only.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(KETCD_SYSROOT "$ENV{KETCD_SYSROOT}" CACHE PATH "Debian arm64 root with the libraries")
if(NOT IS_DIRECTORY "${KETCD_SYSROOT}/usr/lib/aarch64-linux-gnu")
  message(FATAL_ERROR "KETCD_SYSROOT (${KETCD_SYSROOT}) is not a Debian arm64 root: "
                      "make it with tests/tools/build-sysroot.sh arm64")
endif()
# try_compile() projects read this file again: hand the root on to them.
set(ENV{KETCD_SYSROOT} "${KETCD_SYSROOT}")
set(CMAKE_SYSROOT "${KETCD_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH "${KETCD_SYSROOT}")
# pkg-config (gRPC's re2 dependency) reads the root's .pc files, not the build machine's.
set(ENV{PKG_CONFIG_DIR} "")
set(ENV{PKG_CONFIG_LIBDIR}
    "${KETCD_SYSROOT}/usr/lib/aarch64-linux-gnu/pkgconfig:${KETCD_SYSROOT}/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${KETCD_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
