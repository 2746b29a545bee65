// The stations attached to one link and who hears a frame, shared by the in-memory Link and the
// InterfaceLink. A run of `pxekit client --count 500` puts 500 simulated machines and a server on
// one segment, so the lookups here are by MAC (no scan of every attachment per frame) and each
// station is listed once however many MACs it was attached with.
#pragma once

#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "base/addr.h"
#include "base/bytes.h"
#include "base/clock.h"

namespace pxe::transport {

class Station {  // anything on the link: a simulated client, the in-process server
 public:
  virtual ~Station() = default;
  // Every frame for one of its MACs, a broadcast/multicast, or (attach_all) every frame.
  virtual void on_frame(ByteSpan frame, Timestamp now) = 0;
  virtual std::optional<Timestamp> next_deadline() const = 0;  // its earliest timer, if any
  virtual void on_time(Timestamp now) = 0;                     // called when now >= next_deadline()
};

class Stations {
 public:
  // `mac` nullopt: the station hears every frame (a server on the segment, a recorder).
  void attach(Station& s, std::optional<Mac> mac);

  // The stations that hear `frame`, in the order they were first attached, each once, without
  // `origin` (a NIC does not hear itself): those attached to every frame, and those of the
  // destination MAC, or every station for a broadcast or multicast destination.
  std::vector<Station*> recipients(ByteSpan frame, const Station* origin) const;

  // Every station, each once, in the order it was first attached (for timers).
  const std::vector<Station*>& all() const { return all_; }
  // The earliest deadline of any station.
  std::optional<Timestamp> next_deadline() const;

 private:
  std::vector<Station*> all_;
  std::vector<std::pair<std::size_t, Station*>> everything_;           // (attach order, station)
  std::map<Mac, std::vector<std::pair<std::size_t, Station*>>> by_mac_;
  std::map<const Station*, std::size_t> order_;                        // first attach order
};

}  // namespace pxe::transport
