#include "proto/smb2/file_info.h"

#include <gtest/gtest.h>

#include "proto/smb2/hex.h"
#include "wire/smb2/status.h"
#include "wire/smb2/utf16.h"

namespace pxe::proto::smb2 {
namespace {

namespace st = wire::smb2::status;
namespace fc = file_class;
namespace fs = fs_class;
using test::hex;
using test::unhex;

std::uint64_t u64(const Bytes& b, std::size_t off) {
  ByteReader r(b);
  r.skip(off);
  std::uint64_t v = r.u64le();
  EXPECT_FALSE(r.failed()) << "read past the end at " << off;
  return v;
}
std::uint32_t u32(const Bytes& b, std::size_t off) {
  ByteReader r(b);
  r.skip(off);
  std::uint32_t v = r.u32le();
  EXPECT_FALSE(r.failed()) << "read past the end at " << off;
  return v;
}
std::string utf16_at(const Bytes& b, std::size_t off, std::size_t len) {
  EXPECT_LE(off + len, b.size());
  if (off + len > b.size()) return {};
  return wire::smb2::utf16le_to_utf8(ByteSpan(b).subspan(off, len));
}

FileMeta file_meta() {
  FileMeta m;
  m.size = 5000;
  m.allocation = 8192;
  m.creation = 0x01D9000000000001;
  m.last_access = 0x01D9000000000002;
  m.last_write = 0x01D9000000000003;
  m.change = 0x01D9000000000004;
  m.index = 0x1122334455667788;
  return m;
}
FileMeta dir_meta() {
  FileMeta m = file_meta();
  m.directory = true;
  m.size = 0;
  m.allocation = 0;
  return m;
}

Bytes info(std::uint8_t c, const FileMeta& m = file_meta(), std::string_view name = "hello.txt") {
  auto r = encode_file_info(c, m, name);
  EXPECT_TRUE(r.ok()) << "class " << int(c) << ": " << (r.ok() ? "" : r.error().what);
  return r.ok() ? *r : Bytes{};
}

TEST(FileInfo, BasicIs40BytesOfTimesAndAttributes) {
  Bytes b = info(fc::kBasic);
  ASSERT_EQ(b.size(), 40u);
  EXPECT_EQ(u64(b, 0), 0x01D9000000000001u);
  EXPECT_EQ(u64(b, 8), 0x01D9000000000002u);
  EXPECT_EQ(u64(b, 16), 0x01D9000000000003u);
  EXPECT_EQ(u64(b, 24), 0x01D9000000000004u);
  EXPECT_EQ(u32(b, 32), 0x21u);
  EXPECT_EQ(u32(b, 36), 0u);
  EXPECT_EQ(u32(info(fc::kBasic, dir_meta()), 32), 0x10u);
}

TEST(FileInfo, StandardIs24BytesWithOneLinkAndTheDirectoryFlag) {
  Bytes b = info(fc::kStandard);
  EXPECT_EQ(hex(b), "0020000000000000" "8813000000000000" "01000000" "00" "00" "0000");
  Bytes d = info(fc::kStandard, dir_meta());
  ASSERT_EQ(d.size(), 24u);
  EXPECT_EQ(d[21], 1);
}

TEST(FileInfo, SmallFixedClasses) {
  EXPECT_EQ(hex(info(fc::kInternal)), "8877665544332211");
  EXPECT_EQ(hex(info(fc::kEa)), "00000000");
  EXPECT_EQ(hex(info(fc::kAccess)), "a9001200");
  EXPECT_EQ(hex(info(fc::kPosition)), "0000000000000000");
  EXPECT_EQ(hex(info(fc::kMode)), "00000000");
  EXPECT_EQ(hex(info(fc::kAlignment)), "00000000");
  EXPECT_EQ(hex(info(fc::kAttributeTag)), "21000000" "00000000");
  EXPECT_EQ(hex(info(fc::kAttributeTag, dir_meta())), "10000000" "00000000");
  EXPECT_EQ(hex(info(fc::kCompression)), "8813000000000000" "0000" "000000000000");
}

TEST(FileInfo, NameCarriesTheShareRelativePathWithABackslash) {
  Bytes b = info(fc::kName, file_meta(), "sources/install.wim");
  ASSERT_EQ(b.size(), 4u + 2 * 20);
  EXPECT_EQ(u32(b, 0), 40u);
  EXPECT_EQ(utf16_at(b, 4, 40), "\\sources\\install.wim");
  Bytes root = info(fc::kName, dir_meta(), "");
  EXPECT_EQ(hex(root), "02000000" "5c00");
}

TEST(FileInfo, NormalizedNameIsShareRelativeWithoutTheBackslash) {
  Bytes b = info(fc::kNormalizedName, file_meta(), "sources/install.wim");
  ASSERT_EQ(b.size(), 4u + 2 * 19);
  EXPECT_EQ(u32(b, 0), 38u);
  EXPECT_EQ(utf16_at(b, 4, 38), "sources\\install.wim");
  EXPECT_EQ(hex(info(fc::kNormalizedName, dir_meta(), "")), "00000000");
}

TEST(FileInfo, AllIs100BytesPlusTheNameLikeSambas120ForHelloTxt) {
  Bytes b = info(fc::kAll, file_meta(), "hello.txt");
  ASSERT_EQ(b.size(), 120u);  // Samba measured 120 bytes for \hello.txt (reference 2.10)
  EXPECT_EQ(Bytes(b.begin(), b.begin() + 40), info(fc::kBasic));
  EXPECT_EQ(Bytes(b.begin() + 40, b.begin() + 64), info(fc::kStandard));
  EXPECT_EQ(u64(b, 64), 0x1122334455667788u);  // Internal
  EXPECT_EQ(u32(b, 72), 0u);                   // Ea
  EXPECT_EQ(u32(b, 76), kReadOnlyAccess);      // Access
  EXPECT_EQ(u64(b, 80), 0u);                   // Position
  EXPECT_EQ(u32(b, 88), 0u);                   // Mode
  EXPECT_EQ(u32(b, 92), 0u);                   // Alignment
  EXPECT_EQ(u32(b, 96), 20u);                  // FileNameLength
  EXPECT_EQ(utf16_at(b, 100, 20), "\\hello.txt");
}

TEST(FileInfo, AccessAndAllReportTheHandlesGrantedAccess) {
  constexpr std::uint32_t kReadAttributesOnly = 0x00100080;  // FILE_READ_ATTRIBUTES | SYNCHRONIZE
  auto a = encode_file_info(fc::kAccess, file_meta(), "x", kReadAttributesOnly);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(hex(*a), "80001000");
  auto all = encode_file_info(fc::kAll, file_meta(), "x", kReadAttributesOnly);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(u32(*all, 76), kReadAttributesOnly);
  EXPECT_EQ(u64(*all, 64), 0x1122334455667788u);  // IndexNumber untouched
}

TEST(FileInfo, NetworkOpenIs56Bytes) {
  Bytes b = info(fc::kNetworkOpen);
  ASSERT_EQ(b.size(), 56u);
  Bytes basic = info(fc::kBasic);
  EXPECT_EQ(Bytes(b.begin(), b.begin() + 32), Bytes(basic.begin(), basic.begin() + 32));
  EXPECT_EQ(u64(b, 32), 8192u);
  EXPECT_EQ(u64(b, 40), 5000u);
  EXPECT_EQ(u32(b, 48), 0x21u);
  EXPECT_EQ(u32(b, 52), 0u);
}

TEST(FileInfo, StreamHasTheUnnamedDataStreamForFilesAndNothingForDirectories) {
  Bytes b = info(fc::kStream);
  ASSERT_EQ(b.size(), 24u + 14);
  EXPECT_EQ(u32(b, 0), 0u);
  EXPECT_EQ(u32(b, 4), 14u);
  EXPECT_EQ(u64(b, 8), 5000u);
  EXPECT_EQ(u64(b, 16), 8192u);
  EXPECT_EQ(utf16_at(b, 24, 14), "::$DATA");
  EXPECT_TRUE(info(fc::kStream, dir_meta()).empty());
}

TEST(FileInfo, AlternateNameIsTheShortNameOfTheLastComponent) {
  Bytes b = info(fc::kAlternateName, file_meta(), "sources/setup.exe");
  ASSERT_EQ(b.size(), 4u + 18);
  EXPECT_EQ(u32(b, 0), 18u);
  EXPECT_EQ(utf16_at(b, 4, 18), "setup.exe");
  // The root's is "." (Samba 4.17, measured).
  EXPECT_EQ(hex(info(fc::kAlternateName, dir_meta(), "")), "02000000" "2e00");
}

TEST(ShortName, EightDotThreeNamesStayAsTheyAre) {
  // What Samba 4.17 answered for Install.WIM and hello.txt (measured with impacket).
  EXPECT_EQ(short_name("Install.WIM"), "Install.WIM");
  EXPECT_EQ(short_name("hello.txt"), "hello.txt");
  EXPECT_EQ(short_name("BOOTMGR"), "BOOTMGR");
  EXPECT_EQ(short_name("a.b"), "a.b");
  EXPECT_EQ(short_name("12345678.123"), "12345678.123");
}

TEST(ShortName, LongOrOddNamesAreMangledTheSameWayEachTime) {
  for (std::string_view n : {"install-en-us.wim", "readme.html", "a b.txt", ".hidden", "two.dots.txt", "x.",
                             "123456789", "Caf\xc3\xa9.txt", "noext_but_long_name"}) {
    std::string s = short_name(n);
    SCOPED_TRACE(std::string(n) + " -> " + s);
    EXPECT_EQ(short_name(n), s);
    std::size_t tilde = s.find('~');
    ASSERT_NE(tilde, std::string::npos);
    EXPECT_LE(tilde, 4u);
    std::size_t dot = s.find('.');
    EXPECT_LE(dot == std::string::npos ? s.size() : dot, 8u);
    if (dot != std::string::npos) {
      EXPECT_LE(s.size() - dot - 1, 3u);
    }
    for (char c : s)
      EXPECT_TRUE((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '~' || c == '.' || c == '_' || c == '-')
          << c;
  }
  EXPECT_EQ(short_name("readme.html").substr(0, 5), "READ~");
  EXPECT_EQ(short_name("readme.html").substr(8), ".HTM");
  EXPECT_EQ(short_name("INSTALL-EN-US.WIM"), short_name("install-en-us.wim"));  // case-folded hash
  EXPECT_NE(short_name("install-en-us.wim"), short_name("install-de-de.wim"));
}

TEST(FileInfo, RefusedClassesCarryTheirStatus) {
  EXPECT_EQ(encode_file_info(fc::kFullEa, file_meta(), "a").error().code, st::kNoEasOnFile);
  for (std::uint8_t c : {0, 1, 2, 3, 10, 12, 13, 19, 59, 60, 255})
    EXPECT_EQ(encode_file_info(c, file_meta(), "a").error().code, st::kInvalidInfoClass) << int(c);
}

VolumeInfo volume() {
  VolumeInfo v;
  v.label = "CCCOMA_X64FRE";
  v.serial = 0x7a7c39fa;
  v.creation = 0x01D9000000000001;
  v.total_units = 1234567;
  v.free_units = 0;
  v.sectors_per_unit = 1;
  v.bytes_per_sector = 4096;
  return v;
}

Bytes fsinfo(std::uint8_t c) {
  auto r = encode_fs_info(c, volume());
  EXPECT_TRUE(r.ok()) << "class " << int(c);
  return r.ok() ? *r : Bytes{};
}

TEST(FsInfo, VolumeIs18BytesPlusTheLabel) {
  Bytes b = fsinfo(fs::kVolume);
  ASSERT_EQ(b.size(), 18u + 26);
  EXPECT_EQ(u64(b, 0), 0x01D9000000000001u);
  EXPECT_EQ(u32(b, 8), 0x7a7c39fau);
  EXPECT_EQ(u32(b, 12), 26u);
  EXPECT_EQ(b[16], 0);
  EXPECT_EQ(utf16_at(b, 18, 26), "CCCOMA_X64FRE");
}

TEST(FsInfo, SizeAndFullSize) {
  EXPECT_EQ(hex(fsinfo(fs::kSize)), "87d6120000000000" "0000000000000000" "01000000" "00100000");
  EXPECT_EQ(hex(fsinfo(fs::kFullSize)),
            "87d6120000000000" "0000000000000000" "0000000000000000" "01000000" "00100000");
}

TEST(FsInfo, DeviceIsAReadOnlyMountedDisk) { EXPECT_EQ(hex(fsinfo(fs::kDevice)), "07000000" "22000000"); }

TEST(FsInfo, AttributeSaysReadOnlyVolumeAndNtfs) {
  Bytes b = fsinfo(fs::kAttribute);
  ASSERT_EQ(b.size(), 12u + 8);
  EXPECT_EQ(u32(b, 0), 0x00080006u);
  EXPECT_EQ(u32(b, 4), 255u);
  EXPECT_EQ(u32(b, 8), 8u);
  EXPECT_EQ(utf16_at(b, 12, 8), "NTFS");
}

TEST(FsInfo, ObjectIdAndSectorSize) {
  EXPECT_EQ(fsinfo(fs::kObjectId), Bytes(64, 0));
  EXPECT_EQ(hex(fsinfo(fs::kSectorSize)),
            "00100000" "00100000" "00100000" "00100000" "03000000" "00000000" "00000000");
}

TEST(FsInfo, UnknownClassesAreRefused) {
  EXPECT_EQ(encode_fs_info(fs::kControl, volume()).error().code, st::kNotSupported);
  for (std::uint8_t c : {0, 2, 9, 10, 12, 13, 14, 255})
    EXPECT_EQ(encode_fs_info(c, volume()).error().code, st::kInvalidInfoClass) << int(c);
}

// --- security descriptor ---

constexpr std::string_view kAdministrators = "010200000000000520000000" "20020000";  // S-1-5-32-544
constexpr std::string_view kEveryone = "010100000000000100000000";                 // S-1-1-0

TEST(SecurityDescriptor, OwnerGroupAndDaclIsSelfRelativeWithEveryoneReadExecute) {
  Bytes b = encode_security_descriptor(1 | 2 | 4);
  std::string want = std::string("01" "00" "0480")              // revision 1, SE_SELF_RELATIVE|SE_DACL_PRESENT
                     + "14000000" "24000000" "00000000" "34000000"  // owner 20, group 36, no SACL, DACL 52
                     + std::string(kAdministrators) + std::string(kAdministrators)
                     + "02" "00" "1c00" "0100" "0000"             // ACL rev 2, size 28, 1 ACE
                     + "00" "00" "1400" "a9001200" + std::string(kEveryone);  // ALLOWED, 20 bytes, 0x001200A9
  EXPECT_EQ(hex(b), want);
  EXPECT_EQ(b.size(), 80u);
}

TEST(SecurityDescriptor, OnlyThePartsAskedFor) {
  Bytes owner = encode_security_descriptor(1);
  EXPECT_EQ(hex(owner), "01000080" "14000000" "00000000" "00000000" "00000000" + std::string(kAdministrators));
  Bytes dacl = encode_security_descriptor(4);
  ASSERT_EQ(dacl.size(), 20u + 28);
  EXPECT_EQ(u32(dacl, 16), 20u);
  EXPECT_EQ(u32(dacl, 4), 0u);
  Bytes none = encode_security_descriptor(0);
  EXPECT_EQ(hex(none), "01000080" + std::string(32, '0'));
  // SACL (8) and the label/attribute bits are not ours to give: ignored.
  EXPECT_EQ(encode_security_descriptor(8), none);
  EXPECT_EQ(encode_security_descriptor(0xF), encode_security_descriptor(7));
}

// --- search patterns ([MS-FSA] 2.1.4.4) ---

TEST(MatchPattern, StarAndQuestionMark) {
  EXPECT_TRUE(match_pattern("setup.exe", "*"));
  EXPECT_TRUE(match_pattern("setup.exe", ""));
  EXPECT_TRUE(match_pattern("setup.exe", "*.exe"));
  EXPECT_TRUE(match_pattern("setup.exe", "s*"));
  EXPECT_TRUE(match_pattern("setup.exe", "*up*"));
  EXPECT_TRUE(match_pattern("setup.exe", "set?p.exe"));
  EXPECT_TRUE(match_pattern("setup.exe", "?????????"));
  EXPECT_FALSE(match_pattern("setup.exe", "????????"));
  EXPECT_FALSE(match_pattern("setup.exe", "*.dll"));
  EXPECT_FALSE(match_pattern("setup.exe", "setup"));
  EXPECT_TRUE(match_pattern("a.b.c", "*.c"));
  EXPECT_FALSE(match_pattern("abc", "*.*"));  // no dot in the name: the NT rule (Win32 sends "*" for "*.*")
  EXPECT_TRUE(match_pattern("", "*"));
  EXPECT_FALSE(match_pattern("", "?"));
}

TEST(MatchPattern, IsCaseInsensitiveAndMatchesExactNames) {
  EXPECT_TRUE(match_pattern("Setup.EXE", "setup.exe"));
  EXPECT_TRUE(match_pattern("setup.exe", "SETUP.EXE"));
  EXPECT_TRUE(match_pattern("Caf\xc3\xa9.txt", "CAF\xc3\x89*"));
  EXPECT_FALSE(match_pattern("setup.exe", "setup.ex"));
}

TEST(MatchPattern, QuestionMarkIsOneCharacterNotOneByte) {
  EXPECT_TRUE(match_pattern("\xc3\xa9", "?"));
  EXPECT_TRUE(match_pattern("a\xe2\x82\xac" "b", "a?b"));
  EXPECT_FALSE(match_pattern("\xc3\xa9", "??"));
}

TEST(MatchPattern, DosStarMatchesUpToTheLastDot) {
  EXPECT_TRUE(match_pattern("setup.exe", "<.exe"));
  EXPECT_TRUE(match_pattern("a.b.exe", "<.exe"));
  EXPECT_TRUE(match_pattern("noext", "<"));
  EXPECT_FALSE(match_pattern("a.b", "<"));
  EXPECT_TRUE(match_pattern("a.b", "<.*"));
  EXPECT_TRUE(match_pattern("a.b.c", "<.b.c"));  // '<' may stop before an earlier dot too
}

TEST(MatchPattern, DosDotMatchesAPeriodOrTheEnd) {
  // "*." as Win32 sends it: '<' '"' — names without an extension.
  EXPECT_TRUE(match_pattern("readme", "<\""));
  EXPECT_TRUE(match_pattern("readme.", "<\""));
  EXPECT_FALSE(match_pattern("readme.txt", "<\""));
  EXPECT_TRUE(match_pattern("a.txt", "a\"txt"));
  EXPECT_TRUE(match_pattern("a", "a\""));
  EXPECT_FALSE(match_pattern("ab", "a\"b"));
}

TEST(MatchPattern, DosQuestionMarkStopsAtAPeriodOrTheEnd) {
  // "????????.???" as Win32 sends it: '>' x8 '"' '>' x3 — any 8.3 name.
  std::string eight_three = std::string(8, '>') + "\"" + std::string(3, '>');
  EXPECT_TRUE(match_pattern("setup.exe", eight_three));
  EXPECT_TRUE(match_pattern("autorun.inf", eight_three));
  EXPECT_TRUE(match_pattern("bootmgr", eight_three));
  EXPECT_TRUE(match_pattern("a.b", eight_three));
  EXPECT_FALSE(match_pattern("longername.exe", eight_three));
  EXPECT_FALSE(match_pattern("setup.exe1", eight_three));
  EXPECT_TRUE(match_pattern("ab", ">>"));
  EXPECT_TRUE(match_pattern("a", ">>"));
  EXPECT_FALSE(match_pattern("abc", ">>"));
}

TEST(MatchPattern, LongInputsStayLinear) {
  std::string name(255, 'a');
  std::string pat;
  for (int i = 0; i < 2000; ++i) pat += "*a";
  EXPECT_FALSE(match_pattern(name, pat + "b"));
  EXPECT_TRUE(match_pattern(name, std::string(100, '*') + "a"));
}

// --- QUERY_DIRECTORY entries ---

DirEntry entry(std::string name = "hello.txt", FileMeta m = file_meta()) { return DirEntry{std::move(name), m}; }

Bytes dir_entry(std::uint8_t c, const DirEntry& e = entry()) {
  ByteWriter w;
  w.u8(0xEE);  // something already in the buffer: the entry is appended after it
  std::size_t n = encode_dir_entry(c, e, w);
  EXPECT_EQ(n + 1, w.size());
  Bytes b = w.take();
  EXPECT_EQ(b[0], 0xEE);
  return Bytes(b.begin() + 1, b.end());
}

void expect_common_header(const Bytes& b) {
  EXPECT_EQ(u32(b, 0), 0u);  // NextEntryOffset
  EXPECT_EQ(u32(b, 4), 0u);  // FileIndex
  EXPECT_EQ(u64(b, 8), 0x01D9000000000001u);
  EXPECT_EQ(u64(b, 32), 0x01D9000000000004u);
  EXPECT_EQ(u64(b, 40), 5000u);  // EndOfFile
  EXPECT_EQ(u64(b, 48), 8192u);  // AllocationSize
  EXPECT_EQ(u32(b, 56), 0x21u);
  EXPECT_EQ(u32(b, 60), 18u);    // FileNameLength
}

TEST(DirEntryEncoding, FixedSizesPerClass) {
  struct Case { std::uint8_t c; std::size_t fixed; };
  for (Case k : {Case{fc::kDirectory, 64}, Case{fc::kFullDirectory, 68}, Case{fc::kBothDirectory, 94},
                 Case{fc::kNames, 12}, Case{fc::kIdBothDirectory, 104}, Case{fc::kIdFullDirectory, 80},
                 Case{fc::kIdExtdDirectory, 88}}) {
    Bytes b = dir_entry(k.c);
    ASSERT_EQ(b.size(), k.fixed + 18) << int(k.c);
    EXPECT_EQ(utf16_at(b, k.fixed, 18), "hello.txt") << int(k.c);
    EXPECT_TRUE(dir_class_supported(k.c));
  }
}

TEST(DirEntryEncoding, DirectoryAndFullDirectory) {
  Bytes d = dir_entry(fc::kDirectory);
  expect_common_header(d);
  Bytes f = dir_entry(fc::kFullDirectory);
  expect_common_header(f);
  EXPECT_EQ(u32(f, 64), 0u);  // EaSize
}

TEST(DirEntryEncoding, BothAndIdBothCarryTheShortNameOfANameThatIsNot83) {
  for (std::uint8_t c : {fc::kBothDirectory, fc::kIdBothDirectory}) {
    const std::size_t fixed = c == fc::kBothDirectory ? 94 : 104;
    Bytes b = dir_entry(c, entry("long file name.txt"));
    std::string sn = short_name("long file name.txt");
    ASSERT_EQ(sn.substr(0, 5), "LONG~");
    EXPECT_EQ(b[68], 2 * sn.size()) << int(c);  // ShortNameLength in bytes
    EXPECT_EQ(b[69], 0);                        // Reserved
    EXPECT_EQ(utf16_at(b, 70, 2 * sn.size()), sn);
    for (std::size_t i = 70 + 2 * sn.size(); i < 94; ++i) EXPECT_EQ(b[i], 0) << i;  // zero-padded
    EXPECT_EQ(utf16_at(b, fixed, 36), "long file name.txt");  // the long name is kept
    // A 12-character short name fills the field.
    Bytes x = dir_entry(c, entry("install-en-us.wim"));
    EXPECT_EQ(x[68], 24);
    EXPECT_EQ(utf16_at(x, 70, 24), short_name("install-en-us.wim"));
    // ".", ".." and a dot file (Samba: "_K2YOL~D" for ".hidden").
    EXPECT_EQ(dir_entry(c, entry("."))[68], 0);
    EXPECT_EQ(dir_entry(c, entry(".."))[68], 0);
    Bytes h = dir_entry(c, entry(".hidden"));
    EXPECT_EQ(utf16_at(h, 70, h[68]), short_name(".hidden"));
  }
}

TEST(DirEntryEncoding, BothAndIdBothHaveAnEmptyShortNameForAn83Name) {
  Bytes b = dir_entry(fc::kBothDirectory);
  expect_common_header(b);
  EXPECT_EQ(u32(b, 64), 0u);
  EXPECT_EQ(b[68], 0);  // ShortNameLength
  EXPECT_EQ(Bytes(b.begin() + 70, b.begin() + 94), Bytes(24, 0));
  Bytes i = dir_entry(fc::kIdBothDirectory);
  expect_common_header(i);
  EXPECT_EQ(i[68], 0);
  EXPECT_EQ(u64(i, 96), 0x1122334455667788u);  // FileId
}

TEST(DirEntryEncoding, IdFullAndIdExtdCarryTheFileId) {
  Bytes f = dir_entry(fc::kIdFullDirectory);
  expect_common_header(f);
  EXPECT_EQ(u32(f, 64), 0u);
  EXPECT_EQ(u32(f, 68), 0u);
  EXPECT_EQ(u64(f, 72), 0x1122334455667788u);
  Bytes x = dir_entry(fc::kIdExtdDirectory);
  expect_common_header(x);
  EXPECT_EQ(u32(x, 68), 0u);  // ReparsePointTag
  EXPECT_EQ(u64(x, 72), 0x1122334455667788u);
  EXPECT_EQ(u64(x, 80), 0u);
}

TEST(DirEntryEncoding, NamesIsJustTheName) {
  Bytes b = dir_entry(fc::kNames, entry("a"));
  EXPECT_EQ(hex(b), "00000000" "00000000" "02000000" "6100");
}

TEST(DirEntryEncoding, DotEntriesAndDirectories) {
  Bytes b = dir_entry(fc::kIdBothDirectory, entry("..", dir_meta()));
  ASSERT_EQ(b.size(), 104u + 4);
  EXPECT_EQ(u32(b, 56), 0x10u);
  EXPECT_EQ(utf16_at(b, 104, 4), "..");
}

TEST(DirEntryEncoding, UnknownClassesWriteNothing) {
  for (std::uint8_t c : {0, 4, 5, 18, 50, 61, 255}) {
    ByteWriter w;
    EXPECT_EQ(encode_dir_entry(c, entry(), w), 0u) << int(c);
    EXPECT_EQ(w.size(), 0u);
    EXPECT_FALSE(dir_class_supported(c));
  }
}

}  // namespace
}  // namespace pxe::proto::smb2
