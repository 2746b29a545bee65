// The file commands through the connection machine over a MemoryShare: CREATE's read-only rules
// and contexts, READ (inline and SendFileData), CLOSE, QUERY_DIRECTORY paging, QUERY_INFO,
// related compounds, CHANGE_NOTIFY + CANCEL / CLOSE, LOCK, refused writes, IOCTLs, limits.
#include <gtest/gtest.h>

#include "proto/smb2/connection_support.h"
#include "proto/smb2/file_info.h"
#include "wire/smb2/close.h"
#include "wire/smb2/create.h"
#include "wire/smb2/ioctl.h"
#include "wire/smb2/lock.h"
#include "wire/smb2/query.h"
#include "wire/smb2/read.h"
#include "wire/smb2/simple.h"
#include "wire/smb2/utf16.h"
#include "wire/smb2/write.h"

namespace pxe::test::smb2 {
namespace {

namespace st = w::status;
constexpr std::uint32_t kReadAccess = 0x00120089;  // GENERIC_READ as Windows maps it

// A client logged on as user/pass (3.1.1, unsigned requests) with GUEST connected.
struct Files : Client {
  explicit Files(std::uint16_t offer = w::dialect::k311) {
    EXPECT_EQ(logon("user", "pass", offer).h.status, st::kSuccess);
    sign_requests = false;
    EXPECT_EQ(tree_connect("GUEST").h.status, st::kSuccess);
  }

  static w::CreateRequest create_req(std::string name, std::uint32_t access = kReadAccess,
                                     std::uint32_t disposition = w::disposition::kOpen,
                                     std::uint32_t options = 0) {
    w::CreateRequest c;
    c.requested_oplock_level = 0x01;
    c.impersonation_level = 2;
    c.desired_access = access;
    c.share_access = 7;
    c.create_disposition = disposition;
    c.create_options = options;
    c.name = std::move(name);
    return c;
  }
  Rsp create(std::string name, std::uint32_t access = kReadAccess,
             std::uint32_t disposition = w::disposition::kOpen, std::uint32_t options = 0) {
    return call(request(w::Command::Create), create_req(std::move(name), access, disposition, options));
  }
  w::FileId open(std::string name) {
    Rsp r = create(std::move(name));
    EXPECT_EQ(r.h.status, st::kSuccess) << w::status_str(r.h.status);
    return body_as<w::CreateResponse>(r).file_id;
  }
  Rsp read(w::FileId id, std::uint64_t offset, std::uint32_t length, std::uint16_t charge = 1,
           std::uint32_t minimum = 0) {
    w::ReadRequest rr;
    rr.padding = 0x50;
    rr.length = length;
    rr.offset = offset;
    rr.file_id = id;
    rr.minimum_count = minimum;
    return call(request(w::Command::Read, charge), rr);
  }
  Rsp close(w::FileId id, std::uint16_t flags = 0) {
    w::CloseRequest c;
    c.flags = flags;
    c.file_id = id;
    return call(request(w::Command::Close), c);
  }
  Rsp query_dir(w::FileId id, std::string pattern, std::uint8_t flags = 0,
                std::uint32_t out_len = 65536, std::uint8_t cls = 37) {
    w::QueryDirectoryRequest q;
    q.info_class = cls;
    q.flags = flags;
    q.file_id = id;
    q.pattern = std::move(pattern);
    q.output_buffer_length = out_len;
    return call(request(w::Command::QueryDirectory), q);
  }
  Rsp query_info(w::FileId id, std::uint8_t type, std::uint8_t cls, std::uint32_t out_len = 4096,
                 std::uint32_t additional = 0) {
    w::QueryInfoRequest q;
    q.info_type = type;
    q.info_class = cls;
    q.output_buffer_length = out_len;
    q.additional_information = additional;
    q.file_id = id;
    return call(request(w::Command::QueryInfo), q);
  }
};

// Names in a FileIdBothDirectoryInformation (37) listing.
std::vector<std::string> names37(ByteSpan out) {
  std::vector<std::string> names;
  std::size_t at = 0;
  while (at + 104 <= out.size()) {
    ByteReader r(out.subspan(at));
    std::uint32_t next = r.u32le();
    r.seek(60);
    std::uint32_t len = r.u32le();
    r.seek(104);
    names.push_back(w::utf16le_to_utf8(r.take(len)));
    if (next == 0) break;
    EXPECT_EQ(next % 8, 0u);
    at += next;
  }
  return names;
}

TEST(SmbConnectionFiles, OpensReadsAndClosesAFile) {
  Files c;
  Rsp r = c.create("hello.txt");
  ASSERT_EQ(r.h.status, st::kSuccess);
  const auto& cr = body_as<w::CreateResponse>(r);
  EXPECT_EQ(cr.create_action, 1u);
  EXPECT_EQ(cr.end_of_file, 6u);
  EXPECT_EQ(cr.allocation_size, 4096u);
  EXPECT_EQ(cr.oplock_level, 0x01);
  EXPECT_EQ(cr.file_attributes & 0x10, 0u);
  Rsp d = c.read(cr.file_id, 0, 4096);
  ASSERT_EQ(d.h.status, st::kSuccess);
  const auto& rd = body_as<w::ReadResponse>(d);
  EXPECT_EQ(Bytes(rd.data.begin(), rd.data.end()), (Bytes{'h', 'e', 'l', 'l', 'o', '\n'}));
  EXPECT_EQ(c.read(cr.file_id, 6, 10).h.status, st::kEndOfFile);
  EXPECT_EQ(c.read(cr.file_id, 2, 10, 1, 5).h.status, st::kEndOfFile);  // MinimumCount
  Rsp cl = c.close(cr.file_id, w::kClosePostqueryAttrib);
  ASSERT_EQ(cl.h.status, st::kSuccess);
  EXPECT_EQ(body_as<w::CloseResponse>(cl).end_of_file, 6u);
  EXPECT_EQ(c.close(cr.file_id).h.status, st::kFileClosed);
  EXPECT_EQ(c.read(cr.file_id, 0, 1).h.status, st::kFileClosed);
  ASSERT_FALSE(c.events.empty());
  EXPECT_NE(c.events.back().text.find("read \\\\GUEST\\hello.txt 6 bytes"), std::string::npos)
      << c.events.back().text;
}

TEST(SmbConnectionFiles, CaseInsensitiveNamesAndSubdirectories) {
  Files c;
  EXPECT_EQ(c.create("HELLO.TXT").h.status, st::kSuccess);
  EXPECT_EQ(c.create("Sources\\INSTALL.WIM").h.status, st::kSuccess);
  // A leading backslash is malformed (Windows, Samba: smbtorture smb2.create.leading-slash).
  EXPECT_EQ(c.create("\\sources\\install.wim").h.status, st::kInvalidParameter);
  EXPECT_EQ(c.create("\\new", kReadAccess, w::disposition::kCreate, w::create_option::kDirectoryFile)
                .h.status,
            st::kInvalidParameter);
}

TEST(SmbConnectionFiles, ReadOnlyCreateRules) {
  Files c;
  namespace d = w::disposition;
  EXPECT_EQ(c.create("missing.txt").h.status, st::kObjectNameNotFound);
  EXPECT_EQ(c.create("nodir\\x.txt").h.status, st::kObjectPathNotFound);
  EXPECT_EQ(c.create("hello.txt", 0x00000002).h.status, st::kAccessDenied);  // WRITE_DATA
  EXPECT_EQ(c.create("hello.txt", 0x40000000).h.status, st::kAccessDenied);  // GENERIC_WRITE
  EXPECT_EQ(c.create("hello.txt", 0x00010000).h.status, st::kAccessDenied);  // DELETE
  for (std::uint32_t disp : {d::kCreate, d::kSupersede, d::kOverwrite, d::kOverwriteIf})
    EXPECT_EQ(c.create("hello.txt", kReadAccess, disp).h.status, st::kAccessDenied) << disp;
  EXPECT_EQ(c.create("new.txt", kReadAccess, d::kCreate).h.status, st::kAccessDenied);
  EXPECT_EQ(c.create("hello.txt", kReadAccess, d::kOpenIf).h.status, st::kSuccess);
  EXPECT_EQ(c.create("hello.txt", kReadAccess, d::kOpen, w::create_option::kDeleteOnClose).h.status,
            st::kAccessDenied);
  EXPECT_EQ(c.create("sources", kReadAccess, d::kOpen, w::create_option::kNonDirectoryFile).h.status,
            st::kFileIsADirectory);
  EXPECT_EQ(c.create("hello.txt", kReadAccess, d::kOpen, w::create_option::kDirectoryFile).h.status,
            st::kNotADirectory);
  EXPECT_EQ(c.create("..\\etc\\passwd").h.status, st::kObjectPathSyntaxBad);
  EXPECT_EQ(c.create("hello.txt:Zone.Identifier").h.status, st::kObjectNameNotFound);
  EXPECT_EQ(c.create("hello.txt", kReadAccess, 9).h.status, st::kInvalidParameter);
  // FILE_EXECUTE on an .exe: granted (setup.exe must run).
  Rsp x = c.create("setup.exe", 0x00100020 | 0x00000001);
  EXPECT_EQ(x.h.status, st::kSuccess);
}

TEST(SmbConnectionFiles, AnswersMxAcAndQFidAndIgnoresOtherContexts) {
  Files c;
  w::CreateRequest req = Files::create_req("hello.txt", 0x02000000);  // MAXIMUM_ALLOWED
  req.contexts.push_back({Bytes{'M', 'x', 'A', 'c'}, {}});
  req.contexts.push_back({Bytes{'Q', 'F', 'i', 'd'}, {}});
  req.contexts.push_back({Bytes{'D', 'H', '2', 'Q'}, Bytes(32, 0)});
  req.contexts.push_back({Bytes{'R', 'q', 'L', 's'}, Bytes(32, 0)});
  Rsp r = c.call(c.request(w::Command::Create), req);
  ASSERT_EQ(r.h.status, st::kSuccess);
  const auto& cr = body_as<w::CreateResponse>(r);
  ASSERT_EQ(cr.contexts.size(), 2u);
  EXPECT_EQ(cr.contexts[0].name_str(), "MxAc");
  ByteReader mx(cr.contexts[0].data);
  EXPECT_EQ(mx.u32le(), 0u);
  EXPECT_EQ(mx.u32le(), 0x001200A9u);
  EXPECT_EQ(cr.contexts[1].name_str(), "QFid");
  EXPECT_EQ(cr.contexts[1].data.size(), 32u);

  w::CreateRequest dur = Files::create_req("hello.txt");
  dur.contexts.push_back({Bytes{'D', 'H', 'n', 'C'}, Bytes(16, 0)});
  EXPECT_EQ(c.call(c.request(w::Command::Create), dur).h.status, st::kObjectNameNotFound);
}

TEST(SmbConnectionFiles, MultiCreditReadAndCreditChargeCheck) {
  Files c;
  w::FileId id = c.open("sources\\install.wim");
  Rsp big = c.read(id, 0, 131072, 2);
  ASSERT_EQ(big.h.status, st::kSuccess);
  EXPECT_EQ(body_as<w::ReadResponse>(big).data.size(), 131072u);
  EXPECT_EQ(big.h.credit_charge, 2);
  Rsp tail = c.read(id, 131072, 131072, 2);
  ASSERT_EQ(tail.h.status, st::kSuccess);
  EXPECT_EQ(body_as<w::ReadResponse>(tail).data.size(), 200000u - 131072u);
  EXPECT_EQ(c.read(id, 0, 131072, 1).h.status, st::kInvalidParameter);  // charge too small
  EXPECT_EQ(c.read(id, 0, c.ctx.limits.max_read + 1, 129).h.status, st::kInvalidParameter);
}

TEST(SmbConnectionFiles, ReadOfADirectoryIsInvalidDeviceRequest) {
  Files c;
  w::FileId dir = c.open("sources");
  EXPECT_EQ(c.read(dir, 0, 10).h.status, st::kInvalidDeviceRequest);
}

// A ShareFile with a descriptor, so READ may go out as SendFileData.
class FdFile final : public p::ShareFile {
 public:
  explicit FdFile(std::unique_ptr<p::ShareFile> inner) : inner_(std::move(inner)) {}
  Result<std::size_t> read(std::uint64_t offset, std::span<std::uint8_t> dst) override {
    return inner_->read(offset, dst);
  }
  int fd() const override { return 99; }

 private:
  std::unique_ptr<p::ShareFile> inner_;
};
class FdShare final : public p::Share {
 public:
  explicit FdShare(p::Share& inner) : inner_(inner) {}
  Result<p::FileMeta> stat(std::string_view path) override { return inner_.stat(path); }
  Result<std::unique_ptr<p::ShareFile>> open(std::string_view path) override {
    auto f = inner_.open(path);
    if (!f) return f.error();
    return std::unique_ptr<p::ShareFile>(std::make_unique<FdFile>(std::move(f.value())));
  }
  Result<std::vector<p::DirEntry>> list(std::string_view dir) override { return inner_.list(dir); }
  p::VolumeInfo volume() override { return inner_.volume(); }

 private:
  p::Share& inner_;
};

TEST(SmbConnectionFiles, UnsignedReadGoesOutAsSendFileDataSignedReadInline) {
  Client c;
  FdShare fd_share(c.share);
  c.ctx.shares[0].share = &fd_share;
  ASSERT_EQ(c.logon("user", "pass").h.status, st::kSuccess);
  c.sign_requests = false;
  ASSERT_EQ(c.tree_connect("GUEST").h.status, st::kSuccess);
  Rsp o = c.call(c.request(w::Command::Create), Files::create_req("setup.exe"));
  w::FileId id = body_as<w::CreateResponse>(o).file_id;
  w::ReadRequest rr;
  rr.length = 65536;
  rr.offset = 1000;
  rr.file_id = id;
  Rsp d = c.call(c.request(w::Command::Read), rr);
  ASSERT_EQ(d.h.status, st::kSuccess);
  ASSERT_EQ(c.file_sends.size(), 1u);
  EXPECT_EQ(c.file_sends[0].offset, 1000u);
  EXPECT_EQ(c.file_sends[0].length, 65536u);
  EXPECT_EQ(c.file_sends[0].head.size(), 4u + 80u);
  EXPECT_EQ(body_as<w::ReadResponse>(d).data.size(), 65536u);  // parsed from head + file range
  // Signed: the data are in the message, signed over them.
  c.sign_requests = true;
  Rsp s = c.call(c.request(w::Command::Read), rr);
  EXPECT_EQ(c.file_sends.size(), 1u);
  EXPECT_TRUE(c.signed_ok(s));
  EXPECT_EQ(body_as<w::ReadResponse>(s).data.size(), 65536u);
}

TEST(SmbConnectionFiles, QueryDirectoryPagesWithPatternsAndFlags) {
  Files c;
  for (int i = 0; i < 40; ++i) c.share.add_file("dir/file" + std::to_string(100 + i) + ".txt", Bytes(10, 1));
  c.share.add_file("dir/other.bin", Bytes(3, 2));
  w::FileId dir = c.open("dir");
  // A small buffer: several pages, every entry once, then NO_MORE_FILES.
  std::vector<std::string> all;
  for (int page = 0; page < 50; ++page) {
    Rsp r = c.query_dir(dir, "*", 0, 1024);
    if (r.h.status == st::kNoMoreFiles) break;
    ASSERT_EQ(r.h.status, st::kSuccess);
    auto names = names37(body_as<w::OutputResponse>(r).output);
    ASSERT_FALSE(names.empty());
    all.insert(all.end(), names.begin(), names.end());
  }
  ASSERT_EQ(all.size(), 43u);  // . .. 40 files other.bin
  EXPECT_EQ(all[0], ".");
  EXPECT_EQ(all[1], "..");
  EXPECT_EQ(c.query_dir(dir, "*").h.status, st::kNoMoreFiles);
  // RESTART keeps the pattern captured first; SINGLE returns one entry.
  Rsp one = c.query_dir(dir, "ignored", 0x01 | 0x02);
  ASSERT_EQ(one.h.status, st::kSuccess);
  EXPECT_EQ(names37(body_as<w::OutputResponse>(one).output), std::vector<std::string>{"."});
  // REOPEN takes a new pattern.
  Rsp bin = c.query_dir(dir, "*.BIN", 0x10);
  ASSERT_EQ(bin.h.status, st::kSuccess);
  EXPECT_EQ(names37(body_as<w::OutputResponse>(bin).output), std::vector<std::string>{"other.bin"});
  EXPECT_EQ(c.query_dir(dir, "*.BIN").h.status, st::kNoMoreFiles);
  // A first query that matches nothing.
  w::FileId d2 = c.open("dir");
  EXPECT_EQ(c.query_dir(d2, "nothing*").h.status, st::kNoSuchFile);
  // Class and handle errors.
  w::FileId d3 = c.open("dir");
  EXPECT_EQ(c.query_dir(d3, "*", 0, 65536, 99).h.status, st::kInvalidInfoClass);
  EXPECT_EQ(c.query_dir(d3, "*", 0, 8).h.status, st::kInvalidParameter);
  w::FileId f = c.open("hello.txt");
  EXPECT_EQ(c.query_dir(f, "*").h.status, st::kNotSupported);
}

// INDEX_SPECIFIED: FileIndex is the object store's to honour ([MS-FSA] 2.1.5.6) and ours does
// not (entries carry FileIndex 0): the query goes on from where the last one stopped, whatever
// the index, as Samba 4.17 answers (measured; status_table.py probes it against Samba too).
TEST(SmbConnectionFiles, QueryDirectoryIndexSpecifiedContinuesWhereTheLastQueryStopped) {
  Files c;
  for (const char* n : {"a.txt", "b.txt", "c.txt", "d.txt"}) c.share.add_file(std::string("idx/") + n, Bytes(1, 1));
  w::FileId dir = c.open("idx");
  constexpr std::uint8_t kSingle = 0x02, kIndex = 0x04, kRestart = 0x01;
  auto q = [&](std::uint8_t flags, std::uint32_t index) {
    w::QueryDirectoryRequest r;
    r.info_class = 37;
    r.flags = flags;
    r.file_index = index;
    r.file_id = dir;
    r.pattern = "*";
    r.output_buffer_length = 65536;
    return c.call(c.request(w::Command::QueryDirectory), r);
  };
  Rsp first = q(kSingle, 0);
  ASSERT_EQ(first.h.status, st::kSuccess);
  EXPECT_EQ(names37(body_as<w::OutputResponse>(first).output), std::vector<std::string>{"."});
  // FileIndex 4 (would be c.txt counting from 0) and 0 both go on at "..".
  Rsp second = q(kIndex | kSingle, 4);
  ASSERT_EQ(second.h.status, st::kSuccess);
  EXPECT_EQ(names37(body_as<w::OutputResponse>(second).output), std::vector<std::string>{".."});
  Rsp rest = q(kIndex, 0);
  ASSERT_EQ(rest.h.status, st::kSuccess);
  EXPECT_EQ(names37(body_as<w::OutputResponse>(rest).output),
            (std::vector<std::string>{"a.txt", "b.txt", "c.txt", "d.txt"}));
  EXPECT_EQ(q(kIndex, 1).h.status, st::kNoMoreFiles);
  // RESTART_SCANS still rewinds when INDEX_SPECIFIED comes with it.
  Rsp again = q(kRestart | kIndex | kSingle, 3);
  ASSERT_EQ(again.h.status, st::kSuccess);
  EXPECT_EQ(names37(body_as<w::OutputResponse>(again).output), std::vector<std::string>{"."});
  // Every entry carries FileIndex 0, so no index names one.
  ByteReader r(body_as<w::OutputResponse>(rest).output);
  r.seek(4);
  EXPECT_EQ(r.u32le(), 0u);
}

// An open's name is the on-disk spelling, not the case the client typed: Samba 4.17 answers
// "\\setup.exe" for SETUP.EXE and "\\sources\\install.wim" for sources\\INSTALL.WIM in
// FileNameInformation and FileAllInformation, "install.wim" in FileAlternateNameInformation
// (measured with impacket; status_table.py diffs them against Samba).
TEST(SmbConnectionFiles, NamesAreReportedAsSpelledOnDisk) {
  Files c;
  auto name_of = [&](w::FileId id, std::uint8_t cls) {
    Rsp r = c.query_info(id, w::info_type::kFile, cls);
    EXPECT_EQ(r.h.status, st::kSuccess) << int(cls) << " " << w::status_str(r.h.status);
    if (r.h.status != st::kSuccess) return std::string();
    ByteReader rd(body_as<w::OutputResponse>(r).output);
    rd.seek(cls == p::file_class::kAll ? 96 : 0);
    std::uint32_t len = rd.u32le();
    std::string n = w::utf16le_to_utf8(rd.take(len));
    EXPECT_FALSE(rd.failed());
    return n;
  };
  w::FileId setup = c.open("SETUP.EXE");
  EXPECT_EQ(name_of(setup, p::file_class::kName), "\\setup.exe");
  EXPECT_EQ(name_of(setup, p::file_class::kAll), "\\setup.exe");
  EXPECT_EQ(name_of(setup, p::file_class::kAlternateName), "setup.exe");
  w::FileId wim = c.open("SOURCES\\Install.WIM");
  EXPECT_EQ(name_of(wim, p::file_class::kName), "\\sources\\install.wim");
  EXPECT_EQ(name_of(wim, p::file_class::kAll), "\\sources\\install.wim");
  EXPECT_EQ(name_of(wim, p::file_class::kNormalizedName), "sources\\install.wim");
  EXPECT_EQ(name_of(wim, p::file_class::kAlternateName), "install.wim");
  w::FileId dir = c.open("Sources");
  EXPECT_EQ(name_of(dir, p::file_class::kName), "\\sources");
  // Two spellings of one file are one file: an exclusive lock through one blocks the other.
  w::FileId a = c.open("hello.txt"), b = c.open("HELLO.TXT");
  auto lock = [&](w::FileId id, std::uint32_t flags) {
    w::LockRequest l;
    l.file_id = id;
    l.locks.push_back({0, 10, flags});
    ByteWriter wr;
    w::encode_header(c.request(w::Command::Lock), wr);
    w::encode_lock_request(l, wr);
    c.send_message(wr.data());
    std::uint32_t s = c.responses.empty() ? 0 : c.responses[0].h.status;
    c.responses.clear();
    return s;
  };
  EXPECT_EQ(lock(a, w::lock_flag::kExclusive | w::lock_flag::kFailImmediately), st::kSuccess);
  EXPECT_EQ(lock(b, w::lock_flag::kExclusive | w::lock_flag::kFailImmediately), st::kLockNotGranted);
}

// FileNormalizedNameInformation is a 3.1.1 class: Samba 4.17 on 3.0 answers STATUS_NOT_SUPPORTED.
TEST(SmbConnectionFiles, NormalizedNameNeeds311) {
  Files c(w::dialect::k300);
  w::FileId f = c.open("hello.txt");
  EXPECT_EQ(c.query_info(f, w::info_type::kFile, p::file_class::kNormalizedName).h.status, st::kNotSupported);
  EXPECT_EQ(c.query_info(f, w::info_type::kFile, p::file_class::kName).h.status, st::kSuccess);
}

TEST(SmbConnectionFiles, QueryInfoFileFilesystemAndSecurity) {
  Files c;
  w::FileId f = c.open("hello.txt");
  Rsp std_info = c.query_info(f, w::info_type::kFile, p::file_class::kStandard);
  ASSERT_EQ(std_info.h.status, st::kSuccess);
  EXPECT_EQ(body_as<w::OutputResponse>(std_info).output.size(), 24u);
  Rsp all = c.query_info(f, w::info_type::kFile, p::file_class::kAll);
  ASSERT_EQ(all.h.status, st::kSuccess);
  ByteReader ar(body_as<w::OutputResponse>(all).output);
  ar.seek(76);  // Basic 40 + Standard 24 + Internal 8 + Ea 4: AccessFlags
  EXPECT_EQ(ar.u32le(), kReadAccess);  // the handle's granted access
  Rsp access = c.query_info(f, w::info_type::kFile, p::file_class::kAccess);
  EXPECT_EQ(ByteReader(body_as<w::OutputResponse>(access).output).u32le(), kReadAccess);
  EXPECT_EQ(c.query_info(f, w::info_type::kFile, p::file_class::kStandard, 8).h.status,
            st::kInfoLengthMismatch);
  Rsp trunc = c.query_info(f, w::info_type::kFile, p::file_class::kAll, 104);
  EXPECT_EQ(trunc.h.status, st::kBufferOverflow);
  EXPECT_EQ(body_as<w::OutputResponse>(trunc).output.size(), 104u);
  EXPECT_EQ(c.query_info(f, w::info_type::kFile, p::file_class::kFullEa).h.status, st::kNoEasOnFile);
  EXPECT_EQ(c.query_info(f, w::info_type::kFile, 200).h.status, st::kInvalidInfoClass);
  Rsp vol = c.query_info(f, w::info_type::kFilesystem, p::fs_class::kSize);
  ASSERT_EQ(vol.h.status, st::kSuccess);
  EXPECT_EQ(body_as<w::OutputResponse>(vol).output.size(), 24u);
  Rsp sd = c.query_info(f, w::info_type::kSecurity, 0, 4096, 7);
  ASSERT_EQ(sd.h.status, st::kSuccess);
  Bytes full = p::encode_security_descriptor(7);
  EXPECT_EQ(body_as<w::OutputResponse>(sd).output.size(), full.size());
  Rsp small = c.query_info(f, w::info_type::kSecurity, 0, 16, 7);
  ASSERT_EQ(small.h.status, st::kBufferTooSmall);
  const auto& err = body_as<w::ErrorResponse>(small);
  ASSERT_EQ(err.error_data.size(), 4u);
  EXPECT_EQ(ByteReader(err.error_data).u32le(), full.size());
  EXPECT_EQ(c.query_info(f, w::info_type::kQuota, 0).h.status, st::kNotSupported);
  // READ_CONTROL is needed for the security descriptor.
  Rsp nr = c.create("hello.txt", 0x00000001);
  w::FileId no_rc = body_as<w::CreateResponse>(nr).file_id;
  EXPECT_EQ(c.query_info(no_rc, w::info_type::kSecurity, 0, 4096, 7).h.status, st::kAccessDenied);
  Rsp acc = c.query_info(no_rc, w::info_type::kFile, p::file_class::kAll);
  ByteReader nr_all(body_as<w::OutputResponse>(acc).output);
  nr_all.seek(76);
  EXPECT_EQ(nr_all.u32le(), 0x00000001u);  // READ_DATA only, as asked
}

// CREATE + QUERY_INFO + CLOSE as Windows compounds them, related.
TEST(SmbConnectionFiles, RelatedCompoundUsesTheCreatedFileIdAndPropagatesFailure) {
  Files c;
  auto compound = [&](std::string name) {
    w::Header h1 = c.request(w::Command::Create);
    Bytes a = w::encode_pdu(h1, Files::create_req(std::move(name)));
    w::Header h2 = c.request(w::Command::QueryInfo);
    h2.flags = w::flags::kRelatedOperations;
    h2.session_id = ~0ull;
    h2.tree_id = ~0u;
    w::QueryInfoRequest q;
    q.info_type = w::info_type::kFile;
    q.info_class = p::file_class::kNetworkOpen;
    q.output_buffer_length = 56;
    q.file_id = {~0ull, ~0ull};
    Bytes b = w::encode_pdu(h2, q);
    w::Header h3 = c.request(w::Command::Close);
    h3.flags = w::flags::kRelatedOperations;
    h3.session_id = ~0ull;
    h3.tree_id = ~0u;
    w::CloseRequest cl;
    cl.file_id = {~0ull, ~0ull};
    Bytes d = w::encode_pdu(h3, cl);
    auto pad = [](Bytes& x) {
      while (x.size() % 8) x.push_back(0);
      std::uint32_t n = std::uint32_t(x.size());
      for (int k = 0; k < 4; ++k) x[20 + k] = std::uint8_t(n >> (8 * k));
    };
    pad(a);
    pad(b);
    Bytes msg = a;
    msg.insert(msg.end(), b.begin(), b.end());
    msg.insert(msg.end(), d.begin(), d.end());
    c.responses.clear();
    c.send_message(msg);
  };
  compound("hello.txt");
  ASSERT_EQ(c.responses.size(), 3u);
  EXPECT_EQ(c.responses[0].h.status, st::kSuccess);
  EXPECT_EQ(c.responses[1].h.status, st::kSuccess);
  EXPECT_EQ(body_as<w::OutputResponse>(c.responses[1]).output.size(), 56u);
  EXPECT_EQ(c.responses[2].h.status, st::kSuccess);
  EXPECT_TRUE(c.responses[1].h.is_related());
  compound("missing.txt");
  ASSERT_EQ(c.responses.size(), 3u);
  for (const auto& r : c.responses) EXPECT_EQ(r.h.status, st::kObjectNameNotFound);
}

TEST(SmbConnectionFiles, ChangeNotifyPendsUntilCancelOrClose) {
  Files c;
  w::FileId dir = c.open("sources");
  w::ChangeNotifyRequest n;
  n.output_buffer_length = 4096;
  n.file_id = dir;
  n.completion_filter = 0x17;
  w::Header nh = c.request(w::Command::ChangeNotify);
  Rsp interim = c.call(nh, n);
  EXPECT_EQ(interim.h.status, st::kPending);
  EXPECT_TRUE(interim.h.is_async());
  EXPECT_NE(interim.h.async_id, 0u);
  EXPECT_GE(interim.h.credits, 1);
  // CANCEL by AsyncId: the notify completes with STATUS_CANCELLED, no credits.
  w::Header cancel;
  cancel.command = std::uint16_t(w::Command::Cancel);
  cancel.flags = w::flags::kAsyncCommand;
  cancel.async_id = interim.h.async_id;
  cancel.session_id = c.session_id;
  Rsp done = c.call(cancel, w::SimpleBody{});
  EXPECT_EQ(done.h.status, st::kCancelled);
  EXPECT_EQ(done.h.message_id, nh.message_id);
  EXPECT_EQ(done.h.async_id, interim.h.async_id);
  EXPECT_EQ(done.h.credits, 0);

  // Another notify, then CLOSE: the CLOSE response first, then NOTIFY_CLEANUP.
  Rsp again = c.call(c.request(w::Command::ChangeNotify), n);
  EXPECT_EQ(again.h.status, st::kPending);
  w::CloseRequest cl;
  cl.file_id = dir;
  c.send_message(w::encode_pdu(c.request(w::Command::Close), cl));
  ASSERT_EQ(c.responses.size(), 2u);
  EXPECT_EQ(c.responses[0].h.command, std::uint16_t(w::Command::Close));
  EXPECT_EQ(c.responses[0].h.status, st::kSuccess);
  EXPECT_EQ(c.responses[1].h.status, st::kNotifyCleanup);
  EXPECT_TRUE(c.responses[1].h.is_async());
  c.responses.clear();
  // A notify on a file handle is refused; a CANCEL of nothing is silent.
  w::FileId f = c.open("hello.txt");
  n.file_id = f;
  EXPECT_EQ(c.call(c.request(w::Command::ChangeNotify), n).h.status, st::kInvalidParameter);
  c.send_message(w::encode_pdu(cancel, w::SimpleBody{}));
  EXPECT_TRUE(c.responses.empty());
  EXPECT_FALSE(c.closed);
}

TEST(SmbConnectionFiles, LocksOnReadHandles) {
  Files c;
  w::FileId a = c.open("hello.txt");
  w::FileId b = c.open("hello.txt");
  auto lock = [&](w::FileId id, std::uint64_t off, std::uint64_t len, std::uint32_t flags) {
    w::LockRequest l;
    l.file_id = id;
    l.locks.push_back({off, len, flags});
    ByteWriter wr;
    w::encode_header(c.request(w::Command::Lock), wr);
    w::encode_lock_request(l, wr);
    c.send_message(wr.data());
    EXPECT_EQ(c.responses.size(), 1u);
    std::uint32_t s = c.responses.empty() ? 0 : c.responses[0].h.status;
    c.responses.clear();
    return s;
  };
  namespace lf = w::lock_flag;
  EXPECT_EQ(lock(a, 0, 10, lf::kShared | lf::kFailImmediately), st::kSuccess);
  EXPECT_EQ(lock(b, 5, 10, lf::kShared | lf::kFailImmediately), st::kSuccess);
  EXPECT_EQ(lock(b, 0, 4, lf::kExclusive | lf::kFailImmediately), st::kLockNotGranted);
  EXPECT_EQ(lock(b, 100, 4, lf::kExclusive | lf::kFailImmediately), st::kSuccess);
  EXPECT_EQ(lock(a, 0, 10, lf::kUnlock), st::kSuccess);
  EXPECT_EQ(lock(a, 0, 10, lf::kUnlock), st::kRangeNotLocked);
}

TEST(SmbConnectionFiles, WritesAreRefused) {
  Files c;
  w::FileId f = c.open("hello.txt");
  Bytes data{1, 2, 3};
  w::WriteRequest wr;
  wr.file_id = f;
  wr.data = data;
  EXPECT_EQ(c.call(c.request(w::Command::Write), wr).h.status, st::kAccessDenied);
  wr.file_id = {7, 7};
  EXPECT_EQ(c.call(c.request(w::Command::Write), wr).h.status, st::kFileClosed);
  w::CloseRequest fl;
  fl.file_id = f;
  EXPECT_EQ(c.call(c.request(w::Command::Flush), fl).h.status, st::kAccessDenied);
  // SET_INFO: the wire has no SET_INFO encoder; build the 33-byte body by hand.
  ByteWriter si;
  w::encode_header(c.request(w::Command::SetInfo), si);
  si.u16le(33);
  si.u8(w::info_type::kFile);
  si.u8(4);  // FileBasicInformation
  si.u32le(40);
  si.u16le(96);
  si.u16le(0);
  si.u32le(0);
  w::write_file_id(si, f);
  si.zeros(40);
  c.send_message(si.data());
  ASSERT_EQ(c.responses.size(), 1u);
  EXPECT_EQ(c.responses[0].h.status, st::kAccessDenied);
}

TEST(SmbConnectionFiles, IoctlAnswers) {
  Files c;
  auto ioctl = [&](std::uint32_t code, w::FileId id, ByteSpan input, std::uint32_t max_out = 4096) {
    w::IoctlRequest io;
    io.ctl_code = code;
    io.file_id = id;
    io.input = input;
    io.max_output_response = max_out;
    io.flags = w::kIoctlIsFsctl;
    return c.call(c.request(w::Command::Ioctl), io);
  };
  w::FileId none{~0ull, ~0ull};
  EXPECT_EQ(ioctl(w::fsctl::kDfsGetReferrals, none, {}).h.status, st::kFsDriverRequired);
  EXPECT_EQ(ioctl(w::fsctl::kQueryNetworkInterfaceInfo, none, {}).h.status, st::kNotSupported);
  c.ctx.interfaces_v4.push_back({192, 0, 2, 1});
  Rsp ni = ioctl(w::fsctl::kQueryNetworkInterfaceInfo, none, {});
  ASSERT_EQ(ni.h.status, st::kSuccess);
  EXPECT_EQ(body_as<w::IoctlResponse>(ni).output.size(), 152u);
  w::FileId f = c.open("hello.txt");
  EXPECT_EQ(ioctl(w::fsctl::kSetSparse, f, {}).h.status, st::kMediaWriteProtected);
  EXPECT_EQ(ioctl(w::fsctl::kGetReparsePoint, f, {}).h.status, st::kNotAReparsePoint);
  EXPECT_EQ(ioctl(0x12345678, f, {}).h.status, st::kInvalidDeviceRequest);
  ByteWriter range;
  range.u64le(0);
  range.u64le(1000);
  Rsp ar = ioctl(w::fsctl::kQueryAllocatedRanges, f, range.data());
  ASSERT_EQ(ar.h.status, st::kSuccess);
  ByteReader rr(body_as<w::IoctlResponse>(ar).output);
  EXPECT_EQ(rr.u64le(), 0u);
  EXPECT_EQ(rr.u64le(), 6u);
}

TEST(SmbConnectionFiles, ValidateNegotiateInfoIsSignedAndAMismatchDropsTheConnection) {
  Client c;
  ASSERT_EQ(c.logon("user", "pass", w::dialect::k302).h.status, st::kSuccess);
  ASSERT_EQ(c.tree_connect("GUEST").h.status, st::kSuccess);
  ByteWriter in;
  in.u32le(c.negotiate_request.capabilities);
  in.bytes(c.negotiate_request.client_guid);
  in.u16le(c.negotiate_request.security_mode);
  in.u16le(std::uint16_t(c.negotiate_request.dialects.size()));
  for (auto d : c.negotiate_request.dialects) in.u16le(d);
  w::IoctlRequest io;
  io.ctl_code = w::fsctl::kValidateNegotiateInfo;
  io.file_id = {~0ull, ~0ull};
  io.input = in.data();
  io.max_output_response = 24;
  io.flags = w::kIoctlIsFsctl;
  Rsp r = c.call(c.request(w::Command::Ioctl), io);
  ASSERT_EQ(r.h.status, st::kSuccess);
  EXPECT_TRUE(c.signed_ok(r));
  ByteReader out(body_as<w::IoctlResponse>(r).output);
  // The capabilities of the NEGOTIATE response.
  EXPECT_EQ(out.u32le(), w::capability::kLargeMtu | w::capability::kMultiChannel);
  out.skip(16);
  EXPECT_EQ(out.u16le(), w::security_mode::kSigningEnabled);
  EXPECT_EQ(out.u16le(), w::dialect::k302);

  Bytes tampered = in.data();
  tampered[0] ^= 0x40;  // capabilities changed in flight
  io.input = tampered;
  c.send_message([&] {
    Bytes b = w::encode_pdu(c.request(w::Command::Ioctl), io);
    c.signer->sign_in_place(b);
    return b;
  }());
  EXPECT_TRUE(c.responses.empty());
  EXPECT_TRUE(c.closed);
}

TEST(SmbConnectionFiles, OpensPerConnectionAreCappedAndIdleNeedsNothingOpen) {
  Files c;
  c.ctx.limits.max_opens_per_connection = 2;
  c.open("hello.txt");
  c.open("hello.txt");
  EXPECT_EQ(c.create("hello.txt").h.status, st::kInsufficientResources);
  // With files open the idle timer does not close the connection.
  p::Actions a;
  c.conn().on_time(c.now + c.ctx.limits.idle_timeout + std::chrono::seconds(1), a);
  for (const auto& x : a) EXPECT_FALSE(std::holds_alternative<p::CloseConnection>(x));
}

TEST(SmbConnectionFiles, TreesPerSessionAreCapped) {
  Files c;  // GUEST is connected
  c.ctx.limits.max_trees_per_session = 2;
  EXPECT_EQ(c.tree_connect("IPC$").h.status, st::kSuccess);
  EXPECT_EQ(c.tree_connect("GUEST").h.status, st::kInsufficientResources);
}

TEST(SmbConnectionFiles, ChangeNotifyInsideACompoundIsRefusedUnlessLast) {
  Files c;
  w::FileId dir = c.open("sources");
  w::ChangeNotifyRequest n;
  n.output_buffer_length = 4096;
  n.file_id = dir;
  Bytes a = w::encode_pdu(c.request(w::Command::ChangeNotify), n);
  Bytes b = w::encode_pdu(c.request(w::Command::Echo), w::SimpleBody{});
  while (a.size() % 8) a.push_back(0);
  a[20] = std::uint8_t(a.size());
  a.insert(a.end(), b.begin(), b.end());
  c.send_message(a);
  ASSERT_EQ(c.responses.size(), 2u);
  EXPECT_EQ(c.responses[0].h.status, st::kInternalError);
  EXPECT_EQ(c.responses[1].h.status, st::kSuccess);
}

TEST(SmbConnectionFiles, PeerCloseLogsWhatWasRead) {
  Files c;
  w::FileId f = c.open("setup.exe");
  ASSERT_EQ(c.read(f, 0, 65536).h.status, st::kSuccess);
  p::Actions a;
  c.conn().on_close(a);
  ASSERT_EQ(a.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<p::Event>(a[0]));
  EXPECT_NE(std::get<p::Event>(a[0]).text.find("setup.exe 64.0 KB"), std::string::npos);
  EXPECT_TRUE(c.conn().closed());
}

}  // namespace
}  // namespace pxe::test::smb2
