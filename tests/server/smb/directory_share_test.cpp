// DirectoryShare over a temporary directory: confinement (symlinks out of the root are refused,
// symlinks inside work), case-insensitive lookups, the design's status codes, listings, reads,
// metadata from statx and a sparse file over 4 GiB.
#include "server/smb/directory_share.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "proto/smb2/share.h"
#include "wire/smb2/status.h"

namespace pxe::server::smb {
namespace {

namespace fs = std::filesystem;
namespace st = wire::smb2::status;

class DirectoryShareTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pxkt-smbshare-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    top = tmpl;
    root = top / "share";
    fs::create_directories(root / "sources" / "en-us");
    fs::create_directories(root / "Boot");
    write(root / "setup.exe", "MZ setup");
    write(root / "sources" / "install.wim", std::string(10000, 'w'));
    write(root / "sources" / "en-us" / "setup.exe.mui", "mui");
    write(root / ".hidden", "");
    write(top / "secret.txt", "outside the share");
    auto s = DirectoryShare::open(root.string(), "PXEKIT");
    ASSERT_TRUE(s.ok()) << s.error().what;
    share = std::move(*s);
  }
  void TearDown() override { fs::remove_all(top); }

  static void write(const fs::path& p, const std::string& data) {
    std::ofstream(p, std::ios::binary) << data;
  }
  std::string read_all(std::string_view path) {
    auto f = share->open(path);
    if (!f.ok()) return "ERROR " + f.error().what;
    std::string out(1 << 16, '\0');
    auto n = (*f)->read(0, std::span(reinterpret_cast<std::uint8_t*>(out.data()), out.size()));
    if (!n.ok()) return "ERROR " + n.error().what;
    out.resize(*n);
    return out;
  }
  template <class R>
  static std::uint32_t code(const R& r) {
    EXPECT_FALSE(r.ok());
    return r.ok() ? 0 : r.error().code;
  }

  fs::path top, root;
  std::unique_ptr<DirectoryShare> share;
};

TEST_F(DirectoryShareTest, OpensAndReadsFiles) {
  EXPECT_EQ(read_all("setup.exe"), "MZ setup");
  EXPECT_EQ(read_all("sources/install.wim"), std::string(10000, 'w'));
  auto f = share->open("setup.exe");
  ASSERT_TRUE(f.ok());
  EXPECT_GE((*f)->fd(), 0);  // for sendfile
  std::uint8_t buf[4];
  EXPECT_EQ(*(*f)->read(6, buf), 2u);
  EXPECT_EQ(buf[0], 'u');
  EXPECT_EQ(*(*f)->read(8, buf), 0u);
  EXPECT_EQ(*(*f)->read(~0ull, buf), 0u);
  int fl = ::fcntl((*f)->fd(), F_GETFL);
  EXPECT_EQ(fl & O_NONBLOCK, 0);
}

TEST_F(DirectoryShareTest, StatFromStatx) {
  auto m = share->stat("sources/install.wim");
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE(m->directory);
  EXPECT_EQ(m->size, 10000u);
  EXPECT_GE(m->allocation, 10000u);
  struct stat sb {};
  ASSERT_EQ(::stat((root / "sources" / "install.wim").c_str(), &sb), 0);
  EXPECT_EQ(m->index, sb.st_ino);
  const std::uint64_t mtime = (std::uint64_t(sb.st_mtim.tv_sec) + 11644473600ull) * 10000000 + sb.st_mtim.tv_nsec / 100;
  EXPECT_EQ(m->last_write, mtime);
  EXPECT_GT(m->creation, 0u);
  EXPECT_LE(m->creation, mtime);
  EXPECT_FALSE(m->hidden);
  auto d = share->stat("");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->directory);
  EXPECT_EQ(d->size, 0u);
  EXPECT_TRUE(share->stat(".hidden")->hidden);
}

TEST_F(DirectoryShareTest, CaseInsensitiveLookups) {
  EXPECT_EQ(read_all("SETUP.EXE"), "MZ setup");
  EXPECT_EQ(read_all("SOURCES/EN-US/Setup.Exe.Mui"), "mui");
  EXPECT_TRUE(share->stat("boot").ok());
  EXPECT_TRUE(share->stat("BOOT")->directory);
  EXPECT_TRUE(share->list("Sources").ok());
}

TEST_F(DirectoryShareTest, CanonicalPathSpellsNamesAsOnDisk) {
  EXPECT_EQ(*share->canonical_path("boot"), "Boot");
  EXPECT_EQ(*share->canonical_path("SOURCES/EN-US/SETUP.EXE.MUI"), "sources/en-us/setup.exe.mui");
  EXPECT_EQ(*share->canonical_path("setup.exe"), "setup.exe");
  EXPECT_EQ(*share->canonical_path(""), "");
  EXPECT_EQ(code(share->canonical_path("nothing/x")), st::kObjectPathNotFound);
}

TEST_F(DirectoryShareTest, ExactNameWinsOverAFoldedOne) {
  write(root / "ReadMe.txt", "mixed");
  write(root / "README.TXT", "upper");
  EXPECT_EQ(read_all("ReadMe.txt"), "mixed");
  EXPECT_EQ(read_all("README.TXT"), "upper");
  std::string any = read_all("readme.txt");
  EXPECT_TRUE(any == "mixed" || any == "upper") << any;
}

TEST_F(DirectoryShareTest, StatusCodesOfTheDesign) {
  EXPECT_EQ(code(share->stat("missing.txt")), st::kObjectNameNotFound);
  EXPECT_EQ(code(share->stat("sources/missing.txt")), st::kObjectNameNotFound);
  EXPECT_EQ(code(share->stat("nodir/file")), st::kObjectPathNotFound);
  EXPECT_EQ(code(share->stat("setup.exe/x")), st::kObjectPathNotFound);
  EXPECT_EQ(code(share->open("missing")), st::kObjectNameNotFound);
  EXPECT_EQ(code(share->open("nodir/missing")), st::kObjectPathNotFound);
  EXPECT_EQ(code(share->open("sources")), st::kFileIsADirectory);
  EXPECT_EQ(code(share->list("setup.exe")), st::kNotADirectory);
  EXPECT_EQ(code(share->list("nodir")), st::kObjectNameNotFound);
}

TEST_F(DirectoryShareTest, UnreadableFileIsAccessDenied) {
  write(root / "locked.bin", "x");
  fs::permissions(root / "locked.bin", fs::perms::none);
  if (::geteuid() != 0) {
    EXPECT_EQ(code(share->open("locked.bin")), st::kAccessDenied);
    EXPECT_TRUE(share->stat("locked.bin").ok());  // it is there, only not readable
    return;
  }
  // Root reads a 0000 file anyway: check as nobody, in a child process.
  fs::permissions(top, fs::perms::owner_all | fs::perms::others_read | fs::perms::others_exec);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(2);
    auto s = DirectoryShare::open(root.string(), "X");
    if (!s.ok()) ::_exit(3);
    auto f = (*s)->open("locked.bin");
    if (f.ok() || f.error().code != st::kAccessDenied) ::_exit(4);
    if (!(*s)->stat("locked.bin").ok()) ::_exit(5);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "2: setuid failed, 3: share open failed, 4: not ACCESS_DENIED, 5: stat failed";
}

TEST_F(DirectoryShareTest, SymlinkOutOfTheRootIsAccessDenied) {
  fs::create_symlink(top / "secret.txt", root / "abs-link");           // absolute target
  fs::create_symlink("../secret.txt", root / "rel-link");              // relative, climbing out
  fs::create_directory_symlink(top, root / "dir-link");                // a directory outside
  fs::create_symlink("/proc/self/root/etc/passwd", root / "magic");    // through a magic link
  for (std::string_view p : {"abs-link", "rel-link", "dir-link", "dir-link/secret.txt", "magic", "ABS-LINK"}) {
    EXPECT_EQ(code(share->open(p)), st::kAccessDenied) << p;
    EXPECT_EQ(code(share->stat(p)), st::kAccessDenied) << p;
  }
  EXPECT_EQ(code(share->list("dir-link")), st::kAccessDenied);
  // ... and left out of the listing, so their targets' metadata never shows.
  auto l = share->list("");
  ASSERT_TRUE(l.ok());
  for (const auto& e : *l) EXPECT_TRUE(e.name.find("link") == std::string::npos && e.name != "magic") << e.name;
}

TEST_F(DirectoryShareTest, SymlinkInsideTheRootWorks) {
  fs::create_symlink("sources/install.wim", root / "install-link.wim");
  fs::create_directory_symlink("sources", root / "src");
  EXPECT_EQ(read_all("install-link.wim"), std::string(10000, 'w'));
  EXPECT_EQ(read_all("src/en-us/setup.exe.mui"), "mui");
  EXPECT_EQ(read_all("SRC/EN-US/SETUP.EXE.MUI"), "mui");
  auto l = share->list("");
  ASSERT_TRUE(l.ok());
  auto it = std::find_if(l->begin(), l->end(), [](const auto& e) { return e.name == "install-link.wim"; });
  ASSERT_NE(it, l->end());
  EXPECT_EQ(it->meta.size, 10000u);  // the target's metadata
  auto src = std::find_if(l->begin(), l->end(), [](const auto& e) { return e.name == "src"; });
  ASSERT_NE(src, l->end());
  EXPECT_TRUE(src->meta.directory);
}

TEST_F(DirectoryShareTest, DotDotCannotBeAskedFor) {
  // smb_path() refuses a climbing '..' before the share sees it ...
  auto p = proto::smb2::smb_path("..\\secret.txt");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, st::kObjectPathSyntaxBad);
  // ... and were one to reach the share anyway, openat2(RESOLVE_BENEATH) refuses it.
  EXPECT_EQ(code(share->open("../secret.txt")), st::kAccessDenied);
  EXPECT_EQ(code(share->stat("sources/../../secret.txt")), st::kAccessDenied);
}

TEST_F(DirectoryShareTest, ListingIsSortedWithoutDotEntriesOrSpecialFiles) {
  ASSERT_EQ(::mkfifo((root / "fifo").c_str(), 0644), 0);
  write(root / "a.txt", "a");
  auto l = share->list("");
  ASSERT_TRUE(l.ok());
  std::vector<std::string> names;
  for (const auto& e : *l) names.push_back(e.name);
  EXPECT_EQ(names, (std::vector<std::string>{".hidden", "Boot", "a.txt", "setup.exe", "sources"}));
  EXPECT_TRUE((*l)[1].meta.directory);
  EXPECT_EQ((*l)[3].meta.size, 8u);
  EXPECT_EQ(code(share->open("fifo")), st::kAccessDenied);
  EXPECT_EQ(code(share->stat("fifo")), st::kAccessDenied);
  auto sub = share->list("sources");
  ASSERT_TRUE(sub.ok());
  ASSERT_EQ(sub->size(), 2u);
  EXPECT_EQ((*sub)[0].name, "en-us");
  EXPECT_EQ((*sub)[1].name, "install.wim");
}

TEST_F(DirectoryShareTest, SparseFileOver4GiBReportsItsSize) {
  const std::uint64_t size = (5ull << 30) + 123;
  {
    int fd = ::open((root / "big.iso").c_str(), O_WRONLY | O_CREAT, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::ftruncate(fd, static_cast<off_t>(size)), 0);
    ASSERT_EQ(::pwrite(fd, "END", 3, static_cast<off_t>(size - 3)), 3);
    ::close(fd);
  }
  auto m = share->stat("big.iso");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->size, size);
  EXPECT_LT(m->allocation, size);  // sparse: little is allocated
  auto f = share->open("BIG.ISO");
  ASSERT_TRUE(f.ok());
  std::uint8_t buf[8];
  auto n = (*f)->read(size - 3, buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 3u);
  EXPECT_EQ(std::string(buf, buf + 3), "END");
  EXPECT_EQ(*(*f)->read(1ull << 32, buf), 8u);  // a hole reads as zeros
  EXPECT_EQ(buf[0], 0);
}

TEST_F(DirectoryShareTest, VolumeFromFstatvfs) {
  auto v = share->volume();
  EXPECT_EQ(v.label, "PXEKIT");
  EXPECT_GT(v.total_units, 0u);
  EXPECT_EQ(v.free_units, 0u);
  EXPECT_EQ(v.fs_name, "NTFS");
  EXPECT_EQ(share->volume().serial, v.serial);  // stable
  EXPECT_GT(v.creation, 0u);
}

TEST(DirectoryShareOpen, RefusesAMissingDirectoryOrAFile) {
  EXPECT_FALSE(DirectoryShare::open("/nonexistent/pxkt-share", "X").ok());
  EXPECT_FALSE(DirectoryShare::open("/etc/hostname", "X").ok());
}

}  // namespace
}  // namespace pxe::server::smb
