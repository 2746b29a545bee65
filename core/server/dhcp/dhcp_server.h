// The DHCP server (with proxyDHCP and the port-4011 boot server): the sans-I/O engine from
// proto/dhcp run by socket transports, leases in SQLite. pxekit serve starts it.
#pragma once

#include <memory>

#include "base/result.h"
#include "config/serve_config.h"

namespace pxe::server {

class DhcpServer {
 public:
  virtual ~DhcpServer() = default;
  virtual void stop() = 0;  // stops serving, closes the lease database cleanly
};

Result<std::unique_ptr<DhcpServer>> start_dhcp_server(const config::ServeConfig& config);

}  // namespace pxe::server
