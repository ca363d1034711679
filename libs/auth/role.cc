#include "libs/auth/role.h"

#include <array>

#include "absl/strings/str_cat.h"
#include "libs/auth/jwt.h"

namespace candor::auth {
namespace {

// absl here is built with its own string_view, which StrCat takes; std::string_view is ours.
absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Indexed by Role.
constexpr std::array<std::string_view, 3> kRoleNames = {"customer", "moderator", "service"};

}  // namespace

std::string_view RoleName(Role role) { return kRoleNames[static_cast<size_t>(role)]; }

std::optional<Role> ParseRole(std::string_view name) {
  for (size_t i = 0; i < kRoleNames.size(); ++i) {
    if (kRoleNames[i] == name) return static_cast<Role>(i);
  }
  return std::nullopt;
}

std::string RoleSet::Describe() const {
  std::string out;
  for (Role r : {Role::kCustomer, Role::kModerator, Role::kService}) {
    if (!Contains(r)) continue;
    absl::StrAppend(&out, out.empty() ? "'" : " or '", Sv(RoleName(r)), "'");
  }
  return out.empty() ? "no role" : out;
}

absl::Status RequireRole(const Claims& claims, RoleSet allowed, std::string_view what) {
  std::optional<Role> role = ParseRole(claims.role);
  if (role && allowed.Contains(*role)) return absl::OkStatus();
  // The token's role is the caller's own claim, so naming it back tells them nothing new; the
  // quotes keep an empty or odd value visible.
  return absl::PermissionDeniedError(absl::StrCat(Sv(what), " requires role ", allowed.Describe(),
                                                  "; the token has role '", claims.role, "'"));
}

}  // namespace candor::auth
