// dhcp-hostsfile / dhcp-optsfile (read at start and again on SIGHUP) and user= / group=.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "config/serve_config.h"
#include "support/test_paths.h"

namespace pxe::config {
namespace {

class DhcpFiles : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    auto path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }
  Result<ServeConfig> load(const std::string& extra) {
    return load_dnsmasq_conf(write("dnsmasq.conf", "dhcp-range=10.0.0.10,10.0.0.20\n"
                                                   "dhcp-host=52:54:00:00:00:01,10.0.0.11\n"
                                                   "dhcp-option=3,10.0.0.1\n" + extra));
  }
  test::TempDir dir_{"pxkt-dhcpfiles"};
};

TEST_F(DhcpFiles, HostsAndOptsFilesAddToTheConfsOwnLines) {
  auto hosts = write("hosts", "# reservations\n52:54:00:00:00:02,10.0.0.12,pc2\n\n52:54:00:00:00:03,10.0.0.13\n");
  auto opts = write("opts", "6,10.0.0.53 # dns\n");
  auto c = load("dhcp-hostsfile=" + hosts + "\ndhcp-optsfile=" + opts + "\n");
  ASSERT_TRUE(c.ok()) << c.error().what;
  ASSERT_EQ(c->dhcp.hosts.size(), 3u);
  EXPECT_EQ(c->dhcp.hosts[0].from_file, "");
  EXPECT_EQ(c->dhcp.hosts[1].ip, Ipv4(10, 0, 0, 12));
  EXPECT_EQ(c->dhcp.hosts[1].hostname, "pc2");
  EXPECT_EQ(c->dhcp.hosts[1].from_file, hosts);
  EXPECT_EQ(c->dhcp.hosts[2].ip, Ipv4(10, 0, 0, 13));
  ASSERT_EQ(c->dhcp.options.size(), 2u);
  EXPECT_EQ(c->dhcp.options[1].code, 6);
  EXPECT_EQ(c->dhcp.options[1].value, (Bytes{10, 0, 0, 53}));
}

// SIGHUP: what the files say now replaces what they said before; the conf's lines stay.
TEST_F(DhcpFiles, RereadingReplacesWhatTheFilesGaveAndKeepsTheConfsLines) {
  auto hosts = write("hosts", "52:54:00:00:00:02,10.0.0.12\n");
  auto c = load("dhcp-hostsfile=" + hosts + "\n");
  ASSERT_TRUE(c.ok()) << c.error().what;
  write("hosts", "52:54:00:00:00:04,10.0.0.14\n52:54:00:00:00:05,10.0.0.15\n");
  ASSERT_TRUE(read_dhcp_files(c->dhcp).ok());
  ASSERT_EQ(c->dhcp.hosts.size(), 3u);
  EXPECT_EQ(c->dhcp.hosts[0].ip, Ipv4(10, 0, 0, 11));
  EXPECT_EQ(c->dhcp.hosts[1].ip, Ipv4(10, 0, 0, 14));
  EXPECT_EQ(c->dhcp.hosts[2].ip, Ipv4(10, 0, 0, 15));
}

// A bad line on reload: an error naming the file and line, and the running values are kept.
TEST_F(DhcpFiles, ABadLineIsAnErrorWithFileAndLineAndChangesNothing) {
  auto hosts = write("hosts", "52:54:00:00:00:02,10.0.0.12\n");
  auto c = load("dhcp-hostsfile=" + hosts + "\n");
  ASSERT_TRUE(c.ok()) << c.error().what;
  write("hosts", "52:54:00:00:00:04,10.0.0.14\nid:\n");
  auto before = c->dhcp.hosts.size();
  auto r = read_dhcp_files(c->dhcp);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().what.find(hosts + ":2: dhcp-host:"), std::string::npos) << r.error().what;
  ASSERT_EQ(c->dhcp.hosts.size(), before);
  EXPECT_EQ(c->dhcp.hosts[1].ip, Ipv4(10, 0, 0, 12));
}

TEST_F(DhcpFiles, ADirectoryMeansEveryFileInItInNameOrder) {
  std::filesystem::create_directory(dir_ / "hosts.d");
  write("hosts.d/b", "52:54:00:00:00:0b,10.0.0.17\n");
  write("hosts.d/a", "52:54:00:00:00:0a,10.0.0.16\n");
  write("hosts.d/a~", "52:54:00:00:00:0c,10.0.0.18\n");  // an editor's backup: skipped
  auto c = load("dhcp-hostsfile=" + (dir_ / "hosts.d").string() + "\n");
  ASSERT_TRUE(c.ok()) << c.error().what;
  ASSERT_EQ(c->dhcp.hosts.size(), 3u);
  EXPECT_EQ(c->dhcp.hosts[1].ip, Ipv4(10, 0, 0, 16));
  EXPECT_EQ(c->dhcp.hosts[2].ip, Ipv4(10, 0, 0, 17));
}

TEST_F(DhcpFiles, AMissingOrSpecialFileIsAnError) {
  auto missing = load("dhcp-hostsfile=" + (dir_ / "nope").string() + "\n");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().what.find("nope"), std::string::npos);
  EXPECT_FALSE(load("dhcp-optsfile=/dev/zero\n").ok());  // never read forever
}

TEST_F(DhcpFiles, UserAndGroupLinesAreRead) {
  auto c = load("user=pxekit\ngroup=netboot\n");
  ASSERT_TRUE(c.ok()) << c.error().what;
  EXPECT_EQ(c->user, "pxekit");
  EXPECT_EQ(c->group, "netboot");
  EXPECT_FALSE(load("user\n").ok());
}

}  // namespace
}  // namespace pxe::config
