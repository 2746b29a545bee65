// SMB2 QUERY_DIRECTORY (2.2.33/34), QUERY_INFO (2.2.37/38), CHANGE_NOTIFY (2.2.35/36) and
// SET_INFO (2.2.39) of [MS-SMB2]. Their responses share one shape (StructureSize 9,
// OutputBufferOffset (2), OutputBufferLength (4), buffer): OutputResponse.
//
// QUERY_DIRECTORY request (StructureSize 33): FileInformationClass (1), Flags (1),
//   FileIndex (4), FileId (16), FileNameOffset (2), FileNameLength (2), OutputBufferLength (4),
//   search pattern (UTF-16LE).
// QUERY_INFO request (StructureSize 41): InfoType (1), FileInfoClass (1),
//   OutputBufferLength (4), InputBufferOffset (2), Reserved (2), InputBufferLength (4),
//   AdditionalInformation (4), Flags (4), FileId (16), input.
// CHANGE_NOTIFY request (StructureSize 32): Flags (2), OutputBufferLength (4), FileId (16),
//   CompletionFilter (4), Reserved (4).
// SET_INFO request (StructureSize 33): InfoType (1), FileInfoClass (1), BufferLength (4),
//   BufferOffset (2), Reserved (2), AdditionalInformation (4), FileId (16), buffer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"
#include "wire/smb2/header.h"

namespace pxe::wire::smb2 {

namespace info_type {
inline constexpr std::uint8_t kFile = 1, kFilesystem = 2, kSecurity = 3, kQuota = 4;
}
std::string_view info_type_name(std::uint8_t t);  // "file", "fs", "security", "quota"

struct QueryDirectoryRequest {
  std::uint8_t info_class = 0;
  std::uint8_t flags = 0;  // 0x01 RESTART_SCANS, 0x02 RETURN_SINGLE_ENTRY, 0x04 INDEX, 0x10 REOPEN
  std::uint32_t file_index = 0;
  FileId file_id;
  std::string pattern;  // UTF-8
  std::uint32_t output_buffer_length = 0;
  friend bool operator==(const QueryDirectoryRequest&, const QueryDirectoryRequest&) = default;
};

struct QueryInfoRequest {
  std::uint8_t info_type = 0;
  std::uint8_t info_class = 0;
  std::uint32_t output_buffer_length = 0;
  std::uint32_t additional_information = 0;
  std::uint32_t flags = 0;
  FileId file_id;
  ByteSpan input;  // view
};

struct ChangeNotifyRequest {
  std::uint16_t flags = 0;  // 0x0001 WATCH_TREE
  std::uint32_t output_buffer_length = 0;
  FileId file_id;
  std::uint32_t completion_filter = 0;
  friend bool operator==(const ChangeNotifyRequest&, const ChangeNotifyRequest&) = default;
};

struct SetInfoRequest {
  std::uint8_t info_type = 0;
  std::uint8_t info_class = 0;
  std::uint32_t additional_information = 0;
  FileId file_id;
  ByteSpan buffer;  // view
};

// QUERY_DIRECTORY, QUERY_INFO and CHANGE_NOTIFY responses.
struct OutputResponse {
  ByteSpan output;  // view
};

Result<QueryDirectoryRequest> parse_query_directory_request(ByteSpan pdu);
Result<QueryInfoRequest> parse_query_info_request(ByteSpan pdu);
Result<ChangeNotifyRequest> parse_change_notify_request(ByteSpan pdu);
Result<SetInfoRequest> parse_set_info_request(ByteSpan pdu);
Result<OutputResponse> parse_output_response(ByteSpan pdu);

void encode_query_directory_request(const QueryDirectoryRequest& m, ByteWriter& w);
void encode_query_info_request(const QueryInfoRequest& m, ByteWriter& w);
void encode_change_notify_request(const ChangeNotifyRequest& m, ByteWriter& w);
void encode_output_response(const OutputResponse& m, ByteWriter& w);  // buffer at 72

}  // namespace pxe::wire::smb2
