// LOCK ([MS-SMB2] 3.3.5.14) on read handles — reference section 2.12: byte-range locks are
// legal on a read-only share. Locks never wait (FAIL_IMMEDIATELY semantics): a conflict is
// STATUS_LOCK_NOT_GRANTED; unlocking a range not locked by this handle is
// STATUS_RANGE_NOT_LOCKED. Elements apply in order; a failure stops there and undoes the locks
// this request took.
#include <algorithm>

#include "proto/smb2/dispatch.h"
#include "wire/smb2/lock.h"
#include "wire/smb2/simple.h"
#include "wire/smb2/status.h"

namespace pxe::proto::smb2 {
namespace {

namespace st = wire::smb2::status;
namespace lf = wire::smb2::lock_flag;
constexpr std::size_t kMaxLocksPerOpen = 256;

bool overlaps(std::uint64_t a_off, std::uint64_t a_len, std::uint64_t b_off, std::uint64_t b_len) {
  if (a_len == 0 || b_len == 0) return false;
  std::uint64_t a_end = a_len > ~0ull - a_off ? ~0ull : a_off + a_len;
  std::uint64_t b_end = b_len > ~0ull - b_off ? ~0ull : b_off + b_len;
  return a_off < b_end && b_off < a_end;
}

bool conflicts(ConnState& c, const Open& self, const LockRange& want) {
  for (const auto& [vid, o] : c.opens) {
    if (o.share_name != self.share_name || o.path != self.path) continue;
    for (const auto& l : o.locks)
      if ((l.exclusive || want.exclusive) && overlaps(l.offset, l.length, want.offset, want.length))
        return true;
  }
  return false;
}

}  // namespace

void handle_lock(ConnState& c, Request& rq, Reply& rp) {
  auto req = wire::smb2::parse_lock_request(rq.pdu);
  if (!req) return rp.fail(st::kInvalidParameter);
  Open* o = find_open(c, rq, req->file_id);
  if (!o) return rp.fail(st::kFileClosed);
  rp.file_id = o->id;
  if (o->meta.directory) return rp.fail(st::kInvalidParameter);

  std::size_t taken = 0;
  auto undo = [&] { o->locks.resize(o->locks.size() - taken); };
  for (const auto& e : req->locks) {
    if (e.flags & lf::kUnlock) {
      if (e.flags & (lf::kShared | lf::kExclusive)) return undo(), rp.fail(st::kInvalidParameter);
      auto it = std::find_if(o->locks.begin(), o->locks.end(), [&](const LockRange& l) {
        return l.offset == e.offset && l.length == e.length;
      });
      if (it == o->locks.end()) return undo(), rp.fail(st::kRangeNotLocked);
      o->locks.erase(it);
      taken = 0;  // an unlock in the list: what came before stays (as Windows)
      continue;
    }
    bool shared = e.flags & lf::kShared, exclusive = e.flags & lf::kExclusive;
    if (shared == exclusive) return undo(), rp.fail(st::kInvalidParameter);
    if (e.length > 0 && e.offset > ~0ull - (e.length - 1)) return undo(), rp.fail(st::kInvalidParameter);
    LockRange want{e.offset, e.length, exclusive};
    if (conflicts(c, *o, want)) return undo(), rp.fail(st::kLockNotGranted);
    if (o->locks.size() >= kMaxLocksPerOpen) return undo(), rp.fail(st::kInsufficientResources);
    o->locks.push_back(want);
    ++taken;
  }
  wire::smb2::encode_simple_body({}, rp.body());
}

}  // namespace pxe::proto::smb2
