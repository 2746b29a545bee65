// pxekit serve's DHCP engine, TFTP service and SMB share (inprocess_smb.h) as a station on a transport::Link: frames in,
// frames out, no sockets, no threads, no real time. The same machines as the socket servers
// (proto::dhcp::Engine; proto::tftp::admit and Sender; files through server::tftp::TftpRoot,
// confined to the root) built from the same config::ServeConfig, so a simulated client or a
// replayed capture meets what `pxekit serve` would have answered.
//
// Differences from the socket servers, all because there is no host around it:
//   - leases live in the engine's LeaseTable only (no SQLite);
//   - a ping check (dhcp-ping) is answered "no reply" at once (nothing on the Link answers ICMP);
//   - a unicast reply goes to the MAC learnt from frames (ARP or the request), no ARP is sent;
//   - uploads (WRQ) are refused as by a server without an upload directory;
//   - a datagram to a port nothing listens on gets TFTP ERROR 5 (rate-bounded, never to an
//     ERROR), where a host would send ICMP port unreachable.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/addr.h"
#include "base/clock.h"
#include "base/result.h"
#include "config/serve_config.h"
#include "proto/dhcp/engine.h"
#include "proto/tftp/rate_limit.h"
#include "proto/tftp/tid.h"
#include "server/inprocess_smb.h"
#include "server/tftp/file_access.h"
#include "transport/frame.h"
#include "transport/link.h"

namespace pxe::server {

class InProcessServer : public transport::Station {
 public:
  // The server's interface is `ifname` with `ip`/`netmask` (interface= lines apply to it).
  // Attach it to the link (link.attach(server, mac), or attach_all) after constructing it.
  InProcessServer(transport::FrameOut& link, const config::ServeConfig& cfg, Mac mac, Ipv4 ip, Ipv4 netmask,
                  std::string ifname);
  ~InProcessServer() override;
  // Like the constructor, but an unusable configuration (a TFTP root that cannot be opened) is
  // an error instead of a TFTP service that answers nothing.
  static Result<std::unique_ptr<InProcessServer>> create(transport::FrameOut& link, const config::ServeConfig& cfg,
                                                         Mac mac, Ipv4 ip, Ipv4 netmask, std::string ifname);

  void on_frame(ByteSpan frame, Timestamp now) override;
  std::optional<Timestamp> next_deadline() const override;
  void on_time(Timestamp now) override;

  const proto::dhcp::Engine& dhcp() const { return engine_; }
  // The lines `pxekit serve` would have logged (without spdlog's time and level prefix).
  std::vector<std::string> log_lines() const { return log_; }
  // The lines so far, forgotten here (a long run reads them as it goes).
  std::vector<std::string> take_log_lines() { return std::exchange(log_, {}); }
  std::size_t transfers() const { return transfers_.size(); }
  Mac mac() const { return mac_; }
  Ipv4 ip() const { return ip_; }
  // Why TFTP is not served (the root could not be opened), if so.
  const std::optional<std::string>& tftp_error() const { return tftp_error_; }

 private:
  struct Transfer;
  struct Peer {
    Mac mac;
    Ipv4 ip;
    std::uint16_t port = 0;
  };

  void on_arp(const transport::ArpFrame& a);
  void on_udp(const transport::UdpFrame& f, Timestamp now);
  void on_dhcp(const transport::UdpFrame& f, Timestamp now);
  void on_tftp_request(const transport::UdpFrame& f, Timestamp now);
  void on_transfer_datagram(Transfer& t, const transport::UdpFrame& f, Timestamp now);
  void start_read(const transport::UdpFrame& f, const wire::tftp::Request& req, bool netascii, Timestamp now);
  // Carries out the transfer's actions; false when it ended (the caller removes it).
  bool apply(Transfer& t, Timestamp now);
  void send_udp(const Peer& to, std::uint16_t from_port, Bytes payload, Ipv4 from_ip = Ipv4());
  void send_error(const Peer& to, std::uint16_t from_port, wire::tftp::ErrorCode code, const std::string& message);
  std::optional<std::uint16_t> take_port();
  void learn(Ipv4 ip, Mac mac);
  void send_smb(InProcessSmb::Out& out);
  void log(std::string text) { log_.push_back(std::move(text)); }

  transport::FrameOut& link_;
  config::ServeConfig cfg_;
  Mac mac_;
  Ipv4 ip_, netmask_;
  std::string ifname_;
  bool dhcp_here_ = false;  // DHCP enabled and served on ifname
  proto::dhcp::Engine engine_;
  proto::dhcp::Actions dhcp_out_;
  std::optional<Timestamp> dhcp_ticked_;
  std::unordered_map<std::uint32_t, Mac> neighbours_;  // ip -> mac, from ARP and requests (bounded)
  std::optional<tftp::TftpRoot> root_;
  std::optional<std::string> tftp_error_;
  std::unique_ptr<InProcessSmb> smb_;  // when the config has SMB settings
  std::optional<std::string> smb_error_;
  tftp::NameRules rules_;
  proto::tftp::RateLimiter rate_;
  proto::tftp::UnknownTidReplies closed_port_replies_;
  std::map<std::uint64_t, std::unique_ptr<Transfer>> transfers_;  // by id (admission's handle)
  std::map<std::uint16_t, std::uint64_t> by_port_;
  std::uint64_t next_id_ = 1;
  std::uint16_t next_port_ = 0;
  std::vector<std::string> log_;
};

}  // namespace pxe::server
