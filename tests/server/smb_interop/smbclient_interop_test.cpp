// smbclient against pxekit serve (--smb-conf, --smb-user, --smb-port on 127.0.0.1), and the same
// expectations against a reference Samba serving the same trees: every dialect SMB2_02..SMB3_11
// (and the SMB1 multi-protocol upgrade), with signing off and required; ls, get (byte-identical),
// allinfo, volume, showacls, patterns; wrong password; guest allowed and refused.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <regex>
#include <string>
#include <tuple>

#include "server/smb_interop/smb_peers.h"

namespace pxe::server::smb::test {
namespace {

// One server per peer kind for the whole run (started on first use, stopped at exit).
SmbPeer* peer_for(Peer p, std::string* why) {
  static std::unique_ptr<ShareTrees> trees;
  static std::map<Peer, std::unique_ptr<SmbPeer>> peers;
  if (auto bad = peer_unavailable(p); !bad.empty()) {
    *why = bad;
    return nullptr;
  }
  if (!trees) trees = std::make_unique<ShareTrees>();
  auto& slot = peers[p];
  if (!slot) slot = std::make_unique<SmbPeer>(p, *trees);
  if (!slot->ready()) {
    *why = std::string(peer_name(p)) + " did not start listening; its log:\n" + slot->log();
    return nullptr;
  }
  return slot.get();
}

// The file the peers serve (the same bytes in every ShareTrees: fixed seed).
std::string setup_exe() { return random_bytes(3000000, 1); }

bool has_line(const std::string& out, const std::string& re) {
  return std::regex_search(out, std::regex(re, std::regex::multiline));
}

class PeerTest : public ::testing::TestWithParam<Peer> {
 protected:
  void SetUp() override {
    std::string why;
    peer_ = peer_for(GetParam(), &why);
    if (!peer_) {
      if (why.find("did not start") != std::string::npos) FAIL() << why;
      GTEST_SKIP() << why;
    }
  }
  SmbPeer* peer_ = nullptr;
};

using Case = std::tuple<Peer, std::string /*dialect*/, bool /*signing required*/>;

class SmbclientSession : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    std::string why;
    peer_ = peer_for(std::get<0>(GetParam()), &why);
    if (!peer_) {
      if (why.find("did not start") != std::string::npos) FAIL() << why;
      GTEST_SKIP() << why;
    }
  }
  std::string options() const {
    const auto& d = std::get<1>(GetParam());
    std::string o = d == "NT1" ? "--option=\"client min protocol=NT1\" -m SMB3_11" : "-m " + d;
    if (std::get<2>(GetParam())) o += " --option=\"client signing=required\"";
    return o;
  }
  SmbPeer* peer_ = nullptr;
};

TEST_P(SmbclientSession, ListsGetsByteIdenticalAndQueriesInfo) {
  pxe::test::TempDir tmp("pxe-smb-get");
  std::string got = (tmp / "setup.exe").string();
  std::string out;
  int rc = peer_->smbclient("GUEST", "-U user%pass", options(),
                            "ls; get setup.exe " + got + "; allinfo setup.exe; volume; ls sources\\*.wim; ls s*", &out);
  EXPECT_EQ(rc, 0) << out;
  // ls: the file with its size, the directory, the dot file hidden (H) like Samba's default.
  EXPECT_TRUE(has_line(out, R"(^\s+setup\.exe\s+[A-Z]*\s+3000000\s)")) << out;
  EXPECT_TRUE(has_line(out, R"(^\s+sources\s+D\s)")) << out;
  EXPECT_TRUE(has_line(out, R"(^\s+\.hidden\s+[A-Z]*H[A-Z]*\s+2\s)")) << out;
  // get: the same bytes.
  EXPECT_EQ(pxe::test::read_file(got), setup_exe()) << out;
  // allinfo: times, attributes, the unnamed stream with the file's size.
  EXPECT_TRUE(has_line(out, R"(^create_time:\s+\w{3} \w{3} )")) << out;
  EXPECT_TRUE(has_line(out, R"(^write_time:\s+)")) << out;
  EXPECT_TRUE(has_line(out, R"(^attributes: .*\([0-9a-f]+\))")) << out;
  EXPECT_TRUE(has_line(out, R"(^stream: \[::\$DATA\], 3000000 bytes)")) << out;
  // volume
  EXPECT_TRUE(has_line(out, R"(^Volume: \|[^|]*\| serial number 0x[0-9a-f]+)")) << out;
  // patterns: sources\*.wim has both .wim files and not readme.txt; s* has setup.exe and sources
  // and not .hidden (the second listing starts after the first "blocks available").
  auto wim = out.find("install.wim");
  EXPECT_NE(wim, std::string::npos) << out;
  EXPECT_NE(out.find("boot.wim"), std::string::npos) << out;
  EXPECT_EQ(out.find("readme.txt"), std::string::npos) << out;
  std::string after = wim == std::string::npos ? "" : out.substr(wim);
  auto tail_start = after.find("blocks available");
  std::string star = tail_start == std::string::npos ? "" : after.substr(tail_start);
  EXPECT_TRUE(has_line(star, R"(^\s+setup\.exe\s)")) << out;
  EXPECT_TRUE(has_line(star, R"(^\s+sources\s+D)")) << out;
  EXPECT_FALSE(has_line(star, R"(^\s+\.hidden\s)")) << out;
}

std::string case_name(const ::testing::TestParamInfo<Case>& i) {
  return std::string(peer_name(std::get<0>(i.param))) + "_" + std::get<1>(i.param) +
         (std::get<2>(i.param) ? "_Signed" : "_SigningOff");
}

INSTANTIATE_TEST_SUITE_P(Dialects, SmbclientSession,
                         ::testing::Combine(::testing::Values(Peer::Pxekit, Peer::Samba),
                                            ::testing::Values("SMB2_02", "SMB2_10", "SMB3_00", "SMB3_02", "SMB3_11", "NT1"),
                                            ::testing::Bool()),
                         case_name);

// A name typed in another case: allinfo's altname (FileAlternateNameInformation) is the 8.3 name
// of the file as spelled on disk, as Samba 4.17 answers; a long name gets a mangled one.
TEST_P(PeerTest, AllinfoReportsTheOnDiskSpellingAndAMangledAltname) {
  std::string out;
  EXPECT_EQ(peer_->smbclient("GUEST", "-U user%pass", "-m SMB3_11",
                             "allinfo SETUP.EXE; allinfo SOURCES\\INSTALL.WIM; allinfo .HIDDEN", &out),
            0)
      << out;
  EXPECT_TRUE(has_line(out, R"(^altname: setup\.exe$)")) << out;
  EXPECT_TRUE(has_line(out, R"(^altname: install\.wim$)")) << out;
  EXPECT_TRUE(has_line(out, R"(^altname: [A-Z0-9_]{1,6}~[A-Z0-9]{1,6}$)")) << out;  // .hidden, mangled
}

TEST_P(PeerTest, ShowAclsGivesEveryoneOnEachEntry) {
  std::string out;
  EXPECT_EQ(peer_->smbclient("GUEST", "-U user%pass", "-m SMB3_11", "showacls; ls setup.exe", &out), 0) << out;
  EXPECT_TRUE(has_line(out, R"(^FILENAME:setup\.exe)")) << out;
  EXPECT_TRUE(has_line(out, R"(^\s+Owner SID:\s+S-1-)")) << out;
  EXPECT_TRUE(has_line(out, R"(^\s+SID: S-1-1-0$)")) << out;  // Everyone
  EXPECT_TRUE(has_line(out, R"(type: ACCESS ALLOWED)")) << out;
}

TEST_P(PeerTest, APatternMatchingNothingIsNoSuchFile) {
  std::string out;
  EXPECT_NE(peer_->smbclient("GUEST", "-U user%pass", "-m SMB3_11", "ls nomatch*", &out), 0) << out;
  EXPECT_NE(out.find("NT_STATUS_NO_SUCH_FILE listing \\nomatch*"), std::string::npos) << out;
}

TEST_P(PeerTest, AMissingFileIsObjectNameNotFound) {
  std::string out;
  peer_->smbclient("GUEST", "-U user%pass", "-m SMB3_11", "get nosuch.exe /dev/null", &out);
  EXPECT_NE(out.find("NT_STATUS_OBJECT_NAME_NOT_FOUND"), std::string::npos) << out;
}

TEST_P(PeerTest, AWrongPasswordIsLogonFailure) {
  std::string out;
  peer_->smbclient("GUEST", "-U user%wrong", "-m SMB3_11", "ls", &out);
  EXPECT_NE(out.find("session setup failed: NT_STATUS_LOGON_FAILURE"), std::string::npos) << out;
  EXPECT_EQ(out.find("setup.exe"), std::string::npos) << out;
}

TEST_P(PeerTest, AnUnknownUserIsAGuestOnTheGuestShare) {
  std::string out;
  EXPECT_EQ(peer_->smbclient("GUEST", "-U nosuchuser%whatever", "-m SMB3_11", "ls setup.exe", &out), 0) << out;
  EXPECT_TRUE(has_line(out, R"(^\s+setup\.exe\s+[A-Z]*\s+3000000\s)")) << out;
}

TEST_P(PeerTest, AnonymousReadsTheGuestShare) {
  std::string out;
  EXPECT_EQ(peer_->smbclient("GUEST", "-N", "-m SMB3_11", "ls setup.exe", &out), 0) << out;
  EXPECT_TRUE(has_line(out, R"(^\s+setup\.exe\s+[A-Z]*\s+3000000\s)")) << out;
}

TEST_P(PeerTest, AGuestIsRefusedOnAShareWithoutGuestOk) {
  std::string out;
  peer_->smbclient("PRIVATE", "-U nosuchuser%whatever", "-m SMB3_11", "ls", &out);
  EXPECT_NE(out.find("tree connect failed: NT_STATUS_ACCESS_DENIED"), std::string::npos) << out;
  EXPECT_EQ(out.find("private.txt"), std::string::npos) << out;
}

TEST_P(PeerTest, TheAccountReadsTheShareWithoutGuestOk) {
  std::string out;
  EXPECT_EQ(peer_->smbclient("PRIVATE", "-U user%pass", "-m SMB3_11", "ls private.txt", &out), 0) << out;
  EXPECT_TRUE(has_line(out, R"(^\s+private\.txt\s+[A-Z]*\s+8\s)")) << out;
}

TEST_P(PeerTest, AGuestCannotSatisfyAClientThatRequiresSigning) {
  // A guest session has no key to sign with: the client gives up (reference section 5.4).
  std::string out;
  EXPECT_NE(peer_->smbclient("GUEST", "-U nosuchuser%whatever", "-m SMB3_11 --option=\"client signing=required\"",
                             "ls setup.exe", &out),
            0)
      << out;
  EXPECT_EQ(out.find("3000000"), std::string::npos) << out;
}

TEST_P(PeerTest, AnUnknownShareIsBadNetworkName) {
  std::string out;
  peer_->smbclient("NOSUCHSHARE", "-U user%pass", "-m SMB3_11", "ls", &out);
  EXPECT_NE(out.find("NT_STATUS_BAD_NETWORK_NAME"), std::string::npos) << out;
}

INSTANTIATE_TEST_SUITE_P(Peers, PeerTest, ::testing::Values(Peer::Pxekit, Peer::Samba),
                         [](const ::testing::TestParamInfo<Peer>& i) { return std::string(peer_name(i.param)); });

}  // namespace
}  // namespace pxe::server::smb::test
