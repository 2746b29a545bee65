#include "client/fleet.h"

#include <fmt/format.h>

#include <algorithm>

namespace pxe::client {

namespace {

// --timing fast divides every timer: fault delays with them, so the same sequence runs faster.
std::vector<Fault> scaled(std::vector<Fault> faults, unsigned divisor) {
  for (auto& f : faults) f.delay = f.delay / std::max(1u, divisor);
  return faults;
}

std::uint32_t low24(const Mac& m) {
  return std::uint32_t(m.octets[3]) << 16 | std::uint32_t(m.octets[4]) << 8 | m.octets[5];
}

}  // namespace

Fleet::Fleet(const SessionOptions& o, const FirmwareProfile& profile)
    : profile_(profile),
      first_(o.mac.value_or(default_client_mac())),
      count_(std::max(1u, o.count)),
      until_(o.until),
      label_(o.label),
      net_use_(o.net_use),
      ramp_(o.ramp / std::max(1u, o.time_divisor)),
      faults_(scaled(o.faults, o.time_divisor)),
      inject_(faults_),
      rng_(o.seed) {}

Result<std::unique_ptr<Fleet>> Fleet::create(const SessionOptions& o) {
  auto profile = firmware_profile(o.profile);
  if (!profile) return make_error(fmt::format("unknown profile '{}' (bios, uefi, ipxe, linux, winpe)", o.profile));
  scale_timers(*profile, o.time_divisor);
  std::unique_ptr<Fleet> f(new Fleet(o, *profile));
  if (!o.record.empty()) {
    auto w = PcapWriter::open(o.record);
    if (!w) return w.error();
    f->pcap_ = std::move(*w);
  }
  return f;
}

// The clients' MACs count up from `first_` in their low 24 bits.
bool Fleet::from_client(ByteSpan frame) const {
  if (frame.size() < 12) return false;
  Mac src = Mac::from_bytes(frame.subspan(6, 6));
  return std::equal(src.octets.begin(), src.octets.begin() + 3, first_.octets.begin()) &&
         ((low24(src) - low24(first_)) & 0xffffff) < count_;
}

transport::FrameVerdict Fleet::on_sent(ByteSpan frame, Timestamp now) {
  if (pcap_ && from_client(frame)) pcap_->write(frame, now);
  return faults_.empty() ? transport::FrameVerdict{} : inject_(frame, now);
}

void Fleet::on_delivered(ByteSpan frame, Timestamp at) {
  if (!from_client(frame)) pcap_->write(frame, at);
}

void Fleet::power_on(Timestamp now) {
  for (std::size_t i = 0; i < clients_.size(); ++i) {
    if (i == 0 || ramp_ == Duration{}) {
      clients_[i]->start(now);
    } else {
      clients_[i]->power_on_at(now + ramp_ * std::int64_t(i));
    }
  }
}

std::optional<Progress> Fleet::progress() const {
  if (clients_.size() != 1) return std::nullopt;
  return clients_.front()->progress();
}

bool Fleet::all_done() const {
  return std::all_of(clients_.begin(), clients_.end(), [](const auto& c) { return c->finished(); });
}

Result<void> Fleet::finish(SessionResult& r) {
  r.until = clients_.front()->until();
  for (auto& c : clients_) r.clients.push_back(c->report());
  r.fault_log = inject_.log();
  if (pcap_) return pcap_->close();
  return {};
}

}  // namespace pxe::client
