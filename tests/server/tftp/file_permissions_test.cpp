// Which files a read may serve, by dnsmasq's rule: a server able to read every file (root, or a
// holder of CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH) serves only world-readable files; tftp-secure
// limits a server that is not root to its own user's files, and adds nothing for root. The
// non-root cases run in a forked child that switched to `nobody` (as the server does after start).
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "server/tftp/file_access.h"
#include "support/test_paths.h"

namespace pxe::server::tftp {
namespace {

namespace fs = std::filesystem;
namespace wt = wire::tftp;

constexpr uid_t kNobody = 65534;

class TftpFilePermissions : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (chown, and switching to nobody)";
    // The temporary directory is 0700: let `nobody` reach the files in it.
    fs::permissions(tmp_.path(), fs::perms(0755));
    auto r = TftpRoot::open(tmp_.path().string());
    ASSERT_TRUE(r.ok()) << r.error().what;
    root_.emplace(std::move(*r));
  }
  void file(const std::string& name, mode_t mode, uid_t owner) {
    fs::path p = tmp_.path() / name;
    std::ofstream(p) << "boot";
    ASSERT_EQ(::chown(p.c_str(), owner, owner), 0);
    ASSERT_EQ(::chmod(p.c_str(), mode), 0);
  }
  // The ERROR code an RRQ for `name` gets, or -1 when the file is served.
  int open(const std::string& name, bool secure) const {
    auto opened = root_->open_file(name, {}, secure);
    if (auto* e = std::get_if<OpenError>(&opened)) return static_cast<int>(e->code);
    return -1;
  }
  // Runs `check` in a child switched to nobody (with `keep_dac_override`: still holding
  // CAP_DAC_OVERRIDE, as a unit file with AmbientCapabilities would leave it); its exit status is
  // the number of failed expectations, or 100+ when the switch itself failed.
  static int as_nobody(bool keep_dac_override, const std::function<int()>& check) {
    pid_t pid = ::fork();
    if (pid == 0) {
      if (keep_dac_override && ::prctl(PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L) != 0) ::_exit(101);
      if (::setresgid(kNobody, kNobody, kNobody) != 0 || ::setresuid(kNobody, kNobody, kNobody) != 0) ::_exit(102);
      if (keep_dac_override) {
        __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
        __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3] = {};
        caps[0].permitted = caps[0].effective = 1u << CAP_DAC_OVERRIDE;
        if (::syscall(SYS_capset, &hdr, caps) != 0) ::_exit(103);
      }
      ::_exit(check());
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 200;
  }

  pxe::test::TempDir tmp_{"pxkt-perm"};
  std::optional<TftpRoot> root_;
};

const int kAccess = static_cast<int>(wt::ErrorCode::AccessViolation);

TEST_F(TftpFilePermissions, AsRootAMode0600RootFileIsRefusedWithAccessViolation) {
  file("secret", 0600, 0);
  EXPECT_EQ(open("secret", false), kAccess);
  EXPECT_EQ(open("secret", true), kAccess);
}

TEST_F(TftpFilePermissions, AsRootAWorldReadableFileIsServedWhoeverOwnsIt) {
  file("pxelinux.0", 0644, 0);
  file("theirs.0", 0604, kNobody);
  EXPECT_EQ(open("pxelinux.0", false), -1);
  EXPECT_EQ(open("theirs.0", false), -1);
}

TEST_F(TftpFilePermissions, AsRootTftpSecureAddsNothingToTheWorldReadableRule) {
  file("pxelinux.0", 0644, 0);
  file("theirs.0", 0644, kNobody);
  file("theirs-private", 0640, kNobody);
  EXPECT_EQ(open("pxelinux.0", true), -1);
  EXPECT_EQ(open("theirs.0", true), -1);
  EXPECT_EQ(open("theirs-private", true), kAccess);
}

TEST_F(TftpFilePermissions, NotRootTftpSecureServesOnlyTheServersOwnFiles) {
  file("mine.0", 0644, kNobody);
  file("roots.0", 0644, 0);
  int failed = as_nobody(false, [&] {
    return (open("mine.0", true) != -1) + (open("roots.0", true) != kAccess) + (open("roots.0", false) != -1);
  });
  EXPECT_EQ(failed, 0);
}

TEST_F(TftpFilePermissions, NotRootTheKernelRefusesAPrivateRootFile) {
  file("secret", 0600, 0);
  EXPECT_EQ(as_nobody(false, [&] { return open("secret", false) != kAccess; }), 0);
}

TEST_F(TftpFilePermissions, NotRootButHoldingCapDacOverrideStillServesOnlyWorldReadable) {
  file("secret", 0600, 0);
  file("pxelinux.0", 0644, 0);
  const std::string secret = (tmp_.path() / "secret").string();
  int failed = as_nobody(true, [&] {
    // The kernel lets this process read the private file (checked first): the server must not.
    int fd = ::open(secret.c_str(), O_RDONLY);
    if (fd < 0) return 50;
    ::close(fd);
    return (open("secret", false) != kAccess) + (open("pxelinux.0", false) != -1);
  });
  EXPECT_EQ(failed, 0);
}

}  // namespace
}  // namespace pxe::server::tftp
