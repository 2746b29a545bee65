// impacket (Debian's python3-impacket) probes pxekit serve and the reference Samba on the same
// trees with the same requests (status_table.py: logons per dialect, the SMB1 upgrade, trees,
// listings, opens of missing/escaping/stream/wrong-type names, reads at the end, write-intent
// requests on a read-only share) and the two tables must be the same, line for line, except
// where pxekit answers as Windows does on purpose (kDeliberate, each with the reference's reason).
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "server/smb_interop/smb_peers.h"

namespace pxe::server::smb::test {
namespace {

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

struct Deliberate {
  const char* probe;  // the line's label, up to ": "
  const char* ours;   // pxekit's whole line
  const char* why;
};
const Deliberate kDeliberate[] = {
    // Reference 2.6: Samba without a streams module refuses the syntax (OBJECT_NAME_INVALID);
    // Windows looks the stream up and does not find it, which clients such as the
    // Zone.Identifier check expect.
    {"open setup.exe:stream", "open setup.exe:stream: STATUS_OBJECT_NAME_NOT_FOUND", "Windows' answer"},
    // Reference 2.12: SET_INFO Rename on a read-only share measured as ACCESS_DENIED; this Samba
    // answers impacket's rename with MEDIA_WRITE_PROTECTED. Either tells the client "no".
    {"rename setup.exe", "rename setup.exe: STATUS_ACCESS_DENIED", "reference 2.12"},
};

TEST(ImpacketStatusTable, PxekitAnswersEveryProbeAsSambaDoes) {
  for (Peer p : {Peer::Pxekit, Peer::Samba})
    if (auto why = peer_unavailable(p); !why.empty()) GTEST_SKIP() << why;
  if (pxe::test::run("/usr/bin/python3 -c 'import impacket.smbconnection' 2>/dev/null") != 0)
    GTEST_SKIP() << "python3-impacket is not installed";
  ShareTrees trees;
  std::string script = pxe::test::source_dir() + "/tests/server/smb_interop/status_table.py";
  std::string tables[2];
  for (Peer p : {Peer::Pxekit, Peer::Samba}) {
    SmbPeer peer(p, trees);
    ASSERT_TRUE(peer.ready()) << peer_name(p) << " did not start: " << peer.log();
    int rc = pxe::test::run("timeout 180 /usr/bin/python3 " + script + " 127.0.0.1 " + std::to_string(peer.port()) + " 2>&1",
                            &tables[p == Peer::Pxekit ? 0 : 1]);
    EXPECT_EQ(rc, 0) << peer_name(p) << ":\n" << tables[p == Peer::Pxekit ? 0 : 1];
  }
  auto ours = lines(tables[0]), samba = lines(tables[1]);
  ASSERT_GT(samba.size(), 20u) << tables[1];
  ASSERT_EQ(ours.size(), samba.size()) << "pxekit:\n" << tables[0] << "\nSamba:\n" << tables[1];
  for (std::size_t i = 0; i < ours.size(); ++i) {
    const Deliberate* d = nullptr;
    for (const auto& k : kDeliberate)
      if (samba[i].rfind(std::string(k.probe) + ": ", 0) == 0) d = &k;
    if (d) EXPECT_EQ(ours[i], d->ours) << "(Samba: " << samba[i] << "; " << d->why << ")";
    else EXPECT_EQ(ours[i], samba[i]) << "probe " << i;
  }
}

// 8.3 short names (short_names.py): Samba's mangling is its own, so the probe prints what holds
// on both servers: a name that is not 8.3 gets a short name in the FileIdBothDirectoryInformation
// listing, 8.3-shaped and upper case, equal to its FileAlternateNameInformation; an 8.3 name,
// "." and ".." get none. Samba fills listings only with `mangled names = yes` (its default,
// `illegal`, leaves them empty); pxekit always does and ignores the line with a warning.
TEST(ImpacketStatusTable, ShortNamesInListingsAreTheAlternateNamesAsSambaGivesThem) {
  for (Peer p : {Peer::Pxekit, Peer::Samba})
    if (auto why = peer_unavailable(p); !why.empty()) GTEST_SKIP() << why;
  if (pxe::test::run("/usr/bin/python3 -c 'import impacket.smbconnection' 2>/dev/null") != 0)
    GTEST_SKIP() << "python3-impacket is not installed";
  ShareTrees trees;
  for (const char* n : {"Long File Name.txt", "install-en-us.wim", "two.dots.txt", "README.markdown"})
    write_bytes(trees.guest() / n, "x\n");
  pxe::test::run("chmod -R a+rX " + trees.root().string());
  std::string script = pxe::test::source_dir() + "/tests/server/smb_interop/short_names.py";
  std::string out[2];
  for (Peer p : {Peer::Pxekit, Peer::Samba}) {
    SmbPeer peer(p, trees, "  mangled names = yes\n");
    ASSERT_TRUE(peer.ready()) << peer_name(p) << " did not start: " << peer.log();
    int rc = pxe::test::run("timeout 120 /usr/bin/python3 " + script + " 127.0.0.1 " + std::to_string(peer.port()) + " 2>&1",
                            &out[p == Peer::Pxekit ? 0 : 1]);
    EXPECT_EQ(rc, 0) << peer_name(p) << ":\n" << out[p == Peer::Pxekit ? 0 : 1];
  }
  EXPECT_NE(out[1].find("Long File Name.txt: short name = alternate name (8.3, upper case, with ~)"),
            std::string::npos)
      << out[1];
  EXPECT_NE(out[1].find("setup.exe: no short name; alternate name is the name"), std::string::npos) << out[1];
  EXPECT_EQ(out[0], out[1]) << "pxekit:\n" << out[0] << "\nSamba:\n" << out[1];
}

}  // namespace
}  // namespace pxe::server::smb::test
