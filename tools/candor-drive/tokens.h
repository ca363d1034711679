#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "absl/time/time.h"

// Bearer tokens the driver mints in-process with libs/auth (HS256): one home for the
// "Bearer <jwt>" a call carries, whoever sends it (operations, prober, feed).
namespace candor::drive {

// "Bearer <jwt>" for `user` with `role` valid for `ttl`, signed with `secret`, with an
// `acct_created` claim when `account_created` is set.
std::string MintBearer(const std::string& user, const std::string& secret, absl::Duration ttl,
                       const std::string& role = "customer",
                       std::optional<absl::Time> account_created = std::nullopt);

// Bearer tokens per user, minted in-process with libs/auth (HS256, role customer). Add()
// everyone before the run; BearerFor() is then safe to call from many threads.
class TokenBook {
 public:
  TokenBook(std::string secret, absl::Duration ttl) : secret_(std::move(secret)), ttl_(ttl) {}
  // `account_created`, when set, goes into the token as `acct_created` (the account's creation
  // time, from which fraud scoring takes the account's age). A user already added keeps their
  // first token.
  void Add(const std::string& user, std::optional<absl::Time> account_created = std::nullopt);
  // "Bearer <jwt>" for a user passed to Add (crashes otherwise: a bug).
  const std::string& BearerFor(const std::string& user) const;
  size_t size() const { return bearer_.size(); }

 private:
  std::string secret_;
  absl::Duration ttl_;
  std::unordered_map<std::string, std::string> bearer_;
};

}  // namespace candor::drive
