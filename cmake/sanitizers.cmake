# Sanitizer and fuzzing builds (CMakePresets.json: "asan", "tsan", "fuzz").
#
# WAYPOINT_SANITIZE: a list handed to -fsanitize= for every target, e.g.
#   "address;undefined" or "thread". Empty for a normal build.
# WAYPOINT_FUZZ: also build the libFuzzer targets of tests/fuzz (clang only);
#   the engine is then compiled with -fsanitize=fuzzer-no-link (coverage
#   counters), so a fuzz target sees which branches of a parser an input took.
#
# The sentencepiece bridge is built WITHOUT sanitizers: in such builds the
# engine loads it into a link namespace of its own (dlmopen, see
# engine/src/spm_bridge/spm_bridge_loader.cpp), where the sanitizer runtime of
# the main program does not exist.
set(WAYPOINT_SANITIZE "" CACHE STRING "Sanitizers for the whole build: address;undefined or thread (empty: none)")
option(WAYPOINT_FUZZ "Build the libFuzzer targets under tests/fuzz (clang only)" OFF)

if(WAYPOINT_SANITIZE)
  list(JOIN WAYPOINT_SANITIZE "," _waypoint_sanitizers)
  # -fno-sanitize-recover: an undefined-behaviour report fails the test
  # instead of scrolling past; frame pointers and line tables for readable
  # stacks. -O1 (after the build type's -O2/-O3, so it wins): these builds
  # compile on two shared cores, and full -g over libtorch's headers roughly
  # doubles the compile time for nothing a sanitizer report needs.
  add_compile_options(-fsanitize=${_waypoint_sanitizers} -fno-sanitize-recover=all
                      -fno-omit-frame-pointer -O1 $<IF:$<CXX_COMPILER_ID:Clang>,-gline-tables-only,-g1>)
  add_link_options(-fsanitize=${_waypoint_sanitizers})
  # The UBSan "vptr" check needs the type info of every class a pointer may
  # point at, also those of libtorch/Qt built without it: false reports.
  if("undefined" IN_LIST WAYPOINT_SANITIZE)
    add_compile_options(-fno-sanitize=vptr)
    add_link_options(-fno-sanitize=vptr)
  endif()
  add_compile_definitions(WAYPOINT_SANITIZED_BUILD)
  message(STATUS "Sanitizers: ${_waypoint_sanitizers}")
endif()

if(WAYPOINT_FUZZ AND NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "WAYPOINT_FUZZ needs clang (libFuzzer): configure with "
                      "-DCMAKE_CXX_COMPILER=clang++-14 (Debian: clang-14, libclang-rt-14-dev), "
                      "or use the \"fuzz\" preset")
endif()

# waypoint_unsanitized(target): builds `target` without any sanitizer (a
# library loaded where the sanitizer runtime is absent).
function(waypoint_unsanitized target)
  if(WAYPOINT_SANITIZE)
    target_compile_options(${target} PRIVATE -fno-sanitize=all)
    target_link_options(${target} PRIVATE -fno-sanitize=all)
  endif()
endfunction()

# Sanitized tests run several times slower than a Release build's (TSan the
# most), past the TIMEOUT a test folder sets for the Release suite; a preset's
# timeout and ctest --timeout only reach tests that set none. Each test
# folder defers this to its end: it multiplies the TIMEOUT of its tests.
function(waypoint_scale_test_timeouts)
  if(NOT WAYPOINT_SANITIZE)
    return()
  endif()
  set(factor 4)
  if("thread" IN_LIST WAYPOINT_SANITIZE)
    set(factor 8)
  endif()
  get_property(tests DIRECTORY PROPERTY TESTS)
  foreach(test IN LISTS tests)
    get_test_property(${test} TIMEOUT timeout)
    if(timeout)
      math(EXPR timeout "${timeout} * ${factor}")
      set_tests_properties(${test} PROPERTIES TIMEOUT ${timeout})
    endif()
  endforeach()
endfunction()
