#include "transport/stations.h"

#include <algorithm>

#include "transport/frame.h"

namespace pxe::transport {

namespace {
bool is_group(const Mac& m) { return (m.octets[0] & 0x01) != 0; }  // broadcast or multicast
}  // namespace

void Stations::attach(Station& s, std::optional<Mac> mac) {
  auto [it, first] = order_.emplace(&s, order_.size());
  if (first) all_.push_back(&s);
  const std::pair<std::size_t, Station*> entry{it->second, &s};
  auto& list = mac ? by_mac_[*mac] : everything_;
  if (std::find(list.begin(), list.end(), entry) == list.end()) list.push_back(entry);
}

std::vector<Station*> Stations::recipients(ByteSpan frame, const Station* origin) const {
  std::vector<Station*> out;
  std::optional<Mac> dst = frame_dst_mac(frame);
  if (dst && is_group(*dst)) {
    for (Station* s : all_)
      if (s != origin) out.push_back(s);
    return out;
  }
  // Stations that hear everything, merged with the destination's, in first-attach order.
  std::vector<std::pair<std::size_t, Station*>> merged = everything_;
  if (dst) {
    if (auto it = by_mac_.find(*dst); it != by_mac_.end())
      merged.insert(merged.end(), it->second.begin(), it->second.end());
  }
  std::sort(merged.begin(), merged.end());
  for (const auto& [order, s] : merged)
    if (s != origin && (out.empty() || out.back() != s)) out.push_back(s);
  return out;
}

std::optional<Timestamp> Stations::next_deadline() const {
  std::optional<Timestamp> t;
  for (const Station* s : all_) {
    auto d = s->next_deadline();
    if (d && (!t || *d < *t)) t = d;
  }
  return t;
}

}  // namespace pxe::transport
