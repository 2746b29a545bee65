// The first seed's dnsmasq.conf, verbatim (trailing comments included), served by
// `pxekit serve -C` on an interface named eno1 inside a namespace the test creates; busybox
// udhcpc gets an address from the range with the gateway, DNS servers and boot file the file
// configures; `pxekit leases` lists it.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "base/text.h"
#include "support/netns.h"
#include "support/seed_configs.h"
#include "support/test_paths.h"

namespace pxe::test {
namespace {

TEST(DhcpServeSeed, FirstSeedConfigLeasesAnAddressWithGatewayDnsAndBootFile) {
  if (auto why = netns_unavailable(); !why.empty()) GTEST_SKIP() << why;
  if (!have_program("busybox")) GTEST_SKIP() << "needs busybox (udhcpc)";
  Netns net("ds");  // removed after the guard has stopped the server
  std::string server_pid;
  struct Guard {
    std::string& pid;
    ~Guard() {
      if (!pid.empty()) run("kill " + pid + " 2>/dev/null; sleep 0.3; kill -9 " + pid + " 2>/dev/null");
    }
  } guard{server_pid};
  std::string why;
  // The seed's subnet and interface name (inside the server namespace only).
  ASSERT_TRUE(net.setup_pair("192.168.42.1/24", "", &why) && net.rename_server_if("eno1", &why)) << why;

  auto dir = std::filesystem::temp_directory_path() / ("pxkd-seed-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  bool made_root = !std::filesystem::exists("/tmp/win-pxe");
  std::filesystem::create_directories("/tmp/win-pxe/tftp");
  std::string conf = (dir / "dnsmasq.conf").string(), db = (dir / "leases.db").string();
  std::ofstream(conf) << kSeedDnsmasqConf;
  run(net.in_server(pxekit_binary() + " serve -C " + conf + " --db " + db + " >" + (dir / "serve.log").string() +
                    " 2>&1 & echo $!"),
      &server_pid);
  server_pid = std::string(pxe::trim(server_pid));
  ASSERT_TRUE(wait_for_text((dir / "serve.log").string(), "DHCP, IP range"))
      << "pxekit serve did not start: " << read_file((dir / "serve.log").string());

  // The script prints what udhcpc was given.
  std::string script = (dir / "show.sh").string();
  std::ofstream(script) << "#!/bin/sh\n[ \"$1\" = bound ] && echo \"LEASE $ip $router $dns $boot_file\"\nexit 0\n";
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  std::string out;
  run(net.in_client("busybox udhcpc -i " + net.client_if() + " -n -q -s " + script + " -t 5 -T 1 -O 67 2>&1"), &out);
  std::string listing;
  run(pxekit_binary() + " leases --db " + db, &listing);
  std::string log = read_file((dir / "serve.log").string());
  std::filesystem::remove_all(dir);
  if (made_root) std::filesystem::remove_all("/tmp/win-pxe");

  auto at = out.find("LEASE ");
  ASSERT_NE(at, std::string::npos) << out << "\n" << log;
  std::string lease(pxe::trim(out.substr(at, out.find('\n', at) - at)));
  EXPECT_EQ(lease.substr(0, 18), "LEASE 192.168.42.1");  // .10 - .20
  EXPECT_NE(lease.find(" 192.168.42.1 8.8.8.8 8.8.4.4 boot/pxelinux.0"), std::string::npos) << lease;
  EXPECT_NE(log.find("DHCPACK(eno1) 192.168.42."), std::string::npos) << log;
  EXPECT_NE(listing.find("192.168.42."), std::string::npos) << listing;
  EXPECT_NE(listing.find(" bound "), std::string::npos) << listing;
}

}  // namespace
}  // namespace pxe::test
