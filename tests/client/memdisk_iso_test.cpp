// Seed 1's boot in-process, all the way: the BIOS ROM against pxekit serve's engines through the
// pxelinux menu to its default label (KERNEL /memdisk, INITRD winpe.iso, APPEND iso raw), with a
// small ISO 9660 image generated here as winpe.iso. The client must say "Loading winpe.iso" and
// the bytes it was sent (read back from its --record pcap) must be the image, byte for byte.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>

#include "capture/dissector.h"
#include "capture/source.h"
#include "client/session.h"
#include "support/test_paths.h"
#include "wire/tftp/tftp.h"

using namespace pxe;
using namespace pxe::client;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kSector = 2048;

void both16(Bytes& b, std::size_t off, std::uint16_t v) {
  b[off] = std::uint8_t(v), b[off + 1] = std::uint8_t(v >> 8);
  b[off + 2] = std::uint8_t(v >> 8), b[off + 3] = std::uint8_t(v);
}
void both32(Bytes& b, std::size_t off, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) {
    b[off + std::size_t(i)] = std::uint8_t(v >> (8 * i));
    b[off + 7 - std::size_t(i)] = std::uint8_t(v >> (8 * i));
  }
}
void text(Bytes& b, std::size_t off, std::size_t len, std::string_view s) {
  for (std::size_t i = 0; i < len; ++i) b[off + i] = std::uint8_t(i < s.size() ? s[i] : ' ');
}

// One ISO 9660 directory record at `off`; returns its length.
std::size_t dir_record(Bytes& b, std::size_t off, std::uint32_t extent, std::uint32_t size, bool dir,
                       std::string_view id) {
  std::size_t len = 33 + id.size() + (id.size() % 2 == 0 ? 1 : 0);
  b[off] = std::uint8_t(len);
  both32(b, off + 2, extent);
  both32(b, off + 10, size);
  const std::uint8_t date[7] = {126, 12, 6, 12, 0, 0, 0};  // 2026-12-06 12:00:00 UTC
  std::memcpy(&b[off + 18], date, 7);
  b[off + 25] = dir ? 2 : 0;
  both16(b, off + 28, 1);
  b[off + 32] = std::uint8_t(id.size());
  std::memcpy(&b[off + 33], id.data(), id.size());
  return len;
}

// A minimal ISO 9660 image (ECMA-119): system area, primary volume descriptor, terminator, both
// path tables, the root directory and one file, README.TXT, holding `content`.
Bytes make_iso(std::string_view volume_id, const std::string& content) {
  const std::uint32_t pvd = 16, term = 17, lpath = 18, mpath = 19, root = 20, file = 21;
  const std::uint32_t file_sectors = std::uint32_t((content.size() + kSector - 1) / kSector);
  const std::uint32_t total = file + file_sectors;
  Bytes b(std::size_t(total) * kSector, 0);
  auto at = [](std::uint32_t sector) { return std::size_t(sector) * kSector; };

  std::size_t p = at(pvd);
  b[p] = 1;
  std::memcpy(&b[p + 1], "CD001", 5);
  b[p + 6] = 1;
  text(b, p + 8, 32, "");
  text(b, p + 40, 32, volume_id);
  both32(b, p + 80, total);
  both16(b, p + 120, 1);
  both16(b, p + 124, 1);
  both16(b, p + 128, std::uint16_t(kSector));
  both32(b, p + 132, 10);  // one path table entry: the root
  b[p + 140] = std::uint8_t(lpath);
  b[p + 151] = std::uint8_t(mpath);
  dir_record(b, p + 156, root, kSector, true, std::string_view("\0", 1));
  text(b, p + 190, 623, "");  // volume set .. bibliographic file identifiers
  for (std::size_t d = 0; d < 4; ++d) std::memset(&b[p + 813 + 17 * d], '0', 16);
  b[p + 881] = 1;

  std::size_t t = at(term);
  b[t] = 255;
  std::memcpy(&b[t + 1], "CD001", 5);
  b[t + 6] = 1;

  // Path tables: the root (identifier 0x00, parent 1), little- then big-endian.
  std::size_t l = at(lpath), m = at(mpath);
  b[l] = 1, b[l + 4] = std::uint8_t(root), b[l + 6] = 1;
  b[m] = 1, b[m + 5] = std::uint8_t(root), b[m + 7] = 1;

  std::size_t r = at(root);
  r += dir_record(b, r, root, kSector, true, std::string_view("\0", 1));
  r += dir_record(b, r, root, kSector, true, std::string_view("\1", 1));
  dir_record(b, r, file, std::uint32_t(content.size()), false, "README.TXT;1");
  std::memcpy(&b[at(file)], content.data(), content.size());
  return b;
}

// The DATA the server sent for the transfer that the RRQ for `file` opened, in block order, read
// from a pcap the client recorded.
Bytes downloaded(const std::string& pcap, const std::string& file) {
  auto src = capture::PcapSource::open_file(pcap);
  EXPECT_TRUE(src) << (src ? "" : src.error().what);
  if (!src) return {};
  capture::Dissector d(src->link_type());
  std::optional<std::uint16_t> client_port;
  std::map<std::uint16_t, Bytes> blocks;
  capture::RawFrame f;
  while (src->next(f) == capture::PcapSource::Next::Frame) {
    d.dissect(f, [&](const capture::Observation& o) {
      if (o.app != capture::App::Tftp || !o.udp) return;
      auto p = wire::tftp::parse(o.l4_payload);
      if (!p) return;
      if (auto* rq = std::get_if<wire::tftp::Request>(&*p); rq && rq->filename == file) {
        client_port = o.udp->sport();
        blocks.clear();  // the last request for it is the transfer that counts
      } else if (auto* data = std::get_if<wire::tftp::Data>(&*p);
                 data && client_port && o.udp->dport() == *client_port) {
        blocks[data->block].assign(data->payload.begin(), data->payload.end());
      }
    });
  }
  Bytes all;
  std::uint16_t next = 1;
  for (const auto& [block, bytes] : blocks) {
    EXPECT_EQ(block, next) << "a block is missing from the recording";
    ++next;
    all.insert(all.end(), bytes.begin(), bytes.end());
  }
  return all;
}

}  // namespace

TEST(MemdiskIso, BiosBootsSeed1ThroughTheMenuToMemdiskAndFetchesTheIsoByteForByte) {
  test::TempDir dir("pxekit-memdisk");
  const fs::path root = dir / "tftp";
  fs::create_directories(root / "boot" / "pxelinux.cfg");
  auto write = [](const fs::path& p, const Bytes& b) {
    std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
  };
  auto filled = [](std::size_t n, char c) { return Bytes(n, std::uint8_t(c)); };
  write(root / "boot" / "pxelinux.0", filled(42430, 'P'));
  write(root / "boot" / "ldlinux.c32", filled(120000, 'L'));
  write(root / "boot" / "menu.c32", filled(30000, 'M'));
  write(root / "boot" / "libutil.c32", filled(20000, 'U'));
  write(root / "boot" / "memdisk", filled(26000, 'D'));
  std::string readme;
  for (int i = 0; readme.size() < 70000; ++i) readme += "pxekit memdisk test image, line " + std::to_string(i) + "\n";
  const Bytes iso = make_iso("PXEKIT_WINPE", readme);
  ASSERT_GT(iso.size() / 1408, 65u);  // many blocks at pxelinux's blksize 1408
  write(root / "boot" / "winpe.iso", iso);
  const std::string menu =
      "UI         menu.c32\nMENU TITLE Network Boot\nTIMEOUT    50\n"
      "LABEL      winpe\nMENU LABEL Boot Windows PE from network\nKERNEL     memdisk\nINITRD     winpe.iso\n"
      "APPEND     iso raw\nLABEL      localboot\nMENU LABEL Boot from local disk\nLOCALBOOT  0\n";
  write(root / "boot" / "pxelinux.cfg" / "default", Bytes(menu.begin(), menu.end()));
  // Seed 1's dnsmasq.conf, with this TFTP root.
  const std::string conf = "port=0\ninterface=eno1\nbind-interfaces\ndhcp-option=3,192.168.42.1\n"
                           "dhcp-range=192.168.42.10,192.168.42.20,12h\ndhcp-boot=boot/pxelinux.0\n"
                           "enable-tftp\ntftp-root=" + root.string() + "\n";
  write(dir / "dnsmasq.conf", Bytes(conf.begin(), conf.end()));

  SessionOptions o;
  o.conf_path = (dir / "dnsmasq.conf").string();
  o.profile = "bios";
  o.until = Stage::Kernel;
  o.record = (dir / "boot.pcap").string();
  auto r = run_in_process(o);
  ASSERT_TRUE(r) << r.error().what;
  ASSERT_EQ(r->clients.size(), 1u);
  const ClientReport& c = r->clients.front();
  std::string screen;
  for (const auto& l : c.screen) screen += "  | " + l + "\n";
  EXPECT_TRUE(c.ok()) << screen;
  EXPECT_EQ(c.reached, Stage::Kernel);
  std::vector<Stage> stages;
  for (const auto& s : c.stages) stages.push_back(s.stage);
  EXPECT_EQ(stages, (std::vector{Stage::Dhcp, Stage::Arp, Stage::TftpNbp, Stage::PxelinuxConfig, Stage::Menu,
                                 Stage::Kernel}));
  auto shows = [&](const std::string& line) { return std::find(c.screen.begin(), c.screen.end(), line) != c.screen.end(); };
  EXPECT_TRUE(shows("> Boot Windows PE from network")) << screen;  // the menu, default label chosen
  EXPECT_TRUE(shows("Loading memdisk... ok")) << screen;
  EXPECT_TRUE(shows("Loading winpe.iso... ok")) << screen;

  // What went over the link for boot/winpe.iso is the image, byte for byte (and memdisk too).
  Bytes got = downloaded(o.record, "boot/winpe.iso");
  EXPECT_EQ(got.size(), iso.size());
  EXPECT_TRUE(got == iso) << "the recorded DATA differ from the generated ISO";
  Bytes kernel = downloaded(o.record, "boot/memdisk");
  EXPECT_EQ(kernel, filled(26000, 'D'));
  // The image is an ISO 9660 volume: "CD001" at sector 16, README.TXT's bytes at sector 21.
  ASSERT_GE(got.size(), 22 * kSector);
  EXPECT_EQ(std::string(got.begin() + 16 * kSector + 1, got.begin() + 16 * kSector + 6), "CD001");
  EXPECT_EQ(std::string(got.begin() + 21 * kSector, got.begin() + 21 * kSector + 26), readme.substr(0, 26));
}
