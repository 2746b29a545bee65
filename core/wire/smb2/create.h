// SMB2 CREATE ([MS-SMB2] 2.2.13, 2.2.14): open a file, directory or pipe.
//
// Request (StructureSize 57): SecurityFlags (1), RequestedOplockLevel (1),
//   ImpersonationLevel (4), SmbCreateFlags (8), Reserved (8), DesiredAccess (4),
//   FileAttributes (4), ShareAccess (4), CreateDisposition (4), CreateOptions (4),
//   NameOffset (2), NameLength (2), CreateContextsOffset (4), CreateContextsLength (4),
//   name (UTF-16LE, relative to the share), padding to 8, create contexts.
// Response (StructureSize 89): OplockLevel (1), Flags (1), CreateAction (4), four FILETIMEs,
//   AllocationSize (8), EndOfFile (8), FileAttributes (4), Reserved2 (4), FileId (16),
//   CreateContextsOffset (4), CreateContextsLength (4), contexts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "wire/smb2/header.h"

namespace pxe::wire::smb2 {

namespace disposition {
inline constexpr std::uint32_t kSupersede = 0, kOpen = 1, kCreate = 2, kOpenIf = 3,
                               kOverwrite = 4, kOverwriteIf = 5;
}
std::string_view disposition_name(std::uint32_t d);    // "open", "open-if", ...
std::string_view create_action_name(std::uint32_t a);  // "superseded", "opened", ...

namespace create_option {
inline constexpr std::uint32_t kDirectoryFile = 0x00000001, kNonDirectoryFile = 0x00000040,
                               kDeleteOnClose = 0x00001000;
}

// One create context (2.2.13.2): a tag such as "MxAc", "QFid", "DH2Q" and its data.
struct CreateContext {
  Bytes name;
  Bytes data;
  std::string name_str() const;  // printable tag, or hex for GUID-named contexts
  friend bool operator==(const CreateContext&, const CreateContext&) = default;
};

struct CreateRequest {
  std::uint8_t security_flags = 0;
  std::uint8_t requested_oplock_level = 0;
  std::uint32_t impersonation_level = 0;
  std::uint64_t smb_create_flags = 0;
  std::uint64_t reserved = 0;
  std::uint32_t desired_access = 0;
  std::uint32_t file_attributes = 0;
  std::uint32_t share_access = 0;
  std::uint32_t create_disposition = 0;
  std::uint32_t create_options = 0;
  std::string name;  // UTF-8; empty = the share root
  // Up to 8 bytes after the name that NameLength does not count (smbclient adds a UTF-16
  // NUL; an empty name still has the one buffer byte). Kept for byte-exact round trips.
  Bytes name_trailer;
  std::vector<CreateContext> contexts;
  friend bool operator==(const CreateRequest&, const CreateRequest&) = default;
};

struct CreateResponse {
  std::uint8_t oplock_level = 0;
  std::uint8_t flags = 0;
  std::uint32_t create_action = 0;
  std::uint64_t creation_time = 0, last_access_time = 0, last_write_time = 0, change_time = 0;
  std::uint64_t allocation_size = 0;
  std::uint64_t end_of_file = 0;
  std::uint32_t file_attributes = 0;
  std::uint32_t reserved2 = 0;
  FileId file_id;
  std::vector<CreateContext> contexts;
  friend bool operator==(const CreateResponse&, const CreateResponse&) = default;
};

Result<CreateRequest> parse_create_request(ByteSpan pdu);
Result<CreateResponse> parse_create_response(ByteSpan pdu);
void encode_create_request(const CreateRequest& m, ByteWriter& w);
void encode_create_response(const CreateResponse& m, ByteWriter& w);

// The create context chain at [offset, offset + length) of the PDU.
Result<std::vector<CreateContext>> parse_create_contexts(ByteSpan pdu, std::size_t offset,
                                                         std::size_t length);
// Appends the chain 8-byte aligned (relative to the PDU start in `w`); returns its offset
// and length for the body fields, {0, 0} when `cs` is empty.
std::pair<std::uint32_t, std::uint32_t> encode_create_contexts(const std::vector<CreateContext>& cs,
                                                               ByteWriter& w);

}  // namespace pxe::wire::smb2
