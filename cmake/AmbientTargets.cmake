# Helpers that give every project target the same warnings, include root and sanitizer flags.

set(AMBIENT_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Woverloaded-virtual -Wimplicit-fallthrough)

if(AMBIENT_SANITIZE STREQUAL "address")
  set(AMBIENT_SAN_FLAGS -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  if(AMBIENT_FUZZ)
    # libFuzzer's coverage instrumentation on every project target, so the fuzz targets of
    # tests/fuzz (which link -fsanitize=fuzzer) are guided through the libraries they drive. The
    # asan preset builds the test suite and the fuzzers from this one build. clang only.
    if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
      message(FATAL_ERROR "AMBIENT_FUZZ needs clang (the asan preset sets clang++)")
    endif()
    list(PREPEND AMBIENT_SAN_FLAGS -fsanitize=fuzzer-no-link)
  endif()
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    list(APPEND AMBIENT_SAN_FLAGS "-fsanitize-ignorelist=${PROJECT_SOURCE_DIR}/cmake/ubsan-ignorelist.txt")
  endif()
elseif(AMBIENT_SANITIZE STREQUAL "thread")
  set(AMBIENT_SAN_FLAGS -fsanitize=thread -fno-omit-frame-pointer)
  # TSan does not model std::atomic_thread_fence (GCC refuses it under -Werror=tsan). Asio's only
  # fence guards handler memory that its scheduler mutex already orders, so the TSan lane builds
  # Asio with its null fenced block instead of hiding the warning.
  add_compile_definitions(BOOST_ASIO_DISABLE_FENCED_BLOCK)
  # Debian's libprotobuf and libgrpc are not instrumented, but their headers change class layouts
  # when __SANITIZE_THREAD__ is defined (protobuf's MapFieldBase gains two counters), so inline
  # code and the library disagree and map reflection crashes. Headers must describe the libraries
  # actually linked: the macro is withdrawn. Race detection is the compiler's instrumentation and
  # does not depend on it.
  add_compile_options(-U__SANITIZE_THREAD__)
  # The project's own switch for TSan annotations (xds/tsan_handoff.hpp), since the macro above
  # is gone and GCC 12 has no __has_feature.
  add_compile_definitions(AMBIENT_TSAN=1)
elseif(NOT AMBIENT_SANITIZE STREQUAL "")
  message(FATAL_ERROR "AMBIENT_SANITIZE must be '', 'address' or 'thread', not '${AMBIENT_SANITIZE}'")
endif()
if(AMBIENT_FUZZ AND NOT AMBIENT_SANITIZE STREQUAL "address")
  message(FATAL_ERROR "AMBIENT_FUZZ needs AMBIENT_SANITIZE=address (the fuzzers run under ASan + UBSan)")
endif()
if(AMBIENT_SAN_FLAGS)
  add_compile_options(${AMBIENT_SAN_FLAGS})
  add_link_options(${AMBIENT_SAN_FLAGS})
endif()

# ambient_project_options(target): warnings (as errors unless AMBIENT_WERROR=OFF) and the repo root
# as include root, so headers are included as "kube/kubeconfig.hpp".
function(ambient_project_options target)
  target_compile_options(${target} PRIVATE ${AMBIENT_WARNINGS})
  if(AMBIENT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  get_target_property(_type ${target} TYPE)
  if(_type STREQUAL "INTERFACE_LIBRARY")
    return()
  endif()
  target_include_directories(${target} PUBLIC "${PROJECT_SOURCE_DIR}")
endfunction()

# ambient_library(name SOURCES ... DEPS ...): a project library.
function(ambient_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  ambient_project_options(${name})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()

# ambient_pure_library(name SOURCES ... DEPS ...): a library of the functional core. It must not
# depend on CAF, directly or through another target; ambient_check_pure_targets() checks that.
function(ambient_pure_library name)
  ambient_library(${name} ${ARGN})
  set_property(GLOBAL APPEND PROPERTY AMBIENT_PURE_TARGETS ${name})
endfunction()

# ambient_check_pure_targets(): call once after every target is declared.
function(ambient_check_pure_targets)
  get_property(_targets GLOBAL PROPERTY AMBIENT_PURE_TARGETS)
  foreach(_t IN LISTS _targets)
    _ambient_check_pure(${_t})
  endforeach()
endfunction()

function(_ambient_collect_deps target out)
  set(_seen ${${out}})
  get_target_property(_libs ${target} INTERFACE_LINK_LIBRARIES)
  get_target_property(_libs2 ${target} LINK_LIBRARIES)
  foreach(_lib IN LISTS _libs _libs2)
    if(_lib AND NOT _lib IN_LIST _seen)
      list(APPEND _seen ${_lib})
      if(TARGET ${_lib})
        _ambient_collect_deps(${_lib} _seen)
      endif()
    endif()
  endforeach()
  set(${out} ${_seen} PARENT_SCOPE)
endfunction()

function(_ambient_check_pure target)
  set(_deps "")
  _ambient_collect_deps(${target} _deps)
  foreach(_dep IN LISTS _deps)
    if(_dep MATCHES "^CAF::" OR _dep MATCHES "caf_")
      message(FATAL_ERROR "${target} is a pure library but depends on ${_dep}: keep CAF out of the functional core")
    endif()
  endforeach()
endfunction()
