// The services `pxekit serve` runs, behind one interface so that run_serve() (serve.h) handles
// them alike: each owns its sockets and files and its thread(s); the main thread opens them as
// root, drops privileges with the union of what they still need, starts them, forwards SIGHUP and
// stops them. A new service (SMB) is one class in services.cpp and one row in its table.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "config/serve_config.h"
#include "server/privileges.h"

namespace pxe::server {

class Service {
 public:
  virtual ~Service() = default;
  // "DHCP", "TFTP": the ready line and error messages.
  virtual std::string_view name() const = 0;
  // Capabilities it still uses after the switch to user= (sockets are already bound).
  virtual std::vector<Capability> capabilities() const { return {}; }
  // Files it made as root that the new user must own (they are chowned before the switch).
  virtual std::vector<std::string> owned_files() const { return {}; }
  // After the switch, before any service starts: warn about what the new user cannot do.
  virtual void check_as(const DropOutcome& /*now*/) const {}
  // Starts its thread(s). Once, after the privilege switch.
  virtual void start() = 0;
  // SIGHUP. Returns false when it has nothing to re-read.
  virtual bool reload() { return false; }
  // Stops serving and closes what it opened; returns promptly.
  virtual void stop() = 0;
};

// Opens every service `config` enables, in the order of the table in services.cpp (DHCP, TFTP, SMB),
// with its sockets and files but no thread. An error names the service ("TFTP: ...") and nothing
// stays open.
Result<std::vector<std::unique_ptr<Service>>> open_services(const config::ServeConfig& config);

}  // namespace pxe::server
