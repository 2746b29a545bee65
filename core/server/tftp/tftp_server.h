// The TFTP server: UDP 69 plus one ephemeral port per transfer, running the sans-I/O transfer
// machines from proto/tftp on its own thread. pxekit serve starts it when TFTP is enabled.
//
// Opening and running are two steps so that a server started as root can open everything (port
// 69, the root, the upload directory) and then drop its privileges before any thread exists
// (capabilities are per thread): open_tftp_server(), drop, start().
#pragma once

#include <cstdint>
#include <memory>

#include "base/clock.h"
#include "base/result.h"
#include "config/tftp_settings.h"

namespace pxe::server {

class TftpServer {
 public:
  virtual ~TftpServer() = default;
  // Starts the server's thread (once; later calls do nothing).
  virtual void start() = 0;
  // Stops accepting requests, sends ERROR 0 "server shutting down" to every running transfer,
  // closes them and joins the thread. Returns promptly (no waiting for a transfer to finish).
  virtual void stop() = 0;
  // The request port actually bound (settings.port, or the kernel's pick when it was 0).
  virtual std::uint16_t port() const = 0;
  // One turn of the loop on the caller's thread, waiting at most `max_wait_ms` for an event: for
  // tests that drive the server with a ManualClock. Only before start().
  virtual void poll_once(int max_wait_ms) = 0;
  // Transfers running now. From the loop's thread, or before start().
  virtual std::size_t running() const = 0;
};

// Binds the request port, opens the root (and the upload directory); no thread yet. `clock` must
// outlive the server. An error names what failed (root missing, port in use, ...).
Result<std::unique_ptr<TftpServer>> open_tftp_server(const config::TftpSettings& settings, const Clock& clock);
Result<std::unique_ptr<TftpServer>> open_tftp_server(const config::TftpSettings& settings);  // SystemClock
// open_tftp_server + start(), for callers that do not drop privileges in between.
Result<std::unique_ptr<TftpServer>> start_tftp_server(const config::TftpSettings& settings);

}  // namespace pxe::server
