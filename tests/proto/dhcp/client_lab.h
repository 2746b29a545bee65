// An in-memory lab for the DHCP client machine: the client's datagrams go to every server
// Engine that would receive them (broadcast to 67, or unicast to its address), the Engines'
// replies come back to the client, and time is a manual clock that jumps to the client's deadline.
#pragma once

#include <functional>
#include <memory>

#include "base/random.h"
#include "engine_harness.h"
#include "proto/dhcp/client.h"

namespace pxe::proto::dhcp::test {

using std::chrono::seconds;

inline const Mac kMac{{0x52, 0x54, 0x00, 0x42, 0x00, 0x10}};
constexpr Ipv4 kDhcpIp(192, 168, 42, 1), kProxyIp(192, 168, 42, 2);
constexpr const char* kRange = "dhcp-range=192.168.42.10,192.168.42.20\n";
constexpr const char* kProxyMenu =
    "pxe-service=x86PC,\"PXE Netboot\",pxe/pxelinux\n"
    "dhcp-range=192.168.42.0,proxy\n";

struct Server {
  Server(const std::string& conf, Ipv4 ip) : engine(settings_from(conf)) {
    iface = {"eth0", ip, Ipv4(255, 255, 255, 0)};
  }
  Engine engine;
  InterfaceInfo iface;
};

struct SentAt {
  Timestamp at;
  ClientSend send;
  wd::Message msg;
};

struct Lab {
  explicit Lab(ClientDhcpProfile p) : client(kMac, std::move(p), rng) {}

  void add_server(const std::string& conf, Ipv4 ip) { servers.push_back(std::make_unique<Server>(conf, ip)); }

  // Runs until the client is done or failed, or `limit` after the start.
  void run(Duration limit = seconds(600)) {
    start = clock.now();
    ClientActions a;
    client.start(clock.now(), a);
    process(a);
    while (!done && !failed && client.deadline() && *client.deadline() <= start + limit) {
      clock.set(*client.deadline());
      ClientActions t;
      client.on_timer(clock.now(), t);
      process(t);
    }
  }

  void process(ClientActions& a) {
    if (a.done) done = a.done, ended = clock.now();
    if (a.failed) failed = a.failed, ended = clock.now();
    EXPECT_EQ(a.timer, client.deadline());
    for (auto& s : a.sends) {
      auto m = wd::parse(s.payload);
      EXPECT_TRUE(m.ok()) << "the client sent a payload that does not parse";
      sent.push_back({clock.now(), s, m.ok() ? *m : wd::Message{}});
      if (drop && drop(s)) continue;
      for (auto& srv : servers) {
        bool to_it = (s.to_ip == Ipv4(255, 255, 255, 255) && s.to_port == 67) || s.to_ip == srv->iface.address;
        if (!to_it) continue;
        DatagramMeta meta{srv->iface, s.from_ip, s.from_port, s.to_ip, s.to_port};
        Actions out;
        srv->engine.on_datagram(s.payload, meta, clock.now(), out);
        for (std::size_t i = 0; i < out.probes.size(); ++i)  // ping checks: nobody answers
          srv->engine.on_probe_result(out.probes[i].id, false, clock.now(), out);
        for (const auto& r : out.replies) {
          if (r.to.port != 68 && r.to.port != client.profile().boot_server_src_port) continue;
          ClientActions back;
          Ipv4 from = r.from_ip.is_zero() ? srv->iface.address : r.from_ip;
          client.on_datagram(r.payload, from, r.from_port, r.to.port, clock.now(), back);
          process(back);
        }
      }
    }
  }

  std::vector<SentAt> sent_of(wd::MessageType t, std::uint16_t to_port = 67) const {
    std::vector<SentAt> out;
    for (const auto& s : sent)
      if (s.msg.message_type() == t && s.send.to_port == to_port) out.push_back(s);
    return out;
  }
  Duration at(const SentAt& s) const { return s.at - start; }
  Duration end() const { return ended - start; }

  ManualClock clock{Timestamp{1'700'000'000'000'000}};
  SeededRandom rng{12};
  DhcpClient client;
  std::vector<std::unique_ptr<Server>> servers;
  std::function<bool(const ClientSend&)> drop;
  std::vector<SentAt> sent;
  std::optional<ClientBoot> done;
  std::optional<ClientFailure> failed;
  Timestamp start, ended;
};

}  // namespace pxe::proto::dhcp::test
