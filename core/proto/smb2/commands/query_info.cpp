// QUERY_INFO ([MS-SMB2] 3.3.5.20) — reference section 2.10: file classes, filesystem classes and
// the security descriptor (file_info.h encodes them).
//   buffer smaller than the class's fixed part        STATUS_INFO_LENGTH_MISMATCH
//   variable part (a name) cut short                   STATUS_BUFFER_OVERFLOW, truncated data
//   security descriptor larger than the buffer         STATUS_BUFFER_TOO_SMALL, ErrorData = size
//   security without READ_CONTROL on the handle       STATUS_ACCESS_DENIED
//   quota                                              STATUS_NOT_SUPPORTED
//   FileNormalizedNameInformation below 3.1.1          STATUS_NOT_SUPPORTED (Samba)
#include <algorithm>

#include "proto/smb2/dispatch.h"
#include "proto/smb2/file_info.h"
#include "wire/smb2/negotiate.h"
#include "wire/smb2/query.h"
#include "wire/smb2/status.h"

namespace pxe::proto::smb2 {
namespace {

namespace st = wire::smb2::status;
namespace it = wire::smb2::info_type;
constexpr std::uint32_t kReadControl = 0x00020000;

// Bytes of a class before its variable-length name ([MS-FSCC] 2.4, 2.5); the whole size for
// the fixed-size classes.
std::size_t fixed_part(std::uint8_t type, std::uint8_t cls, std::size_t whole) {
  if (type == it::kFile) {
    switch (cls) {
      case file_class::kName:
      case file_class::kAlternateName:
      case file_class::kNormalizedName: return 4;
      case file_class::kAll: return 100;
      case file_class::kStream: return std::min<std::size_t>(whole, 24);
      default: return whole;
    }
  }
  if (type == it::kFilesystem) {
    switch (cls) {
      case fs_class::kVolume: return 18;
      case fs_class::kAttribute: return 12;
      default: return whole;
    }
  }
  return whole;
}

}  // namespace

void handle_query_info(ConnState& c, Request& rq, Reply& rp) {
  auto req = wire::smb2::parse_query_info_request(rq.pdu);
  if (!req) return rp.fail(st::kInvalidParameter);
  Open* o = find_open(c, rq, req->file_id);
  if (!o) return rp.fail(st::kFileClosed);
  rp.file_id = o->id;
  if (req->output_buffer_length > c.ctx->limits.max_transact) return rp.fail(st::kInvalidParameter);

  Bytes data;
  switch (req->info_type) {
    case it::kFile: {
      if (req->info_class == file_class::kFullEa) return rp.fail(st::kNoEasOnFile);
      // FileNormalizedNameInformation is a 3.1.1 class ([MS-SMB2] 3.3.5.20.1); Samba 4.17
      // answers it on 3.0 with STATUS_NOT_SUPPORTED (measured with impacket).
      if (req->info_class == file_class::kNormalizedName && c.dialect < wire::smb2::dialect::k311)
        return rp.fail(st::kNotSupported);
      // Names are the open's on-disk spelling (CREATE resolved it with Share::canonical_path).
      // Access and All carry the handle's own granted access.
      auto r = encode_file_info(req->info_class, o->meta, o->path, o->granted_access);
      if (!r) return rp.fail(r.error().code ? r.error().code : st::kInvalidInfoClass);
      data = std::move(r.value());
      break;
    }
    case it::kFilesystem: {
      auto r = encode_fs_info(req->info_class, rq.tree->share->share->volume());
      if (!r) return rp.fail(r.error().code ? r.error().code : st::kInvalidInfoClass);
      data = std::move(r.value());
      break;
    }
    case it::kSecurity: {
      if (!(o->granted_access & kReadControl)) return rp.fail(st::kAccessDenied);
      data = encode_security_descriptor(req->additional_information);
      if (data.size() > req->output_buffer_length) {
        ByteWriter need(4);
        need.u32le(std::uint32_t(data.size()));
        return rp.fail(st::kBufferTooSmall, need.data());
      }
      break;
    }
    case it::kQuota:
      return rp.fail(st::kNotSupported);
    default:
      return rp.fail(st::kInvalidParameter);
  }

  std::uint32_t status = st::kSuccess;
  if (data.size() > req->output_buffer_length) {
    if (req->output_buffer_length < fixed_part(req->info_type, req->info_class, data.size()))
      return rp.fail(st::kInfoLengthMismatch);
    data.resize(req->output_buffer_length);
    status = st::kBufferOverflow;
  }
  rp.status = status;
  wire::smb2::OutputResponse m;
  m.output = data;
  wire::smb2::encode_output_response(m, rp.body());
}

}  // namespace pxe::proto::smb2
