// libFuzzer: dnsmasq.conf text. Parsing either fails with a message naming the file and line, or
// gives a configuration the DHCP engine accepts and answers a PXE DISCOVER and REQUEST with.
#include <cstdlib>
#include <sstream>
#include <string>

#include "config/serve_config.h"
#include "proto/dhcp/engine.h"
#include "wire/dhcp/dhcp.h"

namespace pd = pxe::proto::dhcp;
namespace wd = pxe::wire::dhcp;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  auto cfg = pxe::config::parse_dnsmasq_conf(in, "fuzz.conf");
  if (!cfg) {
    if (cfg.error().what.rfind("fuzz.conf:", 0) != 0) std::abort();  // errors name the file and line
    return 0;
  }
  pd::Engine engine(cfg->dhcp);
  pd::DatagramMeta meta;
  meta.iface = {"eth0", pxe::Ipv4(192, 168, 42, 1), pxe::Ipv4(255, 255, 255, 0)};
  meta.dst_ip = pxe::Ipv4(255, 255, 255, 255);
  const pxe::Mac mac{{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
  pxe::Timestamp now{};
  pd::Actions out;
  for (auto type : {wd::MessageType::Discover, wd::MessageType::Request}) {
    wd::Builder b(wd::Op::Request);
    b.xid(0x1234).client_mac(mac).message_type(type);
    b.option_u16(wd::opt::kClientArch, 7).option_str(wd::opt::kVendorClass, "PXEClient:Arch:00007:UNDI:003016");
    if (type == wd::MessageType::Request) b.option_ip(wd::opt::kRequestedIp, pxe::Ipv4(192, 168, 42, 50));
    out.clear();
    engine.on_datagram(b.encode(), meta, now, out);
    for (const auto& r : out.replies)
      if (!wd::parse(r.payload)) std::abort();  // the engine only sends what parses
  }
  engine.on_timer(now + std::chrono::seconds(120), out);
  return 0;
}
