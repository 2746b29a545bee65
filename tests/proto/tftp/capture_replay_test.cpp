// The Receiver as a client, against what real servers sent in captures/: the server's datagrams of
// one recorded transfer are fed to a Receiver configured like the recorded client (the same RRQ),
// with their real source ports and times; what the Receiver sends must be what the firmware sent,
// byte for byte and port for port (the RRQ to 69, then everything to the server's TID).
#include <gtest/gtest.h>

#include "base/addr.h"
#include "capture/source.h"
#include "proto/tftp/receiver.h"
#include "support/test_paths.h"
#include "wire/tftp/tftp.h"

namespace pxe::proto::tftp {
namespace {

namespace wt = wire::tftp;

struct Udp {
  Ipv4 src, dst;
  std::uint16_t sport = 0, dport = 0;
  Bytes payload;
  Timestamp at;
};

std::vector<Udp> udp_of(const std::string& capture) {
  std::vector<Udp> out;
  auto src = capture::PcapSource::open_file(pxe::test::captures_dir() + "/" + capture, "udp");
  EXPECT_TRUE(src.ok()) << capture;
  if (!src.ok()) return out;
  capture::RawFrame f;
  while (src->next(f) == capture::PcapSource::Next::Frame) {
    ByteSpan d = f.data;
    if (d.size() < 14 + 20 + 8 || d[12] != 0x08 || d[13] != 0x00) continue;
    std::size_t ihl = (d[14] & 0x0f) * 4;
    if (d.size() < 14 + ihl + 8 || d[14 + 9] != 17) continue;
    ByteSpan u = d.subspan(14 + ihl);
    Udp x;
    x.src = Ipv4::from_bytes(d.subspan(14 + 12));
    x.dst = Ipv4::from_bytes(d.subspan(14 + 16));
    x.sport = static_cast<std::uint16_t>(u[0] << 8 | u[1]);
    x.dport = static_cast<std::uint16_t>(u[2] << 8 | u[3]);
    std::size_t len = static_cast<std::size_t>(u[4] << 8 | u[5]);
    if (len < 8 || len > u.size()) continue;
    x.payload.assign(u.begin() + 8, u.begin() + static_cast<std::ptrdiff_t>(len));
    x.at = f.time;
    out.push_back(std::move(x));
  }
  return out;
}

struct Sent {
  Bytes bytes;
  std::uint16_t to_port;
  friend bool operator==(const Sent&, const Sent&) = default;
};

std::string describe(const Sent& s) {
  auto p = wt::parse(s.bytes);
  std::string what = p ? std::to_string(static_cast<int>(wt::opcode_of(*p))) : "?";
  if (p)
    if (const auto* a = std::get_if<wt::Ack>(&*p)) what = "ACK " + std::to_string(a->block);
  if (p)
    if (const auto* e = std::get_if<wt::ErrorPacket>(&*p)) what = "ERROR " + std::to_string(e->code) + " " + e->message;
  return what + " to port " + std::to_string(s.to_port);
}

struct Replay {
  std::vector<Sent> recorded, replayed;
  std::optional<Action> result;
  std::optional<std::uint16_t> latched;
};

// Replays the `nth` transfer of `filename` in `capture`: the client's RRQ gives the Receiver its
// request; the server's answers (from any port, to the client's port) are fed in order.
Replay replay(const std::string& capture, const std::string& filename, int nth, ReceiverConfig rc) {
  Replay r;
  auto all = udp_of(capture);
  std::size_t rrq = all.size();
  int seen = 0;
  for (std::size_t i = 0; i < all.size() && rrq == all.size(); ++i) {
    if (all[i].dport != 69) continue;
    auto p = wt::parse(all[i].payload);
    const auto* req = p ? std::get_if<wt::Request>(&*p) : nullptr;
    if (req && !req->write && req->filename == filename && seen++ == nth) rrq = i;
  }
  EXPECT_LT(rrq, all.size()) << filename << " #" << nth << " not in " << capture;
  if (rrq == all.size()) return r;
  const Udp& q = all[rrq];
  const auto req = std::get<wt::Request>(*wt::parse(q.payload));
  rc.filename = req.filename;
  rc.mode = req.mode;
  rc.options = req.options;

  MemorySink sink;
  Receiver rx(sink, rc);
  std::optional<std::uint16_t> server_tid;
  auto take = [&](Actions acts) {
    for (auto& a : acts) {
      if (auto* s = std::get_if<SendDatagram>(&a))
        r.replayed.push_back({s->bytes, s->to_port ? *s->to_port : rx.peer_port().value_or(0)});
      else if (std::holds_alternative<Finished>(a) || std::holds_alternative<Failed>(a))
        r.result = a;
    }
  };
  take(rx.start(q.at));
  r.recorded.push_back({q.payload, q.dport});
  for (std::size_t i = rrq + 1; i < all.size(); ++i) {
    const Udp& u = all[i];
    if (u.src == q.src && u.sport == q.sport && u.dport != 69) {  // the firmware, on this transfer
      r.recorded.push_back({u.payload, u.dport});
    } else if (u.dst == q.src && u.dport == q.sport && u.src == q.dst && !rx.done()) {
      take(rx.on_datagram(u.payload, u.sport, u.at));
    }
  }
  r.latched = rx.peer_port();
  return r;
}

void expect_same(const Replay& r) {
  ASSERT_EQ(r.replayed.size(), r.recorded.size());
  for (std::size_t i = 0; i < r.recorded.size(); ++i)
    EXPECT_EQ(r.replayed[i], r.recorded[i]) << "#" << i << ": replayed " << describe(r.replayed[i]) << ", recorded "
                                            << describe(r.recorded[i]);
}

// OVMF's size probe: tsize 0 blksize 1468 windowsize 4, the OACK (dnsmasq 2.90 leaves windowsize
// out), then ERROR 8 "User aborted the transfer" to the server's TID.
TEST(TftpClientCapture, Edk2SizeProbeAbortsWithError8AsRecorded) {
  ReceiverConfig rc;
  rc.abort_after_oack = true;
  rc.abort_code = 8;
  rc.abort_message = "User aborted the transfer";
  Replay r = replay("edk2-syslinux-menu.pcap", "syslinux.efi", 0, rc);
  expect_same(r);
  ASSERT_EQ(r.recorded.size(), 2u);
  ASSERT_TRUE(r.result && std::holds_alternative<Finished>(*r.result));
  EXPECT_TRUE(r.latched.has_value());
  EXPECT_NE(*r.latched, 69);
}

// Then the download itself, windowsize 4 asked and not granted: lock-step ACKs to the TID.
TEST(TftpClientCapture, Edk2DownloadAcksAsRecorded) {
  Replay r = replay("edk2-syslinux-menu.pcap", "syslinux.efi", 1, {});
  expect_same(r);
  EXPECT_GT(r.recorded.size(), 100u);
  ASSERT_TRUE(r.result && std::holds_alternative<Finished>(*r.result));
}

// pxelinux fetching ldlinux.c32 (tsize 0 blksize 1408) from dnsmasq, behind SeaBIOS's iPXE ROM.
TEST(TftpClientCapture, PxelinuxLdlinuxDownloadAcksAsRecorded) {
  Replay r = replay("bios-pxelinux-menu.pcap", "ldlinux.c32", 0, {});
  expect_same(r);
  ASSERT_TRUE(r.result && std::holds_alternative<Finished>(*r.result));
}

// A config file the server does not have: ERROR 1 from the server's TID ends the transfer, nothing
// is sent back.
TEST(TftpClientCapture, ConfigNotFoundEndsWithNothingSent) {
  Replay r = replay("bios-pxelinux-menu.pcap", "pxelinux.cfg/C0A82A11", 0, {});
  expect_same(r);
  EXPECT_EQ(r.recorded.size(), 1u);  // the RRQ only
  ASSERT_TRUE(r.result);
  const auto* f = std::get_if<Failed>(&*r.result);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->reason, FailReason::PeerError);
  EXPECT_EQ(f->code, 1);
}

}  // namespace
}  // namespace pxe::proto::tftp
