// Observations -> Events: parses the application layer with the wire codecs and keeps only what
// the diagnosis needs. Stateless apart from the output list.
#pragma once

#include <unordered_map>
#include <vector>

#include "capture/observation.h"
#include "diag/events.h"

namespace pxe::diag {

class EventBuilder {
 public:
  void add(const capture::Observation& obs);
  std::vector<Event>& events() { return events_; }

 private:
  // Each takes the event started by add() and moves it into events_ when it keeps one.
  void add_dhcp(const capture::Observation& obs, Event& e);
  void add_tftp(const capture::Observation& obs, Event& e);
  void add_smb(const capture::Observation& obs, const Event& base);
  std::vector<Event> events_;
  // Per flow (src, sport, dst, dport): index of its latest DATA / ACK event, for collapsing runs.
  std::unordered_map<std::uint64_t, std::size_t> last_data_, last_ack_;
};

}  // namespace pxe::diag
