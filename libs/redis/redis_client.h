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
#include "libs/metrics/metrics.h"

namespace candor::redis {

// A Redis reply, copied out of hiredis. `nil` for a missing value; arrays in `elements`.
struct Reply {
  enum class Type { kNil, kInteger, kString, kStatus, kArray };
  Type type = Type::kNil;
  int64_t integer = 0;
  std::string str;
  std::vector<Reply> elements;
};

// Copies a hiredis reply (never an error reply; callers turn those into a Status first).
Reply FromHiredis(const redisReply* r);

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

// One call of a script in Client::EvalPipeline.
struct ScriptCall {
  std::vector<std::string> keys;
  std::vector<std::string> args;
};

// A Redis server's address, "host:port" split into its parts.
struct HostPort {
  std::string host;
  int port = 0;
};

// `address` as host and port (what both clients' Connect take apart first). InvalidArgument
// "redis address '<address>' is not host:port" otherwise.
absl::StatusOr<HostPort> ParseHostPort(const std::string& address);

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

  // Pipelining: sends every command (its arguments, binary-safe) on one connection in one write,
  // then reads the replies in order, so N commands cost one round trip instead of N. Not a
  // transaction: other clients' commands may run in between, and each command succeeds or fails
  // on its own. Returns one result per command, in order: its reply, or Internal for an error
  // reply. The call as a whole fails with Unavailable when the connection fails or times out
  // before every reply is read (the connection is dropped; any prefix of the commands may have
  // run), and with InvalidArgument, touching nothing, when a command has no arguments. An empty
  // `commands` returns an empty vector without talking to Redis. Redis holds all the replies until
  // they are read, so keep pipelines to thousands of commands, not millions.
  absl::StatusOr<std::vector<absl::StatusOr<Reply>>> Pipeline(
      const std::vector<std::vector<std::string>>& commands);

  // Runs `script` once per call, all in one pipeline of EVALSHA (results as Pipeline). The
  // calls answered NOSCRIPT (the script cache was empty: first use, or Redis restarted) are sent
  // again with EVAL, which loads the script, in a second pipeline, keeping their relative order.
  // A call that got NOSCRIPT did not run, so nothing runs twice; but if another client loads the
  // script while the first pipeline is in flight, retried calls run after later calls that
  // found it.
  absl::StatusOr<std::vector<absl::StatusOr<Reply>>> EvalPipeline(
      const Script& script, const std::vector<ScriptCall>& calls);

  // Records every call from now on in `registry` (metrics::StoreCallMetrics "redis", op: the
  // command's name in lower case, "evalsha"/"eval" for scripts, "pipeline" for a pipeline).
  // Call once, before the client is shared between threads; `registry` must outlive it.
  void SetMetrics(metrics::Registry& registry);

 private:
  Client(std::string host, int port, int pool_size, absl::Duration timeout);
  absl::StatusOr<redisContext*> Borrow();
  void Return(redisContext* ctx, bool healthy);
  absl::StatusOr<Reply> Run(redisContext* ctx, const std::vector<std::string_view>& args,
                            bool* healthy);
  absl::Status RunPipeline(redisContext* ctx, const std::vector<std::vector<std::string>>& commands,
                           std::vector<absl::StatusOr<Reply>>* replies, bool* healthy);

  std::string host_;
  int port_;
  int pool_size_;
  absl::Duration timeout_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<redisContext*> idle_;
  int open_ = 0;
  std::unique_ptr<metrics::StoreCallMetrics> metrics_;
};

// A Redis command's name as a metrics label: lower case; "other" for anything that is not a
// short alphabetic word, so the label's values stay bounded whatever a caller sends. Pure.
std::string CommandLabel(std::string_view command);

}  // namespace candor::redis
