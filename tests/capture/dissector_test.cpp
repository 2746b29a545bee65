#include "capture/dissector.h"

#include <gtest/gtest.h>
#include <tins/tins.h>

#include "capture/checksum.h"
#include "capture/tftp_follower.h"

using namespace pxe;
using namespace pxe::capture;

namespace {

Bytes frame_bytes(Tins::EthernetII pdu) {
  auto v = pdu.serialize();
  return Bytes(v.begin(), v.end());
}

Tins::EthernetII udp_frame(const char* src, const char* dst, std::uint16_t sport, std::uint16_t dport,
                           const Bytes& payload) {
  return Tins::EthernetII("52:54:00:00:00:02", "52:54:00:00:00:01") /
         Tins::IP(dst, src) / Tins::UDP(dport, sport) / Tins::RawPDU(payload.data(), std::uint32_t(payload.size()));
}

// Dissects one frame and returns a copy of the fields the tests look at.
struct Seen {
  App app = App::None;
  Checksum checksum = Checksum::NotChecked;
  Fragment fragment = Fragment::None;
  std::size_t payload = 0;
  bool arp = false, icmp = false, quote = false;
  std::uint16_t quote_dport = 0;
  std::size_t smb_messages = 0;
  std::uint16_t smb_server_port = 0;
  bool smb_from_client = false;  // the first SMB message's direction
  const char* truncated = nullptr;
};

Seen dissect(Dissector& d, const Bytes& b, std::int64_t t = 0) {
  Seen s;
  RawFrame f{ByteSpan(b), std::uint32_t(b.size()), Timestamp{t}};
  d.dissect(f, [&](const Observation& o) {
    s.app = o.app;
    s.checksum = o.checksum;
    s.fragment = o.fragment;
    s.payload = o.l4_payload.size();
    s.arp = o.arp != nullptr;
    s.icmp = o.icmp != nullptr;
    s.quote = o.icmp_quote.present;
    s.quote_dport = o.icmp_quote.dport;
    s.smb_messages = o.smb_messages.size();
    s.smb_server_port = o.smb_server_port;
    if (!o.smb_messages.empty()) s.smb_from_client = o.smb_messages[0].from_client;
    s.truncated = o.truncated_at;
  });
  return s;
}

const Bytes kRrq = [] {
  std::string s("\0\x01pxelinux.0\0octet\0", 19);
  return Bytes(s.begin(), s.end());
}();

}  // namespace

TEST(Dissector, FollowsTftpOntoTheTransfersEphemeralPorts) {
  Dissector d(LinkType::Ethernet);
  auto rrq = udp_frame("192.168.42.17", "192.168.42.1", 2070, 69, kRrq);
  EXPECT_EQ(dissect(d, frame_bytes(rrq)).app, App::Tftp);
  Bytes data = {0, 3, 0, 1, 'x'};
  auto reply = udp_frame("192.168.42.1", "192.168.42.17", 40001, 2070, data);
  EXPECT_EQ(dissect(d, frame_bytes(reply)).app, App::Tftp);
  Bytes ack = {0, 4, 0, 1};
  auto back = udp_frame("192.168.42.17", "192.168.42.1", 2070, 40001, ack);
  EXPECT_EQ(dissect(d, frame_bytes(back)).app, App::Tftp);
  // The same ports between other hosts are not this transfer.
  auto other = udp_frame("192.168.42.99", "192.168.42.17", 40001, 2070, data);
  EXPECT_EQ(dissect(d, frame_bytes(other)).app, App::None);
}

TEST(Dissector, DhcpByPortAndBootServerByCookie) {
  Dissector d(LinkType::Ethernet);
  Bytes bootp(300, 0);
  bootp[0] = 1;
  EXPECT_EQ(dissect(d, frame_bytes(udp_frame("0.0.0.0", "255.255.255.255", 68, 67, bootp))).app, App::Dhcp);
  // Port 4011 needs the magic cookie: without it the datagram is plain UDP.
  EXPECT_EQ(dissect(d, frame_bytes(udp_frame("192.168.42.17", "192.168.42.1", 4011, 4011, bootp))).app,
            App::None);
  bootp[236] = 0x63, bootp[237] = 0x82, bootp[238] = 0x53, bootp[239] = 0x63;
  EXPECT_EQ(dissect(d, frame_bytes(udp_frame("192.168.42.17", "192.168.42.1", 4011, 4011, bootp))).app,
            App::Dhcp);
}

TEST(Dissector, VerifiesUdpChecksums) {
  Dissector d(LinkType::Ethernet);
  Bytes b = frame_bytes(udp_frame("192.168.42.17", "192.168.42.1", 2070, 69, kRrq));
  EXPECT_EQ(dissect(d, b).checksum, Checksum::Ok);
  Bytes bad = b;
  bad[14 + 20 + 6] ^= 0x55;  // corrupt the checksum field
  EXPECT_EQ(dissect(d, bad).checksum, Checksum::Bad);
  Bytes none = b;
  none[14 + 20 + 6] = none[14 + 20 + 7] = 0;
  EXPECT_EQ(dissect(d, none).checksum, Checksum::Absent);
}

TEST(Dissector, TrimsEthernetPaddingFromShortDatagrams) {
  Dissector d(LinkType::Ethernet);
  Bytes ack = {0, 4, 0, 0};
  Bytes b = frame_bytes((udp_frame("192.168.42.17", "192.168.42.1", 2070, 69, ack)));
  b.resize(60, 0);  // padded to the Ethernet minimum
  Seen s = dissect(d, b);
  EXPECT_EQ(s.payload, 4u);
  EXPECT_EQ(s.checksum, Checksum::Ok);
}

TEST(Dissector, ReassemblesIpv4Fragments) {
  Dissector d(LinkType::Ethernet);
  // A TFTP DATA of 3000 bytes from the server's ephemeral port, after the RRQ.
  dissect(d, frame_bytes((udp_frame("192.168.42.17", "192.168.42.1", 2070, 69, kRrq))));
  Bytes data(3004, 'A');
  data[0] = 0, data[1] = 3, data[2] = 0, data[3] = 1;
  auto whole = udp_frame("192.168.42.1", "192.168.42.17", 1025, 2070, data);
  Bytes full = frame_bytes(whole);  // 14 + 20 + 8 + 3004
  ByteSpan l4(full.data() + 34, full.size() - 34);
  auto fragment = [&](std::size_t off, std::size_t len, bool more) {
    Tins::IP ip("192.168.42.17", "192.168.42.1");
    ip.protocol(17);
    ip.id(77);
    ip.fragment_offset(std::uint16_t(off / 8));
    ip.flags(more ? Tins::IP::MORE_FRAGMENTS : Tins::IP::FLAG_RESERVED);
    ip.inner_pdu(Tins::RawPDU(l4.data() + off, std::uint32_t(len)));
    Tins::EthernetII e = Tins::EthernetII("52:54:00:00:00:02", "52:54:00:00:00:01") / ip;
    return frame_bytes(e);
  };
  Seen a = dissect(d, fragment(0, 1480, true));
  EXPECT_EQ(a.fragment, Fragment::Held);
  Seen b = dissect(d, fragment(1480, 1480, true));
  EXPECT_EQ(b.fragment, Fragment::Held);
  Seen c = dissect(d, fragment(2960, l4.size() - 2960, false));
  EXPECT_EQ(c.fragment, Fragment::Reassembled);
  EXPECT_EQ(c.app, App::Tftp);
  EXPECT_EQ(c.payload, data.size());
  EXPECT_EQ(c.checksum, Checksum::Ok);
  EXPECT_EQ(d.stats().reassembled, 1u);
}

TEST(Dissector, ExtractsTheDatagramQuotedInIcmpPortUnreachable) {
  Dissector d(LinkType::Ethernet);
  Bytes inner = frame_bytes((udp_frame("192.168.42.17", "192.168.42.1", 2070, 69, kRrq)));
  Bytes quoted(inner.begin() + 14, inner.end());
  Tins::ICMP icmp(Tins::ICMP::DEST_UNREACHABLE);
  icmp.code(3);
  Tins::EthernetII e = Tins::EthernetII("52:54:00:00:00:01", "52:54:00:00:00:02") /
                       Tins::IP("192.168.42.17", "192.168.42.1") / icmp /
                       Tins::RawPDU(quoted.data(), std::uint32_t(quoted.size()));
  Seen s = dissect(d, frame_bytes(e));
  EXPECT_TRUE(s.icmp);
  EXPECT_TRUE(s.quote);
  EXPECT_EQ(s.quote_dport, 69);
}

TEST(Dissector, TruncatedFramesSayWhereDecodingStopped) {
  Dissector d(LinkType::Ethernet);
  Bytes b = frame_bytes((udp_frame("192.168.42.17", "192.168.42.1", 2070, 69, kRrq)));
  for (std::size_t n = 0; n < b.size(); ++n) {
    Bytes cut(b.begin(), b.begin() + std::ptrdiff_t(n));
    RawFrame f{ByteSpan(cut), std::uint32_t(b.size()), Timestamp{}};
    int calls = 0;
    d.dissect(f, [&](const Observation&) { ++calls; });
    EXPECT_EQ(calls, 1) << n;
  }
  EXPECT_STREQ(dissect(d, Bytes(b.begin(), b.begin() + 20)).truncated, "ip");
  EXPECT_STREQ(dissect(d, Bytes(b.begin(), b.begin() + 8)).truncated, "ether");
}

TEST(Dissector, FramesSmb2MessagesOutOfTcpSegments) {
  Dissector d(LinkType::Ethernet);
  // Two NBSS messages, the second split across two segments.
  Bytes smb(64, 0);
  smb[0] = 0xfe, smb[1] = 'S', smb[2] = 'M', smb[3] = 'B';
  Bytes stream;
  for (int i = 0; i < 2; ++i) {
    stream.insert(stream.end(), {0, 0, 0, 64});
    stream.insert(stream.end(), smb.begin(), smb.end());
  }
  auto seg = [&](std::uint32_t seq, std::size_t off, std::size_t len, std::uint8_t flags) {
    Tins::TCP tcp(445, 50000);
    tcp.seq(seq);
    tcp.flags(flags);
    Tins::EthernetII e = Tins::EthernetII("52:54:00:00:00:01", "52:54:00:00:00:02") /
                         Tins::IP("192.168.42.1", "192.168.42.17") / tcp;
    if (len) e /= Tins::RawPDU(stream.data() + off, std::uint32_t(len));
    return frame_bytes(e);
  };
  EXPECT_EQ(dissect(d, seg(1000, 0, 0, Tins::TCP::SYN)).app, App::Smb2);
  Seen first = dissect(d, seg(1001, 0, 100, Tins::TCP::PSH | Tins::TCP::ACK));
  EXPECT_EQ(first.smb_messages, 1u);
  Seen second = dissect(d, seg(1101, 100, stream.size() - 100, Tins::TCP::PSH | Tins::TCP::ACK));
  EXPECT_EQ(second.smb_messages, 1u);
}

TEST(TftpFollower, ForgetsIdleTransfersWhenFull) {
  TftpFollower f(4, std::chrono::seconds(10));
  for (std::uint16_t p = 1; p <= 4; ++p) f.on_request(1, p, 2, Timestamp{0});
  EXPECT_EQ(f.size(), 4u);
  f.on_request(1, 5, 2, Timestamp{20'000'000});  // 20 s later: the first four are idle
  EXPECT_EQ(f.size(), 1u);
  EXPECT_TRUE(f.matches(2, 999, 1, 5, Timestamp{20'000'001}));
  EXPECT_FALSE(f.matches(2, 999, 1, 1, Timestamp{20'000'001}));
}

TEST(Checksum, MatchesRfc1071Example) {
  // RFC 1071 section 3 example bytes: sum 0xddf2 (before complement).
  const std::uint8_t d[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(fold(sum16(d)), 0xddf2);
}

namespace {
Bytes tftp_bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }
}  // namespace

// A capture on the sending host of a windowed TFTP server shows its UDP segmentation offload as
// one frame holding several DATA datagrams; the dissector hands on each datagram.
TEST(Dissector, SplitsAUdpGsoFrameOfTftpDataIntoItsDatagrams) {
  Dissector d(LinkType::Ethernet);
  auto run = [&](const Bytes& b) {
    std::vector<std::pair<Bytes, GsoSegment>> seen;
    std::vector<std::uint64_t> numbers;
    RawFrame f{ByteSpan(b), std::uint32_t(b.size()), Timestamp{0}};
    d.dissect(f, [&](const Observation& o) {
      seen.emplace_back(Bytes(o.l4_payload.begin(), o.l4_payload.end()), o.gso);
      numbers.push_back(o.number);
      EXPECT_EQ(o.app, App::Tftp);
      if (o.gso.count) {
        EXPECT_EQ(o.checksum, Checksum::NotChecked);
      }
    });
    for (auto n : numbers) EXPECT_EQ(n, numbers.front());  // one frame
    return seen;
  };
  auto rrq = tftp_bytes(std::string_view("\0\x01pxelinux.0\0octet\0blksize\0" "16\0windowsize\0" "4\0", 43));
  run(frame_bytes(udp_frame("192.168.42.17", "192.168.42.1", 2070, 69, rrq)));
  auto oack = tftp_bytes(std::string_view("\0\x06" "blksize\0" "16\0windowsize\0" "4\0", 26));
  run(frame_bytes(udp_frame("192.168.42.1", "192.168.42.17", 40001, 2070, oack)));

  // Blocks 1..3 of 16 bytes and block 4 of 5 bytes in one 73-byte payload.
  Bytes gso;
  for (std::uint8_t block = 1; block <= 4; ++block) {
    gso.insert(gso.end(), {0, 3, 0, block});
    gso.insert(gso.end(), block == 4 ? 5 : 16, std::uint8_t('0' + block));
  }
  auto seen = run(frame_bytes(udp_frame("192.168.42.1", "192.168.42.17", 40001, 2070, gso)));
  ASSERT_EQ(seen.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(seen[i].first.size(), i == 3 ? 9u : 20u);
    EXPECT_EQ(seen[i].first[3], i + 1);
    EXPECT_EQ(seen[i].second.index, i);
    EXPECT_EQ(seen[i].second.count, 4);
    EXPECT_EQ(seen[i].second.frame_payload, gso.size());
  }
  EXPECT_EQ(d.stats().gso_frames, 1u);

  // A single ordinary block and the client's ACK are one datagram each, as before.
  Bytes block5 = {0, 3, 0, 5, 'x'};
  seen = run(frame_bytes(udp_frame("192.168.42.1", "192.168.42.17", 40001, 2070, block5)));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].second.count, 0);
  // An oversize DATA that does not split into this transfer's blocks stays one datagram.
  Bytes odd(60, 'z');
  odd[0] = 0, odd[1] = 3, odd[2] = 0, odd[3] = 6;
  seen = run(frame_bytes(udp_frame("192.168.42.1", "192.168.42.17", 40001, 2070, odd)));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].first.size(), 60u);
  EXPECT_EQ(d.stats().gso_frames, 1u);
}

TEST(Dissector, WithoutAnOackAGsoFrameIsJudgedAgainstTheDefault512ByteBlocks) {
  Dissector d(LinkType::Ethernet);
  auto rrq = udp_frame("192.168.42.17", "192.168.42.1", 2071, 69, kRrq);
  dissect(d, frame_bytes(rrq));
  Bytes gso;
  for (std::uint8_t block = 1; block <= 2; ++block) {
    gso.insert(gso.end(), {0, 3, 0, block});
    gso.insert(gso.end(), block == 2 ? 100 : 512, std::uint8_t('a'));
  }
  Bytes b = frame_bytes(udp_frame("192.168.42.1", "192.168.42.17", 40002, 2071, gso));
  RawFrame f{ByteSpan(b), std::uint32_t(b.size()), Timestamp{0}};
  std::vector<std::size_t> sizes;
  d.dissect(f, [&](const Observation& o) { sizes.push_back(o.l4_payload.size()); });
  EXPECT_EQ(sizes, (std::vector<std::size_t>{516, 104}));
}

// pxekit serve --smb-port 4445 / smbclient -p 4445: no port says SMB, the first data does.
TEST(Dissector, RecognisesSmbOnAnotherPortByItsFirstDataSegment) {
  Dissector d(LinkType::Ethernet);
  auto nbss = [](bool response) {
    Bytes b = {0, 0, 0, 64};
    Bytes smb(64, 0);
    smb[0] = 0xfe, smb[1] = 'S', smb[2] = 'M', smb[3] = 'B', smb[4] = 64;
    if (response) smb[16] = 0x01;
    b.insert(b.end(), smb.begin(), smb.end());
    return b;
  };
  auto seg = [&](bool from_client, std::uint32_t seq, std::uint32_t ackn, std::uint8_t flags, const Bytes& data) {
    Tins::TCP tcp = from_client ? Tins::TCP(4445, 50000) : Tins::TCP(50000, 4445);
    tcp.seq(seq);
    tcp.ack_seq(ackn);
    tcp.flags(flags);
    Tins::EthernetII e = from_client ? Tins::EthernetII("52:54:00:00:00:01", "52:54:00:00:00:02") /
                                           Tins::IP("192.168.42.1", "192.168.42.17") / tcp
                                     : Tins::EthernetII("52:54:00:00:00:02", "52:54:00:00:00:01") /
                                           Tins::IP("192.168.42.17", "192.168.42.1") / tcp;
    if (!data.empty()) e /= Tins::RawPDU(data.data(), std::uint32_t(data.size()));
    return frame_bytes(e);
  };
  using T = Tins::TCP;
  EXPECT_EQ(dissect(d, seg(true, 1000, 0, T::SYN, {})).app, App::None);  // not judged yet
  EXPECT_EQ(dissect(d, seg(false, 5000, 1001, T::SYN | T::ACK, {})).app, App::None);
  EXPECT_EQ(dissect(d, seg(true, 1001, 5001, T::ACK, {})).app, App::None);
  Seen req = dissect(d, seg(true, 1001, 5001, T::PSH | T::ACK, nbss(false)));
  EXPECT_EQ(req.app, App::Smb2);
  EXPECT_EQ(req.smb_server_port, 4445);
  ASSERT_EQ(req.smb_messages, 1u);
  EXPECT_TRUE(req.smb_from_client);
  Seen rsp = dissect(d, seg(false, 5001, 1069, T::PSH | T::ACK, nbss(true)));
  EXPECT_EQ(rsp.app, App::Smb2);
  EXPECT_EQ(rsp.smb_server_port, 4445);
  ASSERT_EQ(rsp.smb_messages, 1u);
  EXPECT_FALSE(rsp.smb_from_client);
  Seen fin = dissect(d, seg(true, 1069, 5069, T::FIN | T::ACK, {}));
  EXPECT_EQ(fin.app, App::Smb2);  // the rest of the connection is SMB's
}

TEST(Dissector, LeavesOtherTcpUndecodedWhateverItCarriesLater) {
  Dissector d(LinkType::Ethernet);
  auto seg = [&](std::uint32_t seq, const Bytes& data) {
    Tins::TCP tcp(8080, 50000);
    tcp.seq(seq);
    tcp.flags(Tins::TCP::PSH | Tins::TCP::ACK);
    return frame_bytes(Tins::EthernetII("52:54:00:00:00:01", "52:54:00:00:00:02") /
                       Tins::IP("192.168.42.1", "192.168.42.17") / tcp /
                       Tins::RawPDU(data.data(), std::uint32_t(data.size())));
  };
  std::string get = "GET / HTTP/1.1\r\n\r\n";
  EXPECT_EQ(dissect(d, seg(1, Bytes(get.begin(), get.end()))).app, App::None);
  Bytes smb = {0, 0, 0, 64, 0xfe, 'S', 'M', 'B', 64, 0};
  smb.resize(68, 0);
  Seen later = dissect(d, seg(1 + std::uint32_t(get.size()), smb));
  EXPECT_EQ(later.app, App::None);
  EXPECT_EQ(later.smb_messages, 0u);
}
