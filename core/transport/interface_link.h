// The Link's contract on a real interface, in real time: stations (simulated clients) send
// whole Ethernet frames through it (a FrameOut, as with the in-memory Link) and get the frames
// for their MACs, broadcasts and multicasts from a PacketSocket; their timers fire from the
// clock. Frames one station sends reach the others here too (the wire does not echo them back),
// as on a shared segment.
//
// run_until waits (epoll on the socket, timeout to the earliest station deadline or delayed
// frame), delivers, fires due timers, until done() or the clock passes `limit`.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "base/unique_fd.h"
#include "transport/link.h"
#include "transport/packet_socket.h"

namespace pxe::transport {

class InterfaceLink : public FrameOut {
 public:
  // Opens a PacketSocket on `ifname` (needs CAP_NET_RAW). `clock` gives the stations' now().
  static Result<std::unique_ptr<InterfaceLink>> open(const std::string& ifname, const Clock& clock);
  InterfaceLink(const InterfaceLink&) = delete;
  InterfaceLink& operator=(const InterfaceLink&) = delete;

  void attach(Station& s, Mac mac);
  void attach_all(Station& s);
  // Out on the wire now (or after the hook's delay), and to the other attached stations it is for.
  // A socket error is kept: run_until returns it.
  void send(Bytes frame) override;
  // Applied to every frame sent and every frame received (faults), as the Link's hook.
  void set_hook(FrameHook hook) { hook_ = std::move(hook); }
  // Sees every frame sent and received, with its time (pcap --record).
  void set_tap(FrameTap tap) { tap_ = std::move(tap); }

  // true: done() held; false: the clock passed `limit` first. An error: the socket failed.
  Result<bool> run_until(const std::function<bool()>& done, Timestamp limit);

  Timestamp now() const { return clock_.now(); }
  const PacketSocket& socket() const { return sock_; }
  std::uint64_t dropped() { return sock_.dropped(); }  // frames the socket lost (buffer full)
  std::uint64_t sent() const { return sent_; }
  std::uint64_t received() const { return received_; }

 private:
  InterfaceLink(PacketSocket sock, UniqueFd epoll, const Clock& clock);
  struct Pending {
    Bytes frame;
    bool outgoing;          // to the wire (and the other stations), else from it
    const Station* origin;  // the sender, for outgoing frames
  };
  void transmit(Pending p);   // after the hook: wire + local stations, or local stations
  void deliver(const Bytes& frame, const Station* origin);
  bool fire_due();
  std::optional<Timestamp> next_event() const;

  PacketSocket sock_;
  UniqueFd epoll_;
  const Clock& clock_;
  Stations stations_;
  std::multimap<Timestamp, Pending> delayed_;
  std::vector<Pending> local_;  // frames for stations, delivered by the loop (no re-entrance)
  FrameHook hook_;
  FrameTap tap_;
  const Station* current_ = nullptr;
  std::optional<Error> error_;
  std::uint64_t sent_ = 0, received_ = 0;
};

}  // namespace pxe::transport
