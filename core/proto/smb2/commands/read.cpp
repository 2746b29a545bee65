// READ ([MS-SMB2] 3.3.5.12) — reference section 2.8. The data follow the 16-byte body at offset
// 80. On an unsigned single request whose file has a descriptor, the response goes out as
// SendFileData (head + file range: no copy); otherwise the data are read into the response.
#include <algorithm>

#include "proto/smb2/dispatch.h"
#include "wire/smb2/read.h"
#include "wire/smb2/status.h"

namespace pxe::proto::smb2 {

void handle_read(ConnState& c, Request& rq, Reply& rp) {
  namespace st = wire::smb2::status;
  constexpr std::uint32_t kReadData = 0x00000001, kExecute = 0x00000020;
  auto req = wire::smb2::parse_read_request(rq.pdu);
  if (!req) return rp.fail(st::kInvalidParameter);
  Open* o = find_open(c, rq, req->file_id);
  if (!o) return rp.fail(st::kFileClosed);
  rp.file_id = o->id;
  if (o->meta.directory || !o->file) return rp.fail(st::kInvalidDeviceRequest);
  if (!(o->granted_access & (kReadData | kExecute))) return rp.fail(st::kAccessDenied);
  std::uint32_t max_read = c.dialect == wire::smb2::dialect::k202
                               ? std::min<std::uint32_t>(c.ctx->limits.max_read, 65536)
                               : c.ctx->limits.max_read;
  if (req->length > max_read) return rp.fail(st::kInvalidParameter);
  const std::uint64_t size = o->meta.size;
  if (req->offset >= size && !(req->length == 0 && req->offset == size))
    return rp.fail(st::kEndOfFile);
  std::uint32_t n = std::uint32_t(std::min<std::uint64_t>(req->length, size - req->offset));
  if (n < req->minimum_count) return rp.fail(st::kEndOfFile);

  wire::smb2::ReadResponse m;
  if (rq.may_send_file && n > 0 && o->file->fd() >= 0) {
    m.data_length = n;
    wire::smb2::encode_read_response_head(m, rp.body());
    rp.send_file = o->file;
    rp.send_offset = req->offset;
    rp.send_length = n;
  } else {
    Bytes data(n);
    auto got = o->file->read(req->offset, data);
    if (!got) return rp.fail(got.error().code ? got.error().code : st::kInvalidDeviceRequest);
    data.resize(std::min<std::size_t>(*got, n));
    if (data.size() < req->minimum_count || (data.empty() && n > 0))
      return rp.fail(st::kEndOfFile);
    m.data = data;
    wire::smb2::encode_read_response(m, rp.body());
    n = std::uint32_t(data.size());
  }
  o->bytes_read += n;
}

}  // namespace pxe::proto::smb2
