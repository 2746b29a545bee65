#include "client/interface_session.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "client/fleet.h"
#include "client/progress.h"
#include "transport/interface_link.h"

namespace pxe::client {

Duration default_interface_limit(unsigned time_divisor) {
  // Real firmware timers: BIOS gives up on DHCP after ~60 s, pxelinux after ~131 s per file.
  if (time_divisor <= 1) return std::chrono::minutes(15);
  return std::chrono::seconds(120);
}

Result<SessionResult> run_on_interface(const SessionOptions& o, const std::string& ifname, Duration limit) {

  SystemClock clock;
  auto link = transport::InterfaceLink::open(ifname, clock);
  if (!link) return link.error();
  auto& net = **link;

  auto fleet = Fleet::create(o);
  if (!fleet) return fleet.error();
  (*fleet)->attach(net);
  const Timestamp power_on = clock.now();
  (*fleet)->power_on(power_on);
  ProgressBar bar;
  auto ran = net.run_until(
      [&] {
        if (o.progress) {
          if (auto text = bar.update((*fleet)->progress(), clock.now()); !text.empty()) o.progress(text);
        }
        return (*fleet)->all_done();
      },
      power_on + limit);
  if (o.progress) {
    if (auto text = bar.finish(); !text.empty()) o.progress(text);
  }
  if (!ran) return ran.error();

  SessionResult r;
  r.simulated = clock.now() - power_on;
  r.wall_clock = true;
  r.frames_dropped = net.dropped();
  if (auto done = (*fleet)->finish(net, r); !done) return done.error();
  return r;
}

}  // namespace pxe::client
