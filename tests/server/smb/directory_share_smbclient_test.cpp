// smbclient against the in-process SMB server with a DirectoryShare over a temporary directory:
// what a real client sees of the share's encoders and confinement (allinfo, volume, showacls,
// search patterns, case-insensitive get, a symlink out of the root, a sparse file over 4 GiB).
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "server/smb/directory_share.h"
#include "server/smb/smb_server.h"
#include "server/smb/smb_test_support.h"
#include "support/test_paths.h"

namespace pxe::server {
namespace {

namespace fs = std::filesystem;

class DirectoryShareSmbclient : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test::have_program("smbclient")) GTEST_SKIP() << "smbclient is not installed";
    root_ = dir_ / "share";
    fs::create_directories(root_ / "sources");
    write(root_ / "setup.exe", "MZ the setup program");
    write(root_ / "sources" / "install.wim", std::string(70000, 'w'));
    write(root_ / "sources" / "boot.wim", "boot");
    write(root_ / "autorun.inf", "[autorun]");
    write(dir_ / "secret.txt", "outside the share");
    fs::create_symlink(dir_ / "secret.txt", root_ / "escape.txt");
    fs::create_symlink("sources/boot.wim", root_ / "inside.wim");
    int fd = ::open((root_ / "big.iso").c_str(), O_WRONLY | O_CREAT, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::ftruncate(fd, static_cast<off_t>(kBig)), 0);
    ::close(fd);

    auto share = smb::DirectoryShare::open(root_.string(), "PXEKIT");
    ASSERT_TRUE(share.ok()) << share.error().what;
    config::SmbSettings settings;
    settings.port = 0;
    settings.map_to_guest = config::MapToGuest::BadUser;
    auto s = smb_test::open_loopback_server(std::move(*share), settings);
    ASSERT_TRUE(s) << s.error().what;
    server_ = std::move(*s);
    server_->start();
  }
  void TearDown() override {
    if (server_) server_->stop();
  }
  static void write(const fs::path& p, const std::string& data) { std::ofstream(p, std::ios::binary) << data; }
  std::string smbclient(const std::string& commands) {
    std::string out;
    test::run("timeout 60 smbclient //127.0.0.1/GUEST -N -m SMB3_11 -p " + std::to_string(server_->port()) +
                  " -c '" + commands + "' 2>&1",
              &out);
    return out;
  }

  static constexpr std::uint64_t kBig = (5ull << 30) + 7;
  test::TempDir dir_{"pxe-smb-dirshare"};
  fs::path root_;
  std::unique_ptr<SmbServer> server_;
};

TEST_F(DirectoryShareSmbclient, ListingShowsFilesSizesAndLeavesOutTheEscapingLink) {
  std::string out = smbclient("ls");
  for (std::string name : {"setup.exe", "sources", "autorun.inf", "inside.wim", "big.iso"})
    EXPECT_NE(out.find(name), std::string::npos) << name << "\n" << out;
  EXPECT_EQ(out.find("escape.txt"), std::string::npos) << out;
  EXPECT_NE(out.find(std::to_string(kBig)), std::string::npos) << "the 5 GiB size\n" << out;
}

TEST_F(DirectoryShareSmbclient, SearchPatterns) {
  std::string out = smbclient("ls sources\\*.wim");
  EXPECT_NE(out.find("install.wim"), std::string::npos) << out;
  EXPECT_NE(out.find("boot.wim"), std::string::npos) << out;
  out = smbclient("ls *.inf");
  EXPECT_NE(out.find("autorun.inf"), std::string::npos) << out;
  EXPECT_EQ(out.find("setup.exe"), std::string::npos) << out;
  out = smbclient("ls nothing*");
  EXPECT_NE(out.find("NT_STATUS_NO_SUCH_FILE"), std::string::npos) << out;
}

TEST_F(DirectoryShareSmbclient, GetIsCaseInsensitiveAndTheEscapingLinkIsDenied) {
  test::TempDir tmp("pxe-smb-dirshare-get");
  std::string got = (tmp / "s.exe").string();
  std::string out = smbclient("get SETUP.EXE " + got + "; get sources\\INSTALL.WIM " + (tmp / "i.wim").string() +
                              "; get inside.wim " + (tmp / "b.wim").string());
  EXPECT_EQ(test::read_file(got), "MZ the setup program") << out;
  EXPECT_EQ(test::read_file((tmp / "i.wim").string()), std::string(70000, 'w')) << out;
  EXPECT_EQ(test::read_file((tmp / "b.wim").string()), "boot") << out;
  out = smbclient("get escape.txt " + (tmp / "e.txt").string());
  EXPECT_NE(out.find("NT_STATUS_ACCESS_DENIED"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(tmp / "e.txt") && fs::file_size(tmp / "e.txt") > 0);
  // smbclient resolves the '..' itself (asks for \\secret.txt), which is not in the share.
  out = smbclient("get ..\\secret.txt " + (tmp / "d.txt").string());
  EXPECT_NE(out.find("NT_STATUS_OBJECT_NAME_NOT_FOUND"), std::string::npos) << out;
}

TEST_F(DirectoryShareSmbclient, AllinfoVolumeAndShowacls) {
  std::string out = smbclient("allinfo setup.exe");
  EXPECT_NE(out.find("altname: setup.exe"), std::string::npos) << out;
  EXPECT_NE(out.find("attributes: RA (21)"), std::string::npos) << out;
  EXPECT_NE(out.find("stream: [::$DATA], 20 bytes"), std::string::npos) << out;
  out = smbclient("allinfo sources\\install.wim");
  EXPECT_NE(out.find("altname: install.wim"), std::string::npos) << out;
  out = smbclient("volume");
  EXPECT_NE(out.find("Volume: |PXEKIT|"), std::string::npos) << out;
  // smbclient 4.17 prints the descriptor as an NDR dump (older ones print ACL:... lines).
  out = smbclient("showacls; ls setup.exe");
  EXPECT_NE(out.find("SEC_DESC_DACL_PRESENT SEC_DESC_SELF_RELATIVE"), std::string::npos) << out;
  EXPECT_NE(out.find("type: ACCESS ALLOWED (0)"), std::string::npos) << out;
  EXPECT_NE(out.find("Permissions: 0x1200a9"), std::string::npos) << out;
  EXPECT_NE(out.find("SID: S-1-1-0"), std::string::npos) << out;
  EXPECT_NE(out.find("Owner SID:\tS-1-5-32-544"), std::string::npos) << out;
}

}  // namespace
}  // namespace pxe::server
