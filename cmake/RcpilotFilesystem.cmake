# std::filesystem lives in libstdc++ itself from GCC 9.1; GCC 8 (the gcc-8 that JetPack 4 users
# install) keeps it in a separate libstdc++fs. Link that everywhere when the compiler needs it.
include(CheckCXXSourceCompiles)
set(rcpilot_fs_probe "#include <filesystem>
int main() { return std::filesystem::exists(std::filesystem::path(\".\")) ? 0 : 1; }")
check_cxx_source_compiles("${rcpilot_fs_probe}" RCPILOT_FILESYSTEM_IN_LIBSTDCXX)
if(NOT RCPILOT_FILESYSTEM_IN_LIBSTDCXX)
  set(CMAKE_REQUIRED_LIBRARIES stdc++fs)
  check_cxx_source_compiles("${rcpilot_fs_probe}" RCPILOT_FILESYSTEM_IN_STDCXXFS)
  unset(CMAKE_REQUIRED_LIBRARIES)
  if(NOT RCPILOT_FILESYSTEM_IN_STDCXXFS)
    message(FATAL_ERROR "${CMAKE_CXX_COMPILER} (${CMAKE_CXX_COMPILER_VERSION}) cannot link "
                        "std::filesystem: rcpilot needs GCC >= 8 (9 or newer recommended; see "
                        "docs/jetson.md for JetPack 4)")
  endif()
  link_libraries(stdc++fs)
endif()
