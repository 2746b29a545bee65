// The DHCP server (with proxyDHCP and the port-4011 boot server): the sans-I/O engine from
// proto/dhcp run by socket transports, leases in SQLite. pxekit serve starts it.
#pragma once

#include <memory>
#include <string>

#include "base/result.h"
#include "config/serve_config.h"

namespace pxe::server {

class DhcpServer {
 public:
  virtual ~DhcpServer() = default;
  // Starts the serving threads (the DHCP loop, the lease checkpointer). Called once, after
  // open_dhcp_server() and after any privilege drop: capabilities are per thread.
  virtual void run() = 0;
  virtual void stop() = 0;  // stops serving, closes the lease database cleanly
  // New settings (SIGHUP re-read dhcp-hostsfile / dhcp-optsfile); leases are kept. Safe from any
  // thread: the serving thread takes them at its next wake-up (at once: it is woken).
  virtual void reload(config::DhcpSettings settings) = 0;
};

// The lease database file the settings name (dhcp-leasefile / --db, else the default).
std::string lease_db_path(const config::DhcpSettings& settings);

// Opens every socket (DHCP, 4011, the ping socket) and the lease database, restores the
// leases; no thread runs until run().
Result<std::unique_ptr<DhcpServer>> open_dhcp_server(const config::ServeConfig& config);
// open_dhcp_server() then run().
Result<std::unique_ptr<DhcpServer>> start_dhcp_server(const config::ServeConfig& config);

}  // namespace pxe::server
