// The winpe-share stage in-process: seed 1's WinPE runs `net use I: \\192.168.42.1\GUEST
// /user:user pass` against pxekit serve's SMB share built from seed 1's smb.conf as written, over
// the client's own TCP (proto::tcp) on the in-memory Link, and reads setup.exe. Each way `net use`
// fails gives Windows' "System error N" on the screen.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "client/seed1.h"
#include "proto/smb2/crypto/primitives.h"

using namespace pxe;
using namespace pxe::client;
using namespace pxe::client::test;

namespace {

std::string md5_hex(const std::string& s) {
  auto d = proto::smb2::crypto::md5({ByteSpan(reinterpret_cast<const std::uint8_t*>(s.data()), s.size())});
  std::string out;
  for (auto b : d) out += fmt::format("{:02x}", b);
  return out;
}

bool logged(const SessionResult& r, const std::string& part) {
  for (const auto& l : r.server_log)
    if (l.find(part) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST(WinpeShare, NetUseWithSeed1sSmbConfReadsSetupExeByteForByte) {
  Seed1 seed;
  auto o = seed.winpe_share();
  o.time_divisor = 100;
  auto r = run_in_process(o);
  ASSERT_TRUE(r) << r.error().what;
  const ClientReport& c = r->clients.at(0);
  EXPECT_TRUE(c.ok()) << screen_of(c);
  EXPECT_EQ(c.reached, Stage::WinpeShare);
  EXPECT_EQ(r->until, Stage::WinpeShare);  // the default once --net-use is given
  EXPECT_TRUE(on_screen(c, "X:\\windows\\system32>net use I: \\\\192.168.42.1\\GUEST /user:user pass")) << screen_of(c);
  EXPECT_TRUE(on_screen(c, "The command completed successfully.")) << screen_of(c);
  EXPECT_TRUE(on_screen(c, "X:\\windows\\system32>I:\\setup.exe")) << screen_of(c);
  ASSERT_TRUE(c.share);
  EXPECT_EQ(c.share->size, seed.setup_exe().size());
  EXPECT_EQ(c.share->md5, md5_hex(seed.setup_exe()));
  EXPECT_EQ(c.share->listing, (std::vector<std::string>{"setup.exe", "sources"}));
  // The server's log, as `pxekit serve` writes it: the seed's "map to guest = Bad User" makes the
  // unknown user a guest; the file read is logged.
  EXPECT_TRUE(logged(*r, "user 'user' (WORKGROUP) as guest SMB 3.1.1")) << fmt::format("{}", fmt::join(r->server_log, "\n"));
  EXPECT_TRUE(logged(*r, "read \\\\guest\\setup.exe")) << fmt::format("{}", fmt::join(r->server_log, "\n"));
}

TEST(WinpeShare, AnonymousNetUseIsAGuestOfTheSeedShare) {
  // The seed's first try, `net use I: \\192.168.42.1\GUEST` with no /user: Samba died on it
  // ("System error 58"); pxekit serve gives the null session the guest share.
  Seed1 seed;
  auto o = seed.winpe_share("", "", "GUEST", 5000);
  o.time_divisor = 100;
  auto c = run_one(o);
  EXPECT_TRUE(c.ok()) << screen_of(c);
  EXPECT_TRUE(on_screen(c, "X:\\windows\\system32>net use I: \\\\192.168.42.1\\GUEST")) << screen_of(c);
  ASSERT_TRUE(c.share);
  EXPECT_EQ(c.share->md5, md5_hex(seed.setup_exe()));
}

TEST(WinpeShare, EachFailureIsWindowsSystemError) {
  struct Case {
    std::string name;
    std::function<void(SessionOptions&)> change;
    int system_error;
    std::string text;
  };
  const std::vector<Case> cases = {
      {"wrong password of a known account",
       [](SessionOptions& o) {
         o.smb.users = {"user:secret"};  // map to guest = Bad User: a known user is not a guest
       },
       1326, "The user name or password is incorrect."},
      {"a share the server does not have", [](SessionOptions& o) { o.net_use->share = "WIN10"; }, 67,
       "The network name cannot be found."},
      {"no SMB server (the port refuses)", [](SessionOptions& o) { o.smb = {}; }, 53,
       "The network path was not found."},
      {"the server dies at the logon (the seed's Samba)",
       [](SessionOptions& o) { o.faults = {*parse_fault("reset:smb-session-setup")}; }, 58,
       "The specified server cannot perform the requested operation."},
      {"the server never answers the SMB port", [](SessionOptions& o) { o.faults = {*parse_fault("drop:smb")}; }, 53,
       "The network path was not found."},
  };
  for (const auto& k : cases) {
    Seed1 seed;
    auto o = seed.winpe_share("user", "pass", "GUEST", 5000);
    o.time_divisor = 100;
    k.change(o);
    auto c = run_one(o);
    EXPECT_EQ(c.failure, Failure::NetUseFailed) << k.name << "\n" << screen_of(c);
    EXPECT_EQ(c.failed_in, Stage::WinpeShare) << k.name;
    EXPECT_TRUE(on_screen(c, fmt::format("System error {} has occurred.", k.system_error))) << k.name << "\n"
                                                                                             << screen_of(c);
    EXPECT_TRUE(on_screen(c, k.text)) << k.name << "\n" << screen_of(c);
    EXPECT_FALSE(on_screen(c, "The command completed successfully.")) << k.name;
  }
}

TEST(WinpeShare, ParseUncTakesBackslashesOrSlashesAndAnIpv4Server) {
  auto a = parse_unc("\\\\192.168.42.1\\GUEST");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->server, Ipv4(192, 168, 42, 1));
  EXPECT_EQ(a->share, "GUEST");
  auto b = parse_unc("//10.0.0.1/install");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->share, "install");
  for (const char* bad : {"", "\\\\server\\GUEST", "\\\\192.168.42.1", "\\\\192.168.42.1\\", "\\192.168.42.1\\x",
                          "\\\\192.168.42.1\\a\\b", "\\/192.168.42.1\\x"})
    EXPECT_FALSE(parse_unc(bad)) << bad;
}
