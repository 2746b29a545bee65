// dnsmasq.conf reader: the seeds' files as they are, every supported line, and errors that name
// the file, the line and the reason.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "config/serve_config.h"
#include "support/seed_configs.h"

namespace pxe::config {
namespace {

std::string write_conf(const std::string& text) {
  static int n = 0;
  std::string path = testing::TempDir() + "/dnsmasq-" + std::to_string(::getpid()) + "-" + std::to_string(n++) + ".conf";
  std::ofstream(path) << text;
  return path;
}

TEST(DnsmasqConf, ReadsTheFirstSeedAsItIs) {
  auto c = load_dnsmasq_conf(write_conf(test::kSeedDnsmasqConf));
  ASSERT_TRUE(c.ok()) << c.error().what;
  EXPECT_TRUE(c->dhcp.enabled);
  EXPECT_EQ(c->dhcp.interfaces, std::vector<std::string>{"eno1"});
  EXPECT_TRUE(c->dhcp.bind_interfaces);
  ASSERT_EQ(c->dhcp.ranges.size(), 1u);
  EXPECT_EQ(c->dhcp.ranges[0].start, Ipv4(192, 168, 42, 10));
  EXPECT_EQ(c->dhcp.ranges[0].end, Ipv4(192, 168, 42, 20));
  EXPECT_EQ(c->dhcp.ranges[0].lease_s, 43200u);
  ASSERT_EQ(c->dhcp.options.size(), 2u);
  EXPECT_EQ(c->dhcp.options[0].code, 3);
  EXPECT_EQ(c->dhcp.options[0].value, (Bytes{192, 168, 42, 1}));
  EXPECT_EQ(c->dhcp.options[1].code, 6);
  EXPECT_EQ(c->dhcp.options[1].value, (Bytes{8, 8, 8, 8, 8, 8, 4, 4}));
  ASSERT_EQ(c->dhcp.boots.size(), 1u);
  EXPECT_EQ(c->dhcp.boots[0].file, "boot/pxelinux.0");
  EXPECT_TRUE(c->tftp.enabled);
  EXPECT_EQ(c->tftp.root, "/tmp/win-pxe/tftp");
  EXPECT_EQ(c->tftp.interfaces, std::vector<std::string>{"eno1"});
}

TEST(DnsmasqConf, ReadsTheProxySeed) {
  auto c = load_dnsmasq_conf(write_conf(
      "pxe-service=x86PC,\"PXE Netboot\",pxe/pxelinux\n"
      "dhcp-range=192.168.1.0,proxy\n"
      "tftp-root=/var/tftp\n"
      "enable-tftp\n"));
  ASSERT_TRUE(c.ok()) << c.error().what;
  ASSERT_EQ(c->dhcp.ranges.size(), 1u);
  EXPECT_TRUE(c->dhcp.ranges[0].proxy);
  EXPECT_EQ(c->dhcp.ranges[0].start, Ipv4(192, 168, 1, 0));
  ASSERT_EQ(c->dhcp.pxe_services.size(), 1u);
  EXPECT_EQ(c->dhcp.pxe_services[0].csa, 0);
  EXPECT_EQ(c->dhcp.pxe_services[0].menu_text, "PXE Netboot");
  EXPECT_EQ(c->dhcp.pxe_services[0].basename, "pxe/pxelinux");
  EXPECT_NE(c->dhcp.pxe_services[0].type, 0);
  EXPECT_TRUE(c->tftp.enabled);
}

TEST(DnsmasqConf, ReadsTagsMatchesHostsAndNamedOptions) {
  auto c = load_dnsmasq_conf(write_conf(
      "dhcp-range=set:lan,10.0.0.100,10.0.0.200,255.255.255.0,45m\n"
      "dhcp-match=set:efi-x86_64,option:client-arch,7\n"
      "dhcp-match=set:ipxe,175\n"
      "dhcp-userclass=set:ipxe2,iPXE\n"
      "dhcp-vendorclass=set:pxe,PXEClient\n"
      "tag-if=set:efi,tag:efi-x86_64,tag:!ipxe\n"
      "dhcp-boot=tag:efi-x86_64,syslinux.efi,boothost,10.0.0.2\n"
      "dhcp-option=option:router,0.0.0.0\n"
      "dhcp-option=tag:lan,option:ntp-server,10.0.0.3\n"
      "dhcp-option-force=209,pxelinux.cfg/default\n"
      "dhcp-option=option:mtu,1400\n"
      "dhcp-host=52:54:00:42:00:10,set:known1,10.0.0.150,box1,infinite\n"
      "dhcp-host=52:54:00:42:00:11,ignore\n"
      "pxe-prompt=\"Press F8\",5\n"
      "pxe-service=x86PC,\"Boot from disk\"\n"
      "pxe-service=tag:efi,x86-64_EFI,\"Grub\",grub/grubx64.efi,10.0.0.4\n"
      "log-dhcp\n"
      "dhcp-authoritative\n"
      "dhcp-leasefile=/tmp/x.db\n"
      "tftp-no-blocksize\ntftp-max=10\ntftp-mtu=1400\ntftp-lowercase\ntftp-secure\n"
      "tftp-port-range=30000,30100\n"));
  ASSERT_TRUE(c.ok()) << c.error().what;
  const auto& d = c->dhcp;
  EXPECT_EQ(d.ranges[0].set_tag, "lan");
  EXPECT_EQ(d.ranges[0].netmask, Ipv4(255, 255, 255, 0));
  EXPECT_EQ(d.ranges[0].lease_s, 2700u);
  ASSERT_EQ(d.matches.size(), 4u);
  EXPECT_EQ(d.matches[0].code, 93);
  EXPECT_EQ(d.matches[0].kind, DhcpMatch::Kind::Number);
  EXPECT_EQ(d.matches[0].number, 7u);
  EXPECT_EQ(d.matches[1].kind, DhcpMatch::Kind::Present);
  EXPECT_EQ(d.matches[2].code, 77);
  EXPECT_EQ(d.matches[3].code, 60);
  ASSERT_EQ(d.tag_ifs.size(), 1u);
  EXPECT_EQ(d.tag_ifs[0].when.size(), 2u);
  EXPECT_TRUE(d.tag_ifs[0].when[1].negated);
  EXPECT_EQ(d.boots[0].sname, "boothost");
  EXPECT_EQ(*d.boots[0].server, Ipv4(10, 0, 0, 2));
  EXPECT_EQ(d.options[0].self_address_at, std::vector<std::size_t>{0});
  EXPECT_EQ(d.options[1].tags[0].name, "lan");
  EXPECT_TRUE(d.options[2].force);
  EXPECT_EQ(d.options[3].value, (Bytes{0x05, 0x78}));
  EXPECT_EQ(*d.hosts[0].ip, Ipv4(10, 0, 0, 150));
  EXPECT_EQ(d.hosts[0].hostname, "box1");
  EXPECT_EQ(*d.hosts[0].lease_s, kInfiniteLease);
  EXPECT_TRUE(d.hosts[1].ignore);
  EXPECT_EQ(d.pxe_prompts[0].timeout, 5);
  EXPECT_EQ(d.pxe_services[0].type, 0);
  EXPECT_EQ(d.pxe_services[1].csa, 7);  // x86-64_EFI is 7 (RFC 4578 errata), BC_EFI 9
  EXPECT_EQ(*d.pxe_services[1].server, Ipv4(10, 0, 0, 4));
  EXPECT_TRUE(d.log_dhcp);
  EXPECT_TRUE(d.authoritative);
  EXPECT_EQ(d.lease_db, "/tmp/x.db");
  EXPECT_TRUE(c->tftp.no_blocksize);
  EXPECT_EQ(c->tftp.max_transfers, 10u);
  EXPECT_EQ(c->tftp.mtu, 1400u);
  EXPECT_TRUE(c->tftp.lowercase);
  EXPECT_TRUE(c->tftp.secure);
  EXPECT_EQ(c->tftp.port_range_low, 30000);
  EXPECT_EQ(c->tftp.port_range_high, 30100);
}

void expect_error(const std::string& text, const std::string& needle) {
  auto path = write_conf(text);
  auto c = load_dnsmasq_conf(path);
  ASSERT_FALSE(c.ok()) << text;
  EXPECT_NE(c.error().what.find(path + ":"), std::string::npos) << c.error().what;
  EXPECT_NE(c.error().what.find(needle), std::string::npos) << c.error().what;
}

TEST(DnsmasqConf, UnknownLineIsAnErrorNamingFileAndLine) {
  expect_error("port=0\n\n# c\nno-such-thing=1\n", ":4: unsupported option 'no-such-thing'");
}

TEST(DnsmasqConf, MalformedLinesAreErrorsWithTheReason) {
  expect_error("dhcp-range=192.168.42.20,192.168.42.10\n", ":1: dhcp-range: end address");
  expect_error("dhcp-range=10.0.0.1,10.0.0.9,12x\n", "lease time");
  expect_error("dhcp-option=option:no-such,1\n", "unknown option");
  expect_error("dhcp-option=3,not-an-ip\n", "expected an IPv4 address");
  expect_error("dhcp-host=zz:zz,1.2.3.4\n", "MAC address");
  expect_error("port=53\n", "no DNS");
  expect_error("bind-interfaces=yes\n", "takes no value");
  expect_error("pxe-service=Nonsense,\"x\"\n", "architecture");
  expect_error("tftp-port-range=5,1\n", "LOW,HIGH");
  expect_error("dhcp-match=efi,93,7\n", "set:TAG");
}

TEST(DnsmasqConf, StaticRangeHostsByIdAndNameLeaseMaxNoPing) {
  auto c = load_dnsmasq_conf(write_conf(
      "dhcp-range=192.168.42.0,static,255.255.255.0,2h\n"
      "dhcp-host=id:01:52:54:00:42:00:10,192.168.42.50\n"
      "dhcp-host=id:router7,192.168.42.51\n"
      "dhcp-host=52:54:00:42:00:11,id:*,192.168.42.52\n"
      "dhcp-host=laptop,192.168.42.53\n"
      "dhcp-lease-max=150\n"
      "no-ping\n"));
  ASSERT_TRUE(c.ok()) << c.error().what;
  const auto& d = c->dhcp;
  ASSERT_EQ(d.ranges.size(), 1u);
  EXPECT_TRUE(d.ranges[0].static_only);
  EXPECT_FALSE(d.ranges[0].proxy);
  EXPECT_EQ(d.ranges[0].netmask, Ipv4(255, 255, 255, 0));
  EXPECT_EQ(d.ranges[0].lease_s, 7200u);
  ASSERT_EQ(d.hosts.size(), 4u);
  EXPECT_EQ(d.hosts[0].client_id, (Bytes{1, 0x52, 0x54, 0, 0x42, 0, 0x10}));
  EXPECT_FALSE(d.hosts[0].has_mac);
  EXPECT_EQ(d.hosts[1].client_id, (Bytes{'r', 'o', 'u', 't', 'e', 'r', '7'}));
  EXPECT_TRUE(d.hosts[2].has_mac);
  EXPECT_TRUE(d.hosts[2].ignore_client_id);
  EXPECT_EQ(d.hosts[3].hostname, "laptop");
  EXPECT_FALSE(d.hosts[3].has_mac);
  EXPECT_EQ(*d.hosts[3].ip, Ipv4(192, 168, 42, 53));
  EXPECT_EQ(d.lease_max, 150u);
  EXPECT_FALSE(d.ping_check);
}

TEST(DnsmasqConf, EncapAndVendorOptionsAreSubOptions) {
  auto c = load_dnsmasq_conf(write_conf(
      "dhcp-option=vendor:PXEClient,1,0.0.0.0\n"
      "dhcp-option=tag:ipxe,encap:175,8,1\n"
      "dhcp-option-force=encap:175,190,user\n"));
  ASSERT_TRUE(c.ok()) << c.error().what;
  const auto& o = c->dhcp.options;
  ASSERT_EQ(o.size(), 3u);
  EXPECT_EQ(o[0].encap, 43);
  EXPECT_EQ(o[0].vendor_class, "PXEClient");
  EXPECT_EQ(o[0].code, 1);
  EXPECT_EQ(o[0].value, (Bytes{0, 0, 0, 0}));
  EXPECT_TRUE(o[0].self_address_at.empty());  // kept as written inside a sub-option
  EXPECT_EQ(o[1].encap, 175);
  EXPECT_EQ(o[1].code, 8);
  EXPECT_EQ(o[1].value, (Bytes{1}));
  EXPECT_EQ(o[1].tags.size(), 1u);
  EXPECT_EQ(o[2].value, (Bytes{'u', 's', 'e', 'r'}));
  EXPECT_TRUE(o[2].force);
}

TEST(DnsmasqConf, MalformedNewLinesAreErrors) {
  expect_error("dhcp-option=encap:x,1,2\n", "after 'encap:'");
  expect_error("dhcp-option=vendor:,1,2\n", "vendor class");
  expect_error("dhcp-option=encap:175,300,1\n", "sub-option number");
  expect_error("dhcp-option=vi-encap:9,1,2\n", "not supported yet");
  expect_error("dhcp-host=id:\n", "client id");
  expect_error("dhcp-host=id:*,1.2.3.4\n", "needs a MAC");
  expect_error("dhcp-host=1.2.3.4\n", "MAC address, id:CLIENT_ID or a host name");
  expect_error("dhcp-lease-max=lots\n", "expected a number");
  expect_error("no-ping=1\n", "takes no value");
}

TEST(DnsmasqConf, MissingFileIsAnError) {
  auto c = load_dnsmasq_conf("/nonexistent/dnsmasq.conf");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().what.find("/nonexistent/dnsmasq.conf"), std::string::npos);
}

TEST(DnsmasqConf, HashInsideAValueIsNotAComment) {
  auto c = load_dnsmasq_conf(write_conf("dhcp-boot=\"boot#1/pxelinux.0\"\ndhcp-range=10.0.0.1,10.0.0.9\n"));
  ASSERT_TRUE(c.ok()) << c.error().what;
  EXPECT_EQ(c->dhcp.boots[0].file, "boot#1/pxelinux.0");
}

}  // namespace
}  // namespace pxe::config
