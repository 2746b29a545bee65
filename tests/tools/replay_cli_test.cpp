// `pxekit replay` from the command line: exit codes, text and JSON, the boot file named in a diff.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

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

}  // namespace
