#include "wire/smb2/message.h"

#include "wire/smb2/status.h"

namespace pxe::wire::smb2 {
namespace {

template <class T>
Result<Body> lift(Result<T> r) {
  if (!r) return r.error();
  return Body(std::move(r.value()));
}

std::uint16_t body_structure_size(ByteSpan pdu) {
  if (pdu.size() < kHeaderSize + 2) return 0;
  return std::uint16_t(pdu[kHeaderSize] | pdu[kHeaderSize + 1] << 8);
}

}  // namespace

bool has_error_body(const Header& h, ByteSpan pdu) {
  if (!h.is_response() || h.status == status::kSuccess) return false;
  auto cmd = Command(h.command);
  if (h.status == status::kMoreProcessingRequired && cmd == Command::SessionSetup) return false;
  // Warnings and some errors keep the command's body when it is there (BUFFER_OVERFLOW on
  // READ, IOCTL and QUERY_INFO; STATUS_NOTIFY_ENUM_DIR...). The ERROR body is StructureSize 9,
  // which only SESSION_SETUP, QUERY_DIRECTORY, QUERY_INFO and CHANGE_NOTIFY share.
  std::uint16_t size = body_structure_size(pdu);
  if (size != 9) return false;
  switch (cmd) {
    case Command::SessionSetup:
      return true;
    case Command::QueryDirectory:
    case Command::QueryInfo:
    case Command::ChangeNotify:
      return is_error(h.status) || h.status == status::kNoMoreFiles || h.status == status::kPending;
    default:
      return true;
  }
}

Result<Body> parse_body(const Header& h, ByteSpan pdu) {
  if (has_error_body(h, pdu)) return lift(parse_error_response(pdu));
  bool rsp = h.is_response();
  switch (Command(h.command)) {
    case Command::Negotiate:
      return rsp ? lift(parse_negotiate_response(pdu)) : lift(parse_negotiate_request(pdu));
    case Command::SessionSetup:
      return rsp ? lift(parse_session_setup_response(pdu))
                 : lift(parse_session_setup_request(pdu));
    case Command::TreeConnect:
      return rsp ? lift(parse_tree_connect_response(pdu)) : lift(parse_tree_connect_request(pdu));
    case Command::Create:
      return rsp ? lift(parse_create_response(pdu)) : lift(parse_create_request(pdu));
    case Command::Close:
      return rsp ? lift(parse_close_response(pdu)) : lift(parse_close_request(pdu));
    case Command::Flush:
      return rsp ? lift(parse_simple_body(pdu)) : lift(parse_close_request(pdu));
    case Command::Read:
      return rsp ? lift(parse_read_response(pdu)) : lift(parse_read_request(pdu));
    case Command::Write:
      return rsp ? lift(parse_write_response(pdu)) : lift(parse_write_request(pdu));
    case Command::Ioctl:
      return rsp ? lift(parse_ioctl_response(pdu)) : lift(parse_ioctl_request(pdu));
    case Command::QueryDirectory:
      return rsp ? lift(parse_output_response(pdu)) : lift(parse_query_directory_request(pdu));
    case Command::QueryInfo:
      return rsp ? lift(parse_output_response(pdu)) : lift(parse_query_info_request(pdu));
    case Command::ChangeNotify:
      return rsp ? lift(parse_output_response(pdu)) : lift(parse_change_notify_request(pdu));
    case Command::SetInfo:
      return rsp ? lift(parse_simple_body(pdu, 2)) : lift(parse_set_info_request(pdu));
    case Command::Logoff:
    case Command::TreeDisconnect:
    case Command::Echo:
    case Command::Cancel:
      return lift(parse_simple_body(pdu));
    case Command::Lock:
      if (rsp) return lift(parse_simple_body(pdu));
      return Body{};
    case Command::OplockBreak:
      return Body{};
  }
  return Body{};
}

Bytes encode_pdu(const Header& h, const Body& b) {
  ByteWriter w;
  encode_header(h, w);
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, NegotiateRequest>) encode_negotiate_request(m, w);
        else if constexpr (std::is_same_v<T, NegotiateResponse>) encode_negotiate_response(m, w);
        else if constexpr (std::is_same_v<T, SessionSetupRequest>) encode_session_setup_request(m, w);
        else if constexpr (std::is_same_v<T, SessionSetupResponse>) encode_session_setup_response(m, w);
        else if constexpr (std::is_same_v<T, TreeConnectRequest>) encode_tree_connect_request(m, w);
        else if constexpr (std::is_same_v<T, TreeConnectResponse>) encode_tree_connect_response(m, w);
        else if constexpr (std::is_same_v<T, CreateRequest>) encode_create_request(m, w);
        else if constexpr (std::is_same_v<T, CreateResponse>) encode_create_response(m, w);
        else if constexpr (std::is_same_v<T, CloseRequest>) encode_close_request(m, w);
        else if constexpr (std::is_same_v<T, CloseResponse>) encode_close_response(m, w);
        else if constexpr (std::is_same_v<T, ReadRequest>) encode_read_request(m, w);
        else if constexpr (std::is_same_v<T, ReadResponse>) encode_read_response(m, w);
        else if constexpr (std::is_same_v<T, WriteRequest>) encode_write_request(m, w);
        else if constexpr (std::is_same_v<T, WriteResponse>) encode_write_response(m, w);
        else if constexpr (std::is_same_v<T, IoctlRequest>) encode_ioctl_request(m, w);
        else if constexpr (std::is_same_v<T, IoctlResponse>) encode_ioctl_response(m, w);
        else if constexpr (std::is_same_v<T, QueryDirectoryRequest>) encode_query_directory_request(m, w);
        else if constexpr (std::is_same_v<T, QueryInfoRequest>) encode_query_info_request(m, w);
        else if constexpr (std::is_same_v<T, ChangeNotifyRequest>) encode_change_notify_request(m, w);
        else if constexpr (std::is_same_v<T, OutputResponse>) encode_output_response(m, w);
        else if constexpr (std::is_same_v<T, SimpleBody>) encode_simple_body(m, w);
        else if constexpr (std::is_same_v<T, ErrorResponse>) encode_error_response(m, w);
        // monostate and SetInfoRequest: header only
      },
      b);
  return w.take();
}

}  // namespace pxe::wire::smb2
