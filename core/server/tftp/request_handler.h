// What the server does with a datagram on port 69, in two steps: admit() decides (interface=, then
// proto::tftp::admit: parse, duplicate rule, rate limit, read-only, mode, per-client and total
// caps), and the loop carries the decision out: refuse() sends the ERROR, start() opens the file
// (path confinement, tftp-secure) and hands back a new Transfer on its own port.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "config/tftp_settings.h"
#include "proto/tftp/admission.h"
#include "proto/tftp/negotiation.h"
#include "server/tftp/file_access.h"
#include "server/tftp/rate_limit.h"
#include "server/tftp/transfer.h"
#include "transport/udp.h"

namespace pxe::server::tftp {

struct RequestStats {
  std::uint64_t malformed = 0;  // not a request at all (counted with datagrams that are not RRQ/WRQ)
  std::uint64_t rate_limited = 0;
  std::uint64_t duplicates = 0;  // retransmitted requests for a running transfer, ignored
  std::uint64_t replaced = 0;    // transfers replaced by the same client starting over
  std::uint64_t refused = 0;
  std::uint64_t other_interface = 0;  // arrived on an interface not named by interface=
};

class RequestHandler {
 public:
  // `upload_dir`: where WRQ may write, relative to the root (TftpRoot::upload_dir); empty: WRQ
  // is refused.
  RequestHandler(const config::TftpSettings& settings, TftpRoot root, std::string upload_dir = {});

  // The decision for one datagram on port 69 (logs what it drops or refuses, counts it).
  proto::tftp::Admission admit(const transport::Datagram& d, const proto::tftp::Running& running, Timestamp now);
  // Carries out StartRead / StartWrite / Replace: nullptr when the file cannot be served (the
  // ERROR went out through `listen`).
  std::unique_ptr<Transfer> start(const transport::Datagram& d, proto::tftp::Admission& decision,
                                  transport::UdpSocket& listen, Timestamp now);
  void refuse(transport::UdpSocket& listen, const transport::Endpoint& to, wire::tftp::ErrorCode code,
              const std::string& message);
  const RequestStats& stats() const { return stats_; }

 private:
  Result<transport::UdpSocket> transfer_socket(Ipv4 local) const;
  std::unique_ptr<Transfer> on_write(const transport::Datagram& d, const wire::tftp::Request& req,
                                     transport::UdpSocket& listen, Timestamp now);
  proto::tftp::Timing timing_for(const proto::tftp::Negotiated& neg) const;
  std::uint32_t mtu_for(const transport::Endpoint& peer) const;  // tftp-mtu, else the path MTU
  // What negotiate() may grant a peer; `mtu` gets the MTU the blksize cap came from.
  proto::tftp::ServerLimits limits_for(const transport::Endpoint& peer, std::uint32_t& mtu) const;
  // The new transfer's socket, or an ERROR sent through `listen` (and nullopt).
  std::optional<transport::UdpSocket> transfer_socket_for(const transport::Datagram& d, transport::UdpSocket& listen);
  bool interface_allowed(int ifindex) const;

  config::TftpSettings settings_;
  TftpRoot root_;
  std::string upload_dir_;
  NameRules rules_;
  proto::tftp::AdmissionLimits limits_;
  RateLimiter limiter_;
  RequestStats stats_;
  Timestamp last_rate_log_{};
};

}  // namespace pxe::server::tftp
