// Stub until the DHCP server lands (issue 4): delete this file when adding the real one.
#include "server/dhcp/dhcp_server.h"

namespace pxe::server {

Result<std::unique_ptr<DhcpServer>> start_dhcp_server(const config::ServeConfig&) {
  return make_error("the DHCP server is not built yet");
}

}  // namespace pxe::server
