#include "wire/smb2/ioctl.h"

#include <string>

namespace pxe::wire::smb2 {

std::string_view ctl_code_name(std::uint32_t code) {
  switch (code) {
    case fsctl::kDfsGetReferrals: return "FSCTL_DFS_GET_REFERRALS";
    case fsctl::kDfsGetReferralsEx: return "FSCTL_DFS_GET_REFERRALS_EX";
    case fsctl::kGetReparsePoint: return "FSCTL_GET_REPARSE_POINT";
    case fsctl::kCreateOrGetObjectId: return "FSCTL_CREATE_OR_GET_OBJECT_ID";
    case fsctl::kSetSparse: return "FSCTL_SET_SPARSE";
    case fsctl::kQueryAllocatedRanges: return "FSCTL_QUERY_ALLOCATED_RANGES";
    case fsctl::kSetZeroData: return "FSCTL_SET_ZERO_DATA";
    case fsctl::kPipePeek: return "FSCTL_PIPE_PEEK";
    case fsctl::kPipeWait: return "FSCTL_PIPE_WAIT";
    case fsctl::kPipeTransceive: return "FSCTL_PIPE_TRANSCEIVE";
    case fsctl::kSrvRequestResumeKey: return "FSCTL_SRV_REQUEST_RESUME_KEY";
    case fsctl::kLmrRequestResiliency: return "FSCTL_LMR_REQUEST_RESILIENCY";
    case fsctl::kQueryNetworkInterfaceInfo: return "FSCTL_QUERY_NETWORK_INTERFACE_INFO";
    case fsctl::kValidateNegotiateInfo: return "FSCTL_VALIDATE_NEGOTIATE_INFO";
    case fsctl::kSrvEnumerateSnapshots: return "FSCTL_SRV_ENUMERATE_SNAPSHOTS";
    case fsctl::kSrvReadHash: return "FSCTL_SRV_READ_HASH";
    case fsctl::kSrvCopychunk: return "FSCTL_SRV_COPYCHUNK";
    case fsctl::kSrvCopychunkWrite: return "FSCTL_SRV_COPYCHUNK_WRITE";
    default: return {};
  }
}

namespace {

Result<ByteSpan> ioctl_buffer(ByteSpan pdu, std::uint32_t off, std::uint32_t count,
                              const char* what, std::size_t field) {
  return detail::buffer_at(pdu, off, count, what, field);
}

}  // namespace

Result<IoctlRequest> parse_ioctl_request(ByteSpan pdu) {
  constexpr std::string_view kWhat = "IOCTL request";
  ByteReader r(pdu);
  r.seek(kHeaderSize);
  if (auto s = detail::expect_structure_size(r, 57, kWhat); !s) return s.error();
  IoctlRequest m;
  r.skip(2);
  m.ctl_code = r.u32le();
  m.file_id = read_file_id(r);
  std::size_t in_field = r.offset();
  std::uint32_t in_off = r.u32le();
  std::uint32_t in_count = r.u32le();
  m.max_input_response = r.u32le();
  std::size_t out_field = r.offset();
  std::uint32_t out_off = r.u32le();
  std::uint32_t out_count = r.u32le();
  m.max_output_response = r.u32le();
  m.flags = r.u32le();
  r.skip(4);
  if (r.failed()) return detail::short_body(r, kWhat);
  auto in = ioctl_buffer(pdu, in_off, in_count, "IOCTL input", in_field);
  if (!in) return in.error();
  auto out = ioctl_buffer(pdu, out_off, out_count, "IOCTL output", out_field);
  if (!out) return out.error();
  m.input = *in;
  m.output = *out;
  return m;
}

void encode_ioctl_request(const IoctlRequest& m, ByteWriter& w) {
  // An empty output buffer gets the input's offset, as smbclient and Windows send it.
  std::uint32_t in_off = kHeaderSize + 56;
  std::uint32_t out_off = in_off + (m.output.empty() ? 0 : std::uint32_t(m.input.size()));
  w.u16le(57);
  w.u16le(0);
  w.u32le(m.ctl_code);
  write_file_id(w, m.file_id);
  w.u32le(in_off);
  w.u32le(std::uint32_t(m.input.size()));
  w.u32le(m.max_input_response);
  w.u32le(out_off);
  w.u32le(std::uint32_t(m.output.size()));
  w.u32le(m.max_output_response);
  w.u32le(m.flags);
  w.u32le(0);
  w.bytes(m.input);
  w.bytes(m.output);
}

Result<IoctlResponse> parse_ioctl_response(ByteSpan pdu) {
  constexpr std::string_view kWhat = "IOCTL response";
  ByteReader r(pdu);
  r.seek(kHeaderSize);
  if (auto s = detail::expect_structure_size(r, 49, kWhat); !s) return s.error();
  IoctlResponse m;
  r.skip(2);
  m.ctl_code = r.u32le();
  m.file_id = read_file_id(r);
  std::size_t in_field = r.offset();
  std::uint32_t in_off = r.u32le();
  std::uint32_t in_count = r.u32le();
  std::size_t out_field = r.offset();
  std::uint32_t out_off = r.u32le();
  std::uint32_t out_count = r.u32le();
  m.flags = r.u32le();
  r.skip(4);
  if (r.failed()) return detail::short_body(r, kWhat);
  auto in = ioctl_buffer(pdu, in_off, in_count, "IOCTL input", in_field);
  if (!in) return in.error();
  auto out = ioctl_buffer(pdu, out_off, out_count, "IOCTL output", out_field);
  if (!out) return out.error();
  m.input = *in;
  m.output = *out;
  return m;
}

void encode_ioctl_response(const IoctlResponse& m, ByteWriter& w) {
  std::uint32_t in_off = kHeaderSize + 48;
  std::uint32_t out_off = in_off + (m.output.empty() ? 0 : std::uint32_t(m.input.size()));
  w.u16le(49);
  w.u16le(0);
  w.u32le(m.ctl_code);
  write_file_id(w, m.file_id);
  w.u32le(in_off);
  w.u32le(std::uint32_t(m.input.size()));
  w.u32le(out_off);
  w.u32le(std::uint32_t(m.output.size()));
  w.u32le(m.flags);
  w.u32le(0);
  w.bytes(m.input);
  w.bytes(m.output);
}

Result<ValidateNegotiateInfo> parse_validate_negotiate_info(ByteSpan input) {
  ByteReader r(input);
  ValidateNegotiateInfo v;
  v.capabilities = r.u32le();
  ByteSpan guid = r.take(16);
  v.security_mode = r.u16le();
  std::uint16_t count = r.u16le();
  for (std::size_t i = 0; i < count && !r.failed(); ++i) v.dialects.push_back(r.u16le());
  if (r.failed())
    return make_error("VALIDATE_NEGOTIATE_INFO: input truncated (" + std::to_string(input.size()) +
                          " bytes)",
                      r.fail_offset());
  for (std::size_t i = 0; i < 16; ++i) v.guid[i] = guid[i];
  return v;
}

}  // namespace pxe::wire::smb2
