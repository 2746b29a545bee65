// Observations -> Events: parses the application layer with the wire codecs and keeps only what
// the diagnosis needs. Stateless apart from the output list.
#pragma once

#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

#include <absl/container/flat_hash_map.h>

#include "capture/observation.h"
#include "diag/events.h"

namespace pxe::diag {

class EventBuilder {
 public:
  void add(const capture::Observation& obs);
  std::vector<Event>& events() { return list_.events; }
  EventList& list() { return list_; }

 private:
  // Each takes the event started by add() and appends it to list_.events when it keeps one.
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
    template <typename H>
    friend H AbslHashValue(H h, const Flow& f) {
      return H::combine(std::move(h), f.src, f.dst, f.sport, f.dport);
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
  absl::flat_hash_map<Flow, Run> data_runs_, ack_runs_;
};

}  // namespace pxe::diag
