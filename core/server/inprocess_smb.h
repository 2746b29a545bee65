// The SMB service of the in-process server: TCP segments for the share's port in, segments out.
// Each connection is a proto::tcp::Endpoint (the TCP a host kernel would run) carrying a
// proto::smb2::Connection, the machine `pxekit serve` runs per socket, over the same shares
// (DirectoryShare, confined to their paths) and the same settings (an smb.conf or --share).
//
// Differences from the socket server: no zero-copy (file data is read into the segment), no
// queued-bytes limit (the TCP window bounds what is in flight, and everything is in memory on
// one thread), and a SYN to another TCP port is answered with RST as a host would.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/addr.h"
#include "base/clock.h"
#include "base/random.h"
#include "base/result.h"
#include "config/smb_settings.h"
#include "proto/smb2/connection.h"
#include "proto/tcp/endpoint.h"
#include "server/smb/smb_server.h"
#include "transport/frame.h"

namespace pxe::server {

class InProcessSmb {
 public:
  struct Out {
    std::vector<transport::TcpFrame> frames;  // MACs left for the caller to fill
    std::vector<std::string> log;             // the SMB log lines, as `pxekit serve` logs them
  };

  // Opens the settings' shares (as `pxekit serve` does). `ip` is the server's address.
  static Result<std::unique_ptr<InProcessSmb>> create(const config::SmbSettings& settings, Ipv4 ip, Timestamp now);
  // With shares already opened (MemoryShare in tests).
  InProcessSmb(const config::SmbSettings& settings, std::vector<OpenedShare> shares, Ipv4 ip, Timestamp now);
  ~InProcessSmb();

  // A segment addressed to the server's IP.
  void on_segment(const transport::TcpFrame& f, Timestamp now, Out& out);
  std::optional<Timestamp> next_deadline() const;
  void on_time(Timestamp now, Out& out);
  std::size_t connections() const { return conns_.size(); }
  // The RST a host sends for a segment nobody listens for (RFC 9293 3.10.7.1), from `ip`.
  static void refuse(const transport::TcpFrame& f, Ipv4 ip, Out& out);

 private:
  struct Conn;
  using Key = std::pair<std::uint32_t, std::uint16_t>;  // the client's address and port
  void apply_tcp(Conn& c, proto::tcp::Actions& acts, Timestamp now, Out& out);
  void apply_smb(Conn& c, proto::smb2::Actions& acts, Timestamp now, Out& out);
  void run_deferred(Timestamp now, Out& out);

  SeededRandom random_{0x5e2a};  // the in-process world is deterministic
  std::vector<OpenedShare> shares_;
  proto::smb2::ServerContext ctx_;
  Ipv4 ip_;
  std::uint16_t port_;
  proto::tcp::EndpointConfig tcp_;
  std::map<Key, std::unique_ptr<Conn>> conns_;
};

}  // namespace pxe::server
