// Drives the DHCP engine like an in-memory link: client messages in, parsed replies out, with a
// manual clock. Configuration comes from dnsmasq.conf text.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <unistd.h>

#include "base/clock.h"
#include "config/serve_config.h"
#include "proto/dhcp/engine.h"

namespace pxe::proto::dhcp::test {

namespace wd = wire::dhcp;

inline config::DhcpSettings settings_from(const std::string& text) {
  static int n = 0;
  std::string path = testing::TempDir() + "/engine-" + std::to_string(::getpid()) + "-" + std::to_string(n++) + ".conf";
  std::ofstream(path) << text;
  auto c = config::load_dnsmasq_conf(path);
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().what);
  return c.ok() ? c->dhcp : config::DhcpSettings{};
}

struct Sent {
  wd::Message msg;
  Destination to;
  std::uint16_t from_port = 0;
};

class Harness {
 public:
  explicit Harness(const std::string& conf) : Harness(conf, [](config::DhcpSettings&) {}) {}
  // `adjust` changes settings that no dnsmasq.conf line sets (e.g. ping_check).
  Harness(const std::string& conf, const std::function<void(config::DhcpSettings&)>& adjust)
      : engine([&] {
          auto s = settings_from(conf);
          adjust(s);
          return s;
        }()) {
    meta.iface = {"eth0", Ipv4(192, 168, 42, 1), Ipv4(255, 255, 255, 0)};
    meta.src_ip = Ipv4();
    meta.src_port = 68;
    meta.dst_ip = Ipv4(255, 255, 255, 255);
  }

  std::vector<Sent> deliver(const wd::Message& m, std::uint16_t local_port = 67) {
    last.clear();
    DatagramMeta md = meta;
    md.local_port = local_port;
    if (!m.ciaddr.is_zero()) md.src_ip = m.ciaddr;
    if (!m.giaddr.is_zero()) {
      md.src_ip = m.giaddr;
      md.src_port = 67;
    }
    auto bytes = wd::encode(m);
    engine.on_datagram(bytes, md, clock.now(), last);
    return sent();
  }
  // The transport's answer to a ping check.
  std::vector<Sent> probe_result(std::uint64_t id, bool answered) {
    last.clear();
    engine.on_probe_result(id, answered, clock.now(), last);
    return sent();
  }
  std::vector<Sent> sent() const {
    std::vector<Sent> out;
    for (const auto& d : last.replies) {
      auto p = wd::parse(d.payload);
      EXPECT_TRUE(p.ok());
      if (p.ok()) out.push_back({*p, d.to, d.from_port});
    }
    return out;
  }
  Sent one(const wd::Message& m, std::uint16_t local_port = 67) {
    auto r = deliver(m, local_port);
    EXPECT_EQ(r.size(), 1u);
    return r.empty() ? Sent{} : r[0];
  }
  bool logged(const std::string& text) const {
    for (const auto& l : last.log)
      if (l.text == text) return true;
    return false;
  }

  ManualClock clock{Timestamp{1'700'000'000'000'000}};
  Engine engine;
  DatagramMeta meta;
  Actions last;
};

inline Mac mac(std::uint8_t last_octet) { return Mac{{0x52, 0x54, 0x00, 0x42, 0x00, last_octet}}; }

inline wd::Builder client(wd::MessageType t, const Mac& m, std::uint32_t xid = 0x1234) {
  wd::Builder b(wd::Op::Request);
  b.xid(xid).client_mac(m).message_type(t);
  return b;
}

inline wd::Builder pxe_client(wd::MessageType t, const Mac& m, std::uint16_t arch) {
  auto b = client(t, m);
  char vc[40];
  std::snprintf(vc, sizeof vc, "PXEClient:Arch:%05u:UNDI:002001", arch);
  b.option_u16(wd::opt::kClientArch, arch);
  std::uint8_t uuid[17] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  b.option(wd::opt::kClientUuid, uuid);
  b.option_str(wd::opt::kVendorClass, vc);
  return b;
}

}  // namespace pxe::proto::dhcp::test
