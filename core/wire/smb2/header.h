// SMB2 packet header ([MS-SMB2] 2.2.1), compound chains (3.2.4.1.4 / 3.3.5.2.7) and the
// 3.x TRANSFORM header (2.2.41), plus the ids shared by every command body.
//
//   0  ProtocolId 0xFE 'S' 'M' 'B'          4  StructureSize 64   6  CreditCharge
//   8  Status (responses) / ChannelSequence + Reserved (requests)
//  12  Command   14  CreditRequest/CreditResponse   16  Flags   20  NextCommand
//  24  MessageId (8)
//  32  sync: Reserved/ProcessId (4) + TreeId (4)   async: AsyncId (8)
//  40  SessionId (8)   48  Signature (16)
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace pxe::wire::smb2 {

inline constexpr std::size_t kHeaderSize = 64;

enum class Command : std::uint16_t {
  Negotiate = 0x00, SessionSetup = 0x01, Logoff = 0x02, TreeConnect = 0x03,
  TreeDisconnect = 0x04, Create = 0x05, Close = 0x06, Flush = 0x07, Read = 0x08,
  Write = 0x09, Lock = 0x0A, Ioctl = 0x0B, Cancel = 0x0C, Echo = 0x0D,
  QueryDirectory = 0x0E, ChangeNotify = 0x0F, QueryInfo = 0x10, SetInfo = 0x11,
  OplockBreak = 0x12,
};
// "NEGOTIATE", "SESSION_SETUP", ...; empty for an unknown command.
std::string_view command_name(std::uint16_t command);

namespace flags {
inline constexpr std::uint32_t kServerToRedir = 0x00000001;  // set on every response
inline constexpr std::uint32_t kAsyncCommand = 0x00000002;
inline constexpr std::uint32_t kRelatedOperations = 0x00000004;
inline constexpr std::uint32_t kSigned = 0x00000008;
inline constexpr std::uint32_t kPriorityMask = 0x00000070;
inline constexpr std::uint32_t kDfsOperations = 0x10000000;
inline constexpr std::uint32_t kReplayOperation = 0x20000000;
}  // namespace flags

struct FileId {
  std::uint64_t persistent = 0;
  std::uint64_t volatile_ = 0;
  // All-ones: "the file opened by the previous request of a related compound".
  bool is_related() const { return persistent == ~0ull && volatile_ == ~0ull; }
  friend bool operator==(const FileId&, const FileId&) = default;
};
FileId read_file_id(ByteReader& r);
void write_file_id(ByteWriter& w, const FileId& id);

struct Header {
  std::uint16_t credit_charge = 0;
  std::uint32_t status = 0;          // requests: ChannelSequence (2) + Reserved (2)
  std::uint16_t command = 0;         // raw, so unknown commands survive a round trip
  std::uint16_t credits = 0;         // CreditRequest or CreditResponse
  std::uint32_t flags = 0;
  std::uint32_t next_command = 0;
  std::uint64_t message_id = 0;
  std::uint64_t async_id = 0;        // only with flags::kAsyncCommand
  std::uint32_t process_id = 0;      // sync only (Reserved)
  std::uint32_t tree_id = 0;         // sync only
  std::uint64_t session_id = 0;
  std::array<std::uint8_t, 16> signature{};

  bool is_response() const { return flags & flags::kServerToRedir; }
  bool is_async() const { return flags & flags::kAsyncCommand; }
  bool is_signed() const { return flags & flags::kSigned; }
  bool is_related() const { return flags & flags::kRelatedOperations; }
  friend bool operator==(const Header&, const Header&) = default;
};

Result<Header> parse_header(ByteSpan pdu);
void encode_header(const Header& h, ByteWriter& w);

// What the first four bytes of an NBSS payload say it is.
enum class Protocol { Smb2, Smb2Transform, Smb2Compressed, Smb1, Unknown };
Protocol sniff(ByteSpan message);

// One NBSS message split into its compound elements. Each element starts at an SMB2 header
// and ends before the next one (NextCommand) or at the end of the message; `error` is set when
// the chain stops early (bad NextCommand, short header), with the elements found before it.
struct Chain {
  struct Element {
    std::size_t offset = 0;  // into the message
    ByteSpan pdu;            // header + body (+ padding up to NextCommand)
  };
  std::vector<Element> elements;
  bool failed = false;
  Error error;
};
Chain split_chain(ByteSpan message);

// SMB2 TRANSFORM_HEADER (3.x encryption): 52 bytes before the ciphertext.
struct TransformHeader {
  std::array<std::uint8_t, 16> signature{};
  std::array<std::uint8_t, 16> nonce{};
  std::uint32_t original_message_size = 0;
  std::uint16_t flags = 0;           // 0x0001 = encrypted (3.1.1), EncryptionAlgorithm in 3.0
  std::uint64_t session_id = 0;
  std::size_t ciphertext_size = 0;   // bytes present after the header
};
inline constexpr std::size_t kTransformHeaderSize = 52;
Result<TransformHeader> parse_transform_header(ByteSpan message);

// Helpers for command bodies, shared by the per-command files.
namespace detail {
// Reads a body's StructureSize and checks it; the reader must be at offset 64 of the PDU.
Result<void> expect_structure_size(ByteReader& r, std::uint16_t want, std::string_view what);
// A buffer addressed by offset/length from the start of the PDU; empty when length is 0.
Result<ByteSpan> buffer_at(ByteSpan pdu, std::size_t offset, std::size_t length,
                           std::string_view what, std::size_t field_offset);
Error short_body(const ByteReader& r, std::string_view what);
void pad_to(ByteWriter& w, std::size_t align);
}  // namespace detail

}  // namespace pxe::wire::smb2
