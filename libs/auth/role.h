#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace candor::auth {

struct Claims;

// Who a caller is, as far as authorisation goes: the `role` claim of a verified token.
//  - kCustomer: a shopper (the default when a token carries no `role`);
//  - kModerator: works the moderation queue;
//  - kService: another Candor service calling on its own behalf.
enum class Role : uint8_t { kCustomer, kModerator, kService };

// The claim's spelling: "customer", "moderator", "service".
std::string_view RoleName(Role role);

// The role named `name` (exact, lower case), or nullopt for any other string.
std::optional<Role> ParseRole(std::string_view name);

// A set of roles: who may call one method. A value type; thread-safe to read.
class RoleSet {
 public:
  constexpr RoleSet() = default;
  constexpr RoleSet(std::initializer_list<Role> roles) {
    for (Role r : roles) bits_ |= Bit(r);
  }
  // Every role Candor knows.
  static constexpr RoleSet All() { return {Role::kCustomer, Role::kModerator, Role::kService}; }

  constexpr bool Contains(Role role) const { return (bits_ & Bit(role)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr bool operator==(const RoleSet&) const = default;

  // "'moderator'", "'customer' or 'service'", "no role" for the empty set.
  std::string Describe() const;

 private:
  static constexpr uint8_t Bit(Role r) { return static_cast<uint8_t>(1u << static_cast<int>(r)); }
  uint8_t bits_ = 0;
};

// OK when the token's role (claims.role) is one of `allowed`; otherwise PermissionDenied naming
// `what` (e.g. the gRPC method), the roles it requires and the token's role, e.g.
// "/candor.moderation.v1.Moderation/Approve requires role 'moderator'; the token has role
// 'customer'". A role outside the vocabulary above is never allowed. Thread-safe.
absl::Status RequireRole(const Claims& claims, RoleSet allowed, std::string_view what);

}  // namespace candor::auth
