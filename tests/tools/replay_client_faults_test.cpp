// `pxekit replay` of the simulated client's recordings against pxekit serve (issue 12: every
// client-side capture in captures/ replays in-process with the config it was recorded with): the
// in-process fault runs (their conf beside them as <name>.conf.txt) and the capture taken on the
// sending host, whose UDP GSO frames must replay as the 14 DATA blocks they hold.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/test_paths.h"

using namespace pxe::test;

namespace {

// A file of record.sh's dummy_file: `yes "pxekit capture dummy NAME" | head -c size`.
void dummy_file(const std::filesystem::path& path, std::size_t size) {
  std::string line = "pxekit capture dummy " + path.filename().string() + "\n", bytes;
  while (bytes.size() < size) bytes += line;
  bytes.resize(size);
  write_file(path.string(), bytes);
}

int replay(const std::string& capture, const std::string& conf, const std::filesystem::path& root,
           std::string* out) {
  return run(pxekit_binary() + " replay " + captures_dir() + "/" + capture + ".pcap --in-process -C " + conf +
                 " --tftp-root " + root.string() + " 2>&1",
             out);
}

}  // namespace

TEST(ReplayClientFaults, InProcessFaultRecordingsMatchPxekitServeWithTheirConf) {
  TempDir root("pxekit-replay-faults");
  dummy_file(root / "syslinux.efi", 8192);
  std::string out;
  // PXE-E7B: DISCOVER/OFFER, REQUEST/ACK and nothing else (the ROM has no TFTP server).
  EXPECT_EQ(replay("client-fault-no-tftp-server-address",
                   captures_dir() + "/client-fault-no-tftp-server-address.conf.txt", root.path(), &out),
            0)
      << out;
  EXPECT_NE(out.find("match: 1 conversations, 2 recorded answers, 2 replayed answers"), std::string::npos) << out;
  // Wrong architecture: the DHCP exchange, the size probe and the 8192-byte EFI image (6 blocks).
  EXPECT_EQ(replay("client-fault-wrong-architecture", captures_dir() + "/client-fault-wrong-architecture.conf.txt",
                   root.path(), &out),
            0)
      << out;
  EXPECT_NE(out.find("match: 3 conversations, 10 recorded answers, 10 replayed answers"), std::string::npos) << out;
}

TEST(ReplayClientFaults, GsoFramesCapturedOnTheSenderReplayAsTheBlocksTheyHold) {
  TempDir root("pxekit-replay-gso");
  dummy_file(root / "syslinux.efi", 20000);
  std::string out;
  EXPECT_EQ(replay("pxekit-tftp-gso", source_dir() + "/tests/replay/data/pxekit-tftp-gso.conf", root.path(), &out),
            0)
      << out;
  // OFFER, ACK, the probe's OACK, the OACK and 14 DATA: the recording's four GSO frames are
  // the 14 datagrams pxekit serve sends again.
  EXPECT_NE(out.find("match: 3 conversations, 18 recorded answers, 18 replayed answers"), std::string::npos) << out;
}
