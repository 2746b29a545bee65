// The first seed's whole job from one process: its dnsmasq.conf and its smb.conf, verbatim
// (trailing "# Required" comments included), served by `pxekit serve -C dnsmasq.conf --smb-conf
// smb.conf` on an interface named eno1 inside a namespace the test creates (port 445 there is the
// namespace's own). From the client namespace smbclient does what WinPE's
// `net use I: \\192.168.42.1\GUEST /user:user pass` does: the unknown user becomes a guest
// (map to guest = Bad User), the [guest] share (guest ok) is read, and setup.exe comes back
// byte-identical; the log says who connected.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include <unistd.h>

#include "base/text.h"
#include "support/netns.h"
#include "support/seed_configs.h"
#include "support/test_paths.h"

namespace pxe::test {
namespace {

TEST(SmbServeSeed, FirstSeedConfigsServeSetupExeToTheBlogsNetUse) {
  if (auto why = netns_unavailable(); !why.empty()) GTEST_SKIP() << why;
  if (!have_program("smbclient")) GTEST_SKIP() << "needs smbclient";
  namespace fs = std::filesystem;
  // The seed's share path: made (and removed) by the test; a directory that is already there
  // belongs to someone else and is not touched.
  if (fs::exists("/tmp/win10iso")) GTEST_SKIP() << "/tmp/win10iso exists already; not replacing it";
  Netns net("sd");  // removed after the guard has stopped the server (support/netns.h)
  std::string server_pid;
  bool made_pxe = !fs::exists("/tmp/win-pxe");
  struct Guard {
    std::string& pid;
    bool made_pxe;
    ~Guard() {
      if (!pid.empty()) run("kill " + pid + " 2>/dev/null; sleep 0.3; kill -9 " + pid + " 2>/dev/null");
      fs::remove_all("/tmp/win10iso");
      if (made_pxe) fs::remove_all("/tmp/win-pxe");
    }
  } guard{server_pid, made_pxe};
  std::string why;
  // The seed's subnet and interface name (inside the server namespace only); the client is at
  // WinPE's address.
  ASSERT_TRUE(net.setup_pair("192.168.42.1/24", "192.168.42.17/24", &why) && net.rename_server_if("eno1", &why))
      << why;

  fs::create_directories("/tmp/win-pxe/tftp");
  fs::create_directories("/tmp/win10iso/sources");
  std::string setup(1500000, '\0');
  std::mt19937 g(7);
  for (auto& c : setup) c = static_cast<char>(g());
  std::ofstream("/tmp/win10iso/setup.exe", std::ios::binary) << setup;
  std::ofstream("/tmp/win10iso/sources/boot.wim", std::ios::binary) << std::string(4096, 'W');
  run("chmod -R a+rX /tmp/win10iso");

  auto dir = fs::temp_directory_path() / ("pxks-seed-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string conf = (dir / "dnsmasq.conf").string(), smb = (dir / "smb.conf").string();
  std::string db = (dir / "leases.db").string(), log_path = (dir / "serve.log").string();
  std::ofstream(conf) << kSeedDnsmasqConf;
  std::ofstream(smb) << kSeedSmbConf;
  run(net.in_server(pxekit_binary() + " serve -C " + conf + " --smb-conf " + smb + " --db " + db + " >" + log_path +
                    " 2>&1 & echo $!"),
      &server_pid);
  server_pid = std::string(pxe::trim(server_pid));
  ASSERT_TRUE(wait_for_text(log_path, "ready")) << "pxekit serve did not start: " << read_file(log_path);

  std::string got = (dir / "setup.exe").string(), out;
  int rc = run(net.in_client("smbclient //192.168.42.1/GUEST -U user%pass -c 'ls; get setup.exe " + got + "' 2>&1"), &out);
  std::string log = read_file(log_path);
  std::string bytes = read_file(got);
  fs::remove_all(dir);

  EXPECT_EQ(rc, 0) << out << "\n" << log;
  EXPECT_NE(out.find("setup.exe"), std::string::npos) << out;
  EXPECT_NE(out.find("sources"), std::string::npos) << out;
  EXPECT_EQ(bytes.size(), setup.size()) << out << "\n" << log;
  EXPECT_TRUE(bytes == setup) << "setup.exe differs";
  // One process served all three, and the log names the SMB client.
  EXPECT_NE(log.find("DHCP"), std::string::npos) << log;
  EXPECT_NE(log.find("TFTP"), std::string::npos) << log;
  EXPECT_NE(log.find("192.168.42.17:"), std::string::npos) << log;
}

}  // namespace
}  // namespace pxe::test
