// libFuzzer: the DHCP server engine (full server with PXE menus, proxy mode and the port-4011 boot
// server) fed a sequence of arbitrary datagrams. The engines live for the whole run (never
// restarted), so state built by one input meets the next, and after every datagram these must
// hold, else abort():
//   - every reply parses and fits the client's maximum message size (option 57, 576 without it,
//     at most 1500, minus the IP and UDP headers);
//   - the lease table keeps one address per client and one client per address, and so do offers;
//   - tables stay within their stated bounds: leases within the served addresses, bound leases
//     within dhcp-lease-max, offers within the pools and kMaxOffers, declines within
//     kMaxDeclined, ping checks within kMaxProbes, remembered free addresses within kMaxProbedFree.
// The input is split into datagrams at "\xff\xfe\xfd" markers; the first byte of each chooses the
// port (67 or 4011), the relay, the engine, the probe answer and how much time passes.
#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>

#include "config/serve_config.h"
#include "proto/dhcp/engine.h"
#include "wire/dhcp/dhcp.h"

namespace pd = pxe::proto::dhcp;
namespace wd = pxe::wire::dhcp;

namespace {

pxe::config::DhcpSettings settings(const char* text) {
  std::istringstream in(text);
  auto c = pxe::config::parse_dnsmasq_conf(in, "fuzz");
  if (!c) std::abort();
  c->dhcp.ping_check = true;  // the Probe / on_probe_result path too
  return c->dhcp;
}

const char* kFull =
    "dhcp-range=192.168.42.50,192.168.42.150,12h\n"
    "dhcp-range=10.0.0.10,10.0.0.20,255.255.255.0,2m\n"
    "dhcp-match=set:efi64,option:client-arch,7\n"
    "dhcp-boot=tag:efi64,syslinux.efi\n"
    "dhcp-boot=pxelinux.0,server,192.168.42.1\n"
    "dhcp-host=52:54:00:00:00:01,192.168.42.60,box\n"
    "dhcp-host=52:54:00:00:00:02,192.168.42.200,outside\n"
    "dhcp-option=option:router,192.168.42.1\n"
    "dhcp-option=encap:175,8,1\n"
    "pxe-prompt=\"Boot\",5\n"
    "pxe-service=x86PC,\"Linux\",pxelinux\n"
    "pxe-service=x86PC,\"Local\",0\n"
    "pxe-service=x86-64_EFI,\"UEFI\",syslinux.efi\n"
    "dhcp-lease-max=60\n";
const char* kProxy =
    "dhcp-range=192.168.42.0,proxy\n"
    "pxe-service=x86PC,\"Linux\",pxelinux\n"
    "pxe-service=BC_EFI,\"UEFI\",bootx64.efi\n";

// Addresses the engine may bind or hold: its pools plus the dhcp-host addresses outside them.
std::size_t served(const pxe::config::DhcpSettings& s) {
  std::size_t n = 0;
  for (const auto& r : s.ranges)
    if (!r.proxy && !r.static_only) n += std::size_t(r.end.value - r.start.value) + 1;
  for (const auto& h : s.hosts) {
    if (!h.ip) continue;
    bool in_pool = false;
    for (const auto& r : s.ranges) in_pool = in_pool || (!r.proxy && *h.ip >= r.start && *h.ip <= r.end);
    n += !in_pool;
  }
  return n;
}

void check(bool ok) {
  if (!ok) std::abort();
}

std::size_t size_limit(const wd::Message& req) {
  std::size_t limit = std::max<std::size_t>(576, req.max_message_size().value_or(576));
  return std::min<std::size_t>(limit, 1500) - 28;
}

void check_replies(const pd::Actions& out, std::size_t limit) {
  for (const auto& r : out.replies) {
    check(wd::parse(r.payload).ok());
    check(r.payload.size() <= limit);
  }
}

void check_tables(const pd::Engine& e) {
  const auto& s = e.settings();
  const auto& leases = e.leases();
  for (const auto& l : leases.all()) {
    const pd::Lease* by_ip = leases.find_ip(l.ip);
    check(by_ip && by_ip->client_key == l.client_key);  // one client per address
    check(leases.find_client(l.client_key)->ip == l.ip);  // one address per client
  }
  check(leases.size() <= served(s));
  check(leases.declined() <= pd::LeaseTable::kMaxDeclined);
  check(leases.bound() <= leases.size());
  if (s.lease_max) check(leases.bound() <= *s.lease_max);
  e.allocator().each_offer([](pxe::Ipv4 ip, const pd::Allocator::Offer&, std::optional<pxe::Ipv4> of_client) {
    check(of_client == ip);
  });
  check(e.allocator().offers() <= std::min(served(s), pd::kMaxOffers));
  check(e.probes_waiting() <= pd::kMaxProbes);
  check(e.probed_free() <= pd::kMaxProbedFree);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static pd::Engine* engines[2] = {new pd::Engine(settings(kFull)), new pd::Engine(settings(kProxy))};
  static unsigned runs = 0;
  static pxe::Timestamp now{1'700'000'000'000'000};
  if (++runs % 997 == 0) engines[0]->reload(settings(kFull));  // as on SIGHUP: nothing may be lost
  std::string_view in(reinterpret_cast<const char*>(data), size);
  pd::Actions out;
  while (!in.empty()) {
    auto cut = in.find("\xff\xfe\xfd");
    std::string_view one = in.substr(0, cut);
    in = cut == std::string_view::npos ? std::string_view() : in.substr(cut + 3);
    if (one.empty()) continue;
    std::uint8_t sel = static_cast<std::uint8_t>(one[0]);
    one.remove_prefix(1);
    pd::DatagramMeta meta;
    meta.iface = {"eth0", pxe::Ipv4(192, 168, 42, 1), pxe::Ipv4(255, 255, 255, 0)};
    meta.local_port = (sel & 1) ? 4011 : 67;
    meta.src_ip = (sel & 2) ? pxe::Ipv4(10, 0, 0, 1) : pxe::Ipv4();
    meta.src_port = (sel & 2) ? 67 : 68;
    meta.dst_ip = (sel & 1) ? pxe::Ipv4(192, 168, 42, 1) : pxe::Ipv4(255, 255, 255, 255);
    pd::Engine& e = *engines[(sel >> 2) & 1];
    pxe::ByteSpan bytes(reinterpret_cast<const std::uint8_t*>(one.data()), one.size());
    auto req = wd::parse(bytes);
    std::size_t limit = req ? size_limit(*req) : 0;
    out.clear();
    e.on_datagram(bytes, meta, now, out);
    check_replies(out, limit);
    check_tables(e);
    // Half the probes are answered at once (the DISCOVER is answered then: same limit), the
    // others are left to be forgotten by the timer.
    if (sel & 8) {
      auto probes = out.probes;
      for (const auto& p : probes) {
        out.clear();
        e.on_probe_result(p.id, (sel & 16) != 0, now, out);
        check_replies(out, limit);
        check_tables(e);
      }
    }
    now = now + std::chrono::seconds(sel >> 5);
    out.clear();
    e.on_timer(now, out);
    check_tables(e);
  }
  return 0;
}
