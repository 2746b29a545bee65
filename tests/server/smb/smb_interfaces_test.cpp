// smb_interfaces(): what FSCTL_QUERY_NETWORK_INTERFACE_INFO lists for the address the SMB
// service listens on.
#include <gtest/gtest.h>

#include "server/smb/smb_server.h"

namespace pxe::server {
namespace {

TEST(SmbInterfaces, ASpecificAddressListsItsOwnInterface) {
  auto ifs = smb_interfaces("127.0.0.1");
  ASSERT_TRUE(ifs.ok()) << ifs.error().what;
  ASSERT_EQ(ifs->size(), 1u);
  const auto& lo = ifs->front();
  EXPECT_EQ(lo.ipv4, (std::array<std::uint8_t, 4>{127, 0, 0, 1}));
  EXPECT_GT(lo.if_index, 0u);
  EXPECT_GT(lo.link_speed, 0u);  // loopback has none in sysfs: the 1 Gbit/s default
}

TEST(SmbInterfaces, TheWildcardListsSomethingAndAnAddressNoInterfaceHasIsAnError) {
  auto any = smb_interfaces("0.0.0.0");
  ASSERT_TRUE(any.ok()) << any.error().what;
  EXPECT_FALSE(any->empty());
  for (const auto& i : *any) EXPECT_GT(i.if_index, 0u);
  auto none = smb_interfaces("192.0.2.254");  // TEST-NET-1: held by no interface here
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().what.find("192.0.2.254"), std::string::npos);
  EXPECT_FALSE(smb_interfaces("not-an-address").ok());
}

}  // namespace
}  // namespace pxe::server
