# Helpers so every library, test and proto set is declared the same way.

# Flags for our own code only: warnings are errors here, never in third-party headers.
set(CANDOR_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Werror)
# GCC 12 at -O3 reports -Wrestrict inside libstdc++'s std::string operator+ (GCC bug 105329):
# a false positive in code that is not ours, so it is silenced for that compiler only.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  list(APPEND CANDOR_WARNINGS -Wno-restrict)
endif()
# clang's -Wpedantic flags the GNU statement expressions inside librdkafka's RD_KAFKA_V_* macros
# (their compile-time type checks), which expand in our code; the extension is the library's.
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  list(APPEND CANDOR_WARNINGS -Wno-gnu-statement-expression)
endif()

# The local stack that store, Kafka and integration tests share (the `stack` CTest fixture in
# tests/CMakeLists.txt), in this build tree's own directory. Its ports are `auto` by default:
# picked free on the first `stack.sh up` and recorded in the directory, so two build trees and two
# CI runs on one machine never collide. A number pins a port (to reach the stack from outside).
set(CANDOR_TEST_REDIS_PORT auto CACHE STRING "Redis port of the test stack (auto: a free one)")
set(CANDOR_TEST_PG_PORT auto CACHE STRING "PostgreSQL port of the test stack (auto: a free one)")
set(CANDOR_TEST_KAFKA_PORT auto CACHE STRING "Kafka port of the test stack (auto: a free one)")
set(CANDOR_TEST_STACK_DIR ${PROJECT_BINARY_DIR}/test-stack)
# Every test that needs the stack runs through `stack.sh exec`, which sets CANDOR_REDIS_ADDR,
# CANDOR_PG_DSN and CANDOR_KAFKA_BROKERS from the ports the stack recorded.
set(CANDOR_TEST_STACK_EXEC ${PROJECT_SOURCE_DIR}/tools/stack/stack.sh exec --dir
    ${CANDOR_TEST_STACK_DIR} --)

# Sanitizer runtime options for every test (CTest ENVIRONMENT): stop at the first report with a
# stack trace, so a finding fails the test instead of scrolling past. Leak checking is on; the
# only suppressions are third-party leaks (cmake/lsan.supp says which and why), never our code.
set(CANDOR_SANITIZER_ENV
  "ASAN_OPTIONS=halt_on_error=1:print_stacktrace=1:detect_leaks=1"
  "UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1"
  "LSAN_OPTIONS=suppressions=${PROJECT_SOURCE_DIR}/cmake/lsan.supp:print_suppressions=0")

# candor_library(<name> SRCS ... DEPS ...): static library candor_<name>, alias candor::<name>.
# Without SRCS, a header-only (INTERFACE) library: a port that only declares interfaces.
function(candor_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  if(NOT ARG_SRCS)
    add_library(candor_${name} INTERFACE)
    add_library(candor::${name} ALIAS candor_${name})
    target_include_directories(candor_${name} INTERFACE ${PROJECT_SOURCE_DIR})
    target_link_libraries(candor_${name} INTERFACE ${ARG_DEPS})
    return()
  endif()
  add_library(candor_${name} STATIC ${ARG_SRCS})
  add_library(candor::${name} ALIAS candor_${name})
  target_include_directories(candor_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_compile_options(candor_${name} PRIVATE ${CANDOR_WARNINGS})
  target_link_libraries(candor_${name} PUBLIC ${ARG_DEPS})
endfunction()

# candor_executable(<name> SRCS ... DEPS ...): an executable of our code (warnings are errors);
# tests and fuzz targets are ones too.
function(candor_executable name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_options(${name} PRIVATE ${CANDOR_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
endfunction()

# candor_test(<name> SRCS ... DEPS ... LABELS ... [FIXTURES ...] [ENV ...])
# One gtest binary registered as one CTest test with the given labels (unit, redis, pg, kafka,
# integration, e2e). FIXTURES names the CTest fixtures (e.g. the local stack) it needs.
function(candor_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SRCS;DEPS;LABELS;FIXTURES;ENV" ${ARGN})
  candor_executable(${name} SRCS ${ARG_SRCS}
    DEPS ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  if("stack" IN_LIST ARG_FIXTURES)
    add_test(NAME ${name} COMMAND ${CANDOR_TEST_STACK_EXEC} $<TARGET_FILE:${name}>)
  else()
    add_test(NAME ${name} COMMAND ${name})
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT})
  if(ARG_FIXTURES)
    set_tests_properties(${name} PROPERTIES FIXTURES_REQUIRED "${ARG_FIXTURES}")
  endif()
  list(APPEND ARG_ENV ${CANDOR_SANITIZER_ENV})
  set_tests_properties(${name} PROPERTIES ENVIRONMENT "${ARG_ENV}")
endfunction()

# candor_help_test(<name> <executable> [PASS <regex>] [FAIL <regex>]): a `unit` test that runs
# `<executable> --help` and passes when it exits 0, or, with PASS, when its output matches PASS;
# with FAIL, output matching FAIL fails it (CTest's PASS_/FAIL_REGULAR_EXPRESSION).
function(candor_help_test name executable)
  cmake_parse_arguments(ARG "" "PASS;FAIL" "" ${ARGN})
  add_test(NAME ${name} COMMAND ${executable} --help)
  set_tests_properties(${name} PROPERTIES LABELS unit)
  if(DEFINED ARG_PASS)
    set_tests_properties(${name} PROPERTIES PASS_REGULAR_EXPRESSION "${ARG_PASS}")
  endif()
  if(DEFINED ARG_FAIL)
    set_tests_properties(${name} PROPERTIES FAIL_REGULAR_EXPRESSION "${ARG_FAIL}")
  endif()
endfunction()

# candor_proto(<name> PROTOS ... [GRPC] [ROOT dir] [DEPS ...]): generates C++ (and gRPC stubs)
# with protoc directly. CMake 3.25's protobuf_generate() cannot pass plugin options, so this runs
# protoc as gRPC's own examples do. ROOT is the import root the PROTOS are under (default: our
# proto/; a Debian-shipped tree for third-party protos). Generated files land under the build
# tree with the proto's package path.
function(candor_proto name)
  cmake_parse_arguments(ARG "GRPC" "ROOT" "PROTOS;DEPS" ${ARGN})
  if(NOT ARG_ROOT)
    set(ARG_ROOT ${PROJECT_SOURCE_DIR}/proto)
  endif()
  set(out ${PROJECT_BINARY_DIR}/gen)
  set(srcs)
  foreach(proto ${ARG_PROTOS})
    get_filename_component(abs ${proto} ABSOLUTE BASE_DIR ${ARG_ROOT})
    file(RELATIVE_PATH rel ${ARG_ROOT} ${abs})
    string(REGEX REPLACE "\\.proto$" "" stem ${rel})
    set(gen ${out}/${stem}.pb.cc ${out}/${stem}.pb.h)
    set(cmd_args --cpp_out=${out})
    if(ARG_GRPC)
      list(APPEND gen ${out}/${stem}.grpc.pb.cc ${out}/${stem}.grpc.pb.h)
      list(APPEND cmd_args --grpc_out=${out} --plugin=protoc-gen-grpc=${CANDOR_GRPC_CPP_PLUGIN})
    endif()
    add_custom_command(
      OUTPUT ${gen}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${out}
      COMMAND protobuf::protoc ARGS ${cmd_args} -I ${ARG_ROOT} -I ${PROJECT_SOURCE_DIR}/proto
              -I ${CANDOR_GOOGLEAPIS_DIR} ${abs}
      DEPENDS ${abs} protobuf::protoc
      COMMENT "protoc ${rel}")
    list(APPEND srcs ${gen})
  endforeach()
  add_library(candor_${name} STATIC ${srcs})
  add_library(candor::${name} ALIAS candor_${name})
  target_include_directories(candor_${name} SYSTEM PUBLIC ${out})
  target_link_libraries(candor_${name} PUBLIC protobuf::libprotobuf ${ARG_DEPS})
  if(ARG_GRPC)
    target_link_libraries(candor_${name} PUBLIC gRPC::grpc++)
  endif()
endfunction()

# candor_fuzz(<name> SRCS ... DEPS ... [CORPUS <dir>])
# A fuzz target: SRCS define LLVMFuzzerTestOneInput (and nothing else that needs a main). Its
# seed corpus is CORPUS (default fuzz/corpus/<name>, relative to the repo root). Two builds:
# - gcc presets (dev, asan, release): a regression test, label `unit`, that runs the target once
#   over every file of the corpus (fuzz/regression_main.cc), so seeds and kept crashes run in
#   every build, under the sanitizers in the asan preset.
# - the `fuzz` preset (CANDOR_FUZZ=ON, clang): a libFuzzer binary, and a test, label `fuzz`, that
#   fuzzes it for CANDOR_FUZZ_SECONDS on a copy of the corpus in the build tree
#   (fuzz/run_fuzzer.sh).
# Either way the executable is <name> and the CTest test <name>.
function(candor_fuzz name)
  cmake_parse_arguments(ARG "" "CORPUS" "SRCS;DEPS" ${ARGN})
  if(NOT ARG_CORPUS)
    set(ARG_CORPUS fuzz/corpus/${name})
  endif()
  get_filename_component(corpus ${ARG_CORPUS} ABSOLUTE BASE_DIR ${PROJECT_SOURCE_DIR})
  candor_executable(${name} SRCS ${ARG_SRCS} DEPS ${ARG_DEPS})
  set_property(GLOBAL APPEND PROPERTY CANDOR_FUZZ_TARGETS ${name})
  if(CANDOR_FUZZ)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    add_test(NAME ${name}
      COMMAND ${PROJECT_SOURCE_DIR}/fuzz/run_fuzzer.sh $<TARGET_FILE:${name}> ${corpus}
              ${PROJECT_BINARY_DIR}/fuzz/${name})
    # libFuzzer's -max_total_time bounds the run; the timeout only catches a wedged process.
    math(EXPR timeout "${CANDOR_FUZZ_SECONDS} * 3 + 300")
    set_tests_properties(${name} PROPERTIES LABELS fuzz TIMEOUT ${timeout}
      ENVIRONMENT "${CANDOR_SANITIZER_ENV};CANDOR_FUZZ_SECONDS_DEFAULT=${CANDOR_FUZZ_SECONDS}")
  else()
    target_sources(${name} PRIVATE ${PROJECT_SOURCE_DIR}/fuzz/regression_main.cc)
    add_test(NAME ${name} COMMAND ${name} ${corpus})
    set_tests_properties(${name} PROPERTIES LABELS unit TIMEOUT 120
      ENVIRONMENT "${CANDOR_SANITIZER_ENV}")
  endif()
endfunction()

# candor_openapi(<name> FUNCTION <fn> TITLE <text> PROTOS ...): the OpenAPI document of a
# public service, generated at build time from its protos' google.api.http options by
# protoc-gen-swagger (Debian golang-grpc-gateway 1.6: Swagger 2.0, one merged document), and
# embedded in the static library candor_<name> as `std::string_view candor::openapi::<fn>()`
# (header "openapi/<fn>.h"). The protos are first copied without proto3 `optional`, which that
# plugin predates (cmake/strip_proto3_optional.cmake).
function(candor_openapi name)
  cmake_parse_arguments(ARG "" "FUNCTION;TITLE" "PROTOS" ${ARGN})
  set(copies ${PROJECT_BINARY_DIR}/openapi-protos)
  set(out ${PROJECT_BINARY_DIR}/gen/openapi)
  set(inputs)
  set(abs_inputs)
  foreach(proto ${ARG_PROTOS})
    set(src ${PROJECT_SOURCE_DIR}/proto/${proto})
    add_custom_command(
      OUTPUT ${copies}/${proto}
      COMMAND ${CMAKE_COMMAND} -DIN=${src} -DOUT=${copies}/${proto}
              -P ${PROJECT_SOURCE_DIR}/cmake/strip_proto3_optional.cmake
      DEPENDS ${src} ${PROJECT_SOURCE_DIR}/cmake/strip_proto3_optional.cmake
      COMMENT "openapi: ${proto} without proto3 optional")
    list(APPEND inputs ${copies}/${proto})
  endforeach()
  set(json ${out}/${ARG_FUNCTION}.swagger.json)
  add_custom_command(
    OUTPUT ${json}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${out}
    COMMAND protobuf::protoc ARGS -I ${copies} -I ${PROJECT_SOURCE_DIR}/proto
            -I ${CANDOR_GOOGLEAPIS_DIR} --plugin=protoc-gen-swagger=${CANDOR_PROTOC_GEN_SWAGGER}
            --swagger_out=allow_merge=true,merge_file_name=${ARG_FUNCTION}:${out} ${inputs}
    DEPENDS ${inputs} protobuf::protoc
    COMMENT "protoc-gen-swagger ${name}")
  add_custom_command(
    OUTPUT ${out}/${ARG_FUNCTION}.cc ${out}/${ARG_FUNCTION}.h
    COMMAND ${CMAKE_COMMAND} -DIN=${json} -DOUT_CC=${out}/${ARG_FUNCTION}.cc
            -DOUT_H=${out}/${ARG_FUNCTION}.h -DFUNCTION=${ARG_FUNCTION} "-DTITLE=${ARG_TITLE}"
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_openapi.cmake
    DEPENDS ${json} ${PROJECT_SOURCE_DIR}/cmake/embed_openapi.cmake
    COMMENT "embed ${name}")
  add_library(candor_${name} STATIC ${out}/${ARG_FUNCTION}.cc)
  add_library(candor::${name} ALIAS candor_${name})
  target_include_directories(candor_${name} PUBLIC ${PROJECT_BINARY_DIR}/gen)
endfunction()
