// The commands that would change something, on a read-only share — reference section 2.12:
// WRITE, FLUSH and SET_INFO on a handle are STATUS_ACCESS_DENIED (Samba on a read handle,
// measured); an unknown handle is STATUS_FILE_CLOSED first. OPLOCK_BREAK acknowledgments: we
// never break an oplock, STATUS_INVALID_OPLOCK_PROTOCOL.
#include "proto/smb2/dispatch.h"
#include "wire/smb2/close.h"
#include "wire/smb2/query.h"
#include "wire/smb2/status.h"
#include "wire/smb2/write.h"

namespace pxe::proto::smb2 {
namespace {

namespace st = wire::smb2::status;

template <class Parsed>
void refuse(ConnState& c, Request& rq, Reply& rp, const Parsed& req) {
  if (!req) return rp.fail(st::kInvalidParameter);
  Open* o = find_open(c, rq, req->file_id);
  if (!o) return rp.fail(st::kFileClosed);
  rp.file_id = o->id;
  rp.fail(st::kAccessDenied);
}

}  // namespace

void handle_write(ConnState& c, Request& rq, Reply& rp) {
  refuse(c, rq, rp, wire::smb2::parse_write_request(rq.pdu));
}

void handle_flush(ConnState& c, Request& rq, Reply& rp) {
  refuse(c, rq, rp, wire::smb2::parse_close_request(rq.pdu));
}

void handle_set_info(ConnState& c, Request& rq, Reply& rp) {
  refuse(c, rq, rp, wire::smb2::parse_set_info_request(rq.pdu));
}

void handle_oplock_break(ConnState&, Request&, Reply& rp) {
  rp.fail(st::kInvalidOplockProtocol);
}

}  // namespace pxe::proto::smb2
