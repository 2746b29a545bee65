#include "client/interface_session.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "client/pcap_writer.h"
#include "transport/interface_link.h"

namespace pxe::client {

Duration default_interface_limit(unsigned time_divisor) {
  // Real firmware timers: BIOS gives up on DHCP after ~60 s, pxelinux after ~131 s per file.
  if (time_divisor <= 1) return std::chrono::minutes(15);
  return std::chrono::seconds(120);
}

Result<SessionResult> run_on_interface(const SessionOptions& o, const std::string& ifname, Duration limit) {
  auto profile = firmware_profile(o.profile);
  if (!profile) return make_error(fmt::format("unknown profile '{}' (bios, uefi, ipxe, linux, winpe)", o.profile));
  scale_timers(*profile, o.time_divisor);

  SystemClock clock;
  auto link = transport::InterfaceLink::open(ifname, clock);
  if (!link) return link.error();
  auto& net = **link;

  std::vector<Fault> faults = o.faults;
  for (auto& f : faults) f.delay = f.delay / std::max(1u, o.time_divisor);
  FaultInjector inject(faults);

  // As in-process, the recording is the clients' view: every frame a client sent (before any
  // fault took it), every frame that reached them from the wire (after the faults).
  std::unique_ptr<PcapWriter> pcap;
  if (!o.record.empty()) {
    auto w = PcapWriter::open(o.record);
    if (!w) return w.error();
    pcap = std::move(*w);
  }
  const Mac first = o.mac.value_or(default_client_mac());
  const unsigned count = std::max(1u, o.count);
  auto from_client = [&](ByteSpan frame) {
    if (frame.size() < 12) return false;
    Mac src = Mac::from_bytes(frame.subspan(6, 6));
    auto low = [](const Mac& m) { return std::uint32_t(m.octets[3]) << 16 | std::uint32_t(m.octets[4]) << 8 | m.octets[5]; };
    return src.octets[0] == first.octets[0] && src.octets[1] == first.octets[1] && src.octets[2] == first.octets[2] &&
           ((low(src) - low(first)) & 0xffffff) < count;
  };
  if (pcap || !faults.empty()) {
    net.set_hook([&](ByteSpan frame, Timestamp now) {
      if (pcap && from_client(frame)) pcap->write(frame, now);
      return faults.empty() ? transport::FrameVerdict{} : inject(frame, now);
    });
  }
  if (pcap) {
    net.set_tap([&](ByteSpan frame, Timestamp at) {
      if (!from_client(frame)) pcap->write(frame, at);
    });
  }

  SeededRandom rng(o.seed);
  std::vector<std::unique_ptr<SimulatedClient>> clients;
  for (unsigned i = 0; i < count; ++i) {
    ClientOptions co{*profile, nth_mac(first, i), o.until, o.label};
    clients.push_back(std::make_unique<SimulatedClient>(net, std::move(co), rng));
    net.attach(*clients.back(), clients.back()->report().mac);
  }
  const Timestamp power_on = clock.now();
  // --ramp: divided with the timers for --timing fast, as in-process.
  const Duration ramp = o.ramp / std::max(1u, o.time_divisor);
  for (std::size_t i = 0; i < clients.size(); ++i) {
    if (i == 0 || ramp == Duration{}) {
      clients[i]->start(clock.now());
    } else {
      clients[i]->power_on_at(power_on + ramp * std::int64_t(i));
    }
  }

  auto all_done = [&] {
    for (const auto& c : clients)
      if (!c->finished()) return false;
    return true;
  };
  auto ran = net.run_until(all_done, power_on + limit);
  if (!ran) return ran.error();

  SessionResult r;
  r.until = clients.front()->until();
  r.simulated = clock.now() - power_on;
  r.wall_clock = true;
  for (auto& c : clients) r.clients.push_back(c->report());
  r.fault_log = inject.log();
  if (pcap) {
    net.set_tap(nullptr);
    net.set_hook(nullptr);
    auto closed = pcap->close();
    if (!closed) return closed.error();
  }
  return r;
}

}  // namespace pxe::client
