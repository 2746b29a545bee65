// libFuzzer: frames into the in-process server (server::InProcessServer on a transport::Link):
// DHCP on 67 and 4011, TFTP requests on 69, datagrams to the transfers' ports, ARP, and raw
// frames, and TCP to the SMB share (a SYN, data with the right sequence numbers to reach the
// SMB2 machine, FIN, RST, or any numbers). The server lives for the whole run (state built by one
// input meets the next). After every frame, with the Link run on for a while, these must hold,
// else abort():
//   - every frame the server sends parses (IPv4/UDP, IPv4/TCP or ARP), from its own MAC, a UDP one
//     from its own address or (a DHCP reply) the address the engine chose, a TCP one from its own
//     address (from port 445 unless it is a RST);
//   - running transfers stay within tftp-max.
// The input is split into frames at "\xff\xfe\xfd" markers; the first byte of each chooses what
// it becomes (its low 3 bits) and how much time passes after it (the high bits).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <unistd.h>

#include "config/serve_config.h"
#include "server/inprocess.h"
#include "transport/frame.h"
#include "transport/link.h"

namespace tr = pxe::transport;

namespace {

const pxe::Mac kServerMac{{0x52, 0x54, 0x00, 0x00, 0x00, 0x01}};
const pxe::Ipv4 kServerIp(192, 168, 42, 1);
const pxe::Mac kClientMac{{0x52, 0x54, 0x00, 0x42, 0x00, 0x10}};
const pxe::Ipv4 kClientIp(192, 168, 42, 17);

void check(bool ok) {
  if (!ok) std::abort();
}

std::string& root_path() {
  static std::string root = "/tmp/pxekit-fuzz-inprocess-" + std::to_string(::getpid());
  return root;
}

std::string make_root() {
  const std::string& root = root_path();
  std::atexit([] {
    std::error_code ec;
    std::filesystem::remove_all(root_path(), ec);
  });
  std::filesystem::create_directories(root + "/boot");
  auto put = [&](const std::string& name, std::size_t n) {
    std::ofstream f(root + "/" + name, std::ios::binary);
    for (std::size_t i = 0; i < n; ++i) f.put(char('a' + i % 26));
    std::filesystem::permissions(root + "/" + name, std::filesystem::perms(0644));
  };
  put("pxelinux.0", 3000);
  put("boot/ldlinux.c32", 1408 * 2);
  put("empty", 0);
  put("text.cfg", 700);
  return root;
}

pxe::config::ServeConfig config(const std::string& root) {
  std::istringstream in(
      "dhcp-range=192.168.42.50,192.168.42.150,12h\n"
      "dhcp-match=set:efi64,option:client-arch,7\n"
      "dhcp-boot=tag:efi64,syslinux.efi\n"
      "dhcp-boot=pxelinux.0\n"
      "pxe-service=x86PC,\"Linux\",pxelinux\n"
      "pxe-service=x86-64_EFI,\"UEFI\",syslinux.efi\n"
      "enable-tftp\n"
      "tftp-max=8\n"
      "tftp-root=" + root + "\n");
  auto c = pxe::config::parse_dnsmasq_conf(in, "fuzz");
  if (!c) std::abort();
  pxe::config::SmbSettings smb;
  smb.map_to_guest = pxe::config::MapToGuest::BadUser;
  smb.accounts.push_back({"user", "pass"});
  pxe::config::SmbShare share;
  share.name = "GUEST";
  share.path = root;
  share.guest_ok = true;
  smb.shares.push_back(share);
  c->smb = smb;
  return *c;
}

struct World {
  pxe::ManualClock clock{pxe::Timestamp{1'700'000'000'000'000}};
  tr::Link link{clock};
  pxe::config::ServeConfig cfg = config(make_root());
  pxe::server::InProcessServer server{link, cfg, kServerMac, kServerIp, pxe::Ipv4(255, 255, 255, 0), "eth0"};
  std::uint16_t last_server_port = 69;  // a transfer's port, to aim datagrams at
  // The SMB connection the input drives: the client's port and next sequence number, and the
  // server's next one (from what the tap saw), so data segments land in sequence.
  std::uint16_t tcp_port = 50000;
  std::uint32_t client_next = 0, server_next = 0;
  World() {
    link.attach_all(server);
    link.set_tap([this](pxe::ByteSpan frame, pxe::Timestamp) {
      if (frame.size() < 12 || pxe::Mac::from_bytes(frame.subspan(6)) != kServerMac) return;
      auto p = tr::parse_frame(frame);
      check(!std::holds_alternative<std::monostate>(p));
      if (auto* u = std::get_if<tr::UdpFrame>(&p)) {
        check(u->src_mac == kServerMac);
        check(u->src_ip == kServerIp || u->src_port == 67 || u->src_port == 4011);
        if (u->src_port != 67 && u->src_port != 4011 && u->src_port != 69) last_server_port = u->src_port;
      } else if (auto* t = std::get_if<tr::TcpFrame>(&p)) {
        check(t->src_mac == kServerMac && t->src_ip == kServerIp);
        check(t->src_port == 445 || t->segment.has(pxe::wire::tcp::flag::kRst));
        if (t->dst_port == tcp_port && !t->segment.has(pxe::wire::tcp::flag::kRst))
          server_next = t->segment.seq + t->segment.space();
      } else {
        check(std::get<tr::ArpFrame>(p).sender_mac == kServerMac);
      }
    });
  }
};

World& world() {
  static World w;
  return w;
}

void send_udp(World& w, pxe::Ipv4 src, pxe::Ipv4 dst, pxe::Mac dst_mac, std::uint16_t sport, std::uint16_t dport,
              std::string_view payload) {
  tr::UdpFrame f{kClientMac, dst_mac, src, dst, sport, dport, pxe::Bytes(payload.begin(), payload.end())};
  w.link.send(tr::build_udp_frame(f));
}

void one(World& w, std::string_view chunk) {
  if (chunk.empty()) return;
  const std::uint8_t ctl = static_cast<std::uint8_t>(chunk[0]);
  std::string_view body = chunk.substr(1);
  switch (ctl & 7) {
    case 0: send_udp(w, pxe::Ipv4(), tr::kBroadcastIpv4, tr::kBroadcastMac, 68, 67, body); break;
    case 1: send_udp(w, kClientIp, kServerIp, kServerMac, 68, 4011, body); break;
    case 2: send_udp(w, kClientIp, kServerIp, kServerMac, 2070, 69, body); break;
    case 3: send_udp(w, kClientIp, kServerIp, kServerMac, 2070, w.last_server_port, body); break;
    case 4: send_udp(w, kClientIp, kServerIp, kServerMac, 2071, w.last_server_port, body); break;
    case 5: {  // ARP for the server or another address
      tr::ArpFrame a{true, kClientMac, kClientIp, pxe::Mac{}, body.empty() ? kServerIp : pxe::Ipv4(192, 168, 42, 99)};
      w.link.send(tr::build_arp_frame(a, tr::kBroadcastMac));
      break;
    }
    case 7: {  // TCP to the SMB port: body[0] picks SYN, data in sequence, FIN, RST or any numbers
      namespace flag = pxe::wire::tcp::flag;
      if (body.empty()) break;
      const std::uint8_t op = static_cast<std::uint8_t>(body[0]) % 5;
      body.remove_prefix(1);
      tr::TcpFrame t;
      t.src_mac = kClientMac;
      t.dst_mac = kServerMac;
      t.src_ip = kClientIp;
      t.dst_ip = kServerIp;
      t.dst_port = 445;
      t.segment.window = 65535;
      if (op == 0) {
        w.tcp_port = static_cast<std::uint16_t>(50000 + (w.tcp_port - 49999) % 64);
        w.client_next = 1000;
        t.segment.seq = w.client_next++;
        t.segment.flags = flag::kSyn;
        t.segment.mss = 1460;
        t.segment.wscale = 7;
      } else if (op == 4 && body.size() >= 8) {
        auto u32 = [&](std::size_t i) {
          return std::uint32_t(std::uint8_t(body[i])) << 24 | std::uint32_t(std::uint8_t(body[i + 1])) << 16 |
                 std::uint32_t(std::uint8_t(body[i + 2])) << 8 | std::uint8_t(body[i + 3]);
        };
        t.segment.seq = u32(0);
        t.segment.ack = u32(4);
        t.segment.flags = flag::kAck | flag::kPsh;
        body.remove_prefix(8);
        t.segment.payload.assign(body.begin(), body.end());
      } else {
        t.segment.seq = w.client_next;
        t.segment.ack = w.server_next;
        t.segment.flags = flag::kAck | (op == 1 ? flag::kPsh : op == 2 ? flag::kFin : flag::kRst);
        if (op == 1) t.segment.payload.assign(body.begin(), body.end());
        w.client_next += static_cast<std::uint32_t>(t.segment.payload.size()) + (op == 2 ? 1 : 0);
      }
      t.src_port = w.tcp_port;
      w.link.send(tr::build_tcp_frame(t));
      break;
    }
    default: {  // a raw frame; one that claims the server's MAC is re-sourced so the tap can tell
      pxe::Bytes raw(body.begin(), body.end());
      if (raw.size() >= 12 && pxe::Mac::from_bytes(pxe::ByteSpan(raw).subspan(6)) == kServerMac) raw[11] ^= 0xff;
      w.link.send(std::move(raw));
      break;
    }
  }
  // Up to ~30 s of virtual time: retransmissions, give-ups.
  const auto advance = std::chrono::milliseconds(std::int64_t(ctl >> 3) * 1000);
  w.link.run_until([] { return false; }, w.clock.now() + advance);
  check(w.server.transfers() <= w.cfg.tftp.max_transfers);
  (void)w.server.take_log_lines();  // they would pile up over a run
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  World& w = world();
  std::string_view in(reinterpret_cast<const char*>(data), size);
  while (!in.empty()) {
    auto cut = in.find("\xff\xfe\xfd");
    one(w, in.substr(0, cut));
    if (cut == std::string_view::npos) break;
    in.remove_prefix(cut + 3);
  }
  return 0;
}
