// CLOSE ([MS-SMB2] 3.3.5.10) — reference section 2.7: POSTQUERY_ATTRIB returns the times,
// sizes and attributes; a CHANGE_NOTIFY pending on the handle completes with
// STATUS_NOTIFY_CLEANUP after the CLOSE response.
#include "proto/smb2/dispatch.h"
#include "wire/smb2/close.h"
#include "wire/smb2/status.h"

namespace pxe::proto::smb2 {

void handle_close(ConnState& c, Request& rq, Reply& rp) {
  namespace st = wire::smb2::status;
  auto req = wire::smb2::parse_close_request(rq.pdu);
  if (!req) return rp.fail(st::kInvalidParameter);
  Open* o = find_open(c, rq, req->file_id);
  if (!o) return rp.fail(st::kFileClosed);
  wire::smb2::CloseResponse m;
  if (req->flags & wire::smb2::kClosePostqueryAttrib) {
    const FileMeta& f = o->meta;
    m.flags = wire::smb2::kClosePostqueryAttrib;
    m.creation_time = f.creation;
    m.last_access_time = f.last_access;
    m.last_write_time = f.last_write;
    m.change_time = f.change;
    m.allocation_size = f.allocation ? f.allocation : (f.size + 4095) / 4096 * 4096;
    m.end_of_file = f.directory ? 0 : f.size;
    m.file_attributes = file_attributes(f);
  }
  rp.file_id = o->id;
  c.close_open(o->id.volatile_, st::kNotifyCleanup, rp.after);
  wire::smb2::encode_close_response(m, rp.body());
}

}  // namespace pxe::proto::smb2
