# Finds the libraries the car's programs need, at the oldest versions rcpilot supports: those of
# Ubuntu 20.04 (JetPack 5's base), Ubuntu 22.04 (JetPack 6), Debian 11 and Debian 12. A missing
# one stops configuring with the package to install; scripts/install-deps installs them all.
# Minimum versions here, in README.md and in docs/jetson.md must agree.

# Stops configuring: `what` was not found; `package` is its Debian/Ubuntu package.
function(rcpilot_missing what package)
  message(FATAL_ERROR
    "${what} was not found. Install it with: sudo apt-get install ${package} "
    "(the same name on Debian 11/12 and Ubuntu 20.04/22.04, JetPack 5/6; scripts/install-deps "
    "installs every dependency), or point CMAKE_PREFIX_PATH at your own build of it.")
endfunction()

find_package(Threads REQUIRED)
include(RcpilotFilesystem)

# JetPack ships its own OpenCV (4.5 on JetPack 5, 4.8 on JetPack 6): use it, do not replace it.
find_package(OpenCV 4.2 QUIET COMPONENTS core imgproc imgcodecs dnn)
if(NOT OpenCV_FOUND)
  rcpilot_missing("OpenCV >= 4.2 with core, imgproc, imgcodecs and dnn"
                  "libopencv-dev (on a Jetson: JetPack's nvidia-opencv-dev)")
endif()

find_package(yaml-cpp 0.6.2 QUIET)
if(NOT yaml-cpp_FOUND)
  rcpilot_missing("yaml-cpp >= 0.6.2" "libyaml-cpp-dev")
endif()

find_package(fmt 6.1 QUIET)
if(NOT fmt_FOUND)
  rcpilot_missing("fmt >= 6.1" "libfmt-dev")
endif()

find_package(spdlog 1.5 QUIET)
if(NOT spdlog_FOUND)
  rcpilot_missing("spdlog >= 1.5" "libspdlog-dev")
endif()

find_package(nlohmann_json 3.7.3 QUIET)
if(NOT nlohmann_json_FOUND)
  rcpilot_missing("nlohmann-json >= 3.7.3" "nlohmann-json3-dev")
endif()

# Command lines: Boost.Program_options (CLI11 is not packaged for Debian 11 or Ubuntu 20.04).
find_package(Boost 1.71 QUIET COMPONENTS program_options)
if(NOT Boost_FOUND)
  rcpilot_missing("Boost.Program_options >= 1.71" "libboost-program-options-dev")
endif()

find_package(PkgConfig QUIET)
if(NOT PKG_CONFIG_FOUND)
  rcpilot_missing("pkg-config" "pkg-config")
endif()
pkg_check_modules(ZMQ QUIET IMPORTED_TARGET libzmq>=4.3.2)
if(NOT ZMQ_FOUND)
  rcpilot_missing("ZeroMQ (libzmq) >= 4.3.2" "libzmq3-dev")
endif()
pkg_check_modules(SYSTEMD QUIET IMPORTED_TARGET libsystemd>=245)
if(NOT SYSTEMD_FOUND)
  rcpilot_missing("libsystemd >= 245" "libsystemd-dev")
endif()
pkg_check_modules(TURBOJPEG QUIET IMPORTED_TARGET libturbojpeg>=2.0.3)
if(NOT TURBOJPEG_FOUND)
  rcpilot_missing("libjpeg-turbo's TurboJPEG API >= 2.0.3" "libturbojpeg0-dev")
endif()
# The capture plugin's cameras (perception/src/capture/): GStreamer's core, appsink and video
# helpers, and libpng for image folders.
pkg_check_modules(GSTREAMER QUIET IMPORTED_TARGET GLOBAL gstreamer-1.0>=1.16 gstreamer-app-1.0>=1.16
                  gstreamer-video-1.0>=1.16)
if(NOT GSTREAMER_FOUND)
  rcpilot_missing("GStreamer >= 1.16 with its app and video libraries"
                  "libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev")
endif()
pkg_check_modules(PNG QUIET IMPORTED_TARGET GLOBAL libpng>=1.6.37)
if(NOT PNG_FOUND)
  rcpilot_missing("libpng >= 1.6.37" "libpng-dev")
endif()

# The C++ binding zmq.hpp (cppzmq) ships inside libzmq3-dev on Debian 11 and Ubuntu 20.04/22.04
# and as cppzmq-dev on Debian 12 and Ubuntu 24.04: found by its header wherever it is. The code
# sets socket options through the C API, since Ubuntu 20.04's copy has no zmq::sockopt.
find_path(CPPZMQ_INCLUDE_DIR zmq.hpp HINTS ${ZMQ_INCLUDE_DIRS})
if(NOT CPPZMQ_INCLUDE_DIR)
  rcpilot_missing("The ZeroMQ C++ header zmq.hpp (cppzmq >= 4.6)"
                  "libzmq3-dev (Debian 12 and Ubuntu 24.04: cppzmq-dev)")
endif()
add_library(rcpilot_zmq INTERFACE)
target_include_directories(rcpilot_zmq SYSTEM INTERFACE ${CPPZMQ_INCLUDE_DIR})
target_link_libraries(rcpilot_zmq INTERFACE PkgConfig::ZMQ)
