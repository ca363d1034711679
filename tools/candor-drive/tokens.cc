#include "tools/candor-drive/tokens.h"

#include <cstdlib>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/auth/jwt.h"

namespace candor::drive {

std::string MintBearer(const std::string& user, const std::string& secret, absl::Duration ttl,
                       const std::string& role, std::optional<absl::Time> account_created) {
  const absl::Time now = absl::Now();
  auth::Claims claims(user, role, now + ttl);
  claims.account_created = account_created;
  return absl::StrCat("Bearer ", auth::MintHs256(claims, secret, now));
}

void TokenBook::Add(const std::string& user, std::optional<absl::Time> account_created) {
  if (!bearer_.contains(user)) {
    bearer_[user] = MintBearer(user, secret_, ttl_, "customer", account_created);
  }
}

const std::string& TokenBook::BearerFor(const std::string& user) const {
  auto it = bearer_.find(user);
  if (it == bearer_.end()) {
    std::cerr << "candor-drive: bug: no token minted for user '" << user << "'\n";
    std::abort();
  }
  return it->second;
}

}  // namespace candor::drive
