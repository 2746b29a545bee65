#include "wire/smb2/header.h"

#include <array>
#include <string>

namespace pxe::wire::smb2 {
namespace {

constexpr std::array<std::string_view, 19> kCommandNames{
    "NEGOTIATE", "SESSION_SETUP", "LOGOFF", "TREE_CONNECT", "TREE_DISCONNECT",
    "CREATE", "CLOSE", "FLUSH", "READ", "WRITE", "LOCK", "IOCTL", "CANCEL", "ECHO",
    "QUERY_DIRECTORY", "CHANGE_NOTIFY", "QUERY_INFO", "SET_INFO", "OPLOCK_BREAK"};

bool magic(ByteSpan m, std::uint8_t first) {
  return m.size() >= 4 && m[0] == first && m[1] == 'S' && m[2] == 'M' && m[3] == 'B';
}

}  // namespace

std::string_view command_name(std::uint16_t command) {
  return command < kCommandNames.size() ? kCommandNames[command] : std::string_view{};
}

FileId read_file_id(ByteReader& r) {
  FileId id;
  id.persistent = r.u64le();
  id.volatile_ = r.u64le();
  return id;
}

void write_file_id(ByteWriter& w, const FileId& id) {
  w.u64le(id.persistent);
  w.u64le(id.volatile_);
}

Result<Header> parse_header(ByteSpan pdu) {
  if (pdu.size() < kHeaderSize)
    return make_error("SMB2 header: need 64 bytes, have " + std::to_string(pdu.size()), 0);
  if (!magic(pdu, 0xFE)) return make_error("SMB2 header: ProtocolId is not 0xFE 'SMB'", 0);
  ByteReader r(pdu);
  r.skip(4);
  std::uint16_t size = r.u16le();
  if (size != kHeaderSize)
    return make_error("SMB2 header: StructureSize " + std::to_string(size) + ", expected 64", 4);
  Header h;
  h.credit_charge = r.u16le();
  h.status = r.u32le();
  h.command = r.u16le();
  h.credits = r.u16le();
  h.flags = r.u32le();
  h.next_command = r.u32le();
  h.message_id = r.u64le();
  if (h.is_async()) {
    h.async_id = r.u64le();
  } else {
    h.process_id = r.u32le();
    h.tree_id = r.u32le();
  }
  h.session_id = r.u64le();
  ByteSpan sig = r.take(16);
  for (std::size_t i = 0; i < 16; ++i) h.signature[i] = sig[i];
  return h;
}

void encode_header(const Header& h, ByteWriter& w) {
  w.u8(0xFE);
  w.str("SMB");
  w.u16le(kHeaderSize);
  w.u16le(h.credit_charge);
  w.u32le(h.status);
  w.u16le(h.command);
  w.u16le(h.credits);
  w.u32le(h.flags);
  w.u32le(h.next_command);
  w.u64le(h.message_id);
  if (h.is_async()) {
    w.u64le(h.async_id);
  } else {
    w.u32le(h.process_id);
    w.u32le(h.tree_id);
  }
  w.u64le(h.session_id);
  w.bytes(h.signature);
}

Protocol sniff(ByteSpan message) {
  if (magic(message, 0xFE)) return Protocol::Smb2;
  if (magic(message, 0xFD)) return Protocol::Smb2Transform;
  if (magic(message, 0xFC)) return Protocol::Smb2Compressed;
  if (magic(message, 0xFF)) return Protocol::Smb1;
  return Protocol::Unknown;
}

Chain split_chain(ByteSpan message) {
  Chain c;
  std::size_t off = 0;
  // A chain cannot hold more elements than 64-byte headers fit in the message; the bound
  // also guarantees termination on any input.
  while (true) {
    ByteSpan rest = message.subspan(off);
    auto h = parse_header(rest);
    if (!h) {
      c.failed = true;
      c.error = h.error();
      c.error.offset += off;
      return c;
    }
    std::uint32_t next = h->next_command;
    if (next == 0) {
      c.elements.push_back({off, rest});
      return c;
    }
    if (next % 8 != 0 || next < kHeaderSize || next > rest.size()) {
      c.elements.push_back({off, rest});
      c.failed = true;
      c.error = make_error("SMB2 compound: NextCommand " + std::to_string(next) +
                               " is not an 8-byte aligned offset inside the " +
                               std::to_string(rest.size()) + " remaining bytes",
                           off + 20);
      return c;
    }
    c.elements.push_back({off, rest.first(next)});
    off += next;
  }
}

Result<TransformHeader> parse_transform_header(ByteSpan message) {
  if (!magic(message, 0xFD)) return make_error("SMB2 TRANSFORM: ProtocolId is not 0xFD 'SMB'", 0);
  ByteReader r(message);
  r.skip(4);
  TransformHeader t;
  ByteSpan sig = r.take(16);
  ByteSpan nonce = r.take(16);
  t.original_message_size = r.u32le();
  r.skip(2);
  t.flags = r.u16le();
  t.session_id = r.u64le();
  if (r.failed())
    return make_error("SMB2 TRANSFORM: need 52 bytes, have " + std::to_string(message.size()),
                      r.fail_offset());
  for (std::size_t i = 0; i < 16; ++i) {
    t.signature[i] = sig[i];
    t.nonce[i] = nonce[i];
  }
  t.ciphertext_size = r.remaining();
  return t;
}

namespace detail {

Error short_body(const ByteReader& r, std::string_view what) {
  return make_error(std::string(what) + ": body truncated", r.fail_offset());
}

Result<void> expect_structure_size(ByteReader& r, std::uint16_t want, std::string_view what) {
  std::size_t at = r.offset();
  std::uint16_t size = r.u16le();
  if (r.failed()) return make_error(std::string(what) + ": no body after the header", at);
  if (size != want)
    return make_error(std::string(what) + ": StructureSize " + std::to_string(size) +
                          ", expected " + std::to_string(want),
                      at);
  return {};
}

Result<ByteSpan> buffer_at(ByteSpan pdu, std::size_t offset, std::size_t length,
                           std::string_view what, std::size_t field_offset) {
  if (length == 0) return ByteSpan{};
  if (offset > pdu.size() || length > pdu.size() - offset)
    return make_error(std::string(what) + ": offset " + std::to_string(offset) + " length " +
                          std::to_string(length) + " outside the " +
                          std::to_string(pdu.size()) + "-byte PDU",
                      field_offset);
  return pdu.subspan(offset, length);
}

void pad_to(ByteWriter& w, std::size_t align) {
  while (w.size() % align) w.u8(0);
}

}  // namespace detail
}  // namespace pxe::wire::smb2
