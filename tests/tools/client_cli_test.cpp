// `pxekit client --in-process` from the command line: exit codes, the firmware's words, and
// --record: `pxekit diagnose` of the recorded pcap names the failure the client met.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "support/seed1_tree.h"
#include "support/test_paths.h"

using namespace pxe::test;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// Seed 1's setup (support/seed1_tree.h) and `pxekit client --in-process` on it.
struct Lab : Seed1Tree {
  using Seed1Tree::Seed1Tree;
  std::string client(const std::string& args) const {
    return pxekit_binary() + " client --in-process -C " + conf() + " " + args + " 2>&1";
  }
};

std::set<std::string> failures_in(const std::string& pcap) {
  std::string out;
  run(pxekit_binary() + " diagnose --format json " + pcap, &out);
  std::set<std::string> ids;
  const json report = json::parse(out);  // kept: a range-for over parse(out)["clients"] would dangle
  for (const auto& c : report["clients"])
    for (const auto& f : c["findings"])
      if (f["severity"] == "failure") ids.insert(f["id"].get<std::string>());
  return ids;
}

}  // namespace

TEST(ClientCli, ReachesTheMenuExitZero) {
  Lab lab;
  std::string out;
  EXPECT_EQ(run(lab.client(""), &out), 0) << out;
  EXPECT_NE(out.find("Network Boot"), std::string::npos) << out;
  EXPECT_NE(out.find("52:54:00:42:00:10 reached menu"), std::string::npos) << out;
}

TEST(ClientCli, NoBootFileExitOneWithE53) {
  Lab lab("");
  std::string out;
  EXPECT_EQ(run(lab.client(""), &out), 1) << out;
  EXPECT_NE(out.find("PXE-E53: No boot filename received"), std::string::npos) << out;
  EXPECT_NE(out.find("failed in dhcp: no-boot-filename"), std::string::npos) << out;
}

TEST(ClientCli, UsageErrorsExitTwo) {
  Lab lab;
  EXPECT_EQ(run(lab.client("--until nowhere")), 2);
  EXPECT_EQ(run(lab.client("--fault explode")), 2);
  EXPECT_EQ(run(lab.client("--ramp fast")), 2);
}

// The same failure named twice: by the simulated firmware, and by diagnose from the recording.
TEST(ClientCli, RecordedFaultsAreDiagnosedAsTheSameFailure) {
  struct Case {
    std::string boot, args, failure;
    std::string screen = {};  // the firmware's words, where the case checks them
  };
  const std::vector<Case> cases = {
      {"", "--timing fast", "no-boot-filename"},
      {"dhcp-boot=boot/pxelinux.0\n", "--timing fast --fault drop:dhcp-offer", "no-offer"},
      {"dhcp-boot=boot/pxelinux.0\n", "--timing fast --fault no-arp-reply", "arp-unanswered"},
      {"dhcp-boot=boot/pxelinux.0\n", "--timing fast --fault corrupt:opt67", "tftp-file-not-found"},
      {"dhcp-boot=nonexistent.efi\n", "--timing fast --profile uefi", "tftp-file-not-found"},
      {"dhcp-boot=boot/pxelinux.0\n", "--timing fast --profile uefi", "wrong-architecture"},
      {"dhcp-boot=boot/pxelinux.0\n", "--fault drop:tftp-rrq", "tftp-open-timeout"},
      {"dhcp-boot=boot/pxelinux.0\n", "--fault drop:tftp-data", "tftp-transfer-stalled"},
      // siaddr 0 and nothing PXE: the Intel ROM has no TFTP server (PXE-E7B).
      {"dhcp-boot=boot/pxelinux.0,,0.0.0.0\n", "--timing fast", "no-tftp-server-address",
       "PXE-E7B: Missing MTFTP server IP address."},
      // The DHCP server's own offer says PXEClient, with no file and no menu: the ROM asks its
      // port 4011, where nothing answers (PXE-E55, MS KB 259670).
      {"dhcp-option=60,\"PXEClient\"\n", "--timing fast", "proxy-4011-unanswered",
       "PXE-E55: proxyDHCP service did not reply to request on port 4011."},
      // A PXE menu from the DHCP server, its boot server silent (PXE-E78).
      {"pxe-prompt=\"menu\",0\npxe-service=x86PC,\"PXE (BIOS)\",boot/pxelinux\n", "--timing fast --fault drop:proxy",
       "boot-server-unanswered", "PXE-E78: Could not locate boot server."},
  };
  for (const auto& k : cases) {
    Lab lab(k.boot);
    std::string pcap = (lab.dir() / "x.pcap").string();
    std::string out;
    EXPECT_EQ(run(lab.client(k.args + " --record " + pcap), &out), 1) << k.args << "\n" << out;
    EXPECT_NE(out.find(": " + k.failure), std::string::npos) << k.args << "\n" << out;
    if (!k.screen.empty()) {
      EXPECT_NE(out.find(k.screen), std::string::npos) << k.args << "\n" << out;
    }
    EXPECT_EQ(failures_in(pcap), std::set<std::string>{k.failure}) << k.args;
  }
}

TEST(ClientCli, ARecordedGoodBootHasNoFailure) {
  Lab lab;
  std::string pcap = (lab.dir() / "ok.pcap").string();
  EXPECT_EQ(run(lab.client("--record " + pcap)), 0);
  EXPECT_TRUE(failures_in(pcap).empty());
}

TEST(ClientCli, NetUseFailuresAreDiagnosedAsTheSameFailure) {
  struct Case {
    std::string args, failure, screen;
  };
  const std::string winpe = "--profile winpe --timing fast --net-use '\\\\192.168.42.1\\GUEST' ";
  const std::vector<Case> cases = {
      {"--smb-user user:secret --net-user user:wrong", "smb-logon-failure", "System error 1326 has occurred."},
      {"--net-user user:pass --fault reset:smb-session-setup", "smb-server-hangup", "System error 58 has occurred."},
      {"NOSMB --net-user user:pass", "smb-no-server", "System error 53 has occurred."},
      // Windows 11 24H2 requires signing: the seed's guest mapping is no longer a way in.
      {"--net-user user:pass --require-signing", "smb-guest-signing-required", "System error 1272 has occurred."},
  };
  for (const auto& k : cases) {
    Lab lab;
    std::string args = k.args;
    std::string smb = "--smb-conf " + lab.smb_conf(100'000) + " ";
    if (args.starts_with("NOSMB ")) args = args.substr(6), smb.clear();
    std::string pcap = (lab.dir() / "x.pcap").string();
    std::string out;
    EXPECT_EQ(run(lab.client(winpe + smb + args + " --record " + pcap), &out), 1) << args << "\n" << out;
    EXPECT_NE(out.find("failed in winpe-share: net-use-failed"), std::string::npos) << args << "\n" << out;
    EXPECT_NE(out.find(k.screen), std::string::npos) << args << "\n" << out;
    EXPECT_EQ(failures_in(pcap), std::set<std::string>{k.failure}) << args;
  }
  // A share without guest ok (--share NAME=DIR admits no guests) and net use without /user.
  {
    Lab lab;
    std::string pcap = (lab.dir() / "x.pcap").string();
    std::string out;
    lab.smb_conf(1000);
    EXPECT_EQ(run(lab.client("--profile winpe --timing fast --net-use '\\\\192.168.42.1\\INSTALL' --share INSTALL=" +
                             (lab.dir() / "win10iso").string() + " --smb-user user:pass --record " + pcap),
                  &out),
              1)
        << out;
    EXPECT_NE(out.find("System error 5 has occurred."), std::string::npos) << out;
    EXPECT_EQ(failures_in(pcap), std::set<std::string>{"smb-access-denied"});
  }
  // The bad share: net use's System error 67, diagnose's smb-bad-share.
  Lab lab;
  std::string pcap = (lab.dir() / "x.pcap").string();
  std::string out;
  EXPECT_EQ(run(lab.client("--profile winpe --timing fast --net-use '\\\\192.168.42.1\\WIN10' --net-user user:pass "
                           "--smb-conf " + lab.smb_conf(100'000) + " --record " + pcap),
                &out),
            1)
      << out;
  EXPECT_NE(out.find("System error 67 has occurred."), std::string::npos) << out;
  EXPECT_EQ(failures_in(pcap), std::set<std::string>{"smb-bad-share"});
}

TEST(ClientCli, NetUseOfTheSeedShareExitsZeroAndTheRecordingHasNoFailure) {
  Lab lab;
  std::string pcap = (lab.dir() / "ok.pcap").string();
  std::string out;
  EXPECT_EQ(run(lab.client("--profile winpe --timing fast --net-use '\\\\192.168.42.1\\GUEST' --net-user user:pass "
                           "--smb-conf " + lab.smb_conf(100'000) + " --record " + pcap),
                &out),
            0)
      << out;
  EXPECT_NE(out.find("The command completed successfully."), std::string::npos) << out;
  EXPECT_NE(out.find("reached winpe-share"), std::string::npos) << out;
  EXPECT_TRUE(failures_in(pcap).empty());
  // Usage: --net-use is WinPE's, and names an IPv4 server.
  EXPECT_EQ(run(lab.client("--net-use '\\\\192.168.42.1\\GUEST'")), 2);
  EXPECT_EQ(run(lab.client("--profile winpe --net-use '\\\\server\\GUEST'")), 2);
  EXPECT_EQ(run(lab.client("--profile winpe --net-user a:b")), 2);
}
