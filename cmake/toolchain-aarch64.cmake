# Cross-compiles rcpilot for aarch64 (a Jetson's CPU) on a Debian or Ubuntu machine whose arm64
# libraries come through multiarch (dpkg --add-architecture arm64; apt-get install libfoo-dev:arm64),
# as scripts/check-jetson-build does in a Debian 11 root. Tests then run under qemu-aarch64.
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64.cmake \
#         [-DCMAKE_CXX_COMPILER=aarch64-linux-gnu-g++-9]
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
if(NOT CMAKE_CXX_COMPILER)
  set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
endif()

# The arm64 packages' .pc files, never the build machine's.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

# ctest (and gtest_discover_tests, which lists each binary's tests) runs aarch64 programs
# through user-mode QEMU; the arm64 dynamic loader and libraries are those of multiarch.
find_program(RCPILOT_QEMU_AARCH64 NAMES qemu-aarch64-static qemu-aarch64)
if(RCPILOT_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR "${RCPILOT_QEMU_AARCH64}")
endif()
