// smbclient against the SMB server running in this process (its thread) with an in-memory share,
// on 127.0.0.1: the transport, the machine and a real client together without pxekit serve.
// (The full matrix against pxekit serve and Samba is tests/server/smb_interop/.)
#include <gtest/gtest.h>

#include <random>

#include "proto/smb2/memory_share.h"
#include "server/smb/smb_server.h"
#include "server/smb/smb_test_support.h"
#include "support/test_paths.h"

namespace pxe::server {
namespace {

Bytes pseudo_random(std::size_t n, unsigned seed) {
  std::mt19937 g(seed);
  Bytes b(n);
  for (auto& x : b) x = static_cast<std::uint8_t>(g());
  return b;
}

class InProcess : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test::have_program("smbclient")) GTEST_SKIP() << "smbclient is not installed";
    auto share = std::make_unique<proto::smb2::MemoryShare>();
    share->add_file("setup.exe", setup_);
    share->add_dir("sources");
    share->add_file("sources/boot.wim", Bytes(5000, 0x42));
    config::SmbSettings settings = smb_test::user_pass_settings();
    settings.map_to_guest = config::MapToGuest::BadUser;
    auto s = smb_test::open_loopback_server(std::move(share), settings);
    ASSERT_TRUE(s) << s.error().what;
    server_ = std::move(*s);
    server_->start();
  }
  void TearDown() override {
    if (server_) server_->stop();
  }
  int smbclient(const std::string& args, const std::string& commands, std::string* out) {
    return test::run("timeout 60 smbclient //127.0.0.1/GUEST -p " + std::to_string(server_->port()) + " " + args +
                         " -c '" + commands + "' 2>&1",
                     out);
  }

  Bytes setup_ = pseudo_random(2'500'000, 5);
  std::unique_ptr<SmbServer> server_;
};

TEST_F(InProcess, SmbclientListsAndGetsTheSameBytesUnsignedAndSigned) {
  for (std::string opts : {"-m SMB3_11", "-m SMB3_11 --option=\"client signing=required\"",
                           "-m SMB2_10 --option=\"client signing=required\"", "-m SMB2_02"}) {
    SCOPED_TRACE(opts);
    test::TempDir tmp("pxe-smb-inproc");
    std::string got = (tmp / "setup.exe").string(), out;
    int rc = smbclient("-U user%pass " + opts, "ls; get setup.exe " + got, &out);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("setup.exe"), std::string::npos) << out;
    EXPECT_NE(out.find("sources"), std::string::npos) << out;
    std::string bytes = test::read_file(got);
    EXPECT_EQ(bytes.size(), setup_.size()) << out;
    EXPECT_TRUE(bytes == std::string(setup_.begin(), setup_.end())) << "setup.exe differs";
  }
}

TEST_F(InProcess, AWrongPasswordIsLogonFailure) {
  std::string out;
  smbclient("-U user%wrong -m SMB3_11", "ls", &out);
  EXPECT_NE(out.find("NT_STATUS_LOGON_FAILURE"), std::string::npos) << out;
}

}  // namespace
}  // namespace pxe::server
