// pxelinux's file search against what real pxelinux asked for: the captures' RRQs
// (captures/bios-no-pxelinux-cfg.pcap, bios-pxelinux-menu.pcap, bios-no-ldlinux.pcap, Debian 12's
// pxelinux 6.04 in QEMU) and seed 1's dnsmasq log (an older pxelinux on a laptop).
#include <gtest/gtest.h>

#include <sstream>

#include "proto/pxelinux/search.h"
#include "support/test_paths.h"

namespace pxe::proto::pxelinux {
namespace {

// The captures' client: MAC 52:54:00:42:00:10, 192.168.42.17, option 97 as sent by SeaBIOS/iPXE.
BootInfo capture_client() {
  BootInfo b;
  b.boot_file = "pxelinux.0";
  b.mac = *Mac::parse("52:54:00:42:00:10");
  b.ip = Ipv4(192, 168, 42, 17);
  b.uuid_97 = Bytes{0x00, 0x0e, 0x6f, 0x3a, 0x8d, 0x1c, 0x4b, 0x2e, 0x4d,
                    0x9f, 0x00, 0x50, 0x58, 0x45, 0x4b, 0x49, 0x54};
  return b;
}

TEST(PxelinuxSearch, ConfigOrderMatchesTheCaptures) {
  // tshark -r captures/bios-no-pxelinux-cfg.pcap -Y tftp.opcode==1 (frames 258..278); the same
  // eleven names precede pxelinux.cfg/default in bios-pxelinux-menu.pcap.
  const std::vector<std::string> expected{
      "pxelinux.cfg/0e6f3a8d-1c4b-2e4d-9f00-5058454b4954",
      "pxelinux.cfg/01-52-54-00-42-00-10",
      "pxelinux.cfg/C0A82A11",
      "pxelinux.cfg/C0A82A1",
      "pxelinux.cfg/C0A82A",
      "pxelinux.cfg/C0A82",
      "pxelinux.cfg/C0A8",
      "pxelinux.cfg/C0A",
      "pxelinux.cfg/C0",
      "pxelinux.cfg/C",
      "pxelinux.cfg/default",
  };
  EXPECT_EQ(config_search(capture_client()), expected);
}

// The config names dnsmasq logged while a capture was recorded (misses and hits), in order, with
// repeats of one name in a row collapsed.
std::vector<std::string> logged_config_names(const std::string& log_name) {
  std::istringstream log(test::read_file(test::captures_dir() + "/" + log_name));
  const std::string root = "/tmp/pxkcap/tftp/";
  std::vector<std::string> asked;
  for (std::string line; std::getline(log, line);) {
    auto at = line.find(root + "pxelinux.cfg/");
    if (at == std::string::npos) continue;
    std::string name = line.substr(at + root.size());
    name = name.substr(0, name.find(' '));
    if (asked.empty() || asked.back() != name) asked.push_back(name);
  }
  return asked;
}

// The same order as dnsmasq logged it while recording the captures: every miss, then the hit,
// for BIOS pxelinux.0 and for syslinux.efi under OVMF alike.
TEST(PxelinuxSearch, ConfigOrderMatchesTheCapturesDnsmasqLogs) {
  for (const char* log : {"bios-pxelinux-menu.dnsmasq.log", "edk2-syslinux-menu.dnsmasq.log"}) {
    auto asked = logged_config_names(log);
    ASSERT_GE(asked.size(), 11u) << log;
    asked.resize(11);  // menu.c32 reads pxelinux.cfg/default once more afterwards
    EXPECT_EQ(asked, config_search(capture_client())) << log;
  }
}

TEST(PxelinuxSearch, Seed1BootFileFolderIsThePrefix) {
  // Seed 1: dhcp-boot=boot/pxelinux.0; GUID bytes 0.214.110.241.0.166.215.17... in option 97.
  BootInfo b;
  b.boot_file = "boot/pxelinux.0";
  b.mac = *Mac::parse("20:6a:8a:0f:74:75");
  b.ip = Ipv4(192, 168, 42, 17);
  b.uuid_97 = Bytes{0, 0xd6, 0x6e, 0xf1, 0x00, 0xa6, 0xd7, 0x11, 0xdf,
                    0x9f, 0x1a, 0xf9, 0x38, 0xa6, 0x6f, 0xc0, 0x54};
  auto names = config_search(b);
  ASSERT_EQ(names.size(), 11u);
  EXPECT_EQ(names[0], "boot/pxelinux.cfg/d66ef100-a6d7-11df-9f1a-f938a66fc054");
  EXPECT_EQ(names[1], "boot/pxelinux.cfg/01-20-6a-8a-0f-74-75");
  EXPECT_EQ(names[2], "boot/pxelinux.cfg/C0A82A11");
  EXPECT_EQ(names[9], "boot/pxelinux.cfg/C");
  EXPECT_EQ(names[10], "boot/pxelinux.cfg/default");
  EXPECT_EQ(ldlinux_search(b).front(), "boot/ldlinux.c32");
}

TEST(PxelinuxSearch, Option209IsTriedFirstRelativeToThePrefix) {
  BootInfo b = capture_client();
  b.config_file_209 = "configs/lab.cfg";
  b.path_prefix_210 = "/srv/pxe/";
  auto names = config_search(b);
  ASSERT_EQ(names.size(), 12u);
  EXPECT_EQ(names[0], "/srv/pxe/configs/lab.cfg");
  EXPECT_EQ(names[1], "/srv/pxe/pxelinux.cfg/0e6f3a8d-1c4b-2e4d-9f00-5058454b4954");
  EXPECT_EQ(names.back(), "/srv/pxe/pxelinux.cfg/default");
}

TEST(PxelinuxSearch, AbsoluteOption209StaysAbsolute) {
  BootInfo b = capture_client();
  b.boot_file = "boot/pxelinux.0";
  b.config_file_209 = "/cfg/one";
  EXPECT_EQ(config_search(b).front(), "/cfg/one");
}

TEST(PxelinuxSearch, Option210ReplacesTheBootFileFolder) {
  BootInfo b = capture_client();
  b.boot_file = "boot/pxelinux.0";
  b.path_prefix_210 = "x86/";
  EXPECT_EQ(path_prefix(b), "x86/");
  EXPECT_EQ(config_search(b).back(), "x86/pxelinux.cfg/default");
  EXPECT_EQ(ldlinux_search(b).front(), "x86/ldlinux.c32");
}

TEST(PxelinuxSearch, NoOrInvalidUuidIsSkipped) {
  BootInfo b = capture_client();
  b.uuid_97.reset();
  EXPECT_EQ(config_search(b).front(), "pxelinux.cfg/01-52-54-00-42-00-10");
  b.uuid_97 = Bytes(17, 0);  // all zeros: byte 6 below 0x10
  EXPECT_EQ(config_search(b).size(), 10u);
  Bytes ones(17, 0xff);
  ones[0] = 0;
  b.uuid_97 = ones;
  EXPECT_EQ(config_search(b).size(), 10u);
  b.uuid_97 = Bytes{1, 2, 3};  // malformed
  EXPECT_EQ(config_search(b).size(), 10u);
}

TEST(PxelinuxSearch, SixteenByteUuidIsTakenToo) {
  const Bytes with_type = *capture_client().uuid_97;
  Bytes u(with_type.begin() + 1, with_type.end());
  EXPECT_EQ(uuid_name(u), std::optional<std::string>("0e6f3a8d-1c4b-2e4d-9f00-5058454b4954"));
}

TEST(PxelinuxSearch, NoAddressNoHexNames) {
  BootInfo b = capture_client();
  b.ip = Ipv4();
  EXPECT_EQ(config_search(b).size(), 3u);
}

TEST(PxelinuxSearch, HexIpIsUpperCaseWithLeadingZeros) {
  BootInfo b = capture_client();
  b.uuid_97.reset();
  b.ip = Ipv4(10, 0, 2, 91);
  auto names = config_search(b);
  EXPECT_EQ(names[1], "pxelinux.cfg/0A00025B");
  EXPECT_EQ(names[8], "pxelinux.cfg/0");
}

TEST(PxelinuxSearch, LdlinuxFallbacksMatchTheCapture) {
  // tshark -r captures/bios-no-ldlinux.pcap -Y tftp.opcode==1 (frames 87..97).
  const std::vector<std::string> expected{
      "ldlinux.c32", "/boot/isolinux/ldlinux.c32", "/isolinux/ldlinux.c32",
      "/boot/syslinux/ldlinux.c32", "/syslinux/ldlinux.c32", "/ldlinux.c32"};
  EXPECT_EQ(ldlinux_search(capture_client()), expected);
  EXPECT_EQ(ldlinux_search(capture_client(), "ldlinux.e64").back(), "/ldlinux.e64");
}

}  // namespace
}  // namespace pxe::proto::pxelinux
