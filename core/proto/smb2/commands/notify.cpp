// CHANGE_NOTIFY and CANCEL ([MS-SMB2] 3.3.5.19, 3.3.5.16) — reference section 2.12. Nothing
// changes on a read-only share, so a notify on a directory goes async (interim STATUS_PENDING)
// and stays pending until CANCEL (STATUS_CANCELLED) or CLOSE / TREE_DISCONNECT / LOGOFF
// (STATUS_NOTIFY_CLEANUP), as Samba does (measured).
#include "proto/smb2/dispatch.h"
#include "wire/smb2/query.h"
#include "wire/smb2/status.h"

namespace pxe::proto::smb2 {

void handle_change_notify(ConnState& c, Request& rq, Reply& rp) {
  namespace st = wire::smb2::status;
  auto req = wire::smb2::parse_change_notify_request(rq.pdu);
  if (!req) return rp.fail(st::kInvalidParameter);
  Open* o = find_open(c, rq, req->file_id);
  if (!o) return rp.fail(st::kFileClosed);
  rp.file_id = o->id;
  if (!o->meta.directory) return rp.fail(st::kInvalidParameter);
  // Only the last element of a compound may go async (ksmbd's rule).
  if (!rq.last_in_chain) return rp.fail(st::kInternalError);
  rp.go_async = true;
}

void cancel_pending(ConnState& c, const wire::smb2::Header& h, Actions& out) {
  for (std::size_t i = 0; i < c.pending.size(); ++i) {
    const PendingAsync& p = c.pending[i];
    bool match = h.is_async() ? p.async_id == h.async_id
                              : p.message_id == h.message_id && p.session_id == h.session_id;
    if (!match) continue;
    PendingAsync done = p;
    c.pending.erase(c.pending.begin() + std::ptrdiff_t(i));
    c.complete_pending(done, wire::smb2::status::kCancelled, out);
    return;
  }
}

}  // namespace pxe::proto::smb2
