// `pxekit client --interface IFACE`, assembled: the same SimulatedClients as --in-process, on a
// transport::InterfaceLink (a packet socket, real time) instead of the in-memory Link, against
// whatever server answers on that segment. Each client uses its own MAC (the interface is made
// promiscuous for them) and answers ARP for the address it got. Needs CAP_NET_RAW.
#pragma once

#include <string>

#include "base/result.h"
#include "client/session.h"

namespace pxe::client {

// SessionOptions as for run_in_process; conf_path and tftp_root are not used (the server is on
// the wire). Faults apply to the frames sent and received; --record and --ramp as in-process. The run ends when every client has
// finished or `limit` wall time has passed (then the unfinished ones "did not finish").
Result<SessionResult> run_on_interface(const SessionOptions& options, const std::string& ifname,
                                       Duration limit);

// The default wall-time limit: the profile's whole timer budget (real), a tenth of it (fast).
Duration default_interface_limit(unsigned time_divisor);

}  // namespace pxe::client
