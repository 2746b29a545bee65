// The simulated clients of one `pxekit client` run and what watches them, on either link (the
// in-memory transport::Link or a transport::InterfaceLink): --count clients with MACs counting up
// from --mac, --fault as the link's hook, --record as the clients' view (every frame a client sent,
// before any fault took it; every frame that reached one, after the faults), --ramp between
// power-ons. run_in_process and run_on_interface differ only in the link and the server.
#pragma once

#include <memory>
#include <vector>

#include "base/random.h"
#include "base/result.h"
#include "client/faults.h"
#include "client/pcap_writer.h"
#include "client/session.h"
#include "client/simulated_client.h"

namespace pxe::client {

class Fleet {
 public:
  // The options' profile (its timers scaled by --timing), count, MACs, faults and recording. An
  // error: an unknown profile, or the recording cannot be created.
  static Result<std::unique_ptr<Fleet>> create(const SessionOptions& o);

  // Sets the link's hook and tap and attaches every client to it.
  template <class Net>
  void attach(Net& net) {
    if (pcap_ || !faults_.empty()) {
      net.set_hook([this](ByteSpan frame, Timestamp now) { return on_sent(frame, now); });
    }
    if (pcap_) net.set_tap([this](ByteSpan frame, Timestamp at) { on_delivered(frame, at); });
    for (unsigned i = 0; i < count_; ++i) {
      ClientOptions co{profile_, nth_mac(first_, i), until_, label_, net_use_};
      clients_.push_back(std::make_unique<SimulatedClient>(net, std::move(co), rng_));
      net.attach(*clients_.back(), clients_.back()->report().mac);
    }
  }
  // Powers the first client on at `now`, the others --ramp apart.
  void power_on(Timestamp now);
  bool all_done() const;
  // The one client's file under way (a run of one client), for a progress bar.
  std::optional<Progress> progress() const;
  // Takes the hook and tap off the link, closes the recording and fills in `r`'s clients, target
  // stage and fault log.
  template <class Net>
  Result<void> finish(Net& net, SessionResult& r) {
    net.set_tap(nullptr);
    net.set_hook(nullptr);
    return finish(r);
  }

 private:
  Fleet(const SessionOptions& o, const FirmwareProfile& profile);
  bool from_client(ByteSpan frame) const;
  transport::FrameVerdict on_sent(ByteSpan frame, Timestamp now);
  void on_delivered(ByteSpan frame, Timestamp at);
  Result<void> finish(SessionResult& r);

  FirmwareProfile profile_;
  Mac first_;
  unsigned count_;
  std::optional<Stage> until_;
  std::optional<std::string> label_;
  std::optional<NetUse> net_use_;
  Duration ramp_;
  std::vector<Fault> faults_;
  FaultInjector inject_;
  std::unique_ptr<PcapWriter> pcap_;
  SeededRandom rng_;
  std::vector<std::unique_ptr<SimulatedClient>> clients_;
};

}  // namespace pxe::client
