// captures/ as a regression suite for pxekit's server: each scenario's client side is replayed
// in-process against pxekit serve's machines, configured with the dnsmasq.conf record.sh wrote for
// it (tests/replay/data/) and a TFTP root rebuilt from the files the capture itself transferred,
// and the answers must match the recorded ones (dnsmasq's) field by field.
#include <gtest/gtest.h>

#include <fstream>
#include <iomanip>
#include <set>
#include <sstream>

#include "replay/replay.h"
#include "support/test_paths.h"

namespace pxe::replay {
namespace {

std::string data_dir() { return test::source_dir() + "/tests/replay/data"; }

// The TFTP root of the recording, rebuilt from the capture's complete transfers.
void write_root(const Script& s, const std::filesystem::path& root) {
  // record.sh's trees always have this directory (bios-bootfile-is-dir boots from it).
  std::filesystem::create_directories(root / "pxelinux.cfg");
  // bios-tftp-stalled's 4 MiB boot file, as record.sh writes it (seq -f '%015g' 1 262144): the
  // capture holds only its first blocks.
  {
    std::ofstream big(root / "big.0", std::ios::binary);
    for (int i = 1; i <= 262144; ++i) big << std::setw(15) << std::setfill('0') << i << '\n';
  }
  for (const auto& f : recorded_files(s)) {
    auto p = root / f.name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary);
    out.write(reinterpret_cast<const char*>(f.data.data()), std::streamsize(f.data.size()));
  }
}

struct Replayed {
  Script script;
  ReplayResult result;
};

Replayed replay(const std::string& capture, const std::string& conf_text, bool strict = false,
                std::optional<Ipv4> server = std::nullopt) {
  Replayed r;
  auto s = load_script(test::captures_dir() + "/" + capture + ".pcap", server);
  EXPECT_TRUE(s.ok());
  if (!s.ok()) return r;
  r.script = std::move(*s);
  test::TempDir root("pxekit-replay");
  write_root(r.script, root.path());
  std::istringstream in(conf_text);
  auto cfg = read_conf_for_replay(in, capture + ".conf");
  EXPECT_TRUE(cfg.ok()) << (cfg.ok() ? "" : cfg.error().what);
  if (!cfg.ok()) return r;
  cfg->tftp.root = root.path().string();
  ReplayOptions o;
  o.compare.strict = strict;
  auto res = replay_in_process(r.script, *cfg, o);
  EXPECT_TRUE(res.ok()) << (res.ok() ? "" : res.error().what);
  if (res.ok()) r.result = std::move(*res);
  return r;
}

std::string conf(const std::string& name) { return test::read_file(data_dir() + "/" + name + ".conf"); }

// The failures (not notes) must be exactly `known`: the fields where pxekit serve answers
// otherwise than the dnsmasq that was recorded. When one goes away, this test says so: take it
// off the list. Notes (another address from the pool, TFTP error wording, OACK extras) are fine.
void expect_match(const std::string& capture, const std::string& conf_name, std::multiset<std::string> known = {}) {
  Replayed r = replay(capture, conf(conf_name));
  const auto& c = r.result.comparison;
  std::multiset<std::string> failed;
  for (const auto& d : c.differences)
    if (!d.note) failed.insert(d.field);
  EXPECT_EQ(failed, known) << capture << ":\n" << to_text(c);
  EXPECT_EQ(c.matches(), known.empty());
  EXPECT_EQ(c.conversations, r.script.conversations.size());
  if (known.empty()) {
    EXPECT_GT(c.replayed_answers, 0u);  // a match of something, not of nothing
  }
  EXPECT_EQ(r.result.stray, 0u);
  std::string text = to_text(c);
  std::printf("%s: %s", capture.c_str(), text.substr(text.rfind('\n', text.size() - 2) + 1).c_str());
}

TEST(ReplayCaptures, BiosNoBootfile) { expect_match("bios-no-bootfile", "bios-no-bootfile"); }
// No TFTP server: each RRQ got ICMP port unreachable, the in-process server answers ERROR 5.
TEST(ReplayCaptures, BiosNoTftp) { expect_match("bios-no-tftp", "bios-no-tftp"); }

TEST(ReplayCaptures, BiosPxelinuxMenu) { expect_match("bios-pxelinux-menu", "bios-pxelinux-menu"); }
TEST(ReplayCaptures, BiosMissingFile) { expect_match("bios-missing-file", "bios-missing-file"); }
TEST(ReplayCaptures, ProxyDhcpBios) { expect_match("proxydhcp-bios", "proxydhcp-bios.proxy"); }
TEST(ReplayCaptures, Edk2SyslinuxMenu) { expect_match("edk2-syslinux-menu", "edk2-syslinux-menu"); }
// syslinux.efi's own DHCP (new xid, no option 61 or 93) for the address the firmware got: ACKed.
TEST(ReplayCaptures, UefiSyslinuxMenu) { expect_match("uefi-syslinux-menu", "uefi-syslinux-menu"); }
TEST(ReplayCaptures, ProxyDhcpUefi) { expect_match("proxydhcp-uefi", "proxydhcp-uefi.proxy"); }
TEST(ReplayCaptures, BiosEfiNbp) { expect_match("bios-efi-nbp", "bios-efi-nbp"); }
TEST(ReplayCaptures, Edk2BiosNbp) { expect_match("edk2-bios-nbp", "edk2-bios-nbp"); }
// Kept on purpose (docs/replay.md): a directory as the boot file gets ERROR 2 at once from
// pxekit; dnsmasq sends an OACK with the directory's size as tsize, then ERROR 0 "... Is a
// directory".
TEST(ReplayCaptures, BiosBootfileIsDir) {
  expect_match("bios-bootfile-is-dir", "bios-bootfile-is-dir", {"TFTP opcodes", "TFTP error code"});
}
TEST(ReplayCaptures, BiosNoLdlinux) { expect_match("bios-no-ldlinux", "bios-no-ldlinux"); }
TEST(ReplayCaptures, BiosNoMenuC32) { expect_match("bios-no-menu-c32", "bios-no-menu-c32"); }
TEST(ReplayCaptures, BiosNoPxelinuxCfg) { expect_match("bios-no-pxelinux-cfg", "bios-no-pxelinux-cfg"); }
TEST(ReplayCaptures, Edk2NoBootfile) { expect_match("edk2-no-bootfile", "edk2-no-bootfile"); }
TEST(ReplayCaptures, Edk2MissingFile) { expect_match("edk2-missing-file", "edk2-missing-file"); }
TEST(ReplayCaptures, BiosArpUnanswered) { expect_match("bios-arp-unanswered", "bios-arp-unanswered"); }
// The recording froze dnsmasq (SIGSTOP) after its 22nd block; the replayed server answers the
// client's last ACK with block 23: a difference by construction of the scenario.
TEST(ReplayCaptures, BiosTftpStalled) { expect_match("bios-tftp-stalled", "bios-tftp-stalled", {"TFTP data"}); }
// The rogue server's answers are not compared: the replay is against the PXE server (.1).
TEST(ReplayCaptures, BiosTwoDhcpServers) { expect_match("bios-two-dhcp-servers", "bios-two-dhcp-servers.dhcp"); }
TEST(ReplayCaptures, BiosOnlyProxy) { expect_match("bios-only-proxy", "bios-only-proxy"); }
TEST(ReplayCaptures, Edk2OnlyProxy) { expect_match("edk2-only-proxy", "edk2-only-proxy"); }
// Recorded from pxekit serve itself: it must match with no known difference.
TEST(ReplayCaptures, BiosOption66Siaddr0) { expect_match("bios-option66-siaddr0", "bios-option66-siaddr0"); }
TEST(ReplayCaptures, LinuxClients) { expect_match("linux-clients", "linux-clients"); }

// Recorded from pxekit serve with real firmware (QemuPxeBoot): they must match as they are.
TEST(ReplayCaptures, QemuPxekitBios) { expect_match("qemu-pxekit-bios", "qemu-pxekit"); }
TEST(ReplayCaptures, QemuPxekitUefi) { expect_match("qemu-pxekit-uefi", "qemu-pxekit"); }
TEST(ReplayCaptures, QemuPxekitProxyBios) { expect_match("qemu-pxekit-proxy-bios", "qemu-pxekit-proxy"); }
TEST(ReplayCaptures, QemuPxekitProxyUefi) { expect_match("qemu-pxekit-proxy-uefi", "qemu-pxekit-proxy"); }

// Recorded from pxekit's DHCP server with Linux clients and a relay (DhcpServerNetns).
TEST(ReplayCaptures, DhcpUdhcpc) { expect_match("dhcp-udhcpc", "dhcp-netns"); }
TEST(ReplayCaptures, DhcpDhclient) { expect_match("dhcp-dhclient", "dhcp-netns"); }
TEST(ReplayCaptures, DhcpRelayPerfdhcp) { expect_match("dhcp-relay-perfdhcp", "dhcp-netns"); }

TEST(ReplayCaptures, Edk2NoTftp) { expect_match("edk2-no-tftp", "edk2-no-tftp"); }
// Kept on purpose (docs/replay.md): a proxy with only an x86PC service: dnsmasq still answers
// the EDK2 (arch 7) client, with an offer and on 4011, with nothing to boot; pxekit answers
// neither ("no service for arch").
TEST(ReplayCaptures, Edk2ProxyX86pcOnly) {
  expect_match("edk2-proxy-x86pc-only", "edk2-proxy-x86pc-only.proxy", {"message type", "message type"});
}
// Port 4011 was black-holed on the proxy when these were recorded; the replayed proxy answers it
// ("recorded no ACK, replayed ACK"): a difference by construction.
TEST(ReplayCaptures, BiosBootserverSilent) {
  expect_match("bios-bootserver-silent", "bios-bootserver-silent.proxy", {"message type"});
}
TEST(ReplayCaptures, Edk2Proxy4011Silent) {
  expect_match("edk2-proxy-4011-silent", "edk2-proxy-4011-silent.proxy", {"message type"});
}
TEST(ReplayCaptures, BiosProxy4011Silent) {
  expect_match("bios-proxy-4011-silent", "bios-proxy-4011-silent.proxy", {"message type"});
}

// Nobody answered in the recording: the replay needs the address to take, and then shows what a
// configured server answers instead.
TEST(ReplayCaptures, NoOfferCaptureAgainstAWorkingConf) {
  auto s = load_script(test::captures_dir() + "/bios-no-offer.pcap");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->servers.empty());
  auto none = replay_in_process(*s, config::ServeConfig{});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().what.find("--server-ip"), std::string::npos);
  Replayed r = replay("bios-no-offer", conf("bios-pxelinux-menu"), false, Ipv4(192, 168, 42, 1));
  const auto& c = r.result.comparison;
  EXPECT_FALSE(c.matches());
  EXPECT_EQ(c.recorded_answers, 0u);
  EXPECT_GT(c.replayed_answers, 0u);
  EXPECT_NE(to_text(c).find("message type: recorded no Offer, replayed Offer"), std::string::npos) << to_text(c);
}

TEST(ReplayCaptures, AnotherBootFileIsADifferenceNamingTheBootFile) {
  std::string text = conf("bios-pxelinux-menu");
  auto at = text.find("dhcp-boot=pxelinux.0");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 20, "dhcp-boot=other.0");
  Replayed r = replay("bios-pxelinux-menu", text);
  const auto& c = r.result.comparison;
  EXPECT_FALSE(c.matches());
  std::string diff = to_text(c);
  EXPECT_NE(diff.find("boot file: recorded \"pxelinux.0\", replayed \"other.0\""), std::string::npos) << diff;
}

}  // namespace
}  // namespace pxe::replay
