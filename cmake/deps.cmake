# Maps every Debian 12 package Candor uses to an imported target, so the rest of the build only
# names targets. The package that provides each is named beside it (see scripts/setup.sh).

find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)

# protobuf-compiler, libprotobuf-dev
find_package(Protobuf REQUIRED)
# libgrpc++-dev, protobuf-compiler-grpc. gRPC's CMake config also brings absl (libabsl-dev).
find_package(gRPC CONFIG REQUIRED)
find_package(absl CONFIG REQUIRED)
find_program(CANDOR_GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)
# golang-github-grpc-ecosystem-grpc-gateway-dev: Google's API protos (google/rpc/status.proto,
# error_details.proto; google/api/annotations.proto) as plain .proto files.
find_path(CANDOR_GOOGLEAPIS_DIR google/rpc/error_details.proto REQUIRED
  PATHS /usr/share/gocode/src/github.com/grpc-ecosystem/grpc-gateway/third_party/googleapis
  NO_DEFAULT_PATH)
# golang-grpc-gateway: protoc-gen-swagger, the OpenAPI (Swagger 2.0) document of a public service
# from its google.api.http options (candor_openapi in cmake/candor.cmake).
find_program(CANDOR_PROTOC_GEN_SWAGGER protoc-gen-swagger REQUIRED)

# librdkafka-dev, libhiredis-dev, libpqxx-dev: pkg-config only.
pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET libpqxx)

# libssl-dev (SHA-256, HMAC), zlib1g-dev (gzip replay files)
find_package(OpenSSL REQUIRED)
find_package(ZLIB REQUIRED)

# libicu-dev (Unicode normalisation and character properties; libs/review only)
find_package(ICU REQUIRED COMPONENTS uc)

# libspdlog-dev, nlohmann-json3-dev
find_package(spdlog CONFIG REQUIRED)
find_package(nlohmann_json CONFIG REQUIRED)

# googletest, libbenchmark-dev
find_package(GTest CONFIG REQUIRED)
find_package(benchmark CONFIG REQUIRED)

# libxgboost-dev (XGBoost 1.7 C API: libs/fraud's model, candor-fraud-train). Its CMake package
# config is broken on Debian 12 (it imports an `xgboost` command-line binary the package does not
# install, so find_package fails), so the library and header are found directly.
find_library(CANDOR_XGBOOST_LIBRARY xgboost REQUIRED)
find_path(CANDOR_XGBOOST_INCLUDE_DIR xgboost/c_api.h REQUIRED)
add_library(xgboost::c_api INTERFACE IMPORTED)
target_link_libraries(xgboost::c_api INTERFACE ${CANDOR_XGBOOST_LIBRARY})
target_include_directories(xgboost::c_api SYSTEM INTERFACE ${CANDOR_XGBOOST_INCLUDE_DIR})

# libcurl4-openssl-dev (libcurl 7.88: the HTTP client of libs/search's Elasticsearch backend)
find_package(CURL REQUIRED)

# libxapian-dev (Xapian 1.4: libs/search's embedded index). Its CMake config sets variables only
# (design.md 2), so one imported target wraps them.
find_package(Xapian REQUIRED)
add_library(xapian::xapian INTERFACE IMPORTED)
target_link_libraries(xapian::xapian INTERFACE ${XAPIAN_LIBRARIES})
target_include_directories(xapian::xapian SYSTEM INTERFACE ${XAPIAN_INCLUDE_DIR})

# prometheus-cpp-dev (1.0: the core's registry and text serializer; libs/metrics). Its pull
# part's exposer is not used: it cannot answer /healthz and /readyz with our status codes.
find_package(prometheus-cpp CONFIG REQUIRED)
# libboost-dev (Boost.Asio and Boost.Beast, header-only: libs/http's listener, libs/metrics' admin
# HTTP server, libs/rest's REST/JSON server).
find_package(Boost 1.74 REQUIRED)

# libtorch-dev (libtorch 1.13, CPU: tools/candor-reco-train's two-tower model). Its CMake config
# `Torch` (through Caffe2's) imports the `torch` target; one interface target carries it and the
# flags it asks for. Only candor::reco_torch links it: torch headers are slow to compile and to
# lint, and nothing that serves recommendations needs them (the exported model runs in plain C++).
find_package(Torch CONFIG REQUIRED)
add_library(torch::cpu INTERFACE IMPORTED)
target_link_libraries(torch::cpu INTERFACE ${TORCH_LIBRARIES})
separate_arguments(CANDOR_TORCH_CXX_FLAGS UNIX_COMMAND "${TORCH_CXX_FLAGS}")
target_compile_options(torch::cpu INTERFACE ${CANDOR_TORCH_CXX_FLAGS})

# libfaiss-dev (FAISS 1.7.3, CPU: libs/reco's approximate nearest-neighbour index over the two-tower
# item vectors). Its CMake config imports a static `faiss` that links OpenMP::OpenMP_CXX (so OpenMP
# is found first: libgomp with GCC, libomp-14-dev with the fuzz preset's clang) and the reference
# BLAS/LAPACK (libblas3, liblapack3 at run time); one interface target carries it with its
# headers as system headers. Only candor::reco_ann links it.
find_package(OpenMP REQUIRED COMPONENTS CXX)
find_package(faiss CONFIG REQUIRED)
add_library(faiss::faiss INTERFACE IMPORTED)
target_link_libraries(faiss::faiss INTERFACE faiss OpenMP::OpenMP_CXX)
get_target_property(CANDOR_FAISS_INCLUDE_DIRS faiss INTERFACE_INCLUDE_DIRECTORIES)
target_include_directories(faiss::faiss SYSTEM INTERFACE ${CANDOR_FAISS_INCLUDE_DIRS})
