// libFuzzer: the DHCP server engine (full server with PXE menus, proxy mode and the port-4011 boot
// server) fed a sequence of arbitrary datagrams: it must never crash, and every reply it sends
// must parse. The input is split into datagrams at "\xff\xfe\xfd" markers; the first byte of
// each chooses the port (67 or 4011), the relay and the engine.
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
    "dhcp-range=10.0.0.10,10.0.0.20,255.255.255.0\n"
    "dhcp-match=set:efi64,option:client-arch,7\n"
    "dhcp-boot=tag:efi64,syslinux.efi\n"
    "dhcp-boot=pxelinux.0,server,192.168.42.1\n"
    "dhcp-host=52:54:00:00:00:01,192.168.42.60,box\n"
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static pd::Engine* engines[2] = {new pd::Engine(settings(kFull)), new pd::Engine(settings(kProxy))};
  // Fresh engines per input would forget state between runs; long-lived ones find state bugs too,
  // but their tables must stay bounded: restart them now and then.
  static unsigned runs = 0;
  if (++runs % 5000 == 0) {
    delete engines[0];
    delete engines[1];
    engines[0] = new pd::Engine(settings(kFull));
    engines[1] = new pd::Engine(settings(kProxy));
  }
  std::string_view in(reinterpret_cast<const char*>(data), size);
  pxe::Timestamp now = pxe::Timestamp{1'700'000'000'000'000} + std::chrono::seconds(runs);
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
    out.clear();
    e.on_datagram(pxe::ByteSpan(reinterpret_cast<const std::uint8_t*>(one.data()), one.size()), meta, now, out);
    for (const auto& r : out.replies)
      if (!wd::parse(r.payload)) std::abort();
    auto probes = out.probes;
    for (const auto& p : probes) {
      out.clear();
      e.on_probe_result(p.id, (sel & 16) != 0, now, out);
      for (const auto& r : out.replies)
        if (!wd::parse(r.payload)) std::abort();
    }
    now = now + std::chrono::seconds(sel >> 5);
    out.clear();
    e.on_timer(now, out);
  }
  return 0;
}
