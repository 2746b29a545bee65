// pxekit serve against real TFTP clients (curl, tftp-hpa, atftp, busybox) across a veth pair
// between two network namespaces the test creates. Skips when not root or a program is missing.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "support/netns.h"
#include "support/test_paths.h"

namespace pxe::server::tftp::test {
namespace {

namespace fs = std::filesystem;
using pxe::test::Netns;
using pxe::test::netns_unavailable;
using pxe::test::slurp;
using pxe::test::wait_until;

// Larger than 65535 blocks of 512 bytes (33 553 920), so the block number wraps at the default size.
constexpr std::size_t kBigSize = 34'000'000;

class TftpInterop : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    skip_ = netns_unavailable({"ip", "curl", pxe::test::pxekit_binary()});
    if (!skip_.empty()) return;
    char tmpl[] = "/tmp/pxkt-interop-XXXXXX";
    work_ = ::mkdtemp(tmpl);
    fs::create_directories(work_ / "root/pxelinux.cfg");
    fs::create_directories(work_ / "outside");
    fs::create_directories(work_ / "dl");
    fs::create_directories(work_ / "root/incoming");
    // Started as root, pxekit serve runs as nobody (user=, as dnsmasq): the upload directory
    // must be writable by that user.
    pxe::test::run("chown nobody " + (work_ / "root/incoming").string());
    write_random(work_ / "root/pxelinux.0", 42'382, 1);
    write_random(work_ / "root/big.iso", kBigSize, 2);
    std::ofstream(work_ / "outside/secret") << "secret\n";
    fs::create_symlink(work_ / "outside/secret", work_ / "root/escape");
    ns_ = new Netns("i");
    std::string why;
    if (!ns_->setup_pair("10.77.0.1/24", "10.77.0.2/24", &why)) {
      skip_ = "namespace setup failed: " + why;
      return;
    }
    server_ = ns_->spawn(ns_->server_ns(),
                         {pxe::test::pxekit_binary(), "serve", "--tftp-root", (work_ / "root").string(),
                          "--listen-address", ns_->server_ip(), "--tftp-upload-dir", "incoming",
                          "--duration", "900"},
                         (work_ / "server.log").string());
    bool up = wait_until([] { return slurp((work_ / "server.log").string()).find("listening on") != std::string::npos; },
                         std::chrono::seconds(10));
    if (!up) skip_ = "pxekit serve did not start: " + slurp((work_ / "server.log").string());
  }
  static void TearDownTestSuite() {
    delete ns_;  // stops pxekit and removes the namespaces
    ns_ = nullptr;
    if (!work_.empty()) {
      std::error_code ec;
      fs::remove_all(work_, ec);
    }
  }
  void SetUp() override {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
  }

  static void write_random(const fs::path& p, std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::vector<std::uint32_t> buf((n + 3) / 4);
    for (auto& w : buf) w = rng();
    std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(buf.data()), static_cast<std::streamsize>(n));
  }
  static bool same(const fs::path& a, const fs::path& b) {
    return pxe::test::run("cmp -s '" + a.string() + "' '" + b.string() + "'") == 0;
  }
  // Runs a client command in the client namespace with a time bound.
  int client(const std::string& cmd, std::string* out = nullptr) {
    return ns_->run(ns_->client_ns(), "timeout 120 " + cmd, out);
  }
  fs::path dl(const std::string& name) {
    fs::path p = work_ / "dl" / name;
    fs::remove(p);
    return p;
  }
  std::string url(const std::string& file) { return "tftp://" + ns_->server_ip() + "/" + file; }
  std::string log() { return slurp((work_ / "server.log").string()); }
  // Why a test cannot run without `program`, or "". The test body skips on it itself: a
  // GTEST_SKIP in a helper only returns from the helper, and the test would go on without it.
  static std::string missing(const std::string& program) {
    return pxe::test::have_program(program) ? "" : program + " is not installed";
  }

  static inline std::string skip_;
  static inline fs::path work_;
  static inline Netns* ns_ = nullptr;
  static inline pid_t server_ = -1;
};

TEST_F(TftpInterop, CurlDefaultBlksizeSmallAndWrappingBigFile) {
  auto small = dl("curl-small"), big = dl("curl-big");
  ASSERT_EQ(client("curl -sS " + url("pxelinux.0") + " -o " + small.string()), 0);
  EXPECT_TRUE(same(small, work_ / "root/pxelinux.0"));
  std::string out;
  ASSERT_EQ(client("curl -sS " + url("big.iso") + " -o " + big.string(), &out), 0) << out;
  EXPECT_TRUE(same(big, work_ / "root/big.iso"));
  EXPECT_NE(log().find("sent " + (work_ / "root/big.iso").string() + " to " + ns_->client_ip() + " (34000000 bytes"),
            std::string::npos);
}

TEST_F(TftpInterop, CurlBlksize1468AndClampedLargeBlksize) {
  auto a = dl("curl-1468"), b = dl("curl-65464");
  ASSERT_EQ(client("curl -sS --tftp-blksize 1468 " + url("big.iso") + " -o " + a.string()), 0);
  EXPECT_TRUE(same(a, work_ / "root/big.iso"));
  // The veth MTU is 1500: the server answers blksize 1468, no IP fragments.
  ASSERT_EQ(client("curl -sS --tftp-blksize 65464 " + url("pxelinux.0") + " -o " + b.string()), 0);
  EXPECT_TRUE(same(b, work_ / "root/pxelinux.0"));
}

TEST_F(TftpInterop, TftpHpaBinaryGet) {
  if (auto why = missing("tftp"); !why.empty()) GTEST_SKIP() << why;
  auto a = dl("hpa-small"), b = dl("hpa-big");
  ASSERT_EQ(client("tftp " + ns_->server_ip() + " -m binary -c get pxelinux.0 " + a.string()), 0);
  EXPECT_TRUE(same(a, work_ / "root/pxelinux.0"));
  ASSERT_EQ(client("tftp " + ns_->server_ip() + " -m binary -c get big.iso " + b.string()), 0);
  EXPECT_TRUE(same(b, work_ / "root/big.iso"));
}

TEST_F(TftpInterop, AtftpWithWindowsize8) {
  if (auto why = missing("atftp"); !why.empty()) GTEST_SKIP() << why;
  auto a = dl("atftp-w8");
  std::string out;
  ASSERT_EQ(client("atftp -g -r big.iso -l " + a.string() + " --option \"blksize 1468\" --option \"windowsize 8\" " +
                       ns_->server_ip(), &out),
            0) << out;
  EXPECT_TRUE(same(a, work_ / "root/big.iso"));
  EXPECT_NE(log().find("blksize 1468, windowsize 8"), std::string::npos);
}

TEST_F(TftpInterop, BusyboxTftpWithBlksize) {
  if (auto why = missing("busybox"); !why.empty()) GTEST_SKIP() << why;
  auto a = dl("bb-1024"), b = dl("bb-512");
  ASSERT_EQ(client("busybox tftp -g -b 1024 -r big.iso -l " + a.string() + " " + ns_->server_ip()), 0);
  EXPECT_TRUE(same(a, work_ / "root/big.iso"));
  ASSERT_EQ(client("busybox tftp -g -r pxelinux.0 -l " + b.string() + " " + ns_->server_ip()), 0);
  EXPECT_TRUE(same(b, work_ / "root/pxelinux.0"));
}

TEST_F(TftpInterop, EscapesAreAnsweredWithErrors) {
  if (auto why = missing("busybox"); !why.empty()) GTEST_SKIP() << why;
  struct Case {
    std::string name, expect;
  };
  std::vector<Case> cases = {{"../outside/secret", "Access violation"},
                             {"escape", "Access violation"},
                             {(work_ / "outside/secret").string(), "File not found"},
                             {"/etc/passwd", "File not found"},
                             {"missing.0", "File not found"}};
  for (const auto& c : cases) {
    auto p = dl("bb-escape");
    std::string out;
    int rc = client("busybox tftp -g -r " + c.name + " -l " + p.string() + " " + ns_->server_ip(), &out);
    EXPECT_NE(rc, 0) << c.name;
    EXPECT_NE(out.find(c.expect), std::string::npos) << c.name << ": " << out;
    EXPECT_TRUE(!fs::exists(p) || fs::file_size(p) == 0) << c.name;
  }
  // curl keeps a literal "../" with --path-as-is; the server refuses it.
  std::string out;
  EXPECT_NE(client("curl -sS --path-as-is " + url("../outside/secret") + " -o " + dl("curl-escape").string(), &out), 0);
  EXPECT_NE(log().find("name has a '..' component"), std::string::npos);
}

// interface= (dnsmasq's meaning): requests arriving on other interfaces get no answer; the
// loopback interface is always served. A second server on port 6969 beside the suite's.
TEST_F(TftpInterop, InterfaceLinesLimitWhereRequestsAreAnswered) {
  if (auto why = missing("busybox"); !why.empty()) GTEST_SKIP() << why;
  struct Run {
    std::string interface_line;
    bool veth_answered;
  };
  for (const Run& r : {Run{"interface=lo", false}, Run{"interface=" + ns_->server_if(), true},
                       Run{"interface=" + ns_->server_if().substr(0, 3) + "*", true}}) {
    auto conf = work_ / "iface.conf";
    std::ofstream(conf) << r.interface_line << "\nenable-tftp\ntftp-root=" << (work_ / "root").string() << "\n";
    auto slog = work_ / "iface.log";
    pid_t pid = ns_->spawn(ns_->server_ns(),
                           {pxe::test::pxekit_binary(), "serve", "-C", conf.string(), "--tftp-port", "6969",
                            "--log-level", "debug", "--duration", "60"},
                           slog.string());
    ASSERT_TRUE(wait_until([&] { return slurp(slog.string()).find("listening on") != std::string::npos; },
                           std::chrono::seconds(10)))
        << slurp(slog.string());
    auto a = dl("iface-veth"), b = dl("iface-lo");
    std::string out;
    int rc = client("timeout 4 busybox tftp -g -r pxelinux.0 -l " + a.string() + " " + ns_->server_ip() + " 6969", &out);
    if (r.veth_answered) {
      EXPECT_EQ(rc, 0) << r.interface_line << ": " << out;
      EXPECT_TRUE(same(a, work_ / "root/pxelinux.0")) << r.interface_line;
    } else {
      EXPECT_NE(rc, 0) << r.interface_line;
      EXPECT_NE(slurp(slog.string()).find("not an interface= of this server"), std::string::npos) << r.interface_line;
    }
    // From inside the server's namespace, over lo: always answered.
    EXPECT_EQ(ns_->run(ns_->server_ns(), "timeout 10 busybox tftp -g -r pxelinux.0 -l " + b.string() + " 127.0.0.1 6969",
                       &out),
              0) << r.interface_line << ": " << out;
    EXPECT_TRUE(same(b, work_ / "root/pxelinux.0")) << r.interface_line;
    ns_->stop(pid);
  }
}

// Uploads (WRQ) with `--tftp-upload-dir incoming`: stored whole, and only there.
TEST_F(TftpInterop, TftpHpaPutIntoTheUploadDirectory) {
  if (auto why = missing("tftp"); !why.empty()) GTEST_SKIP() << why;
  std::string out;
  ASSERT_EQ(client("tftp " + ns_->server_ip() + " -m binary -c put " + (work_ / "root/big.iso").string() +
                       " incoming/hpa-big.iso", &out),
            0) << out;
  EXPECT_TRUE(same(work_ / "root/incoming/hpa-big.iso", work_ / "root/big.iso"));
  EXPECT_NE(log().find("received " + (work_ / "root/incoming/hpa-big.iso").string() + " from " + ns_->client_ip()),
            std::string::npos) << log();
}

TEST_F(TftpInterop, CurlUploadWithBlksize1468) {
  std::string out;
  ASSERT_EQ(client("curl -sS --tftp-blksize 1468 -T " + (work_ / "root/big.iso").string() + " " +
                       url("incoming/curl-big.iso"), &out),
            0) << out;
  EXPECT_TRUE(same(work_ / "root/incoming/curl-big.iso", work_ / "root/big.iso"));
}

TEST_F(TftpInterop, AtftpPut) {
  if (auto why = missing("atftp"); !why.empty()) GTEST_SKIP() << why;
  std::string out;
  ASSERT_EQ(client("atftp -p -l " + (work_ / "root/pxelinux.0").string() + " -r incoming/atftp.0 " + ns_->server_ip(),
                   &out),
            0) << out;
  EXPECT_TRUE(same(work_ / "root/incoming/atftp.0", work_ / "root/pxelinux.0"));
}

TEST_F(TftpInterop, UploadsOutsideTheDirectoryOrOverAFileAreRefused) {
  if (auto why = missing("busybox"); !why.empty()) GTEST_SKIP() << why;
  auto local = work_ / "dl/payload";
  write_random(local, 5000, 9);
  struct Case {
    std::string name, expect;
  };
  std::vector<Case> cases = {{"pxelinux.0", "Access violation"},
                             {"incoming/../planted", "Access violation"},
                             {"../outside/planted", "Access violation"},
                             {"incoming/no-such-dir/x", "not found"}};
  for (const auto& c : cases) {
    std::string out;
    EXPECT_NE(client("busybox tftp -p -l " + local.string() + " -r " + c.name + " " + ns_->server_ip(), &out), 0)
        << c.name;
    EXPECT_NE(out.find(c.expect), std::string::npos) << c.name << ": " << out;
  }
  EXPECT_FALSE(same(work_ / "root/pxelinux.0", local));
  EXPECT_FALSE(fs::exists(work_ / "root/planted"));
  EXPECT_FALSE(fs::exists(work_ / "outside/planted"));
  // A second upload of the same name: ERROR 6, the first stays.
  ASSERT_EQ(client("busybox tftp -p -l " + local.string() + " -r incoming/once " + ns_->server_ip()), 0);
  std::string out;
  EXPECT_NE(client("busybox tftp -p -l " + (work_ / "root/pxelinux.0").string() + " -r incoming/once " +
                       ns_->server_ip(), &out),
            0);
  EXPECT_NE(out.find("exists"), std::string::npos) << out;
  EXPECT_TRUE(same(work_ / "root/incoming/once", local));
}

}  // namespace
}  // namespace pxe::server::tftp::test
