#include "libs/auth/role.h"

#include <string>

#include "gtest/gtest.h"
#include "libs/auth/jwt.h"

namespace candor::auth {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

void ExpectDenied(const absl::Status& s, const std::string& fragment) {
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << s;
  EXPECT_NE(std::string(s.message()).find(fragment), std::string::npos) << s;
}

TEST(RoleTest, NamesRoundTripAndNothingElseParses) {
  for (Role r : {Role::kCustomer, Role::kModerator, Role::kService}) {
    EXPECT_EQ(ParseRole(RoleName(r)), r);
  }
  EXPECT_EQ(RoleName(Role::kModerator), "moderator");
  EXPECT_EQ(ParseRole("Moderator"), std::nullopt);
  EXPECT_EQ(ParseRole("admin"), std::nullopt);
  EXPECT_EQ(ParseRole(""), std::nullopt);
}

TEST(RoleSetTest, ContainsAndDescribe) {
  RoleSet staff{Role::kModerator, Role::kService};
  EXPECT_TRUE(staff.Contains(Role::kService));
  EXPECT_FALSE(staff.Contains(Role::kCustomer));
  EXPECT_EQ(staff.Describe(), "'moderator' or 'service'");
  EXPECT_EQ(RoleSet{Role::kCustomer}.Describe(), "'customer'");
  EXPECT_EQ(RoleSet().Describe(), "no role");
  EXPECT_TRUE(RoleSet().empty());
  EXPECT_TRUE(RoleSet::All().Contains(Role::kCustomer));
  EXPECT_EQ(RoleSet::All(), (RoleSet{Role::kService, Role::kCustomer, Role::kModerator}));
}

TEST(RequireRoleTest, AllowedRolePassesOthersAreDeniedNamingMethodAndRoles) {
  Claims customer{"u", "customer", kNow};
  Claims moderator{"m", "moderator", kNow};
  EXPECT_TRUE(RequireRole(moderator, {Role::kModerator}, "/x.v1.S/Approve").ok());
  EXPECT_TRUE(RequireRole(customer, RoleSet::All(), "/x.v1.S/Read").ok());
  absl::Status s = RequireRole(customer, {Role::kModerator}, "/x.v1.S/Approve");
  ExpectDenied(s, "/x.v1.S/Approve requires role 'moderator'");
  ExpectDenied(s, "the token has role 'customer'");
  ExpectDenied(RequireRole(moderator, {Role::kCustomer, Role::kService}, "/x.v1.S/Submit"),
               "requires role 'customer' or 'service'");
}

TEST(RequireRoleTest, UnknownRoleIsNeverAllowed) {
  Claims admin{"a", "admin", kNow};
  ExpectDenied(RequireRole(admin, RoleSet::All(), "/x.v1.S/Read"), "the token has role 'admin'");
  Claims empty{"a", "", kNow};
  ExpectDenied(RequireRole(empty, RoleSet::All(), "/x.v1.S/Read"), "role ''");
}

TEST(RequireRoleTest, AbsentRoleClaimIsCustomer) {
  // The verifier fills in "customer" for a token without `role`; RequireRole sees that.
  absl::StatusOr<Verifier> v = Verifier::Create({.secret = std::string(32, 's')});
  ASSERT_TRUE(v.ok()) << v.status();
  std::string token = SignHs256(R"({"alg":"HS256"})",
                                R"({"sub":"u","iss":"candor-dev","aud":"candor","exp":1800000600})",
                                std::string(32, 's'));
  absl::StatusOr<Claims> c = v->Verify(token, kNow);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(RequireRole(*c, {Role::kCustomer}, "m").ok());
  ExpectDenied(RequireRole(*c, {Role::kModerator}, "m"), "the token has role 'customer'");
}

}  // namespace
}  // namespace candor::auth
