// The TFTP server: UDP 69 plus one ephemeral port per transfer, running the sans-I/O transfer
// machines from proto/tftp on its own thread. pxekit serve starts it when TFTP is enabled.
#pragma once

#include <cstdint>
#include <memory>

#include "base/result.h"
#include "config/tftp_settings.h"

namespace pxe::server {

class TftpServer {
 public:
  virtual ~TftpServer() = default;
  // Stops accepting requests, ends transfers, joins the thread.
  virtual void stop() = 0;
  // The request port actually bound (settings.port, or the kernel's pick when it was 0).
  virtual std::uint16_t port() const = 0;
};

// Binds and starts serving; an error names what failed (root missing, port in use, ...).
Result<std::unique_ptr<TftpServer>> start_tftp_server(const config::TftpSettings& settings);

}  // namespace pxe::server
