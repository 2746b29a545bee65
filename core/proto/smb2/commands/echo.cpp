// ECHO ([MS-SMB2] 3.3.5.18): Windows' keep-alive. No session needed.
#include "proto/smb2/dispatch.h"
#include "wire/smb2/simple.h"

namespace pxe::proto::smb2 {

void handle_echo(ConnState&, Request&, Reply& rp) {
  wire::smb2::encode_simple_body({}, rp.body());
}

}  // namespace pxe::proto::smb2
