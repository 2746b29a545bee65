// The 13 smbtorture tests that pass against a read-only Samba share (reference section 5.3),
// against pxekit serve, and against the reference Samba on the same trees as the check that the
// gate itself is right. The two bench tests run 2 s each here (torture:timelimit), not 10.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <tuple>

#include "server/smb_interop/smb_peers.h"

namespace pxe::server::smb::test {
namespace {

using Case = std::tuple<Peer, std::string>;

SmbPeer* torture_peer(Peer p, std::string* why) {
  static std::unique_ptr<ShareTrees> trees;
  static std::unique_ptr<SmbPeer> peers[2];
  if (auto bad = peer_unavailable(p); !bad.empty()) {
    *why = bad;
    return nullptr;
  }
  if (!pxe::test::have_program("smbtorture")) {
    *why = "smbtorture is not installed (apt-get install samba-testsuite)";
    return nullptr;
  }
  if (!trees) trees = std::make_unique<ShareTrees>();
  auto& slot = peers[p == Peer::Pxekit ? 0 : 1];
  if (!slot) slot = std::make_unique<SmbPeer>(p, *trees);
  if (!slot->ready()) {
    *why = std::string(peer_name(p)) + " did not start listening; its log:\n" + slot->log();
    return nullptr;
  }
  return slot.get();
}

class Smbtorture : public ::testing::TestWithParam<Case> {};

TEST_P(Smbtorture, Passes) {
  auto [peer, name] = GetParam();
  std::string why;
  SmbPeer* p = torture_peer(peer, &why);
  if (!p) {
    if (why.find("did not start") != std::string::npos) FAIL() << why;
    GTEST_SKIP() << why;
  }
  std::string out;
  int rc = pxe::test::run("timeout 300 smbtorture //127.0.0.1/GUEST -p " + std::to_string(p->port()) +
                              " -U user%pass --format=subunit --option=torture:timelimit=2 " + name + " 2>&1",
                          &out);
  std::string leaf = name.substr(name.rfind('.') + 1);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("\nsuccess: " + leaf), std::string::npos) << out;
  EXPECT_EQ(out.find("\nfailure: "), std::string::npos) << out;
  EXPECT_EQ(out.find("\nerror: "), std::string::npos) << out;
  EXPECT_EQ(out.find("\nskip: "), std::string::npos) << out;
}

INSTANTIATE_TEST_SUITE_P(
    ReadOnlyGate, Smbtorture,
    ::testing::Combine(::testing::Values(Peer::Pxekit, Peer::Samba),
                       ::testing::Values("smb2.scan.scan", "smb2.scan.find", "smb2.compound.related5",
                                         "smb2.compound.invalid1", "smb2.create.leading-slash",
                                         "smb2.create.bench-path-contention-shared",
                                         "smb2.credits.session_setup_credits_granted", "smb2.getinfo.qsec_buffercheck",
                                         "smb2.ioctl.network_interface_info", "smb2.multichannel.generic.interface_info",
                                         "smb2.multichannel.generic.num_channels", "smb2.bench.path-contention-shared",
                                         "smb2.bench.echo")),
    [](const ::testing::TestParamInfo<Case>& i) {
      std::string n = std::string(peer_name(std::get<0>(i.param))) + "_" + std::get<1>(i.param);
      for (auto& c : n)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      return n;
    });

}  // namespace
}  // namespace pxe::server::smb::test
