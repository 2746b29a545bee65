// EventBuilder over frames made with libtins and the real dissector: which packets become
// events, how runs of TFTP DATA/ACK collapse, and the text store the events point into.
#include "diag/event_builder.h"

#include <gtest/gtest.h>
#include <tins/tins.h>

#include <string>

#include "capture/dissector.h"

using namespace pxe;
using namespace pxe::diag;

namespace {

const char* kClientMac = "52:54:00:00:00:17";
const char* kServerMac = "52:54:00:00:00:01";
const char* kClientIp = "192.168.42.17";
const char* kServerIp = "192.168.42.1";

Bytes tftp(std::uint16_t op, std::uint16_t block, std::size_t len = 0) {
  Bytes b = {0, std::uint8_t(op), std::uint8_t(block >> 8), std::uint8_t(block)};
  b.resize(4 + len, 'x');
  return b;
}

Bytes rrq(const std::string& file) {
  std::string s = std::string("\0\x01", 2) + file + std::string("\0octet\0", 7);
  return Bytes(s.begin(), s.end());
}

class Feed {
 public:
  // A UDP datagram between the client and the server, either way.
  void udp(bool from_client, std::uint16_t sport, std::uint16_t dport, const Bytes& payload) {
    const char* smac = from_client ? kClientMac : kServerMac;
    const char* dmac = from_client ? kServerMac : kClientMac;
    const char* sip = from_client ? kClientIp : kServerIp;
    const char* dip = from_client ? kServerIp : kClientIp;
    auto pdu = Tins::EthernetII(Tins::EthernetII::address_type(dmac), Tins::EthernetII::address_type(smac)) /
               Tins::IP(Tins::IPv4Address(dip), Tins::IPv4Address(sip)) / Tins::UDP(dport, sport) /
               Tins::RawPDU(payload.data(), std::uint32_t(payload.size()));
    auto v = pdu.serialize();
    Bytes b(v.begin(), v.end());
    capture::RawFrame f{ByteSpan(b), std::uint32_t(b.size()), Timestamp{t_ += 1000}};
    ++frame_;
    dissector_.dissect(f, [&](const capture::Observation& o) { builder_.add(o); });
  }
  // A TCP segment between the client and the server, either way.
  void tcp(bool from_client, std::uint16_t sport, std::uint16_t dport, std::uint32_t seq, std::uint32_t ack,
           std::uint8_t flags, const Bytes& payload = {}) {
    const char* smac = from_client ? kClientMac : kServerMac;
    const char* dmac = from_client ? kServerMac : kClientMac;
    const char* sip = from_client ? kClientIp : kServerIp;
    const char* dip = from_client ? kServerIp : kClientIp;
    Tins::TCP t(dport, sport);
    t.seq(seq);
    t.ack_seq(ack);
    t.flags(flags);
    auto pdu = Tins::EthernetII(Tins::EthernetII::address_type(dmac), Tins::EthernetII::address_type(smac)) /
               Tins::IP(Tins::IPv4Address(dip), Tins::IPv4Address(sip)) / t;
    if (!payload.empty()) pdu /= Tins::RawPDU(payload.data(), std::uint32_t(payload.size()));
    auto v = pdu.serialize();
    Bytes b(v.begin(), v.end());
    capture::RawFrame f{ByteSpan(b), std::uint32_t(b.size()), Timestamp{t_ += 1000}};
    ++frame_;
    dissector_.dissect(f, [&](const capture::Observation& o) { builder_.add(o); });
  }
  // A whole lock-step transfer of `blocks` blocks of 512 bytes (the last `last` bytes long).
  void transfer(const std::string& file, std::uint16_t cport, std::uint16_t sport, int blocks, std::size_t last) {
    udp(true, cport, 69, rrq(file));
    for (int b = 1; b <= blocks; ++b) {
      udp(false, sport, cport, tftp(3, std::uint16_t(b), b == blocks ? last : 512));
      udp(true, cport, sport, tftp(4, std::uint16_t(b)));
    }
  }
  const std::vector<Event>& events() { return builder_.events(); }
  EventBuilder& builder() { return builder_; }

 private:
  capture::Dissector dissector_{capture::LinkType::Ethernet};
  EventBuilder builder_;
  std::int64_t t_ = 0;
  std::uint64_t frame_ = 0;
};

std::vector<const Event*> of(const std::vector<Event>& ev, EventKind k, std::uint16_t port = 0) {
  std::vector<const Event*> out;
  for (const auto& e : ev)
    if (e.kind == k && (!port || e.sport == port || e.dport == port)) out.push_back(&e);
  return out;
}

}  // namespace

TEST(EventBuilder, ARunOfDataAndAcksIsOneEventEachWithTheRunsTotals) {
  Feed f;
  f.transfer("pxelinux.0", 2070, 40001, 6, 100);  // 5 x 512 + 100 bytes
  const auto& ev = f.events();
  auto rrqs = of(ev, EventKind::TftpRequest);
  ASSERT_EQ(rrqs.size(), 1u);
  EXPECT_EQ(rrqs[0]->filename, "pxelinux.0");
  EXPECT_TRUE(rrqs[0]->from_client);
  EXPECT_EQ(rrqs[0]->client_mac, *Mac::parse(kClientMac));

  // DATA 1 stays as it is; DATA 2..6 are one event: the latest packet with the run's totals.
  auto data = of(ev, EventKind::TftpData);
  ASSERT_EQ(data.size(), 2u);
  EXPECT_EQ(data[0]->block, 1);
  EXPECT_EQ(data[0]->run_blocks, 1u);
  EXPECT_EQ(data[1]->block, 6);
  EXPECT_EQ(data[1]->data_len, 100u);
  EXPECT_EQ(data[1]->run_blocks, 5u);
  EXPECT_EQ(data[1]->run_bytes, 4u * 512 + 100);
  EXPECT_FALSE(data[1]->from_client);
  EXPECT_EQ(data[1]->client_mac, *Mac::parse(kClientMac));  // the receiver of DATA
  EXPECT_EQ(data[1]->frame, 12u);                           // the run's last DATA packet

  auto acks = of(ev, EventKind::TftpAck);
  ASSERT_EQ(acks.size(), 2u);
  EXPECT_EQ(acks[1]->block, 6);
  EXPECT_EQ(acks[1]->run_blocks, 5u);
  EXPECT_TRUE(acks[1]->from_client);
  EXPECT_EQ(ev.size(), 5u);  // RRQ, DATA 1, DATA run, ACK 1, ACK run
}

TEST(EventBuilder, InterleavedTransfersKeepTheirOwnRuns) {
  Feed f;
  f.udp(true, 2070, 69, rrq("a.bin"));
  f.udp(true, 2071, 69, rrq("b.bin"));
  for (std::uint16_t b = 1; b <= 4; ++b) {
    f.udp(false, 40001, 2070, tftp(3, b, 512));
    f.udp(false, 40002, 2071, tftp(3, b, b == 4 ? 7 : 512));
  }
  auto a = of(f.events(), EventKind::TftpData, 2070);
  auto b = of(f.events(), EventKind::TftpData, 2071);
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(a[1]->run_blocks, 3u);
  EXPECT_EQ(a[1]->run_bytes, 3u * 512);
  EXPECT_EQ(b[1]->run_bytes, 2u * 512 + 7);
  EXPECT_EQ(b[1]->block, 4);
}

TEST(EventBuilder, ARepeatedBlockOneStartsANewRun) {
  // A client that restarts the transfer on the same ports (a retried RRQ answered again).
  Feed f;
  f.udp(true, 2070, 69, rrq("x"));
  for (std::uint16_t b : {1, 2, 3, 1, 2, 3})
    f.udp(false, 40001, 2070, tftp(3, b, 512));
  auto data = of(f.events(), EventKind::TftpData);
  ASSERT_EQ(data.size(), 4u);  // 1, run 2-3, 1, run 2-3
  EXPECT_EQ(data[1]->run_blocks, 2u);
  EXPECT_EQ(data[2]->block, 1);
  EXPECT_EQ(data[3]->run_blocks, 2u);
}

TEST(EventBuilder, FileNamesAreKeptOnceInTheStore) {
  Feed f;
  f.udp(true, 2070, 69, rrq("pxelinux.0"));
  f.udp(true, 2071, 69, rrq("pxelinux.0"));
  f.udp(true, 2072, 69, rrq("ldlinux.c32"));
  auto r = of(f.events(), EventKind::TftpRequest);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0]->filename.data(), r[1]->filename.data());
  EXPECT_EQ(r[2]->filename, "ldlinux.c32");
  EXPECT_EQ(f.builder().list().text->bytes(), std::string("pxelinux.0ldlinux.c32").size());
}

TEST(TextStore, KeepsEachStringOnceAndStable) {
  TextStore store;
  EXPECT_TRUE(store.keep("").empty());
  std::string a = "pxelinux.cfg/01-52-54-00-00-00-17";
  Text t1 = store.keep(a);
  a.assign(a.size(), '?');  // the store keeps its own copy
  EXPECT_EQ(t1, "pxelinux.cfg/01-52-54-00-00-00-17");
  // Many strings, some longer than a block's quarter: earlier texts do not move.
  std::vector<Text> kept;
  for (int i = 0; i < 20000; ++i) kept.push_back(store.keep("file-" + std::to_string(i)));
  std::string big(40000, 'b');
  Text tb = store.keep(big);
  EXPECT_EQ(tb.size(), big.size());
  EXPECT_EQ(tb.view(), big);
  for (int i = 0; i < 20000; i += 997) EXPECT_EQ(kept[i], "file-" + std::to_string(i));
  EXPECT_EQ(store.keep("file-5").data(), kept[5].data());
  EXPECT_EQ(t1, "pxelinux.cfg/01-52-54-00-00-00-17");
}

TEST(TextStore, TextComparesAndFormatsLikeItsCharacters) {
  TextStore store;
  Text t = store.keep("PXEClient:Arch:00007");
  EXPECT_TRUE(t.starts_with("PXEClient"));
  EXPECT_EQ(t, store.keep(std::string("PXEClient:Arch:00007")));
  EXPECT_NE(t, Text("PXEClient"));
  EXPECT_EQ("vendor " + t, "vendor PXEClient:Arch:00007");
  EXPECT_EQ(fmt::format("[{}]", t), "[PXEClient:Arch:00007]");
}

TEST(ArchList, KeepsTheFirstFourTypes) {
  std::vector<std::uint16_t> many = {7, 9, 0, 6, 10};
  ArchList a = ArchList::from(many);
  ASSERT_EQ(a.size(), ArchList::kMax);
  EXPECT_EQ(a.front(), 7);
  EXPECT_EQ(a[3], 6);
  EXPECT_EQ(a, (ArchList{7, 9, 0, 6}));
  a.clear();
  EXPECT_TRUE(a.empty());
}

// smbclient -p 4445: the SMB server's port is the one the client dialled, not 445/139, and the
// events say which side sent what by it.
TEST(EventBuilder, SmbOnAnotherPortIsAttributedByThePortTheClientDialled) {
  Feed f;
  // An SMB2 NEGOTIATE request and its response, each in one NBSS message (64-byte header only).
  auto smb2 = [](bool response) {
    Bytes b = {0, 0, 0, 64};
    Bytes h(64, 0);
    h[0] = 0xfe, h[1] = 'S', h[2] = 'M', h[3] = 'B', h[4] = 64;
    if (response) h[16] = 0x01;
    b.insert(b.end(), h.begin(), h.end());
    return b;
  };
  using T = Tins::TCP;
  f.tcp(true, 50000, 4445, 1000, 0, T::SYN);
  f.tcp(false, 4445, 50000, 7000, 1001, T::SYN | T::ACK);
  f.tcp(true, 50000, 4445, 1001, 7001, T::PSH | T::ACK, smb2(false));
  f.tcp(false, 4445, 50000, 7001, 1069, T::PSH | T::ACK, smb2(true));
  f.tcp(false, 4445, 50000, 7069, 1069, T::FIN | T::ACK);  // the server hangs up
  auto smb = of(f.events(), EventKind::SmbOther);
  ASSERT_EQ(smb.size(), 2u);
  EXPECT_TRUE(smb[0]->from_client);
  EXPECT_FALSE(smb[0]->is_response);
  EXPECT_FALSE(smb[1]->from_client);
  EXPECT_EQ(smb[1]->smb_server_port, 4445);
  auto closes = of(f.events(), EventKind::TcpClose);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_FALSE(closes[0]->from_client) << "the server's FIN is not the client's";
  EXPECT_TRUE(to_smb_server(*smb[0]));
  EXPECT_FALSE(to_smb_server(*closes[0]));
  EXPECT_EQ(closes[0]->client_mac.str(), kClientMac);
}
