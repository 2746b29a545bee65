// Stub until the TFTP server lands (issue 5): delete this file when adding the real one.
#include "server/tftp/tftp_server.h"

namespace pxe::server {

Result<std::unique_ptr<TftpServer>> start_tftp_server(const config::TftpSettings&) {
  return make_error("the TFTP server is not built yet");
}

}  // namespace pxe::server
