// QUERY_DIRECTORY ([MS-SMB2] 3.3.5.18) — reference section 2.9. The first query of a handle
// (or REOPEN) captures the listing ("." and ".." first, as Samba) and the pattern; RESTART_SCANS
// rewinds and keeps the pattern; RETURN_SINGLE_ENTRY stops after one. Entries are 8-byte
// aligned and chained by NextEntryOffset up to OutputBufferLength.
//   nothing matched on a query from the start   STATUS_NO_SUCH_FILE
//   enumeration exhausted                        STATUS_NO_MORE_FILES
//   first entry does not fit                     STATUS_INVALID_PARAMETER (Samba, measured)
//   a file handle                                STATUS_NOT_SUPPORTED (Samba)
// INDEX_SPECIFIED (0x04) with FileIndex: [MS-SMB2] 3.3.5.18 hands FileIndex to the object
// store, which resumes from it only "if the object store supports it" ([MS-FSA] 2.1.5.6; NTFS
// does not). Ours does not: entries carry FileIndex 0 (as Samba's), so no index names one, and
// the query goes on from where the last one stopped, other flags applying as usual. Samba 4.17
// answers the same (measured with impacket: after a one-entry page, FileIndex 1 and 3 both gave
// the rest of the listing, then STATUS_NO_MORE_FILES).
#include <algorithm>

#include "proto/smb2/dispatch.h"
#include "proto/smb2/file_info.h"
#include "wire/smb2/query.h"
#include "wire/smb2/status.h"

namespace pxe::proto::smb2 {
namespace {

namespace st = wire::smb2::status;
constexpr std::uint8_t kRestartScans = 0x01, kReturnSingleEntry = 0x02, kReopen = 0x10;

}  // namespace

void handle_query_directory(ConnState& c, Request& rq, Reply& rp) {
  auto req = wire::smb2::parse_query_directory_request(rq.pdu);
  if (!req) return rp.fail(st::kInvalidParameter);
  Open* o = find_open(c, rq, req->file_id);
  if (!o) return rp.fail(st::kFileClosed);
  rp.file_id = o->id;
  if (!o->meta.directory) return rp.fail(st::kNotSupported);
  if (!dir_class_supported(req->info_class)) return rp.fail(st::kInvalidInfoClass);
  if (req->output_buffer_length > c.ctx->limits.max_transact) return rp.fail(st::kInvalidParameter);

  if (!o->listing || (req->flags & kReopen)) {
    auto entries = rq.tree->share->share->list(o->path);
    if (!entries) return rp.fail(entries.error().code ? entries.error().code : st::kAccessDenied);
    std::vector<DirEntry> listing;
    listing.reserve(entries->size() + 2);
    listing.push_back({".", o->meta});
    listing.push_back({"..", o->meta});
    for (auto& e : *entries) listing.push_back(std::move(e));
    o->listing = std::move(listing);
    o->pattern = req->pattern.empty() ? "*" : req->pattern;
    o->cursor = 0;
  } else if (req->flags & kRestartScans) {
    o->cursor = 0;
  }

  const bool from_start = o->cursor == 0;
  const std::vector<DirEntry>& list = *o->listing;
  ByteWriter out(std::min<std::size_t>(req->output_buffer_length, 64 << 10));
  std::size_t last_entry = 0;
  std::size_t count = 0;
  while (o->cursor < list.size()) {
    const DirEntry& e = list[o->cursor];
    if (!match_pattern(e.name, o->pattern)) {
      ++o->cursor;
      continue;
    }
    ByteWriter one;
    std::size_t size = encode_dir_entry(req->info_class, e, one);
    std::size_t at = out.size();
    std::size_t aligned = (at + 7) / 8 * 8;
    if (count > 0 && aligned + size > req->output_buffer_length) break;
    if (count == 0 && size > req->output_buffer_length) return rp.fail(st::kInvalidParameter);
    if (count > 0) {
      out.zeros(aligned - at);
      out.put_u32le_at(last_entry, std::uint32_t(aligned - last_entry));
    }
    last_entry = out.size();
    out.bytes(one.data());
    ++count;
    ++o->cursor;
    if (req->flags & kReturnSingleEntry) break;
  }
  if (count == 0) return rp.fail(from_start ? st::kNoSuchFile : st::kNoMoreFiles);
  wire::smb2::OutputResponse m;
  m.output = out.data();
  wire::smb2::encode_output_response(m, rp.body());
}

}  // namespace pxe::proto::smb2
