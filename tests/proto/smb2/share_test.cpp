#include "proto/smb2/share.h"

#include <gtest/gtest.h>

#include "proto/smb2/memory_share.h"
#include "proto/smb2/name_fold.h"
#include "wire/smb2/status.h"

namespace pxe::proto::smb2 {
namespace {

namespace st = wire::smb2::status;

std::uint32_t refusal(std::string_view client_name) {
  auto r = smb_path(client_name);
  EXPECT_FALSE(r.ok()) << "'" << client_name << "' was accepted as '" << (r.ok() ? *r : "") << "'";
  return r.ok() ? 0 : r.error().code;
}

TEST(SmbPath, BackslashesBecomeSlashesAndOneLeadingBackslashIsAccepted) {
  EXPECT_EQ(*smb_path(""), "");
  EXPECT_EQ(*smb_path("\\"), "");
  EXPECT_EQ(*smb_path("setup.exe"), "setup.exe");
  EXPECT_EQ(*smb_path("\\setup.exe"), "setup.exe");
  EXPECT_EQ(*smb_path("sources\\install.wim"), "sources/install.wim");
  EXPECT_EQ(*smb_path("\\sources\\en-us\\setup.exe.mui"), "sources/en-us/setup.exe.mui");
  EXPECT_EQ(*smb_path("boot/bcd"), "boot/bcd");  // '/' is a separator too, as in Samba
  EXPECT_EQ(*smb_path("...\\a b"), ".../a b");   // only "." and ".." are special
  EXPECT_EQ(*smb_path("Caf\xc3\xa9.txt"), "Caf\xc3\xa9.txt");
}

TEST(SmbPath, DotDotInsideTheShareIsResolvedLikeSamba) {
  EXPECT_EQ(*smb_path("a\\..\\b"), "b");
  EXPECT_EQ(*smb_path("a\\b\\..\\..\\c"), "c");
  EXPECT_EQ(*smb_path("a\\.."), "");
}

TEST(SmbPath, DotDotAboveTheRootIsPathSyntaxBad) {
  EXPECT_EQ(refusal(".."), st::kObjectPathSyntaxBad);
  EXPECT_EQ(refusal("\\..\\"), st::kObjectPathSyntaxBad);
  EXPECT_EQ(refusal("\\..\\etc\\passwd"), st::kObjectPathSyntaxBad);
  EXPECT_EQ(refusal("a\\..\\..\\b"), st::kObjectPathSyntaxBad);
  EXPECT_EQ(refusal("a/../../b"), st::kObjectPathSyntaxBad);
  EXPECT_EQ(refusal("a\\b\\..\\..\\..\\c"), st::kObjectPathSyntaxBad);
}

TEST(SmbPath, StreamsAreNotFoundAndMalformedColonsAreInvalid) {
  EXPECT_EQ(refusal("setup.exe::$DATA"), st::kObjectNameNotFound);
  EXPECT_EQ(refusal("setup.exe::$data"), st::kObjectNameNotFound);
  EXPECT_EQ(refusal("file:ads"), st::kObjectNameNotFound);
  EXPECT_EQ(refusal("file:Zone.Identifier:$DATA"), st::kObjectNameNotFound);
  EXPECT_EQ(refusal("dir\\file:ads"), st::kObjectNameNotFound);
  EXPECT_EQ(refusal("file:"), st::kObjectNameInvalid);
  EXPECT_EQ(refusal(":ads"), st::kObjectNameInvalid);
  EXPECT_EQ(refusal("file:ads:$INDEX_ALLOCATION"), st::kObjectNameInvalid);
  EXPECT_EQ(refusal("file::"), st::kObjectNameInvalid);
  EXPECT_EQ(refusal("dir:x\\file"), st::kObjectNameInvalid);
  EXPECT_EQ(refusal("c:\\windows"), st::kObjectNameInvalid);
}

TEST(SmbPath, WildcardsAndControlCharactersAreNameInvalid) {
  for (std::string_view n : {"*", "a*.txt", "\\dir\\?", "a<b", "a>b", "a\"b", "a|b", "sources\\*"})
    EXPECT_EQ(refusal(n), st::kObjectNameInvalid) << n;
  EXPECT_EQ(refusal(std::string_view("a\0b", 3)), st::kObjectNameInvalid);
  EXPECT_EQ(refusal("a\x01" "b"), st::kObjectNameInvalid);
  EXPECT_EQ(refusal("tab\there"), st::kObjectNameInvalid);
}

TEST(SmbPath, EmptyAndDotComponentsAreNameInvalid) {
  EXPECT_EQ(refusal("a\\\\b"), st::kObjectNameInvalid);
  EXPECT_EQ(refusal("\\\\a"), st::kObjectNameInvalid);
  EXPECT_EQ(refusal("a\\"), st::kObjectNameInvalid);
  EXPECT_EQ(refusal("a\\.\\b"), st::kObjectNameInvalid);
  EXPECT_EQ(refusal("."), st::kObjectNameInvalid);
  EXPECT_EQ(refusal("\\."), st::kObjectNameInvalid);
}

TEST(SmbPath, ComponentsOver255BytesAreNameInvalid) {
  EXPECT_TRUE(smb_path(std::string(255, 'a')).ok());
  EXPECT_EQ(refusal(std::string(256, 'a')), st::kObjectNameInvalid);
  EXPECT_EQ(refusal("dir\\" + std::string(300, 'b')), st::kObjectNameInvalid);
}

TEST(SmbPath, RefusalsSayWhy) {
  auto r = smb_path("..\\x");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().what.find(".."), std::string::npos);
}

TEST(NameFold, FoldsAsciiLatinGreekAndCyrillicOneToOne) {
  EXPECT_TRUE(name_equals_ci("SETUP.EXE", "setup.exe"));
  EXPECT_TRUE(name_equals_ci("Caf\xc3\xa9", "CAF\xc3\x89"));           // é / É
  EXPECT_TRUE(name_equals_ci("\xc5\x82\xc3\xb3" "d\xc5\xba", "\xc5\x81\xc3\x93" "D\xc5\xb9"));  // łódź / ŁÓDŹ
  EXPECT_TRUE(name_equals_ci("\xce\xb1\xce\xb2", "\xce\x91\xce\x92"));  // αβ / ΑΒ
  EXPECT_TRUE(name_equals_ci("\xd0\xbf\xd1\x91", "\xd0\x9f\xd0\x81"));  // пё / ПЁ
  EXPECT_FALSE(name_equals_ci("setup.exe", "setup.ex"));
  EXPECT_FALSE(name_equals_ci("a", "b"));
  EXPECT_FALSE(name_equals_ci("\xc3\xa9", "e"));
}

TEST(NameFold, InvalidUtf8NeverEqualsARealCharacter) {
  EXPECT_EQ(fold_name("\xff").size(), 1u);
  EXPECT_FALSE(name_equals_ci("\xc3", "\xc3\xa9"));
  EXPECT_FALSE(name_equals_ci("\xc0\xa9", ")"));  // overlong form of ')'
  EXPECT_TRUE(name_equals_ci("\xff", "\xff"));
}

TEST(FileAttributes, DirectoryFileAndHidden) {
  FileMeta d;
  d.directory = true;
  EXPECT_EQ(file_attributes(d), 0x10u);
  FileMeta f;
  EXPECT_EQ(file_attributes(f), 0x21u);  // READONLY | ARCHIVE
  f.hidden = true;
  EXPECT_EQ(file_attributes(f), 0x23u);
  d.hidden = true;
  EXPECT_EQ(file_attributes(d), 0x12u);
}

// --- MemoryShare ---

class MemoryShareTest : public ::testing::Test {
 protected:
  void SetUp() override {
    share.add_file("setup.exe", Bytes{'M', 'Z', 1, 2, 3});
    share.add_file("sources/install.wim", Bytes(10000, 7));
    share.add_file("sources/en-us/setup.exe.mui", Bytes{1});
    share.add_dir("empty");
    share.add_file(".hidden", Bytes{});
  }
  MemoryShare share;
};

TEST_F(MemoryShareTest, StatOfTheRootFilesAndDirectories) {
  auto root = share.stat("");
  ASSERT_TRUE(root.ok());
  EXPECT_TRUE(root->directory);
  auto f = share.stat("sources/install.wim");
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->directory);
  EXPECT_EQ(f->size, 10000u);
  EXPECT_EQ(f->allocation, 12288u);
  EXPECT_NE(f->index, root->index);
  EXPECT_TRUE(share.stat(".hidden")->hidden);
  EXPECT_FALSE(f->hidden);
}

TEST_F(MemoryShareTest, LookupsAreCaseInsensitive) {
  EXPECT_EQ(share.stat("SETUP.EXE")->size, 5u);
  EXPECT_EQ(share.stat("Sources/EN-US/Setup.Exe.Mui")->size, 1u);
  EXPECT_TRUE(share.open("SOURCES/INSTALL.WIM").ok());
  EXPECT_TRUE(share.list("SOURCES").ok());
}

TEST_F(MemoryShareTest, CanonicalPathSpellsNamesAsStored) {
  EXPECT_EQ(*share.canonical_path("SOURCES/EN-US/SETUP.EXE.MUI"), "sources/en-us/setup.exe.mui");
  EXPECT_EQ(*share.canonical_path(""), "");
  EXPECT_EQ(share.canonical_path("sources/nothing").error().code, st::kObjectNameNotFound);
  EXPECT_EQ(share.canonical_path("nothing/x").error().code, st::kObjectPathNotFound);
}

TEST_F(MemoryShareTest, ExactMatchWinsOverACaseFoldedOne) {
  share.add_file("ReadMe.txt", Bytes{1});
  share.add_file("README.TXT", Bytes{1, 2});
  EXPECT_EQ(share.stat("ReadMe.txt")->size, 1u);
  EXPECT_EQ(share.stat("README.TXT")->size, 2u);
}

TEST_F(MemoryShareTest, ErrorCodesOfTheDesign) {
  EXPECT_EQ(share.stat("missing.txt").error().code, st::kObjectNameNotFound);
  EXPECT_EQ(share.stat("sources/missing.txt").error().code, st::kObjectNameNotFound);
  EXPECT_EQ(share.stat("nodir/file").error().code, st::kObjectPathNotFound);
  EXPECT_EQ(share.stat("setup.exe/x").error().code, st::kObjectPathNotFound);  // a file used as a directory
  EXPECT_EQ(share.open("missing").error().code, st::kObjectNameNotFound);
  EXPECT_EQ(share.open("sources").error().code, st::kFileIsADirectory);
  EXPECT_EQ(share.list("setup.exe").error().code, st::kNotADirectory);
  EXPECT_EQ(share.list("nodir").error().code, st::kObjectNameNotFound);
  share.deny("sources/install.wim");
  EXPECT_TRUE(share.stat("sources/install.wim").ok());
  EXPECT_EQ(share.open("sources/install.wim").error().code, st::kAccessDenied);
  share.deny("empty");
  EXPECT_EQ(share.list("empty").error().code, st::kAccessDenied);
}

TEST_F(MemoryShareTest, ReadsAreShortOnlyAtTheEnd) {
  auto f = share.open("setup.exe");
  ASSERT_TRUE(f.ok());
  std::uint8_t buf[4];
  EXPECT_EQ(*(*f)->read(0, buf), 4u);
  EXPECT_EQ(buf[0], 'M');
  EXPECT_EQ(*(*f)->read(3, buf), 2u);
  EXPECT_EQ(buf[1], 3);
  EXPECT_EQ(*(*f)->read(5, buf), 0u);
  EXPECT_EQ(*(*f)->read(~0ull, buf), 0u);
  EXPECT_EQ((*f)->fd(), -1);
}

TEST_F(MemoryShareTest, AnOpenFileOutlivesItsReplacement) {
  auto f = share.open("setup.exe");
  share.add_file("setup.exe", Bytes{9});
  std::uint8_t buf[8];
  EXPECT_EQ(*(*f)->read(0, buf), 5u);
  EXPECT_EQ(share.stat("setup.exe")->size, 1u);
}

TEST_F(MemoryShareTest, ListingsAreSortedAndHaveNoDotEntries) {
  auto root = share.list("");
  ASSERT_TRUE(root.ok());
  std::vector<std::string> names;
  for (const auto& e : *root) names.push_back(e.name);
  EXPECT_EQ(names, (std::vector<std::string>{".hidden", "empty", "setup.exe", "sources"}));
  EXPECT_TRUE((*root)[3].meta.directory);
  EXPECT_TRUE(share.list("empty")->empty());
}

TEST_F(MemoryShareTest, VolumeCanBeSet) {
  VolumeInfo v;
  v.label = "WIN11_24H2";
  v.total_units = 1000;
  share.set_volume(v);
  EXPECT_EQ(share.volume().label, "WIN11_24H2");
  EXPECT_EQ(share.volume().total_units, 1000u);
}

}  // namespace
}  // namespace pxe::proto::smb2
