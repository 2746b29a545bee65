// `pxekit replay` from the command line: exit codes, text and JSON, the boot file named in a diff.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <utility>

#include "support/test_paths.h"

using namespace pxe::test;

namespace {

std::string replay_cmd(const std::string& capture, const std::string& conf, const std::string& root,
                       const std::string& extra = "") {
  return pxekit_binary() + " replay " + captures_dir() + "/" + capture + ".pcap --in-process -C " + conf +
         " --tftp-root " + root + " " + extra + " 2>&1";
}

std::string data_conf(const std::string& name) { return source_dir() + "/tests/replay/data/" + name + ".conf"; }

TEST(ReplayCli, RecordedConfigMatchesExitZero) {
  TempDir root("pxekit-replay-cli");
  std::string out;
  EXPECT_EQ(run(replay_cmd("bios-no-bootfile", data_conf("bios-no-bootfile"), root.path()), &out), 0) << out;
  EXPECT_NE(out.find("match: 1 conversations, 3 recorded answers, 3 replayed answers"), std::string::npos) << out;
}

TEST(ReplayCli, AnotherBootFileExitsOneNamingIt) {
  TempDir root("pxekit-replay-cli");
  std::string conf = read_file(data_conf("bios-pxelinux-menu"));
  auto at = conf.find("dhcp-boot=pxelinux.0");
  ASSERT_NE(at, std::string::npos);
  conf.replace(at, 20, "dhcp-boot=other.0");
  write_file(root / "dnsmasq.conf", conf);
  std::string out;
  EXPECT_EQ(run(replay_cmd("bios-pxelinux-menu", root / "dnsmasq.conf", root.path()), &out), 1) << out;
  EXPECT_NE(out.find("Offer boot file: recorded \"pxelinux.0\", replayed \"other.0\""), std::string::npos) << out;
  EXPECT_NE(out.find("differ: "), std::string::npos) << out;
}

TEST(ReplayCli, JsonAndStrict) {
  TempDir root("pxekit-replay-cli");
  std::string out;
  // --strict: the other pool address (192.168.42.10 instead of .17) fails.
  EXPECT_EQ(run(pxekit_binary() + " replay " + captures_dir() + "/bios-no-bootfile.pcap --in-process -C " +
                    data_conf("bios-no-bootfile") + " --tftp-root " + root.path().string() +
                    " --format json --strict",
                &out),
            1);
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["match"], false);
  ASSERT_EQ(j["differences"].size(), 1u);
  EXPECT_EQ(j["differences"][0]["field"], "Offer yiaddr");
  EXPECT_EQ(j["differences"][0]["recorded"], "192.168.42.17");
}

// --interface replays against the server on the wire (fa3d2a8): it takes no in-process conf; and
// one of the two must be given. Usage errors, exit 2 (no packet socket is opened).
TEST(ReplayCli, InterfaceAndInProcessAreExclusiveUsageErrors) {
  std::string out;
  const std::string base = pxekit_binary() + " replay " + captures_dir() + "/bios-no-bootfile.pcap";
  EXPECT_EQ(run(base + " --interface lo -C " + data_conf("bios-no-bootfile") + " 2>&1", &out), 2) << out;
  EXPECT_NE(out.find("no --in-process, -C or --tftp-root"), std::string::npos) << out;
  EXPECT_EQ(run(base + " 2>&1", &out), 2) << out;
  EXPECT_NE(out.find("give --in-process -C dnsmasq.conf, or --interface IFACE"), std::string::npos) << out;
}

// The simulated client's own recordings (captures/record.sh client-*): their TFTP root is
// record.sh's tftp_tree_dummy, rebuilt here byte for byte (`yes "pxekit capture dummy NAME" | head -c N`).
void write_client_root(const std::filesystem::path& root) {
  std::filesystem::create_directories(root / "pxelinux.cfg");
  for (auto [name, size] : {std::pair<std::string, std::size_t>{"pxelinux.0", 4096}, {"ldlinux.c32", 6144},
                            {"menu.c32", 3072}, {"libutil.c32", 2048}, {"libcom32.c32", 2048},
                            {"memdisk", 4096}, {"winpe.iso", 20480}}) {
    std::string line = "pxekit capture dummy " + name + "\n", bytes;
    while (bytes.size() < size) bytes += line;
    bytes.resize(size);
    write_file((root / name).string(), bytes);
  }
  write_file((root / "pxelinux.cfg/default").string(),
             "UI         menu.c32\nMENU TITLE pxekit capture menu\nTIMEOUT    600\n\n"
             "LABEL      winpe\nMENU LABEL Boot Windows PE from network\nKERNEL     /memdisk\n"
             "INITRD     winpe.iso\nAPPEND     iso raw\n\n"
             "LABEL      localboot\nMENU LABEL Boot from local disk\nLOCALBOOT  0\n");
}

TEST(ReplayCli, ClientRecordingsAgainstPxekitServeMatch) {
  TempDir root("pxekit-replay-client");
  write_client_root(root.path());
  std::string out;
  EXPECT_EQ(run(replay_cmd("client-bios-pxekit", data_conf("client-bios-pxekit"), root.path()), &out), 0) << out;
  EXPECT_NE(out.find("match: 18 conversations, 34 recorded answers, 34 replayed answers"), std::string::npos) << out;
  EXPECT_EQ(run(replay_cmd("client-no-bootfile-pxekit", data_conf("client-no-bootfile-pxekit"), root.path()), &out), 0)
      << out;
  EXPECT_NE(out.find("match: 1 conversations, 4 recorded answers, 4 replayed answers"), std::string::npos) << out;
  // WinPE's net use after the whole boot (the SMB conversation is not replayed: DHCP, the two
  // DHCP exchanges and every TFTP transfer are), with the share from pxekit serve, from Samba,
  // and in-process with the server dying at the logon.
  for (const char* c : {"client-winpe-share-pxekit", "client-winpe-share-samba"}) {
    EXPECT_EQ(run(replay_cmd(c, data_conf("client-winpe-share"), root.path()), &out), 0) << c << "\n" << out;
    EXPECT_NE(out.find("match: 21 conversations, 56 recorded answers, 56 replayed answers"), std::string::npos)
        << c << "\n" << out;
  }
  EXPECT_EQ(run(replay_cmd("client-fault-net-use-reset", captures_dir() + "/client-fault-net-use-reset.conf.txt",
                           root.path()),
                &out),
            0)
      << out;
  EXPECT_NE(out.find("match: 21 conversations, 56 recorded answers, 56 replayed answers"), std::string::npos) << out;
}

// Recorded against dnsmasq, replayed against pxekit serve with the same dnsmasq.conf: the same boot
// file, next server, option 43 (none: dnsmasq and pxekit leave PXE options out of a dhcp-boot
// answer without pxe-service) and TFTP data; what differs is dnsmasq's pool choice and its TFTP
// error wording (notes).
TEST(ReplayCli, ClientRecordingsAgainstDnsmasqMatch) {
  TempDir root("pxekit-replay-client");
  write_client_root(root.path());
  std::string out;
  EXPECT_EQ(run(replay_cmd("client-no-bootfile-dnsmasq", data_conf("client-no-bootfile-dnsmasq"), root.path()), &out),
            0)
      << out;
  EXPECT_NE(out.find("match: 1 conversations, 4 recorded answers, 4 replayed answers (1 note)"), std::string::npos)
      << out;
  EXPECT_EQ(run(replay_cmd("client-bios-dnsmasq", data_conf("client-bios-dnsmasq"), root.path()), &out), 0) << out;
  EXPECT_NE(out.find("match: 18 conversations, 34 recorded answers, 34 replayed answers (11 notes)"), std::string::npos)
      << out;
  EXPECT_NE(out.find("note: DHCP xid 0x6ac1f425 52:54:00:42:00:10: Offer yiaddr: recorded 192.168.42.17, replayed "
                     "192.168.42.10"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("option 43"), std::string::npos) << out;
}

}  // namespace
