// Observations -> Events: parses the application layer with the wire codecs and keeps only what
// the diagnosis needs. Stateless apart from the output list.
#pragma once

#include <cstddef>

#include <absl/container/flat_hash_map.h>
#include <vector>

#include "capture/observation.h"
#include "diag/events.h"

namespace pxe::diag {

class EventBuilder {
 public:
  void add(const capture::Observation& obs);
  std::vector<Event>& events() { return list_.events; }
  EventList& list() { return list_; }

 private:
  // Each takes the event started by add() and moves it into events_ when it keeps one.
  void add_dhcp(const capture::Observation& obs, Event& e);
  void add_tftp(const capture::Observation& obs, Event& e);
  void add_smb(const capture::Observation& obs, const Event& base);
  Text keep(std::string_view s) { return list_.text->keep(s); }

  // A run of DATA (or ACK) packets of one flow, kept as one event: where that event is and the
  // run's totals, so a packet extends its run without reading the event back.
  struct Flow {
    std::uint32_t src, dst;
    std::uint16_t sport, dport;
    friend bool operator==(const Flow&, const Flow&) = default;
  };
  struct FlowHash {
    std::size_t operator()(const Flow& f) const {
      std::uint64_t h = (std::uint64_t(f.src) << 32 | f.dst) * 0x9E3779B97F4A7C15ull;
      return static_cast<std::size_t>(h ^ (h >> 29) ^ (std::uint64_t(f.sport) << 16 | f.dport));
    }
  };
  struct Run {
    std::size_t index;    // the run's event in list_.events
    std::uint16_t block;  // its latest block number
    std::uint32_t blocks;
    std::uint64_t bytes;
    bool fragmented;
    Mac client_mac;
  };

  EventList list_;
  absl::flat_hash_map<Flow, Run, FlowHash> data_runs_, ack_runs_;
};

}  // namespace pxe::diag
