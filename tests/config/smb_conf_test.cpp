// smb.conf reader: the first seed's file as its author wrote it, every key read, the lines skipped
// with a warning, and errors that name the file, the line and the reason.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "config/smb_conf.h"
#include "support/seed_configs.h"
#include "support/test_paths.h"

namespace pxe::config {
namespace {

// test::kSeedSmbConf is the first seed's smb.conf; tests/fuzz/corpus/smb_conf/seed000.conf holds
// the same bytes (checked below), so the fuzzer starts from it.

Result<SmbSettings> parse(const std::string& text, const std::string& name = "smb.conf") {
  std::istringstream in(text);
  return parse_smb_conf(in, name);
}

// The settings of a file that must read; a failure shows the error.
SmbSettings ok(const std::string& text) {
  auto r = parse(text);
  EXPECT_TRUE(r.ok()) << r.error().what;
  return r.ok() ? *r : SmbSettings{};
}

std::string error_of(const std::string& text) {
  auto r = parse(text);
  EXPECT_FALSE(r.ok());
  return r.ok() ? std::string() : r.error().what;
}

bool has_warning(const SmbSettings& s, const std::string& text) {
  return std::any_of(s.warnings.begin(), s.warnings.end(), [&](const std::string& w) { return w == text; });
}

std::string all_warnings(const SmbSettings& s) {
  std::string out;
  for (const auto& w : s.warnings) out += w + "\n";
  return out;
}

TEST(SmbConf, ReadsTheFirstSeedAsItsAuthorMeantIt) {
  auto s = ok(test::kSeedSmbConf);
  EXPECT_EQ(s.map_to_guest, MapToGuest::BadUser);  // not "Bad User # Required"
  EXPECT_EQ(s.workgroup, "HOME");
  EXPECT_EQ(s.min_protocol, SmbDialect::Smb2_10);  // Samba's "SMB2"
  EXPECT_EQ(s.max_protocol, SmbDialect::Smb3_11);  // Samba's "SMB3"
  EXPECT_EQ(s.signing, SmbSigning::Auto);
  ASSERT_EQ(s.shares.size(), 1u);
  EXPECT_EQ(s.shares[0].name, "guest");
  EXPECT_EQ(s.shares[0].path, "/tmp/win10iso");
  EXPECT_TRUE(s.shares[0].read_only);
  EXPECT_TRUE(s.shares[0].guest_ok);
  EXPECT_TRUE(s.shares[0].browseable);
  EXPECT_EQ(s.shares[0].line, 18u);
  // WinPE asks for \\192.168.42.1\GUEST: share names compare without case.
  EXPECT_EQ(s.find_share("GUEST"), &s.shares[0]);
}

TEST(SmbConf, WarnsAboutEachSeedLineItSkipsAndEachTrailingComment) {
  auto s = ok(test::kSeedSmbConf);
  const std::vector<std::string> expected = {
      "smb.conf:2: '# Required' read as a comment; Samba would keep it in the value",
      "smb.conf:4: 'log level' is not used by pxekit: ignored",
      "smb.conf:5: 'unix extensions' is not used by pxekit: ignored",
      "smb.conf:6: 'client min protocol' is not used by pxekit: ignored",
      "smb.conf:7: 'client max protocol' is not used by pxekit: ignored",
      "smb.conf:12: 'state directory' is not used by pxekit: ignored",
      "smb.conf:13: 'pid directory' is not used by pxekit: ignored",
      "smb.conf:14: 'cache directory' is not used by pxekit: ignored",
      "smb.conf:15: 'lock directory' is not used by pxekit: ignored",
      "smb.conf:19: '# Required' read as a comment; Samba would keep it in the value",
      "smb.conf:21: '# Required' read as a comment; Samba would keep it in the value",
  };
  EXPECT_EQ(s.warnings, expected);
}

TEST(SmbConf, TheFuzzCorpusHoldsTheSeedVerbatim) {
  EXPECT_EQ(test::read_file(test::source_dir() + "/tests/fuzz/corpus/smb_conf/seed000.conf"), test::kSeedSmbConf);
}

TEST(SmbConf, LoadsAFileAndNamesItInMessages) {
  test::TempDir dir("smbconf");
  auto path = (dir / "smb.conf").string();
  test::write_file(path, test::kSeedSmbConf);
  auto s = load_smb_conf(path);
  ASSERT_TRUE(s.ok()) << s.error().what;
  EXPECT_EQ(s->shares.size(), 1u);
  EXPECT_EQ(s->warnings.at(0).rfind(path + ":2: ", 0), 0u) << s->warnings.at(0);
  test::write_file(path, "[guest]\nguest ok = maybe\n");
  auto bad = load_smb_conf(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().what, path + ":2: guest ok: expected yes/no (true/false, 1/0, on/off), found 'maybe'");
}

TEST(SmbConf, RefusesAMissingFileOrADirectory) {
  test::TempDir dir("smbconf");
  auto missing = load_smb_conf((dir / "none.conf").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().what.find("none.conf: not a regular file"), std::string::npos);
  EXPECT_FALSE(load_smb_conf(dir.path().string()).ok());
}

TEST(SmbConf, RefusesAFileLargerThanAnyConfiguration) {
  test::TempDir dir("smbconf");
  auto path = (dir / "big.conf").string();
  test::write_file(path, std::string(kMaxSmbConfBytes + 1, '#'));
  auto r = load_smb_conf(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().what.find("larger than"), std::string::npos);
}

TEST(SmbConf, DefaultsAreSambas) {
  auto s = ok("[global]\n[data]\npath = /srv\n");
  EXPECT_EQ(s.workgroup, "WORKGROUP");
  EXPECT_EQ(s.map_to_guest, MapToGuest::Never);
  EXPECT_EQ(s.min_protocol, SmbDialect::Smb2_02);
  EXPECT_EQ(s.max_protocol, SmbDialect::Smb3_11);
  EXPECT_EQ(s.signing, SmbSigning::Auto);
  EXPECT_EQ(s.guest_account, "nobody");
  EXPECT_EQ(s.port, 445);
  ASSERT_EQ(s.shares.size(), 1u);
  EXPECT_TRUE(s.shares[0].read_only);
  EXPECT_FALSE(s.shares[0].guest_ok);
  EXPECT_TRUE(s.shares[0].browseable);
  EXPECT_TRUE(s.warnings.empty()) << all_warnings(s);
}

TEST(SmbConf, KeysIgnoreCaseAndBlanksAsInSamba) {
  auto s = ok("[GLOBAL]\nMap To Guest = bad user\nMAPTOGUEST=Bad Password\n[s]\nPATH=/x\n  Guest   OK = Yes\nReadOnly = No\n");
  EXPECT_EQ(s.map_to_guest, MapToGuest::BadPassword);  // the last value wins
  ASSERT_EQ(s.shares.size(), 1u);
  EXPECT_TRUE(s.shares[0].guest_ok);
  EXPECT_FALSE(s.shares[0].read_only);
}

TEST(SmbConf, ReadsEveryShareKeyAndItsSynonyms) {
  auto s = ok(
      "[a]\n"
      "path = /srv/a\n"
      "read only = no\n"
      "guest ok = yes\n"
      "browseable = no\n"
      "comment = Windows  10   install\n"
      "valid users = alice, bob @admins\n"
      "[b]\n"
      "directory = /srv/b\n"
      "writable = no\n"
      "public = true\n"
      "browsable = 0\n"
      "[c]\n"
      "path = /srv/c\n"
      "writeable = yes\n"
      "[d]\n"
      "path = /srv/d\n"
      "write ok = off\n"
      "readonly = on\n");
  ASSERT_EQ(s.shares.size(), 4u);
  const auto& a = s.shares[0];
  EXPECT_EQ(a.path, "/srv/a");
  EXPECT_FALSE(a.read_only);
  EXPECT_TRUE(a.guest_ok);
  EXPECT_FALSE(a.browseable);
  EXPECT_EQ(a.comment, "Windows 10 install");  // runs of blanks count as one, as in Samba
  EXPECT_EQ(a.valid_users, (std::vector<std::string>{"alice", "bob", "@admins"}));
  const auto& b = s.shares[1];
  EXPECT_EQ(b.path, "/srv/b");
  EXPECT_TRUE(b.read_only);
  EXPECT_TRUE(b.guest_ok);
  EXPECT_FALSE(b.browseable);
  EXPECT_FALSE(s.shares[2].read_only);
  EXPECT_TRUE(s.shares[3].read_only);
  EXPECT_TRUE(has_warning(s, "smb.conf:3: read only = no: pxekit serves shares read-only")) << all_warnings(s);
  EXPECT_TRUE(has_warning(s, "smb.conf:15: writeable = yes: pxekit serves shares read-only")) << all_warnings(s);
}

TEST(SmbConf, ReadsEveryGlobalKey) {
  auto s = ok(
      "[global]\n"
      "map to guest = Bad User\n"
      "server min protocol = SMB2_02\n"
      "server max protocol = SMB3_02\n"
      "server signing = mandatory\n"
      "guest account = pxeguest\n"
      "workgroup = lab\n"
      "netbios name = pxe-server\n"
      "server string = PXE  install media\n"
      "smb ports = 4450\n");
  EXPECT_EQ(s.map_to_guest, MapToGuest::BadUser);
  EXPECT_EQ(s.min_protocol, SmbDialect::Smb2_02);
  EXPECT_EQ(s.max_protocol, SmbDialect::Smb3_02);
  EXPECT_EQ(s.signing, SmbSigning::Required);
  EXPECT_EQ(s.guest_account, "pxeguest");
  EXPECT_EQ(s.workgroup, "LAB");
  EXPECT_EQ(s.netbios_name, "PXE-SERVER");
  EXPECT_EQ(s.server_string, "PXE install media");
  EXPECT_EQ(s.port, 4450);
  EXPECT_TRUE(s.warnings.empty()) << all_warnings(s);
}

TEST(SmbConf, MapToGuestValues) {
  EXPECT_EQ(ok("[global]\nmap to guest = Never\n").map_to_guest, MapToGuest::Never);
  EXPECT_EQ(ok("[global]\nmap to guest = bad user\n").map_to_guest, MapToGuest::BadUser);
  EXPECT_EQ(ok("[global]\nmap to guest = Bad Password\n").map_to_guest, MapToGuest::BadPassword);
  auto uid = ok("[global]\nmap to guest = Bad Uid\n");
  EXPECT_EQ(uid.map_to_guest, MapToGuest::Never);
  EXPECT_TRUE(has_warning(uid, "smb.conf:2: map to guest = Bad Uid: only a domain member uses it; read as Never"))
      << all_warnings(uid);
  EXPECT_EQ(error_of("[global]\nmap to guest = Sometimes\n"),
            "smb.conf:2: map to guest: expected Never, Bad User or Bad Password, found 'Sometimes'");
}

TEST(SmbConf, ProtocolNamesAsSambaReadsThem) {
  struct Case {
    const char* name;
    SmbDialect dialect;
  };
  for (auto c : {Case{"NT1", SmbDialect::Nt1}, Case{"SMB2", SmbDialect::Smb2_10}, Case{"smb2_02", SmbDialect::Smb2_02},
                 Case{"SMB2_10", SmbDialect::Smb2_10}, Case{"SMB3", SmbDialect::Smb3_11},
                 Case{"SMB3_00", SmbDialect::Smb3_00}, Case{"SMB3_02", SmbDialect::Smb3_02},
                 Case{"SMB3_11", SmbDialect::Smb3_11}}) {
    auto s = ok(std::string("[global]\nmin protocol = ") + c.name + "\n");
    EXPECT_EQ(s.min_protocol, c.dialect) << c.name;
    if (c.dialect != SmbDialect::Nt1) {
      EXPECT_EQ(ok(std::string("[global]\nmax protocol = ") + c.name + "\n").max_protocol, c.dialect) << c.name;
      EXPECT_EQ(ok(std::string("[global]\nserver max protocol = ") + c.name + "\n").max_protocol, c.dialect) << c.name;
      EXPECT_EQ(ok(std::string("[global]\nprotocol = ") + c.name + "\n").max_protocol, c.dialect) << c.name;
    }
    EXPECT_EQ(ok(std::string("[global]\nserver min protocol = ") + c.name + "\n").min_protocol, c.dialect) << c.name;
  }
  auto lanman = ok("[global]\nmin protocol = LANMAN2\n");
  EXPECT_EQ(lanman.min_protocol, SmbDialect::Nt1);
  EXPECT_TRUE(has_warning(lanman, "smb.conf:2: min protocol = LANMAN2: pxekit has no SMB1 dialect before NT1; read as NT1"))
      << all_warnings(lanman);
  auto dflt = ok("[global]\nmin protocol = SMB3\nmin protocol = default\nmax protocol = SMB2\nmax protocol = default\n");
  EXPECT_EQ(dflt.min_protocol, SmbDialect::Smb2_02);
  EXPECT_EQ(dflt.max_protocol, SmbDialect::Smb3_11);
}

TEST(SmbConf, ServerSigningValues) {
  EXPECT_EQ(ok("[global]\nserver signing = auto\n").signing, SmbSigning::Auto);
  EXPECT_EQ(ok("[global]\nserver signing = default\n").signing, SmbSigning::Auto);
  EXPECT_EQ(ok("[global]\nserver signing = mandatory\n").signing, SmbSigning::Required);
  EXPECT_EQ(ok("[global]\nserver signing = Required\n").signing, SmbSigning::Required);
  EXPECT_EQ(ok("[global]\nserver signing = disabled\n").signing, SmbSigning::Disabled);
  EXPECT_EQ(ok("[global]\nserver signing = no\n").signing, SmbSigning::Disabled);
  EXPECT_EQ(error_of("[global]\n\nserver signing = sometimes\n"),
            "smb.conf:3: server signing: expected auto, mandatory (required) or disabled, found 'sometimes'");
}

TEST(SmbConf, ServerMultiChannelSupportIsABooleanOnByDefault) {
  EXPECT_TRUE(ok("[global]\nworkgroup = w\n").multi_channel);
  EXPECT_FALSE(ok("[global]\nserver multi channel support = no\n").multi_channel);
  EXPECT_TRUE(ok("[global]\nserver multi channel support = yes\n").multi_channel);
  EXPECT_EQ(error_of("[global]\nserver multi channel support = maybe\n"),
            "smb.conf:2: server multi channel support: expected yes/no (true/false, 1/0, on/off), found 'maybe'");
}

TEST(SmbConf, BooleansAreSambas) {
  for (auto t : {"yes", "YES", "true", "True", "1", "on"}) EXPECT_TRUE(ok(std::string("[s]\npath=/x\nguest ok = ") + t + "\n").shares[0].guest_ok) << t;
  for (auto f : {"no", "No", "false", "0", "off"}) EXPECT_FALSE(ok(std::string("[s]\npath=/x\nguest ok = ") + f + "\n").shares[0].guest_ok) << f;
}

TEST(SmbConf, ShareKeysInGlobalAreEveryShareDefault) {
  auto s = ok("[global]\nguest ok = yes\nbrowseable = no\n[a]\npath = /a\n[b]\npath = /b\nguest ok = no\n");
  ASSERT_EQ(s.shares.size(), 2u);
  EXPECT_TRUE(s.shares[0].guest_ok);
  EXPECT_FALSE(s.shares[0].browseable);
  EXPECT_FALSE(s.shares[1].guest_ok);
  EXPECT_FALSE(s.shares[1].browseable);
}

TEST(SmbConf, GlobalKeysInAShareAreIgnoredWithAWarning) {
  auto s = ok("[global]\nworkgroup = a\n[s]\npath = /x\nworkgroup = b\nserver signing = mandatory\n");
  EXPECT_EQ(s.workgroup, "A");
  EXPECT_EQ(s.signing, SmbSigning::Auto);
  EXPECT_TRUE(has_warning(s, "smb.conf:5: 'workgroup' is a [global] key: ignored in [s]")) << all_warnings(s);
  EXPECT_TRUE(has_warning(s, "smb.conf:6: 'server signing' is a [global] key: ignored in [s]")) << all_warnings(s);
}

TEST(SmbConf, ASectionAgainGoesOnWhereItLeftOff) {
  auto s = ok("[data]\npath = /a\n[other]\npath = /o\n[DATA]\nguest ok = yes\n");
  ASSERT_EQ(s.shares.size(), 2u);
  EXPECT_EQ(s.shares[0].name, "data");
  EXPECT_EQ(s.shares[0].path, "/a");
  EXPECT_TRUE(s.shares[0].guest_ok);
}

TEST(SmbConf, CommentsAtTheStartOfALineWithHashOrSemicolon) {
  auto s = ok("# a comment\n; another\n  # indented\n[global]\n;workgroup = x\n#workgroup = y\n");
  EXPECT_EQ(s.workgroup, "WORKGROUP");
  EXPECT_TRUE(s.warnings.empty()) << all_warnings(s);
}

TEST(SmbConf, TrailingCommentsEndTheValueButNotASemicolonOrAHashInAWord) {
  auto s = ok("[s]\npath = /srv/a#b\ncomment = one; two\n[t]\npath = /srv/t\t# the media\ncomment = \"Disk #1\"\n");
  ASSERT_EQ(s.shares.size(), 2u);
  EXPECT_EQ(s.shares[0].path, "/srv/a#b");
  EXPECT_EQ(s.shares[0].comment, "one; two");
  EXPECT_EQ(s.shares[1].path, "/srv/t");
  EXPECT_EQ(s.shares[1].comment, "\"Disk #1\"");  // quotes kept, as Samba keeps them
  EXPECT_TRUE(has_warning(s, "smb.conf:5: '# the media' read as a comment; Samba would keep it in the value"))
      << all_warnings(s);
  EXPECT_EQ(s.warnings.size(), 1u) << all_warnings(s);
}

TEST(SmbConf, ABackslashAtTheEndContinuesTheLine) {
  auto s = ok("[global]\nserver string = install \\\n   media\nworkgroup = \\\nlab\n[s]\npath = /srv/\\\nwin10\n");
  EXPECT_EQ(s.server_string, "install media");
  EXPECT_EQ(s.workgroup, "LAB");
  ASSERT_EQ(s.shares.size(), 1u);
  EXPECT_EQ(s.shares[0].path, "/srv/win10");
}

TEST(SmbConf, AContinuedLineIsNamedByItsFirstLine) {
  EXPECT_EQ(error_of("[s]\npath = /x\nguest ok = \\\nmaybe\n"),
            "smb.conf:3: guest ok: expected yes/no (true/false, 1/0, on/off), found 'maybe'");
}

TEST(SmbConf, ACommentLineDoesNotContinue) {
  // Measured with testparm: the line after "# ... \" is read.
  auto s = ok("[s]\n# note \\\npath = /x\n");
  ASSERT_EQ(s.shares.size(), 1u);
  EXPECT_EQ(s.shares[0].path, "/x");
}

TEST(SmbConf, ReadsAFileWrittenOnWindows) {
  auto s = ok("[global]\r\nmap to guest = Bad User\r\n[guest]\r\npath = /tmp/win10iso\r\nguest ok = yes\r\n");
  EXPECT_EQ(s.map_to_guest, MapToGuest::BadUser);
  ASSERT_EQ(s.shares.size(), 1u);
  EXPECT_EQ(s.shares[0].path, "/tmp/win10iso");
  EXPECT_TRUE(s.shares[0].guest_ok);
}

TEST(SmbConf, HomesPrintersAndIpcAreSkippedWithAWarning) {
  auto s = ok("[homes]\nbrowseable = maybe\n[printers]\npath = /var/spool\n[IPC$]\npath = /x\n[s]\npath = /s\n");
  ASSERT_EQ(s.shares.size(), 1u);
  EXPECT_EQ(s.shares[0].name, "s");
  const std::vector<std::string> expected = {
      "smb.conf:1: [homes] skipped: pxekit serves no home directories or printers",
      "smb.conf:3: [printers] skipped: pxekit serves no home directories or printers",
      "smb.conf:5: [IPC$] skipped: pxekit provides IPC$ itself",
  };
  EXPECT_EQ(s.warnings, expected);
}

TEST(SmbConf, IncludeIsNotSupported) {
  auto s = ok("[global]\ninclude = /etc/samba/extra.conf\n");
  EXPECT_EQ(s.warnings, std::vector<std::string>{"smb.conf:2: include = /etc/samba/extra.conf: not supported, the file is not read"});
}

TEST(SmbConf, OtherLinesAreIgnoredWithAWarningNamingTheKey) {
  auto s = ok("[global]\nlog level = 5\n[s]\npath = /s\nforce user = root\nthis line has no equals sign\n");
  const std::vector<std::string> expected = {
      "smb.conf:2: 'log level' is not used by pxekit: ignored",
      "smb.conf:5: 'force user' is not used by pxekit: ignored",
      "smb.conf:6: 'this line has no equals sign' is no `key = value` line: ignored",
  };
  EXPECT_EQ(s.warnings, expected);
}

TEST(SmbConf, AShareWithoutPathIsLeftOut) {
  auto s = ok("[global]\n\n[empty]\ncomment = nothing here\n[s]\npath = /s\n");
  ASSERT_EQ(s.shares.size(), 1u);
  EXPECT_EQ(s.shares[0].name, "s");
  EXPECT_EQ(s.warnings, std::vector<std::string>{"smb.conf:3: share [empty] has no path: not served"});
}

TEST(SmbConf, SectionNamesAreTrimmedAndCheckedForWhatAClientCanAskFor) {
  auto s = ok("[ media ]\npath = /m\n[a/b]\npath = /x\n[s] ; the share\npath = /s\n");
  ASSERT_EQ(s.shares.size(), 2u);
  EXPECT_EQ(s.shares[0].name, "media");
  EXPECT_EQ(s.shares[1].name, "s");
  EXPECT_EQ(s.warnings, std::vector<std::string>{
                            "smb.conf:3: share name 'a/b' holds '/', which a client cannot ask for: section skipped"});
}

TEST(SmbConf, AKeyBeforeAnySectionIsAnError) {
  auto r = parse("# top\n\nworkgroup = home\n[global]\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().what, "smb.conf:3: 'workgroup' comes before any [section] (a [global] line above it would make it a global key)");
  EXPECT_EQ(r.error().offset, 7u);  // where line 3 starts
}

TEST(SmbConf, ASectionWithoutClosingBracketIsAnError) {
  EXPECT_EQ(error_of("[global]\nworkgroup = a\n[guest\npath = /x\n"), "smb.conf:3: section header '[guest' has no ']'");
}

TEST(SmbConf, AnEmptySectionNameIsAnError) {
  EXPECT_EQ(error_of("[global]\n[]\n"), "smb.conf:2: empty section name '[]'");
}

TEST(SmbConf, ABadBooleanIsAnError) {
  EXPECT_EQ(error_of("[s]\npath = /x\nread only = perhaps\n"),
            "smb.conf:3: read only: expected yes/no (true/false, 1/0, on/off), found 'perhaps'");
  EXPECT_EQ(error_of("[s]\nbrowseable =\n"), "smb.conf:2: browseable: expected yes/no (true/false, 1/0, on/off), found ''");
  EXPECT_EQ(error_of("[global]\nwritable = 2\n"), "smb.conf:2: writable: expected yes/no (true/false, 1/0, on/off), found '2'");
}

TEST(SmbConf, ABadProtocolNameIsAnError) {
  EXPECT_EQ(error_of("[global]\nmin protocol = SMB4\n"),
            "smb.conf:2: min protocol: expected NT1, SMB2, SMB2_02, SMB2_10, SMB3, SMB3_00, SMB3_02 or SMB3_11, found 'SMB4'");
  EXPECT_EQ(error_of("[global]\nserver max protocol = SMB 3\n"),
            "smb.conf:2: server max protocol: expected NT1, SMB2, SMB2_02, SMB2_10, SMB3, SMB3_00, SMB3_02 or SMB3_11, found 'SMB 3'");
}

TEST(SmbConf, MinProtocolAboveMaxIsAnErrorAtTheLaterLine) {
  EXPECT_EQ(error_of("[global]\nmax protocol = SMB2_10\nmin protocol = SMB3\n"),
            "smb.conf:3: server min protocol (SMB3_11) is above server max protocol (SMB2_10)");
  EXPECT_EQ(error_of("[global]\nmax protocol = NT1\n"),
            "smb.conf:2: server max protocol = NT1 leaves no SMB2 dialect, and pxekit serves SMB2 and later only");
}

TEST(SmbConf, OtherBadGlobalValuesAreErrors) {
  EXPECT_EQ(error_of("[global]\nsmb ports = http\n"), "smb.conf:2: smb ports: expected a port, found 'http'");
  EXPECT_EQ(error_of("[global]\nsmb ports = 70000\n"), "smb.conf:2: smb ports: expected a port, found '70000'");
  EXPECT_EQ(error_of("[global]\nguest account =\n"), "smb.conf:2: guest account: needs a user name");
  auto two = ok("[global]\nsmb ports = 445 139\n");
  EXPECT_EQ(two.port, 445);
  EXPECT_EQ(two.warnings, std::vector<std::string>{"smb.conf:2: smb ports = 445 139: pxekit listens on the first port only"});
}

TEST(SmbConf, MessagesShowUnprintableBytesEscaped) {
  auto s = ok("[global]\nlog\x1b[2J = 1\n");
  EXPECT_EQ(s.warnings, std::vector<std::string>{"smb.conf:2: 'log\\x1b[2J' is not used by pxekit: ignored"});
}

TEST(SmbConf, AnEmptyFileHasNoShares) {
  auto s = ok("");
  EXPECT_TRUE(s.shares.empty());
  EXPECT_TRUE(s.warnings.empty());
}

}  // namespace
}  // namespace pxe::config
