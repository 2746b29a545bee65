// What the server does with a datagram on port 69: parse it, apply the policy (read-only, rate
// limit, transfer limit, mode, path confinement, tftp-secure), and either answer with an ERROR or
// hand back a new Transfer on its own port. Malformed datagrams are counted and dropped.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "config/tftp_settings.h"
#include "proto/tftp/negotiation.h"
#include "server/tftp/file_access.h"
#include "server/tftp/rate_limit.h"
#include "server/tftp/transfer.h"
#include "transport/udp.h"

namespace pxe::server::tftp {

struct RequestStats {
  std::uint64_t malformed = 0;
  std::uint64_t rate_limited = 0;
  std::uint64_t refused = 0;
  std::uint64_t other_interface = 0;  // arrived on an interface not named by interface=
};

class RequestHandler {
 public:
  // `upload_dir`: where WRQ may write, relative to the root (TftpRoot::upload_dir); empty: WRQ
  // is refused.
  RequestHandler(const config::TftpSettings& settings, TftpRoot root, std::string upload_dir = {});

  // `active`: transfers currently running. nullptr when the request was answered with an ERROR
  // (sent through `listen`) or dropped.
  std::unique_ptr<Transfer> on_request(const transport::Datagram& d, transport::UdpSocket& listen,
                                       std::size_t active, Timestamp now);
  const RequestStats& stats() const { return stats_; }

 private:
  void refuse(transport::UdpSocket& listen, const transport::Endpoint& to, wire::tftp::ErrorCode code,
              const std::string& message);
  Result<transport::UdpSocket> transfer_socket(Ipv4 local) const;
  std::unique_ptr<Transfer> on_write(const transport::Datagram& d, const wire::tftp::Request& req,
                                     transport::UdpSocket& listen, Timestamp now);
  proto::tftp::Timing timing_for(const proto::tftp::Negotiated& neg) const;
  // What negotiate() may grant a peer; `mtu` gets the MTU the blksize cap came from.
  proto::tftp::ServerLimits limits_for(const transport::Endpoint& peer, std::uint32_t& mtu) const;
  // The new transfer's socket, or an ERROR sent through `listen` (and nullopt).
  std::optional<transport::UdpSocket> transfer_socket_for(const transport::Datagram& d, transport::UdpSocket& listen);
  bool interface_allowed(int ifindex) const;

  config::TftpSettings settings_;
  TftpRoot root_;
  std::string upload_dir_;
  NameRules rules_;
  RateLimiter limiter_;
  RequestStats stats_;
  Timestamp last_rate_log_{};
};

}  // namespace pxe::server::tftp
