// IOCTL ([MS-SMB2] 3.3.5.15) — reference section 2.11: the FSCTLs a read-only, non-DFS
// server answers.
#include <algorithm>

#include "proto/smb2/dispatch.h"
#include "wire/smb2/ioctl.h"
#include "wire/smb2/negotiate.h"
#include "wire/smb2/status.h"

namespace pxe::proto::smb2 {
namespace {

namespace st = wire::smb2::status;
namespace fs = wire::smb2::fsctl;

// FSCTL_VALIDATE_NEGOTIATE_INFO (3.3.5.15.12): what the client says it sent must be what we
// received, or someone in the middle changed it: the connection ends.
void validate_negotiate(ConnState& c, const wire::smb2::IoctlRequest& req, Reply& rp,
                        ByteWriter& out) {
  if (c.dialect < wire::smb2::dialect::k300) return rp.fail(st::kFileClosed);
  auto v = wire::smb2::parse_validate_negotiate_info(req.input);
  if (!v) return rp.fail(st::kInvalidParameter);
  if (req.max_output_response < 24) return rp.fail(st::kInvalidParameter);
  if (v->capabilities != c.client_capabilities || v->guid != c.client_guid ||
      v->security_mode != c.client_security_mode || v->dialects != c.client_dialects) {
    rp.disconnect = "FSCTL_VALIDATE_NEGOTIATE_INFO does not match the NEGOTIATE received";
    return;
  }
  out.u32le(server_capabilities(*c.ctx, c.dialect));
  out.bytes(c.ctx->server_guid);
  out.u16le(c.server_security_mode);
  out.u16le(c.dialect);
  rp.sign = Reply::Sign::Always;  // the client checks this response's signature
}

// NETWORK_INTERFACE_INFO entries (2.2.32.5), one per interface the server was given (the
// service: the interfaces of the address it listens on).
void interface_info(ConnState& c, Reply& rp, ByteWriter& out) {
  const auto& ifs = c.ctx->interfaces_v4;
  if (ifs.empty()) return rp.fail(st::kNotSupported);
  for (std::size_t i = 0; i < ifs.size(); ++i) {
    bool last = i + 1 == ifs.size();
    out.u32le(last ? 0 : 152);  // Next
    out.u32le(ifs[i].if_index);
    out.u32le(0);               // Capability: neither RSS nor RDMA
    out.u32le(0);               // Reserved
    out.u64le(ifs[i].link_speed);
    out.u16le(2);               // AF_INET
    out.u16le(0);               // port
    out.bytes(ifs[i].ipv4);
    out.zeros(128 - 8);
  }
}

}  // namespace

void handle_ioctl(ConnState& c, Request& rq, Reply& rp) {
  auto req = wire::smb2::parse_ioctl_request(rq.pdu);
  if (!req) return rp.fail(st::kInvalidParameter);
  if (req->flags != wire::smb2::kIoctlIsFsctl) return rp.fail(st::kNotSupported);
  if (req->input.size() > c.ctx->limits.max_transact ||
      req->max_output_response > c.ctx->limits.max_transact)
    return rp.fail(st::kInvalidParameter);

  ByteWriter out;
  switch (req->ctl_code) {
    case fs::kValidateNegotiateInfo:
      validate_negotiate(c, *req, rp, out);
      break;
    case fs::kDfsGetReferrals:
    case fs::kDfsGetReferralsEx:
      return rp.fail(st::kFsDriverRequired);  // not DFS-capable (3.3.5.15.2)
    case fs::kQueryNetworkInterfaceInfo:
      interface_info(c, rp, out);
      break;
    case fs::kSetSparse:
    case fs::kSetZeroData:
    case fs::kSrvCopychunk:
    case fs::kSrvCopychunkWrite:
      return rp.fail(st::kMediaWriteProtected);
    case fs::kGetReparsePoint:
    case fs::kQueryAllocatedRanges:
    case fs::kCreateOrGetObjectId: {
      Open* o = find_open(c, rq, req->file_id);
      if (!o) return rp.fail(st::kFileClosed);
      rp.file_id = o->id;
      if (req->ctl_code == fs::kGetReparsePoint) return rp.fail(st::kNotAReparsePoint);
      if (req->ctl_code == fs::kCreateOrGetObjectId) {
        out.zeros(64);
        break;
      }
      // One allocated range: the whole file, clipped to the range asked about.
      ByteReader in(req->input);
      std::uint64_t off = in.u64le(), len = in.u64le();
      if (in.failed()) return rp.fail(st::kInvalidParameter);
      std::uint64_t end = o->meta.directory ? 0 : o->meta.size;
      std::uint64_t q_end = len > ~0ull - off ? ~0ull : off + len;
      std::uint64_t a = off, b = std::min(q_end, end);
      if (a < b) {
        if (req->max_output_response < 16) return rp.fail(st::kBufferTooSmall);
        out.u64le(a);
        out.u64le(b - a);
      }
      break;
    }
    default:
      return rp.fail(st::kInvalidDeviceRequest);
  }
  if (rp.disconnect || wire::smb2::is_error(rp.status)) return;
  wire::smb2::IoctlResponse m;
  m.ctl_code = req->ctl_code;
  m.file_id = req->file_id;
  m.output = out.data();
  if (m.output.size() > req->max_output_response) return rp.fail(st::kBufferTooSmall);
  wire::smb2::encode_ioctl_response(m, rp.body());
}

}  // namespace pxe::proto::smb2
