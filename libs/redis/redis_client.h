#pragma once

#include <hiredis/hiredis.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace candor::redis {

// A Redis reply, copied out of hiredis. `nil` for a missing value; arrays in `elements`.
struct Reply {
  enum class Type { kNil, kInteger, kString, kStatus, kArray };
  Type type = Type::kNil;
  int64_t integer = 0;
  std::string str;
  std::vector<Reply> elements;
};

// A Lua script sent by SHA1 (EVALSHA), loaded on first NOSCRIPT. Immutable, shareable.
class Script {
 public:
  explicit Script(std::string source);
  const std::string& source() const { return source_; }
  const std::string& sha1() const { return sha1_; }

 private:
  std::string source_;
  std::string sha1_;
};

// A small pool of blocking hiredis connections. Thread-safe: each call borrows one connection.
// A broken connection is dropped and re-dialled on the next call. Errors: Unavailable when Redis
// cannot be reached or the call times out; Internal for an error reply (message included).
class Client {
 public:
  // `address` is "host:port".
  static absl::StatusOr<std::unique_ptr<Client>> Connect(const std::string& address, int pool_size,
                                                         absl::Duration timeout);
  ~Client();

  absl::StatusOr<Reply> Command(const std::vector<std::string_view>& args);
  absl::StatusOr<Reply> Eval(const Script& script, const std::vector<std::string_view>& keys,
                             const std::vector<std::string_view>& args);

 private:
  Client(std::string host, int port, int pool_size, absl::Duration timeout);
  absl::StatusOr<redisContext*> Borrow();
  void Return(redisContext* ctx, bool healthy);
  absl::StatusOr<Reply> Run(redisContext* ctx, const std::vector<std::string_view>& args,
                            bool* healthy);

  std::string host_;
  int port_;
  int pool_size_;
  absl::Duration timeout_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<redisContext*> idle_;
  int open_ = 0;
};

}  // namespace candor::redis
