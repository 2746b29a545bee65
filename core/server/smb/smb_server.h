// The SMB server: TCP 445 (configurable), one sans-I/O proto::smb2::Connection per accepted
// socket, on its own thread. It carries out the machines' actions: bytes out (gathered writes),
// READ data out of the file with sendfile(), the per-connection timer, closing, and Events as log
// lines ("smb" logger).
//
// Limits held here rather than in the machine: the number of connections
// (ServerLimits::max_connections; more are accepted and closed at once, with a warning), and the
// bytes queued for a peer that does not read (max_queued_bytes: above it the server stops reading
// that connection, so a client pipelining READs cannot make it buffer without end).
//
// Opening and running are two steps, as for TFTP: open_smb_server() binds the port (445 needs
// root or CAP_NET_BIND_SERVICE) and takes the opened shares; privileges are dropped; start().
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "config/smb_settings.h"
#include "proto/smb2/connection.h"
#include "proto/smb2/share.h"

namespace pxe::server {

struct SmbServerOptions {
  std::string address = "0.0.0.0";  // the address the port is bound on
  proto::smb2::ServerLimits limits;
  // Per connection: bytes of responses (file data included) not yet taken by the socket above
  // which the connection is not read any more, until half of it has gone. Requests are handed to
  // the machine one NBSS message at a time, so the queue stops within one response of it even
  // when one read holds thousands of pipelined READs (the rest waits, read but not answered).
  std::size_t max_queued_bytes = 64u << 20;
  // A connection the machine closed gets this long to take what was queued for it.
  Duration close_linger = std::chrono::seconds(5);
  // What FSCTL_QUERY_NETWORK_INTERFACE_INFO lists (empty: STATUS_NOT_SUPPORTED);
  // open_smb_service() fills it with smb_interfaces(address).
  std::vector<proto::smb2::ServerInterface> interfaces;
};

// A share the server serves: the tree (a DirectoryShare, or a MemoryShare in tests) and whether
// guest sessions may connect to it.
struct OpenedShare {
  std::string name;
  bool guest_ok = false;
  std::unique_ptr<proto::smb2::Share> share;
};

class SmbServer {
 public:
  virtual ~SmbServer() = default;
  // Starts the server's thread (once; later calls do nothing).
  virtual void start() = 0;
  // Closes every connection (the machines see on_close) and joins the thread.
  virtual void stop() = 0;
  // The port actually bound (settings.port, or the kernel's pick when it was 0).
  virtual std::uint16_t port() const = 0;
  // One turn of the loop on the caller's thread, waiting at most `max_wait_ms`: for tests that
  // drive the server with a ManualClock. Only before start().
  virtual void poll_once(int max_wait_ms) = 0;
  // Connections open now. From the loop's thread, or before start().
  virtual std::size_t connections() const = 0;
  // Bytes of responses (file data included) queued for all connections and not yet taken by
  // their sockets. From the loop's thread, or before start().
  virtual std::size_t queued_bytes() const = 0;
};

// Binds settings.port on options.address; no thread yet. `clock` must outlive the server. The
// server's GUID and the machines' randomness come from the kernel.
Result<std::unique_ptr<SmbServer>> open_smb_server(const config::SmbSettings& settings, std::vector<OpenedShare> shares,
                                                   const SmbServerOptions& options, const Clock& clock);
Result<std::unique_ptr<SmbServer>> open_smb_server(const config::SmbSettings& settings, std::vector<OpenedShare> shares,
                                                   const SmbServerOptions& options = {});  // SystemClock

// Every share of `settings` opened as a DirectoryShare (confined to its path as TFTP's root is);
// an error names the share and its path.
Result<std::vector<OpenedShare>> open_shares(const config::SmbSettings& settings);

// What `pxekit serve` runs: every share of `settings` opened as a DirectoryShare (confined to its
// path as TFTP's root is), then open_smb_server() on `address`. Call as root, before the
// privilege drop: the port (445) and the share directories are opened here. The settings'
// warnings (smb.conf lines ignored) are logged.
Result<std::unique_ptr<SmbServer>> open_smb_service(const config::SmbSettings& settings, const std::string& address);

// The interfaces a multichannel client may reach the server on, for
// FSCTL_QUERY_NETWORK_INTERFACE_INFO: the one holding `address`, or for 0.0.0.0 every interface
// but loopback (loopback when there is nothing else), each with its ifindex and the kernel's link
// speed (/sys/class/net/NAME/speed; 1 Gbit/s when it has none).
Result<std::vector<proto::smb2::ServerInterface>> smb_interfaces(const std::string& address);

// FILETIME (100 ns units since 1601-01-01) of a wall-clock Timestamp.
std::uint64_t filetime_of(Timestamp t);

}  // namespace pxe::server
