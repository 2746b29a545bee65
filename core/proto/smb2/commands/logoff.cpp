// LOGOFF ([MS-SMB2] 3.3.5.6): the session's trees and opens go; later requests naming it get
// STATUS_USER_SESSION_DELETED. The response is signed with the session's key when it signs
// (the walker took the signer before the session went).
#include "proto/smb2/dispatch.h"
#include "wire/smb2/simple.h"

namespace pxe::proto::smb2 {

void handle_logoff(ConnState& c, Request& rq, Reply& rp) {
  if (rq.session->state == Session::State::Valid)
    emit(rp.after, Event{"logoff session " + hex_id(rq.session->id)});
  c.drop_session(rq.session->id, rp.after);
  rq.session = nullptr;
  wire::smb2::encode_simple_body({}, rp.body());
}

}  // namespace pxe::proto::smb2
