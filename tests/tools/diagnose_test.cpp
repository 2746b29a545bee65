// `pxekit diagnose` over every capture: checked-in text/JSON goldens, and the verdicts each
// capture must produce (captures/README.md), from the packets and from dnsmasq's own log.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>

#include "support/test_paths.h"

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace pxe::test;

namespace {

struct Expected {
  std::string capture;
  std::vector<std::string> logs;   // dnsmasq logs beside it (several for the proxy setups)
  int exit_code;                   // 1: a client failed
  std::set<std::string> failures;  // failure finding ids
  std::set<std::string> infos;     // benign notes that must be explained
  // What the dnsmasq logs beside the capture can show, when it is less than the capture: a
  // log has no ARP, no dropped packets and no DATA blocks (captures/README.md says why, per capture).
  std::optional<std::set<std::string>> log_failures = std::nullopt;
  std::set<std::string> warnings = {};  // warnings that must be reported too
};

const std::vector<Expected> kExpected = {
    {"bios-pxelinux-menu", {"bios-pxelinux-menu.dnsmasq.log"}, 0, {}, {"pxelinux-config-search"}},
    {"bios-no-bootfile", {"bios-no-bootfile.dnsmasq.log"}, 1, {"no-boot-filename"}, {}},
    {"bios-no-tftp", {"bios-no-tftp.dnsmasq.log"}, 1, {"tftp-open-timeout"}, {}},
    {"bios-missing-file", {"bios-missing-file.dnsmasq.log"}, 1, {"tftp-file-not-found"}, {}},
    {"proxydhcp-bios", {"proxydhcp-bios.dhcp.dnsmasq.log", "proxydhcp-bios.proxy.dnsmasq.log"}, 0, {}, {"pxelinux-config-search"}},
    {"proxydhcp-uefi", {"proxydhcp-uefi.dhcp.dnsmasq.log", "proxydhcp-uefi.proxy.dnsmasq.log"}, 0, {},
     {"tsize-probe-abort", "pxelinux-config-search"}},
    {"uefi-syslinux-menu", {"uefi-syslinux-menu.dnsmasq.log"}, 0, {}, {"pxelinux-config-search"}},
    {"edk2-syslinux-menu", {"edk2-syslinux-menu.dnsmasq.log"}, 0, {}, {"tsize-probe-abort", "pxelinux-config-search"}},
    {"linux-clients", {"linux-clients.dnsmasq.log"}, 1, {"tftp-file-not-found"}, {}},
    {"qemu-pxekit-bios", {}, 0, {}, {}},
    {"qemu-pxekit-uefi", {}, 0, {}, {"tsize-probe-abort"}},
    {"qemu-pxekit-proxy-bios", {}, 0, {}, {}},
    {"qemu-pxekit-proxy-uefi", {}, 0, {}, {"tsize-probe-abort"}},
    {"smb2-guest-and-user", {}, 1, {"smb-logon-failure", "smb-access-denied", "smb-bad-share"}, {}},
    {"smb2-guest-signing-required", {}, 1, {"smb-guest-signing-required"}, {}},
    // pxekit serve's SMB, one failing net use each (captures/README.md "smb2-pxekit-*").
    {"smb2-pxekit-logon-failure", {}, 1, {"smb-logon-failure"}, {}},
    {"smb2-pxekit-guest-refused", {}, 1, {"smb-access-denied"}, {}},
    {"smb2-pxekit-guest-signing-required", {}, 1, {"smb-guest-signing-required"}, {}},
    {"smb2-pxekit-bad-share", {}, 1, {"smb-bad-share"}, {}},
    {"smb2-pxekit-server-hangup", {}, 1, {"smb-server-hangup"}, {}},
    {"smb2-pxekit-negotiate-hangup", {}, 1, {"smb-negotiate-hangup"}, {}},
    // On port 4445: SMB found by content, the client told from the server by the port it dialled.
    {"smb2-pxekit-port-4445", {}, 1, {"smb-bad-share"}, {}},
    // Plain Linux DHCP clients that got their leases (the DHCP server captures): no failure.
    {"dhcp-udhcpc", {}, 0, {}, {}},
    {"dhcp-dhclient", {}, 0, {}, {}},
    {"dhcp-relay-perfdhcp", {}, 0, {}, {}},
    // Fault captures (captures/README.md "Fault captures"): the console text is the ground truth.
    {"bios-no-offer", {}, 1, {"no-offer"}, {}},
    {"edk2-no-offer", {}, 1, {"no-offer"}, {}},
    {"bios-only-proxy", {"bios-only-proxy.dnsmasq.log"}, 1, {"only-proxy-offers"}, {}},
    {"edk2-only-proxy", {"edk2-only-proxy.dnsmasq.log"}, 1, {"only-proxy-offers"}, {}},
    {"bios-bootserver-silent", {"bios-bootserver-silent.dhcp.dnsmasq.log", "bios-bootserver-silent.proxy.dnsmasq.log"}, 1,
     {"boot-server-unanswered"}, {}},
    {"bios-proxy-4011-silent", {"bios-proxy-4011-silent.dhcp.dnsmasq.log", "bios-proxy-4011-silent.proxy.dnsmasq.log"}, 1,
     {"proxy-4011-unanswered"}, {}},
    {"edk2-proxy-4011-silent", {"edk2-proxy-4011-silent.dhcp.dnsmasq.log", "edk2-proxy-4011-silent.proxy.dnsmasq.log"}, 1,
     {"proxy-4011-unanswered"}, {}},
    {"bios-two-dhcp-servers", {"bios-two-dhcp-servers.dhcp.dnsmasq.log", "bios-two-dhcp-servers.rogue.dnsmasq.log"}, 0, {},
     {"pxelinux-config-search"}, std::nullopt, {"two-dhcp-servers"}},
    {"bios-arp-unanswered", {"bios-arp-unanswered.dnsmasq.log"}, 1, {"arp-unanswered"}, {}, std::set<std::string>{}},
    {"bios-tftp-stalled", {"bios-tftp-stalled.dnsmasq.log"}, 1, {"tftp-transfer-stalled"}, {}, std::set<std::string>{}},
    {"bios-efi-nbp", {"bios-efi-nbp.dnsmasq.log"}, 1, {"wrong-architecture"}, {}},
    {"bios-option66-siaddr0", {}, 1, {"no-tftp-server-address"}, {}, std::nullopt, {"option66-ignored"}},
    {"edk2-proxy-x86pc-only", {"edk2-proxy-x86pc-only.dhcp.dnsmasq.log", "edk2-proxy-x86pc-only.proxy.dnsmasq.log"}, 1,
     {"no-boot-filename"}, {}},
    {"bios-bootfile-is-dir", {"bios-bootfile-is-dir.dnsmasq.log"}, 1, {"tftp-error"}, {}},
    {"edk2-bios-nbp", {"edk2-bios-nbp.dnsmasq.log"}, 1, {"wrong-architecture"}, {}},
    {"edk2-no-bootfile", {"edk2-no-bootfile.dnsmasq.log"}, 1, {"no-boot-filename"}, {}},
    {"edk2-no-tftp", {"edk2-no-tftp.dnsmasq.log"}, 1, {"tftp-open-timeout"}, {}},
    {"edk2-missing-file", {"edk2-missing-file.dnsmasq.log"}, 1, {"tftp-file-not-found"}, {}},
    {"bios-access-violation", {"bios-access-violation.dnsmasq.log"}, 1, {"tftp-access-violation"}, {}},
    {"bios-no-ldlinux", {"bios-no-ldlinux.dnsmasq.log"}, 1, {"module-missing"}, {}},
    {"bios-no-menu-c32", {"bios-no-menu-c32.dnsmasq.log"}, 1, {"module-missing"}, {"pxelinux-config-search"}},
    {"bios-no-pxelinux-cfg", {"bios-no-pxelinux-cfg.dnsmasq.log"}, 1, {"pxelinux-no-config"}, {}},
    // Recorded by `pxekit client --interface --record` (captures/README.md "pxekit client"): the
    // simulated Intel PXE ROM against dnsmasq and against pxekit serve.
    {"client-bios-dnsmasq", {"client-bios-dnsmasq.dnsmasq.log"}, 0, {}, {"tsize-probe-abort", "pxelinux-config-search"}},
    {"client-bios-pxekit", {}, 0, {}, {"tsize-probe-abort", "pxelinux-config-search"}},
    {"client-no-bootfile-dnsmasq", {"client-no-bootfile-dnsmasq.dnsmasq.log"}, 1, {"no-boot-filename"}, {}},
    {"client-no-bootfile-pxekit", {}, 1, {"no-boot-filename"}, {}},
    // `pxekit client --in-process --fault ... --record` (captures/README.md "pxekit client"): the
    // Intel PXE ROM's own failures, which no QEMU firmware here shows.
    {"client-fault-no-offer", {}, 1, {"no-offer"}, {}},
    {"client-fault-only-proxy-offers", {}, 1, {"only-proxy-offers"}, {}},
    {"client-fault-boot-server-unanswered", {}, 1, {"boot-server-unanswered"}, {}},
    {"client-fault-arp-unanswered", {}, 1, {"arp-unanswered"}, {}},
    {"client-fault-tftp-transfer-stalled", {}, 1, {"tftp-transfer-stalled"}, {"tsize-probe-abort"}},
    // Issue 12's remaining findings from the simulated Intel ROM (captures/README.md "pxekit client"):
    // in-process against pxekit serve, then over veths against dnsmasq and pxekit serve.
    {"client-fault-no-tftp-server-address", {}, 1, {"no-tftp-server-address"}, {}},
    {"client-fault-wrong-architecture", {}, 1, {"wrong-architecture"}, {"tsize-probe-abort"}},
    // dnsmasq logs nothing of the 4011 requests nobody answered: its log shows only an ACK
    // without a boot file, so from the log alone the verdict is PXE-E53.
    {"client-proxy-4011-unanswered-dnsmasq", {"client-proxy-4011-unanswered-dnsmasq.dnsmasq.log"}, 1,
     {"proxy-4011-unanswered"}, {}, std::set<std::string>{"no-boot-filename"}},
    {"client-two-dhcp-servers", {}, 0, {}, {"tsize-probe-abort", "pxelinux-config-search"}, std::nullopt,
     {"two-dhcp-servers"}},
    {"client-proxy-no-bios-service", {"client-proxy-no-bios-service.dhcp.dnsmasq.log"}, 1, {"no-boot-filename"}, {}},
    // WinPE's net use after the whole boot (captures/README.md "WinPE's net use"): over the veth
    // to pxekit serve's share and to Samba's, and in-process with the server dying at the logon.
    {"client-winpe-share-pxekit", {}, 0, {}, {"tsize-probe-abort", "pxelinux-config-search"}},
    {"client-winpe-share-samba", {}, 0, {}, {"tsize-probe-abort", "pxelinux-config-search"}},
    {"client-fault-net-use-reset", {}, 1, {"smb-server-hangup"}, {"tsize-probe-abort", "pxelinux-config-search"}},
    // Captured on the sending host (captures/README.md "UDP segmentation offload"): pxekit serve's
    // windows of four DATA blocks as one frame each, split by the dissector; a complete download.
    {"pxekit-tftp-gso", {}, 0, {}, {"tsize-probe-abort"}},
};

struct Ids {
  std::set<std::string> failures, infos, warnings;
};

Ids ids_of(const json& report) {
  Ids ids;
  for (const auto& c : report["clients"])
    for (const auto& f : c["findings"]) {
      if (f["severity"] == "failure") ids.failures.insert(f["id"].get<std::string>());
      if (f["severity"] == "info") ids.infos.insert(f["id"].get<std::string>());
      if (f["severity"] == "warning") ids.warnings.insert(f["id"].get<std::string>());
    }
  for (const auto& f : report["network"]) {
    if (f["severity"] == "warning") ids.warnings.insert(f["id"].get<std::string>());
    if (f["severity"] == "info") ids.infos.insert(f["id"].get<std::string>());
  }
  return ids;
}

class Diagnose : public ::testing::TestWithParam<Expected> {};
class DiagnoseLog : public ::testing::TestWithParam<Expected> {};

std::vector<Expected> with_logs() {
  std::vector<Expected> v;
  for (const auto& x : kExpected)
    if (!x.logs.empty()) v.push_back(x);
  return v;
}

TEST_P(Diagnose, CaptureGivesTheExpectedVerdict) {
  const Expected& x = GetParam();
  std::string pcap = captures_dir() + "/" + x.capture + ".pcap";
  std::string out;
  int rc = run(pxekit_binary() + " diagnose --format json '" + pcap + "'", &out);
  EXPECT_EQ(rc, x.exit_code);
  json j = json::parse(out);
  Ids ids = ids_of(j);
  EXPECT_EQ(ids.failures, x.failures);
  for (const auto& i : x.infos) EXPECT_TRUE(ids.infos.count(i)) << "missing info " << i;
  for (const auto& w : x.warnings) EXPECT_TRUE(ids.warnings.count(w)) << "missing warning " << w;
  // Every failure names what the user saw and how to fix it.
  for (const auto& c : j["clients"])
    for (const auto& f : c["findings"])
      if (f["severity"] == "failure") {
        EXPECT_FALSE(f["firmware_message"].get<std::string>().empty()) << f["id"];
        EXPECT_FALSE(f["evidence"].empty()) << f["id"];
        EXPECT_FALSE(f["fix_dnsmasq"].get<std::string>().empty()) << f["id"];
      }
}

TEST_P(DiagnoseLog, DnsmasqLogGivesTheSameVerdict) {
  const Expected& x = GetParam();
  std::string cmd = pxekit_binary() + " diagnose --format json";
  for (const auto& l : x.logs) cmd += " --dnsmasq-log '" + captures_dir() + "/" + l + "'";
  std::string out;
  int want_rc = x.log_failures && x.log_failures->empty() ? 0 : x.exit_code;
  EXPECT_EQ(run(cmd, &out), want_rc);
  Ids ids = ids_of(json::parse(out));
  EXPECT_EQ(ids.failures, x.log_failures.value_or(x.failures));
}

TEST_P(Diagnose, TextAndJsonMatchGolden) {
  const Expected& x = GetParam();
  std::string pcap = captures_dir() + "/" + x.capture + ".pcap";
  for (std::string format : {"text", "json"}) {
    std::string out;
    run(pxekit_binary() + " diagnose --format " + format + " '" + pcap + "'", &out);
    // The report names its input; make the path independent of the checkout's location.
    for (std::size_t p; (p = out.find(captures_dir() + "/")) != std::string::npos;)
      out.replace(p, captures_dir().size() + 1, "captures/");
    std::string path = golden_dir() + "/diagnose/" + x.capture + (format == "json" ? ".json" : ".txt");
    if (update_golden()) {
      fs::create_directories(golden_dir() + "/diagnose");
      write_file(path, out);
      continue;
    }
    ASSERT_TRUE(fs::exists(path)) << path << " missing: run with PXE_UPDATE_GOLDEN=1";
    EXPECT_EQ(out, read_file(path)) << path;
  }
}

std::string test_name(const ::testing::TestParamInfo<Expected>& param_info) {
  std::string n = param_info.param.capture;
  std::replace_if(n.begin(), n.end(), [](char c) { return !std::isalnum(c); }, '_');
  return n;
}

INSTANTIATE_TEST_SUITE_P(Captures, Diagnose, ::testing::ValuesIn(kExpected), test_name);
INSTANTIATE_TEST_SUITE_P(Captures, DiagnoseLog, ::testing::ValuesIn(with_logs()), test_name);

TEST(DiagnoseCli, SeedLogTellsTheWholeStory) {
  // The first seed's dnsmasq log lines, as the user posted them.
  std::string log = read_file(source_dir() + "/tests/tools/data/seed-dnsmasq.log");
  std::string path = fs::temp_directory_path() / "pxekit-seed.log";
  write_file(path, log);
  std::string out;
  EXPECT_EQ(run(pxekit_binary() + " diagnose --format json --dnsmasq-log " + path, &out), 0);
  json j = json::parse(out);
  ASSERT_EQ(j["clients"].size(), 1u);
  EXPECT_EQ(j["clients"][0]["mac"], "20:6a:8a:0f:74:75");
  EXPECT_EQ(j["clients"][0]["stage"], "WinPE DHCP");
  Ids ids = ids_of(j);
  EXPECT_TRUE(ids.infos.count("tsize-probe-abort"));
  EXPECT_TRUE(ids.infos.count("pxelinux-config-search"));
}

TEST(DiagnoseCli, UsageErrorsExitTwo) {
  EXPECT_EQ(run(pxekit_binary() + " diagnose >/dev/null 2>&1"), 2);
  EXPECT_EQ(run(pxekit_binary() + " diagnose a.pcap --dnsmasq-log b.log >/dev/null 2>&1"), 2);
  EXPECT_EQ(run(pxekit_binary() + " diagnose /nonexistent.pcap >/dev/null 2>&1"), 3);
}

}  // namespace
