// The firmware's words: every line we print for a case must appear, in order and contiguous, in
// the console log real firmware wrote for the same case (captures/*.console.txt).
#include "client/screen.h"

#include <gtest/gtest.h>

#include "support/test_paths.h"

using namespace pxe;
using namespace pxe::client;

namespace {

std::vector<std::string> console(const std::string& name) {
  return normalize_console(test::read_file(test::captures_dir() + "/" + name + ".console.txt"));
}

// True when `want` appears as consecutive lines of `have`.
::testing::AssertionResult shows(const std::vector<std::string>& have, const std::vector<std::string>& want) {
  for (std::size_t i = 0; i + want.size() <= have.size(); ++i) {
    bool all = true;
    for (std::size_t j = 0; j < want.size() && all; ++j) all = have[i + j] == want[j];
    if (all) return ::testing::AssertionSuccess();
  }
  std::string msg = "these lines:\n";
  for (auto& l : want) msg += "  | " + l + "\n";
  msg += "are not on the console:\n";
  for (auto& l : have) msg += "  | " + l + "\n";
  return ::testing::AssertionFailure() << msg;
}

// The QEMU lab's client (captures/README.md).
ScreenFacts lab() {
  ScreenFacts s;
  s.mac = *Mac::parse("52:54:00:42:00:10");
  s.ip = Ipv4(192, 168, 42, 17);
  s.netmask = Ipv4(255, 255, 255, 0);
  s.gateway = Ipv4(192, 168, 42, 1);
  s.dhcp_server = Ipv4(192, 168, 42, 1);
  s.next_server = Ipv4(192, 168, 42, 1);
  s.filename = "pxelinux.0";
  return s;
}

std::vector<std::string> join(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

TEST(Screen, NormalizeJoinsWrappedLinesAndShortensDots) {
  std::string raw = "\x1b[0mConfiguring (net0 x).......... ok\r\n" + std::string(80, 'a') + "\nbc\n\n";
  auto lines = normalize_console(raw);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "Configuring (net0 x)... ok");
  EXPECT_EQ(lines[1], std::string(80, 'a') + "bc");
}

TEST(Screen, FailureNamesRoundTrip) {
  for (auto f : {Failure::NoOffer, Failure::NoBootFile, Failure::TftpTimeout, Failure::WinpeNoOffer}) {
    auto back = failure_from_name(failure_name(f));
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, f);
  }
  EXPECT_EQ(failure_name(Failure::NoBootFile), "no-boot-filename");  // diagnose's finding id
  EXPECT_FALSE(failure_from_name("nope"));
}

TEST(ScreenIpxe, NoOfferAsTheCapture) {
  EXPECT_TRUE(shows(console("bios-no-offer"), failure_lines(Firmware::Ipxe, Failure::NoOffer, lab())));
}

TEST(ScreenIpxe, NoBootFileAsTheCapture) {
  auto s = lab();
  s.next_server = Ipv4();
  s.filename.clear();
  auto want = join(dhcp_done_lines(Firmware::Ipxe, s), failure_lines(Firmware::Ipxe, Failure::NoBootFile, s));
  EXPECT_TRUE(shows(console("bios-no-bootfile"), want));
}

TEST(ScreenIpxe, FileNotFoundAsTheCapture) {
  auto s = lab();
  s.filename = "nonexistent.0";
  auto want = join(dhcp_done_lines(Firmware::Ipxe, s), failure_lines(Firmware::Ipxe, Failure::FileNotFound, s));
  EXPECT_TRUE(shows(console("bios-missing-file"), want));
}

TEST(ScreenIpxe, AccessViolationAsTheCapture) {
  auto s = lab();
  EXPECT_TRUE(shows(console("bios-access-violation"),
                    join(dhcp_done_lines(Firmware::Ipxe, s), failure_lines(Firmware::Ipxe, Failure::AccessViolation, s))));
}

TEST(ScreenIpxe, ArpUnansweredAndTftpOpenTimeoutAsTheCaptures) {
  auto s = lab();
  EXPECT_TRUE(shows(console("bios-no-tftp"), failure_lines(Firmware::Ipxe, Failure::TftpOpenTimeout, s)));
  s.next_server = Ipv4(192, 168, 42, 99);
  EXPECT_TRUE(shows(console("bios-arp-unanswered"),
                    join(dhcp_done_lines(Firmware::Ipxe, s), failure_lines(Firmware::Ipxe, Failure::ArpUnanswered, s))));
}

TEST(ScreenIpxe, OtherTftpErrorAsTheCapture) {
  auto s = lab();
  s.filename = "pxelinux.cfg";
  EXPECT_TRUE(shows(console("bios-bootfile-is-dir"), failure_lines(Firmware::Ipxe, Failure::TftpError, s)));
}

TEST(ScreenIpxe, BootServerSilentAsTheCapture) {
  auto s = lab();
  std::vector<std::string> want = {"Booting from PXE menu", "pxekit proxyDHCP"};
  auto fail = failure_lines(Firmware::Ipxe, Failure::BootServerSilent, s);
  EXPECT_TRUE(shows(console("bios-bootserver-silent"), join(want, fail)));
}

TEST(ScreenIpxe, ProxyMenuBootAsTheCapture) {
  auto s = lab();
  s.proxy_menu = true;
  s.menu_prompt = "pxekit proxyDHCP";
  s.next_server = Ipv4(192, 168, 42, 2);
  EXPECT_TRUE(shows(console("proxydhcp-bios"), join(dhcp_done_lines(Firmware::Ipxe, s), {"tftp://192.168.42.2/pxelinux.0... ok"})));
}

TEST(ScreenPxelinux, NbpThenLdlinuxMissingAsTheCapture) {
  auto s = lab();
  s.size = 42430;
  auto want = join(join(dhcp_done_lines(Firmware::Ipxe, s), nbp_loaded_lines(Firmware::Ipxe, s)), {pxelinux_banner()});
  s.module = "ldlinux.c32";
  want = join(want, failure_lines(Firmware::Pxelinux, Failure::ModuleMissing, s));
  EXPECT_TRUE(shows(console("bios-no-ldlinux"), want));
}

TEST(ScreenPxelinux, NoConfigAsTheCapture) {
  auto s = lab();
  EXPECT_TRUE(shows(console("bios-no-pxelinux-cfg"),
                    join({pxelinux_banner()}, failure_lines(Firmware::Pxelinux, Failure::ConfigNotFound, s))));
}

TEST(ScreenPxelinux, MenuComModuleMissing) {
  auto s = lab();
  s.module = "menu.c32";
  auto lines = failure_lines(Firmware::Pxelinux, Failure::ModuleMissing, s);
  ASSERT_FALSE(lines.empty());
  EXPECT_TRUE(shows(console("bios-no-menu-c32"), {lines[0]}));
}

TEST(ScreenPxelinux, MenuShowsTitleLabelsAndTimeout) {
  MenuScreen m{"pxekit capture menu", {"Boot a kernel from the network", "Return to firmware"}, 0, 600};
  auto lines = menu_lines(m);
  EXPECT_EQ(lines[0], "pxekit capture menu");
  EXPECT_EQ(lines[1], "> Boot a kernel from the network");
  EXPECT_EQ(lines[2], "  Return to firmware");
  EXPECT_EQ(lines[3], "Automatic boot in 60 seconds...");
  EXPECT_EQ(loading_line("winpe.iso"), "Loading winpe.iso... ok");
}

TEST(ScreenEdk2, ZeroOffersIsE18AsTheCapture) {
  EXPECT_TRUE(shows(console("edk2-no-offer"), failure_lines(Firmware::Edk2, Failure::NoOffer, lab())));
}

TEST(ScreenEdk2, NoBootFileIsE16AsTheCapture) {
  auto lines = failure_lines(Firmware::Edk2, Failure::NoBootFile, lab());
  EXPECT_EQ(lines, std::vector<std::string>{"  PXE-E16: No valid offer received."});
  EXPECT_TRUE(shows(console("edk2-no-bootfile"), lines));
  EXPECT_TRUE(shows(console("edk2-only-proxy"), failure_lines(Firmware::Edk2, Failure::OnlyProxyOffers, lab())));
}

TEST(ScreenEdk2, ProxySilentIsE16AfterTheStationAddressAsTheCapture) {
  EXPECT_TRUE(shows(console("edk2-proxy-4011-silent"), failure_lines(Firmware::Edk2, Failure::ProxyRequestSilent, lab())));
}

TEST(ScreenEdk2, FileNotFoundIsE23AsTheCapture) {
  auto s = lab();
  s.filename = "nonexistent.efi";
  EXPECT_TRUE(shows(console("edk2-missing-file"), join(dhcp_done_lines(Firmware::Edk2, s), failure_lines(Firmware::Edk2, Failure::FileNotFound, s))));
}

TEST(ScreenEdk2, NbpDownloadAsTheCapture) {
  auto s = lab();
  s.filename = "syslinux.efi";
  s.size = 171456;
  EXPECT_TRUE(shows(console("edk2-syslinux-menu"),
                    join(dhcp_done_lines(Firmware::Edk2, s), nbp_loaded_lines(Firmware::Edk2, s))));
}

TEST(ScreenIntel, TheRomsOwnCodes) {
  auto s = lab();
  EXPECT_EQ(failure_lines(Firmware::IntelPxe, Failure::NoBootFile, s)[0], "PXE-E53: No boot filename received");
  EXPECT_EQ(failure_lines(Firmware::IntelPxe, Failure::TftpOpenTimeout, s)[0], "PXE-E32: TFTP open timeout");
  EXPECT_EQ(failure_lines(Firmware::IntelPxe, Failure::ArpUnanswered, s)[0], "PXE-E11: ARP timeout");
  EXPECT_EQ(failure_lines(Firmware::IntelPxe, Failure::TftpTimeout, s)[0], "PXE-E35: TFTP read timeout");
  s.tftp_code = 1;
  s.tftp_message = "file /srv/tftp/x not found for 192.168.42.17";
  auto nf = failure_lines(Firmware::IntelPxe, Failure::FileNotFound, s);
  ASSERT_EQ(nf.size(), 3u);
  EXPECT_EQ(nf[0], "PXE-T01: file /srv/tftp/x not found for 192.168.42.17");
  EXPECT_EQ(nf[1], "PXE-E3B: TFTP Error - File Not found");
  EXPECT_EQ(nf[2], "PXE-M0F: Exiting Intel PXE ROM.");
}

TEST(ScreenWrongArchitecture, AsTheCaptures) {
  auto s = lab();
  s.filename = "syslinux.efi";
  s.size = 171456;
  EXPECT_TRUE(shows(console("bios-efi-nbp"), failure_lines(Firmware::Ipxe, Failure::WrongArchitecture, s)));
  s.filename = "pxelinux.0";
  s.size = 42430;
  EXPECT_TRUE(shows(console("edk2-bios-nbp"),
                    join(nbp_loaded_lines(Firmware::Edk2, s), failure_lines(Firmware::Edk2, Failure::WrongArchitecture, s))));
}
