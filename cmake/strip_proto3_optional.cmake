# cmake -DIN=<proto> -DOUT=<proto> -P strip_proto3_optional.cmake
# Copies a .proto without proto3 `optional` labels, for protoc-gen-swagger 1.6 (Debian
# golang-grpc-gateway), which predates them and which protoc therefore refuses to run on such a
# file. An optional scalar documents the same way without the label (only presence tracking
# differs, which OpenAPI 2.0 cannot express anyway). The copy is only ever fed to that plugin.
file(READ ${IN} text)
string(REGEX REPLACE "(\n[ \t]*)optional[ \t]+" "\\1" text "${text}")
file(WRITE ${OUT}.tmp "${text}")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUT}.tmp)
