// Uploads (WRQ) into the upload directory: the size cap (ERROR 3, nothing left behind), fsync of
// the file before its rename and of the directory after, and the removal of temporaries a crash
// left behind. The Receiver machine drives a real FdSink, so no socket is needed.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "proto/tftp/receiver.h"
#include "server/tftp/file_access.h"
#include "support/test_paths.h"

namespace pxe::server::tftp {
namespace {

namespace fs = std::filesystem;
namespace pt = proto::tftp;
namespace wt = wire::tftp;

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

void touch(const fs::path& p, std::string_view text = "x") { std::ofstream(p) << text; }

class TftpUpload : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(tmp_.path() / "root" / "incoming");
    auto r = TftpRoot::open((tmp_.path() / "root").string());
    ASSERT_TRUE(r.ok()) << r.error().what;
    root_.emplace(std::move(*r));
  }
  fs::path incoming() const { return tmp_.path() / "root" / "incoming"; }

  std::unique_ptr<FdSink> create(const std::string& name, UploadRules rules) {
    auto c = root_->create_upload("incoming/" + name, "incoming", rules);
    if (auto* e = std::get_if<OpenError>(&c)) {
      ADD_FAILURE() << e->message << ": " << e->detail;
      return nullptr;
    }
    return std::move(std::get<TftpRoot::Created>(c).file);
  }

  // The server side of a WRQ, fed DATA blocks of 512 bytes (the last one short) until it
  // finishes or fails. Returns every action it emitted.
  static pt::Actions upload(pt::FileSink& sink, std::size_t bytes) {
    pt::ReceiverConfig rc;
    rc.filename = "f";
    rc.serve_write = pt::Negotiated{};
    pt::Receiver receiver(sink, rc);
    Timestamp now{1'000'000};
    pt::Actions all = receiver.start(now);
    Bytes block(512, 'u');
    for (std::uint16_t n = 1; !receiver.done(); ++n) {
      std::size_t left = bytes - std::min(bytes, std::size_t{n - 1u} * 512);
      std::size_t len = std::min<std::size_t>(512, left);
      auto got = receiver.on_datagram(wt::encode(wt::Data{n, ByteSpan(block.data(), len)}), now);
      all.insert(all.end(), got.begin(), got.end());
    }
    return all;
  }
  static const wt::ErrorPacket* error_sent(const pt::Actions& actions, wt::ErrorPacket& storage) {
    for (const auto& a : actions)
      if (const auto* s = std::get_if<pt::SendDatagram>(&a))
        if (auto p = wt::parse(s->bytes); p && std::holds_alternative<wt::ErrorPacket>(*p)) {
          storage = std::get<wt::ErrorPacket>(*p);
          return &storage;
        }
    return nullptr;
  }

  pxe::test::TempDir tmp_{"pxkt-upload"};
  std::optional<TftpRoot> root_;
};

TEST_F(TftpUpload, MoreThanTheCapEndsWithError3AndLeavesNothingBehind) {
  UploadRules rules;
  rules.max_bytes = 10'000;
  auto sink = create("big.img", rules);
  ASSERT_TRUE(sink);
  auto actions = upload(*sink, 50'000);
  wt::ErrorPacket e;
  ASSERT_TRUE(error_sent(actions, e)) << "the upload over the cap was not refused";
  EXPECT_EQ(e.code, static_cast<std::uint16_t>(wt::ErrorCode::DiskFull));
  // Gone at once, not only when the transfer object goes away.
  EXPECT_TRUE(names_in(incoming()).empty());
  sink.reset();
  EXPECT_TRUE(names_in(incoming()).empty());
}

TEST_F(TftpUpload, UpToTheCapIsStored) {
  UploadRules rules;
  rules.max_bytes = 10'000;
  auto sink = create("exact.img", rules);
  ASSERT_TRUE(sink);
  auto actions = upload(*sink, 10'000);
  wt::ErrorPacket e;
  EXPECT_FALSE(error_sent(actions, e)) << e.message;
  EXPECT_EQ(names_in(incoming()), std::vector<std::string>{"exact.img"});
  EXPECT_EQ(fs::file_size(incoming() / "exact.img"), 10'000u);
}

TEST_F(TftpUpload, AnAnnouncedSizeOverTheCapIsRefusedBeforeAnyByte) {
  UploadRules rules;
  rules.max_bytes = 10'000;
  rules.announced = 10'001;
  auto c = root_->create_upload("incoming/big.img", "incoming", rules);
  auto* e = std::get_if<OpenError>(&c);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, wt::ErrorCode::DiskFull);
  EXPECT_TRUE(names_in(incoming()).empty());
}

// What the sync calls saw: which file each was for, and whether the final name existed then.
struct SyncCall {
  std::string path;
  bool final_name_existed;
};
std::vector<SyncCall> g_syncs;
std::string g_final;
int g_sync_result = 0;
int record_sync(int fd) {
  char link[64], target[4096];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = ::readlink(link, target, sizeof target - 1);
  g_syncs.push_back({n > 0 ? std::string(target, static_cast<std::size_t>(n)) : "?", fs::exists(g_final)});
  if (g_sync_result != 0) errno = EIO;
  return g_sync_result;
}

TEST_F(TftpUpload, TheFileIsSyncedBeforeTheRenameAndTheDirectoryAfterBeforeTheLastAck) {
  g_syncs.clear();
  g_sync_result = 0;
  g_final = (incoming() / "report.txt").string();
  root_->set_upload_sync(record_sync);
  auto sink = create("report.txt", {});
  ASSERT_TRUE(sink);
  auto actions = upload(*sink, 1300);
  ASSERT_EQ(g_syncs.size(), 2u);
  EXPECT_NE(g_syncs[0].path.find(".report.txt.pxekit-upload-"), std::string::npos) << g_syncs[0].path;
  EXPECT_FALSE(g_syncs[0].final_name_existed);
  EXPECT_EQ(fs::path(g_syncs[1].path), fs::canonical(incoming()));
  EXPECT_TRUE(g_syncs[1].final_name_existed);
  // The last ACK goes out after both (the Receiver calls finish() before it).
  std::optional<wt::Packet> last;
  for (const auto& a : actions)
    if (const auto* s = std::get_if<pt::SendDatagram>(&a))
      if (auto p = wt::parse(s->bytes)) last = *p;
  ASSERT_TRUE(last && std::holds_alternative<wt::Ack>(*last));
  EXPECT_EQ(std::get<wt::Ack>(*last).block, 3u);
  EXPECT_EQ(fs::file_size(g_final), 1300u);
}

TEST_F(TftpUpload, AFailedSyncRefusesTheUploadAndLeavesNothing) {
  g_syncs.clear();
  g_sync_result = -1;
  g_final = (incoming() / "report.txt").string();
  root_->set_upload_sync(record_sync);
  auto sink = create("report.txt", {});
  ASSERT_TRUE(sink);
  auto actions = upload(*sink, 1300);
  g_sync_result = 0;
  wt::ErrorPacket e;
  ASSERT_TRUE(error_sent(actions, e)) << "the last block was acknowledged although fsync failed";
  EXPECT_EQ(e.code, static_cast<std::uint16_t>(wt::ErrorCode::DiskFull));
  EXPECT_TRUE(names_in(incoming()).empty());
}

TEST(TftpUploadNames, TemporaryNamesAreRecognisedAndNothingElse) {
  EXPECT_TRUE(is_upload_temporary(upload_temporary_name("pxelinux.cfg", 1234, 7)));
  EXPECT_TRUE(is_upload_temporary(".a.pxekit-upload-1-1"));
  EXPECT_FALSE(is_upload_temporary("a.pxekit-upload-1-1"));    // not hidden
  EXPECT_FALSE(is_upload_temporary("..pxekit-upload-1-1"));    // no base name
  EXPECT_FALSE(is_upload_temporary(".a.pxekit-upload-1"));     // no counter
  EXPECT_FALSE(is_upload_temporary(".a.pxekit-upload-1-1x"));  // trailing text
  EXPECT_FALSE(is_upload_temporary(".a.pxekit-upload--1"));
  EXPECT_FALSE(is_upload_temporary(".bashrc"));
}

TEST_F(TftpUpload, StaleTemporariesAreRemovedAndNothingElseAndNoSymlinkIsFollowed) {
  const fs::path in = incoming(), outside = tmp_.path() / "outside";
  fs::create_directories(in / "sub");
  fs::create_directories(outside);
  touch(in / ".boot.img.pxekit-upload-4242-1");
  touch(in / "sub" / ".menu.pxekit-upload-7-3");
  touch(in / "keep.txt");
  touch(in / ".hidden");
  touch(in / "boot.img.pxekit-upload-4242-1");  // not hidden: not ours
  touch(outside / ".x.pxekit-upload-1-1");
  touch(outside / "target");
  fs::create_symlink(outside, in / "link-to-outside");                     // a directory symlink
  fs::create_symlink(outside / "target", in / ".t.pxekit-upload-1-2");  // a symlink named like ours
  fs::create_directory(in / ".d.pxekit-upload-1-3");                       // a directory named like ours
  auto removed = root_->remove_stale_uploads("incoming");
  ASSERT_TRUE(removed.ok()) << removed.error().what;
  EXPECT_EQ(*removed, 2u);
  EXPECT_EQ(names_in(in), (std::vector<std::string>{".d.pxekit-upload-1-3", ".hidden", ".t.pxekit-upload-1-2",
                                                    "boot.img.pxekit-upload-4242-1", "keep.txt", "link-to-outside",
                                                    "sub"}));
  EXPECT_TRUE(names_in(in / "sub").empty());
  EXPECT_EQ(names_in(outside), (std::vector<std::string>{".x.pxekit-upload-1-1", "target"}));
}

}  // namespace
}  // namespace pxe::server::tftp
