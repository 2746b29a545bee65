#include "server/inprocess.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "proto/dhcp/engine_harness.h"
#include "support/test_paths.h"
#include "transport/frame.h"
#include "transport/link.h"
#include "wire/tftp/tftp.h"

namespace pxe::server {
namespace {

namespace wd = wire::dhcp;
namespace wt = wire::tftp;
using proto::dhcp::test::pxe_client;
using transport::ArpFrame;
using transport::kBroadcastIpv4;
using transport::kBroadcastMac;
using transport::UdpFrame;
using std::chrono::milliseconds;
using std::chrono::seconds;

const Mac kServerMac{{0x52, 0x54, 0x00, 0x00, 0x00, 0x01}};
const Ipv4 kServerIp(192, 168, 42, 1);
const Ipv4 kNetmask(255, 255, 255, 0);
const Mac kClientMac{{0x52, 0x54, 0x00, 0x42, 0x00, 0x10}};
const Ipv4 kClientIp(192, 168, 42, 17);
constexpr std::uint16_t kClientPort = 2070;

config::ServeConfig serve_config(const std::string& text) {
  std::istringstream in(text);
  auto cfg = config::parse_dnsmasq_conf(in, "test.conf");
  EXPECT_TRUE(cfg.ok()) << (cfg.ok() ? "" : cfg.error().what);
  return cfg.ok() ? *cfg : config::ServeConfig{};
}

Bytes pattern(std::size_t n) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = std::uint8_t(i * 31 + i / 256);
  return b;
}

// The client's side, by hand: records what the server sends it, and (for TFTP) can ACK each
// DATA block at once, from inside the Link like a real station.
class Client : public transport::Station {
 public:
  explicit Client(transport::Link& link) : link_(link) {}
  void on_frame(ByteSpan frame, Timestamp) override {
    auto p = transport::parse_frame(frame);
    if (auto* a = std::get_if<ArpFrame>(&p)) {
      if (a->sender_mac == kServerMac) arps.push_back(*a);
      return;
    }
    auto* u = std::get_if<UdpFrame>(&p);
    if (!u || u->src_mac != kServerMac) return;
    udp.push_back(*u);
    if (!auto_ack || u->src_port == 67 || u->src_port == 4011) return;
    auto pkt = wt::parse(u->payload);
    if (!pkt.ok()) return;
    if (auto* d = std::get_if<wt::Data>(&*pkt)) {
      if (file.size() < std::size_t(d->block) * blksize)  // not a duplicate
        file.insert(file.end(), d->payload.begin(), d->payload.end());
      if (d->payload.size() < blksize) done = true;
      send(*u, wt::encode(wt::Ack{d->block}));
    } else if (auto* o = std::get_if<wt::Oack>(&*pkt)) {
      if (auto* b = wt::find_option(o->options, "blksize")) blksize = std::stoul(b->value);
      send(*u, wt::encode(wt::Ack{0}));
    } else if (std::holds_alternative<wt::ErrorPacket>(*pkt)) {
      done = true;
    }
  }
  std::optional<Timestamp> next_deadline() const override { return std::nullopt; }
  void on_time(Timestamp) override {}

  void send(const UdpFrame& to, Bytes payload) {
    UdpFrame f{kClientMac, to.src_mac, kClientIp, to.src_ip, kClientPort, to.src_port, std::move(payload)};
    link_.send(transport::build_udp_frame(f));
  }

  std::vector<UdpFrame> udp;
  std::vector<ArpFrame> arps;
  bool auto_ack = false;
  std::size_t blksize = 512;
  Bytes file;
  bool done = false;

 private:
  transport::Link& link_;
};

class InProcessServerTest : public ::testing::Test {
 protected:
  void start(const std::string& conf) {
    cfg_ = serve_config(conf);
    server_ = std::make_unique<InProcessServer>(link_, cfg_, kServerMac, kServerIp, kNetmask, "eth0");
    link_.attach(*server_, kServerMac);
    link_.attach(client_, kClientMac);
  }
  void start_tftp(const std::string& extra = "") {
    start("enable-tftp\ntftp-root=" + root_.path().string() + "\n" + extra);
    ASSERT_FALSE(server_->tftp_error()) << *server_->tftp_error();
  }
  void write(const std::string& name, const Bytes& data) {
    auto p = root_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(data.data()), std::streamsize(data.size()));
    ::chmod(p.c_str(), 0644);
  }
  // A frame from the client, sent from outside any station.
  void send_dhcp(const wd::Message& m, Ipv4 src = Ipv4(), Ipv4 dst = kBroadcastIpv4, Mac dst_mac = kBroadcastMac) {
    UdpFrame f{kClientMac, dst_mac, src, dst, 68, 67, wd::encode(m)};
    link_.send(transport::build_udp_frame(f));
  }
  void send_tftp(Bytes payload, std::uint16_t dst_port = 69, std::uint16_t src_port = kClientPort) {
    UdpFrame f{kClientMac, kServerMac, kClientIp, kServerIp, src_port, dst_port, std::move(payload)};
    link_.send(transport::build_udp_frame(f));
  }
  Bytes rrq(const std::string& name, std::vector<wt::Option> options = {}) {
    return wt::encode(wt::Request{false, name, "octet", std::move(options)});
  }
  // Runs until the client got `n` frames (or a second passed, then the test fails).
  void run_until_frames(std::size_t n, Duration within = seconds(1)) {
    EXPECT_TRUE(link_.run_until([&] { return client_.udp.size() >= n; }, clock_.now() + within))
        << "got " << client_.udp.size() << " frames, wanted " << n;
  }
  // DISCOVER, then REQUEST of the offered address (replies 0 and 1): the offered address.
  Ipv4 discover_and_request() {
    send_dhcp(pxe_client(wd::MessageType::Discover, kClientMac, 0).build());
    run_until_frames(1);
    Ipv4 offered = dhcp_reply(0).yiaddr;
    auto req = pxe_client(wd::MessageType::Request, kClientMac, 0);
    req.option_ip(wd::opt::kServerId, kServerIp).option_ip(wd::opt::kRequestedIp, offered);
    send_dhcp(req.build());
    run_until_frames(2);
    return offered;
  }
  // Everything that happens within `d`.
  void settle(Duration d = seconds(2)) { link_.run_until([] { return false; }, clock_.now() + d); }
  wd::Message dhcp_reply(std::size_t i) {
    auto m = wd::parse(client_.udp.at(i).payload);
    EXPECT_TRUE(m.ok());
    return m.ok() ? *m : wd::Message{};
  }
  wt::Packet tftp_reply(std::size_t i) {
    auto p = wt::parse(client_.udp.at(i).payload);
    EXPECT_TRUE(p.ok());
    return p.ok() ? *p : wt::Packet{};
  }
  bool logged_prefix(const std::string& prefix) const {
    for (const auto& l : server_->log_lines())
      if (l.rfind(prefix, 0) == 0) return true;
    return false;
  }

  ManualClock clock_{Timestamp{1'700'000'000'000'000}};
  transport::Link link_{clock_};
  Client client_{link_};
  config::ServeConfig cfg_;
  std::unique_ptr<InProcessServer> server_;
  test::TempDir root_{"pxkt-inproc"};
};

const char* kDhcpConf =
    "dhcp-range=192.168.42.50,192.168.42.150,12h\n"
    "dhcp-boot=pxelinux.0\n";

TEST_F(InProcessServerTest, DiscoverFrameGetsAnOfferFrameWithTheBootFile) {
  start(kDhcpConf);
  send_dhcp(pxe_client(wd::MessageType::Discover, kClientMac, 0).build());
  run_until_frames(1);
  ASSERT_EQ(client_.udp.size(), 1u);
  const UdpFrame& f = client_.udp[0];
  EXPECT_EQ(f.src_ip, kServerIp);
  EXPECT_EQ(f.src_port, 67);
  EXPECT_EQ(f.dst_port, 68);
  auto offer = dhcp_reply(0);
  EXPECT_EQ(offer.message_type(), wd::MessageType::Offer);
  EXPECT_EQ(offer.file_str(), "pxelinux.0");
  EXPECT_EQ(offer.server_id(), kServerIp);
  EXPECT_GE(offer.yiaddr, Ipv4(192, 168, 42, 50));
  EXPECT_LE(offer.yiaddr, Ipv4(192, 168, 42, 150));
  // No broadcast flag, no address yet: unicast at the link layer to chaddr (RFC 2131 §4.1).
  EXPECT_EQ(f.dst_mac, kClientMac);
  EXPECT_EQ(f.dst_ip, offer.yiaddr);
  EXPECT_TRUE(logged_prefix("DHCPOFFER(eth0) " + offer.yiaddr.str() + " " + kClientMac.str()));
}

TEST_F(InProcessServerTest, BroadcastFlagGetsABroadcastOffer) {
  start(kDhcpConf);
  auto b = pxe_client(wd::MessageType::Discover, kClientMac, 0);
  b.broadcast();
  send_dhcp(b.build());
  run_until_frames(1);
  ASSERT_EQ(client_.udp.size(), 1u);
  EXPECT_EQ(client_.udp[0].dst_mac, kBroadcastMac);
  EXPECT_EQ(client_.udp[0].dst_ip, kBroadcastIpv4);
}

TEST_F(InProcessServerTest, RequestGetsAnAckAndALeaseInMemory) {
  start(kDhcpConf);
  Ipv4 offered = discover_and_request();
  ASSERT_EQ(client_.udp.size(), 2u);
  auto ack = dhcp_reply(1);
  EXPECT_EQ(ack.message_type(), wd::MessageType::Ack);
  EXPECT_EQ(ack.yiaddr, offered);
  EXPECT_EQ(ack.file_str(), "pxelinux.0");
  ASSERT_NE(server_->dhcp().leases().find_ip(offered), nullptr);
  EXPECT_EQ(server_->dhcp().leases().find_ip(offered)->mac, kClientMac);
  EXPECT_TRUE(logged_prefix("DHCPACK(eth0) " + offered.str() + " " + kClientMac.str()));
}

TEST_F(InProcessServerTest, RenewingClientIsAnsweredAtTheMacItSentFrom) {
  start(kDhcpConf);
  Ipv4 offered = discover_and_request();
  // RENEWING: unicast from its address, ciaddr set, no server id.
  auto renew = pxe_client(wd::MessageType::Request, kClientMac, 0);
  renew.ciaddr(offered);
  send_dhcp(renew.build(), offered, kServerIp, kServerMac);
  run_until_frames(3);
  ASSERT_EQ(client_.udp.size(), 3u);
  EXPECT_EQ(dhcp_reply(2).message_type(), wd::MessageType::Ack);
  EXPECT_EQ(client_.udp[2].dst_ip, offered);
  EXPECT_EQ(client_.udp[2].dst_mac, kClientMac);
}

TEST_F(InProcessServerTest, ProxyOfferThenBootServerRequestOn4011IsAnsweredAtItsSource) {
  start("dhcp-range=192.168.42.0,proxy\npxe-service=x86-64_EFI,\"A\",a\npxe-service=x86-64_EFI,\"B\",b\n");
  send_dhcp(pxe_client(wd::MessageType::Discover, kClientMac, 7).build());
  run_until_frames(1);
  ASSERT_EQ(client_.udp.size(), 1u);
  auto offer = dhcp_reply(0);
  EXPECT_EQ(offer.vendor_class(), "PXEClient");
  EXPECT_EQ(offer.siaddr, kServerIp);
  // The client, with the address it got elsewhere, asks the boot server (unicast to 4011).
  auto req = pxe_client(wd::MessageType::Request, kClientMac, 7).ciaddr(kClientIp);
  UdpFrame f{kClientMac, kServerMac, kClientIp, kServerIp, 68, 4011, wd::encode(req.build())};
  link_.send(transport::build_udp_frame(f));
  run_until_frames(2);
  ASSERT_EQ(client_.udp.size(), 2u);
  const UdpFrame& r = client_.udp[1];
  EXPECT_EQ(r.src_port, 4011);
  EXPECT_EQ(r.dst_port, 68);
  EXPECT_EQ(r.dst_ip, kClientIp);
  EXPECT_EQ(r.dst_mac, kClientMac);
  auto ack = dhcp_reply(1);
  EXPECT_EQ(ack.message_type(), wd::MessageType::Ack);
  EXPECT_EQ(ack.file_str(), "a.0");
}

TEST_F(InProcessServerTest, ArpForTheServerIsAnsweredAndForOthersNot) {
  start(kDhcpConf);
  link_.send(transport::build_arp_frame({true, kClientMac, kClientIp, Mac{}, Ipv4(192, 168, 42, 99)}, kBroadcastMac));
  link_.send(transport::build_arp_frame({true, kClientMac, kClientIp, Mac{}, kServerIp}, kBroadcastMac));
  settle();
  ASSERT_EQ(client_.arps.size(), 1u);
  EXPECT_EQ(client_.arps[0], (ArpFrame{false, kServerMac, kServerIp, kClientMac, kClientIp}));
}

TEST_F(InProcessServerTest, DhcpOnAnotherInterfaceThanInterfaceLinesIsIgnored) {
  start(std::string(kDhcpConf) + "interface=eth1\n");
  send_dhcp(pxe_client(wd::MessageType::Discover, kClientMac, 0).build());
  settle();
  EXPECT_TRUE(client_.udp.empty());
}

TEST_F(InProcessServerTest, ReadRequestGetsTheWholeFileWithAcks) {
  start_tftp();
  Bytes data = pattern(3000);
  write("pxelinux.0", data);
  client_.auto_ack = true;
  send_tftp(rrq("pxelinux.0"));
  ASSERT_TRUE(link_.run_until([&] { return client_.done; }, clock_.now() + seconds(5)));
  EXPECT_EQ(client_.file, data);
  ASSERT_EQ(client_.udp.size(), 6u);  // 5 full blocks and a short one
  std::uint16_t tid = client_.udp[0].src_port;
  EXPECT_NE(tid, 69);
  for (const auto& f : client_.udp) {
    EXPECT_EQ(f.src_port, tid);
    EXPECT_EQ(f.dst_port, kClientPort);
    EXPECT_EQ(f.dst_mac, kClientMac);
  }
  settle();  // the last ACK ends the transfer
  EXPECT_EQ(server_->transfers(), 0u);
  EXPECT_TRUE(logged_prefix("sent " + root_.path().string() + "/pxelinux.0 to 192.168.42.17 (3000 bytes in "))
      << (server_->log_lines().empty() ? "" : server_->log_lines().back());
}

TEST_F(InProcessServerTest, OptionsAreNegotiatedWithAnOack) {
  start_tftp();
  Bytes data = pattern(5000);
  write("boot/ldlinux.c32", data);
  client_.auto_ack = true;
  send_tftp(rrq("boot/ldlinux.c32", {{"tsize", "0"}, {"blksize", "1408"}}));
  ASSERT_TRUE(link_.run_until([&] { return client_.done; }, clock_.now() + seconds(5)));
  auto oack = tftp_reply(0);
  ASSERT_TRUE(std::holds_alternative<wt::Oack>(oack));
  const auto& opts = std::get<wt::Oack>(oack).options;
  ASSERT_NE(wt::find_option(opts, "tsize"), nullptr);
  EXPECT_EQ(wt::find_option(opts, "tsize")->value, "5000");
  EXPECT_EQ(wt::find_option(opts, "blksize")->value, "1408");
  EXPECT_EQ(client_.file, data);
  EXPECT_EQ(client_.udp.size(), 1u + 4u);  // OACK, 3 full blocks of 1408, one of 776
}

TEST_F(InProcessServerTest, TwoTransfersGetTheirOwnPorts) {
  start_tftp();
  write("a", pattern(10));
  write("b", pattern(10));
  send_tftp(rrq("a"), 69, 3001);
  send_tftp(rrq("b"), 69, 3002);
  run_until_frames(2);
  ASSERT_EQ(client_.udp.size(), 2u);
  EXPECT_NE(client_.udp[0].src_port, client_.udp[1].src_port);
  EXPECT_EQ(server_->transfers(), 2u);
}

TEST_F(InProcessServerTest, LostDataIsResentOnTheTransfersTimer) {
  start_tftp();
  write("f", pattern(100));
  int data_frames = 0;
  link_.set_hook([&](ByteSpan frame, Timestamp) {
    transport::FrameVerdict v;
    auto p = transport::parse_frame(frame);
    if (auto* u = std::get_if<UdpFrame>(&p); u && u->src_mac == kServerMac) v.drop = ++data_frames == 1;
    return v;
  });
  Timestamp sent = clock_.now();
  send_tftp(rrq("f"));
  run_until_frames(1, seconds(3));
  ASSERT_EQ(client_.udp.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<wt::Data>(tftp_reply(0)));
  EXPECT_EQ(clock_.now(), sent + seconds(1));  // tftp retransmit: 1 s
}

TEST_F(InProcessServerTest, MissingFileGetsError1FromPort69) {
  start_tftp();
  send_tftp(rrq("nothere.0"));
  run_until_frames(1);
  ASSERT_EQ(client_.udp.size(), 1u);
  EXPECT_EQ(client_.udp[0].src_port, 69);
  auto p = tftp_reply(0);
  ASSERT_TRUE(std::holds_alternative<wt::ErrorPacket>(p));
  EXPECT_EQ(std::get<wt::ErrorPacket>(p).code, 1);
  EXPECT_TRUE(logged_prefix("file " + root_.path().string() + "/nothere.0 not found for 192.168.42.17"));
}

TEST_F(InProcessServerTest, DotDotIsRefusedWithAccessViolation) {
  start_tftp();
  write("sub/x", pattern(10));
  send_tftp(rrq("sub/../../etc/passwd"));
  run_until_frames(1);
  ASSERT_EQ(client_.udp.size(), 1u);
  auto p = tftp_reply(0);
  ASSERT_TRUE(std::holds_alternative<wt::ErrorPacket>(p));
  EXPECT_EQ(std::get<wt::ErrorPacket>(p).code, 2);
  EXPECT_TRUE(logged_prefix("refusing sub/../../etc/passwd for 192.168.42.17"));
}

TEST_F(InProcessServerTest, ErrorToPort69GetsNothing) {
  start_tftp();
  send_tftp(wt::encode(wt::ErrorPacket{0, "hello"}));
  send_tftp(wt::encode(wt::Ack{1}));
  settle();
  EXPECT_TRUE(client_.udp.empty());
}

TEST_F(InProcessServerTest, WriteRequestIsRefused) {
  start_tftp();
  send_tftp(wt::encode(wt::Request{true, "upload.bin", "octet", {}}));
  run_until_frames(1);
  ASSERT_EQ(client_.udp.size(), 1u);
  auto p = tftp_reply(0);
  ASSERT_TRUE(std::holds_alternative<wt::ErrorPacket>(p));
  EXPECT_EQ(std::get<wt::ErrorPacket>(p).code, 2);
}

TEST_F(InProcessServerTest, StrangerToATransferGetsError5AndTheTransferGoesOn) {
  start_tftp();
  write("f", pattern(600));
  send_tftp(rrq("f"));
  run_until_frames(1);
  std::uint16_t tid = client_.udp[0].src_port;
  send_tftp(wt::encode(wt::Ack{1}), tid, 4444);  // another port of the client
  run_until_frames(2);
  ASSERT_EQ(client_.udp.size(), 2u);
  EXPECT_EQ(client_.udp[1].dst_port, 4444);
  auto p = tftp_reply(1);
  ASSERT_TRUE(std::holds_alternative<wt::ErrorPacket>(p));
  EXPECT_EQ(std::get<wt::ErrorPacket>(p).code, 5);
  send_tftp(wt::encode(wt::Ack{1}), tid);  // the real peer
  run_until_frames(3);
  ASSERT_EQ(client_.udp.size(), 3u);
  ASSERT_TRUE(std::holds_alternative<wt::Data>(tftp_reply(2)));
  EXPECT_EQ(std::get<wt::Data>(tftp_reply(2)).block, 2);
}

TEST_F(InProcessServerTest, UnknownPortGetsError5ButAnErrorThereGetsNothing) {
  start_tftp();
  send_tftp(wt::encode(wt::Ack{1}), 50000);
  run_until_frames(1);
  ASSERT_EQ(client_.udp.size(), 1u);
  EXPECT_EQ(client_.udp[0].src_port, 50000);
  auto p = tftp_reply(0);
  ASSERT_TRUE(std::holds_alternative<wt::ErrorPacket>(p));
  EXPECT_EQ(std::get<wt::ErrorPacket>(p).code, 5);
  send_tftp(wt::encode(wt::ErrorPacket{5, "Unknown transfer ID"}), 50001);
  settle();
  EXPECT_EQ(client_.udp.size(), 1u);
}

TEST_F(InProcessServerTest, TftpRootThatCannotBeOpenedIsAnErrorFromCreate) {
  cfg_ = serve_config("enable-tftp\ntftp-root=/nonexistent/pxekit-inprocess\n");
  auto s = InProcessServer::create(link_, cfg_, kServerMac, kServerIp, kNetmask, "eth0");
  EXPECT_FALSE(s.ok());
}

TEST_F(InProcessServerTest, OnASharedSegmentFramesForOtherHostsAreIgnored) {
  cfg_ = serve_config(std::string(kDhcpConf) + "enable-tftp\ntftp-root=" + root_.path().string() + "\n");
  server_ = std::make_unique<InProcessServer>(link_, cfg_, kServerMac, kServerIp, kNetmask, "eth0");
  link_.attach_all(*server_);
  link_.attach(client_, kClientMac);
  write("f", pattern(10));
  // An RRQ to another host's MAC and address: not ours.
  UdpFrame f{kClientMac, Mac{{2, 0, 0, 0, 0, 9}}, kClientIp, Ipv4(192, 168, 42, 9), kClientPort, 69, rrq("f")};
  link_.send(transport::build_udp_frame(f));
  settle();
  EXPECT_TRUE(client_.udp.empty());
  send_dhcp(pxe_client(wd::MessageType::Discover, kClientMac, 0).build());
  run_until_frames(1);
  EXPECT_EQ(client_.udp.size(), 1u);
}

TEST_F(InProcessServerTest, EveryFrameTheServerSendsParses) {
  start(std::string(kDhcpConf) + "enable-tftp\ntftp-root=" + root_.path().string() + "\n");
  write("pxelinux.0", pattern(2000));
  std::size_t bad = 0, seen = 0;
  link_.set_tap([&](ByteSpan frame, Timestamp) {
    ++seen;
    if (std::holds_alternative<std::monostate>(transport::parse_frame(frame))) ++bad;
  });
  client_.auto_ack = true;
  send_dhcp(pxe_client(wd::MessageType::Discover, kClientMac, 0).build());
  link_.send(transport::build_arp_frame({true, kClientMac, kClientIp, Mac{}, kServerIp}, kBroadcastMac));
  send_tftp(rrq("pxelinux.0", {{"blksize", "1408"}}));
  ASSERT_TRUE(link_.run_until([&] { return client_.done; }, clock_.now() + seconds(5)));
  EXPECT_GT(seen, 5u);
  EXPECT_EQ(bad, 0u);
}

}  // namespace
}  // namespace pxe::server
