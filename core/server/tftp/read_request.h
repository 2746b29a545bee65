// The socket-free part of serving a TFTP request, shared by the socket server (RequestHandler)
// and the in-process server (server::InProcessServer): which interfaces are served, what
// admission allows, and a read request made ready to serve (the name confined to the root, the
// file opened, netascii converted, options negotiated, the retransmission timing), or the ERROR
// that refuses it with the log line saying why.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "config/tftp_settings.h"
#include "proto/tftp/admission.h"
#include "proto/tftp/file_source.h"
#include "proto/tftp/negotiation.h"
#include "proto/tftp/timing.h"
#include "server/tftp/file_access.h"
#include "wire/tftp/tftp.h"

namespace pxe::server::tftp {

// dnsmasq's interface= matching: an exact name, or a prefix ending in '*'.
bool interface_matches(const std::string& pattern, std::string_view name);
// Requests on interface `name` are served: no interface= line, the loopback interface (as in
// dnsmasq, always served alongside interface=), or a matching line.
bool interface_served(const config::TftpSettings& settings, std::string_view name);

// tftp-max, tftp-max-per-client; `writable`: an upload directory is open.
proto::tftp::AdmissionLimits admission_limits(const config::TftpSettings& settings, bool writable);
// What negotiate() may grant a peer on a path with this MTU.
proto::tftp::ServerLimits server_limits(const config::TftpSettings& settings, std::uint32_t mtu);
// Retransmission and give-up timing (the peer's RFC 2349 timeout, when negotiated).
proto::tftp::Timing transfer_timing(const config::TftpSettings& settings, const proto::tftp::Negotiated& neg);

struct ReadReady {
  std::string path;  // the full path, log-safe
  std::unique_ptr<proto::tftp::FileSource> source;  // what the Sender reads (netascii converted)
  proto::tftp::Negotiated negotiated;
  proto::tftp::Timing timing;
};
struct ReadRefused {
  wire::tftp::ErrorCode code;
  std::string message;   // the ERROR's text
  std::string log_line;  // for the log, at warning level
};

// An RRQ (admitted) from `peer`, on a path with this MTU.
std::variant<ReadReady, ReadRefused> prepare_read(const wire::tftp::Request& request, bool netascii, Ipv4 peer,
                                                  const TftpRoot& root, const NameRules& rules,
                                                  const config::TftpSettings& settings, std::uint32_t mtu);

}  // namespace pxe::server::tftp
