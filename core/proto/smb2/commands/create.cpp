// CREATE ([MS-SMB2] 3.3.5.9) on a read-only share — reference section 2.6: every write intent
// and every disposition that would create or truncate is STATUS_ACCESS_DENIED (Samba on
// `read only = yes`, measured); FILE_EXECUTE is granted so setup.exe runs.
#include <algorithm>

#include "base/text.h"
#include "proto/smb2/dispatch.h"
#include "proto/smb2/file_info.h"
#include "wire/smb2/create.h"
#include "wire/smb2/status.h"

namespace pxe::proto::smb2 {
namespace {

namespace st = wire::smb2::status;
namespace disp = wire::smb2::disposition;
namespace opt = wire::smb2::create_option;

// Access bits that mean writing ([MS-SMB2] 2.2.13.1.1): WRITE_DATA, APPEND_DATA, WRITE_EA,
// DELETE_CHILD, WRITE_ATTRIBUTES, DELETE, WRITE_DAC, WRITE_OWNER, GENERIC_ALL, GENERIC_WRITE.
constexpr std::uint32_t kWriteAccess = 0x00000002 | 0x00000004 | 0x00000010 | 0x00000040 |
                                       0x00000100 | 0x00010000 | 0x00040000 | 0x00080000 |
                                       0x10000000 | 0x40000000;
constexpr std::uint32_t kMaximumAllowed = 0x02000000;
constexpr std::uint32_t kGenericRead = 0x80000000, kGenericExecute = 0x20000000;
constexpr std::uint32_t kFileOpened = 1;
constexpr std::uint8_t kOplockLevelII = 0x01, kOplockLease = 0xFF;

std::uint32_t granted_access(std::uint32_t desired) {
  if (desired & kMaximumAllowed) return kReadOnlyAccess;
  std::uint32_t g = desired & kReadOnlyAccess;
  if (desired & kGenericRead) g |= 0x00120089;     // READ_DATA|READ_EA|READ_ATTRIBUTES|READ_CONTROL|SYNCHRONIZE
  if (desired & kGenericExecute) g |= 0x001200A0;  // EXECUTE|READ_ATTRIBUTES|READ_CONTROL|SYNCHRONIZE
  return g;
}

bool tag_is(const wire::smb2::CreateContext& c, std::string_view tag) {
  return c.name.size() == tag.size() && std::equal(c.name.begin(), c.name.end(), tag.begin());
}

std::uint32_t status_of(const Error& e) { return e.code ? e.code : st::kObjectNameInvalid; }

}  // namespace

void handle_create(ConnState& c, Request& rq, Reply& rp) {
  auto req = wire::smb2::parse_create_request(rq.pdu);
  if (!req) return rp.fail(st::kInvalidParameter);
  const Tree& tree = *rq.tree;

  // Durable reconnects and snapshot opens name something we never had.
  for (const auto& ctx : req->contexts)
    if (tag_is(ctx, "DHnC") || tag_is(ctx, "DH2C") || tag_is(ctx, "TWrp"))
      return rp.fail(st::kObjectNameNotFound);
  if (req->create_disposition > disp::kOverwriteIf) return rp.fail(st::kInvalidParameter);
  if ((req->create_options & opt::kDirectoryFile) && (req->create_options & opt::kNonDirectoryFile))
    return rp.fail(st::kInvalidParameter);
  if (tree.ipc()) return rp.fail(st::kObjectNameNotFound);  // no pipes (srvsvc...) in v1
  // A name is relative to the share: a leading backslash is malformed ([MS-SMB2] 3.3.5.9;
  // Windows and Samba, smbtorture smb2.create.leading-slash), before any access check.
  if (!req->name.empty() && req->name[0] == '\\') return rp.fail(st::kInvalidParameter);

  auto path = smb_path(req->name);
  if (!path) return rp.fail(status_of(path.error()));
  bool create_intent = req->create_disposition == disp::kCreate ||
                       req->create_disposition == disp::kSupersede ||
                       req->create_disposition == disp::kOverwrite ||
                       req->create_disposition == disp::kOverwriteIf;
  if ((req->desired_access & kWriteAccess) || create_intent ||
      (req->create_options & opt::kDeleteOnClose))
    return rp.fail(st::kAccessDenied);

  Share& share = *tree.share->share;
  // The open's name is the on-disk spelling ("sources/install.wim" when asked for
  // "SOURCES\\INSTALL.WIM"): FileNameInformation, FileAllInformation and
  // FileAlternateNameInformation report it, as Windows and Samba 4.17 do (measured with impacket),
  // and two spellings of one file are one path for LOCK.
  auto spelled = share.canonical_path(*path);
  if (!spelled) return rp.fail(status_of(spelled.error()));
  auto meta = share.stat(*spelled);
  if (!meta) return rp.fail(status_of(meta.error()));
  if (meta->directory && (req->create_options & opt::kNonDirectoryFile))
    return rp.fail(st::kFileIsADirectory);
  if (!meta->directory && (req->create_options & opt::kDirectoryFile))
    return rp.fail(st::kNotADirectory);
  if (c.open_count() >= c.ctx->limits.max_opens_per_connection)
    return rp.fail(st::kInsufficientResources);

  std::shared_ptr<ShareFile> file;
  if (!meta->directory) {
    auto f = share.open(*spelled);
    if (!f) return rp.fail(status_of(f.error()));
    file = std::move(f.value());
  }

  std::uint64_t vid = c.registry.next_volatile_id++;
  Open& o = c.opens[vid];
  ++rq.session->open_count;
  o.id = {vid, vid};
  o.session_id = rq.hdr.session_id;
  o.tree_id = tree.id;
  o.path = std::move(*spelled);
  o.client_name = log_safe(req->name);
  o.share_name = tree.name;
  o.meta = *meta;
  o.file = std::move(file);
  o.granted_access = granted_access(req->desired_access);
  o.create_options = req->create_options;
  rp.file_id = o.id;

  wire::smb2::CreateResponse m;
  // Level II (read caching) for files: nothing on a read-only share can ever break it.
  m.oplock_level = !meta->directory && req->requested_oplock_level != kOplockLease &&
                           req->requested_oplock_level >= kOplockLevelII
                       ? kOplockLevelII
                       : 0;
  m.create_action = kFileOpened;
  m.creation_time = meta->creation;
  m.last_access_time = meta->last_access;
  m.last_write_time = meta->last_write;
  m.change_time = meta->change;
  m.allocation_size = meta->allocation ? meta->allocation : (meta->size + 4095) / 4096 * 4096;
  m.end_of_file = meta->directory ? 0 : meta->size;
  m.file_attributes = file_attributes(*meta);
  m.file_id = o.id;
  for (const auto& ctx : req->contexts) {
    if (tag_is(ctx, "MxAc")) {
      ByteWriter w(8);
      w.u32le(st::kSuccess);
      w.u32le(kReadOnlyAccess);
      m.contexts.push_back({Bytes{'M', 'x', 'A', 'c'}, w.take()});
    } else if (tag_is(ctx, "QFid")) {
      ByteWriter w(32);
      w.u64le(meta->index);
      w.u64le(share.volume().serial);
      w.zeros(16);
      m.contexts.push_back({Bytes{'Q', 'F', 'i', 'd'}, w.take()});
    }
    // Others (DH2Q, DHnQ, RqLs, ExtA, SecD, AlSi, app instance ids) only matter for writable
    // or durable opens: ignored, no answer context.
  }
  wire::smb2::encode_create_response(m, rp.body());
}

}  // namespace pxe::proto::smb2
