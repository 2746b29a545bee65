// SMB2 NEGOTIATE ([MS-SMB2] 2.2.3, 2.2.4) and the 3.1.1 negotiate contexts (2.2.3.1).
//
// Request (StructureSize 36): DialectCount, SecurityMode, Reserved, Capabilities,
//   ClientGuid (16), NegotiateContextOffset (4) + Count (2) + Reserved (2) [3.1.1; otherwise
//   ClientStartTime (8)], Dialects (2 each), padding to 8, contexts.
// Response (StructureSize 65): SecurityMode, DialectRevision, NegotiateContextCount,
//   ServerGuid (16), Capabilities, MaxTransactSize, MaxReadSize, MaxWriteSize, SystemTime,
//   ServerStartTime, SecurityBufferOffset (2) + Length (2), NegotiateContextOffset (4),
//   security buffer (SPNEGO negTokenInit), padding to 8, contexts.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace pxe::wire::smb2 {

namespace dialect {
inline constexpr std::uint16_t k202 = 0x0202, k210 = 0x0210, k300 = 0x0300, k302 = 0x0302,
                               k311 = 0x0311, kWildcard = 0x02FF;
}
// "2.0.2", "3.1.1", "2.???" (0x02FF), or "0x0abc".
std::string dialect_str(std::uint16_t d);

namespace security_mode {
inline constexpr std::uint16_t kSigningEnabled = 0x0001, kSigningRequired = 0x0002;
}
namespace capability {
inline constexpr std::uint32_t kDfs = 0x01, kLeasing = 0x02, kLargeMtu = 0x04,
                               kMultiChannel = 0x08, kPersistentHandles = 0x10,
                               kDirectoryLeasing = 0x20, kEncryption = 0x40, kNotifications = 0x80;
}
// "dfs,leasing,large-mtu" style list of the known bits (unknown bits as hex).
std::string capabilities_str(std::uint32_t caps);

namespace context_type {
inline constexpr std::uint16_t kPreauthIntegrity = 1, kEncryption = 2, kCompression = 3,
                               kNetname = 5, kTransport = 6, kRdmaTransform = 7, kSigning = 8;
}
// "PREAUTH_INTEGRITY", "ENCRYPTION", ...; empty when unknown.
std::string_view context_type_name(std::uint16_t type);

struct NegotiateContext {
  std::uint16_t type = 0;
  std::uint32_t reserved = 0;
  Bytes data;
  // The algorithm ids inside PREAUTH_INTEGRITY (hash), ENCRYPTION (cipher), COMPRESSION and
  // SIGNING contexts; empty for the others or when malformed.
  std::vector<std::uint16_t> algorithm_ids() const;
  // NETNAME_NEGOTIATE_CONTEXT_ID: the server name the client connects to, as UTF-8.
  std::string netname() const;
  friend bool operator==(const NegotiateContext&, const NegotiateContext&) = default;
};

struct NegotiateRequest {
  std::uint16_t security_mode = 0;
  std::uint16_t reserved = 0;
  std::uint32_t capabilities = 0;
  std::array<std::uint8_t, 16> client_guid{};
  // Bytes 28..35 of the body are ClientStartTime unless 3.1.1 is offered; then they are the
  // context offset and count, which the encoder computes from `contexts`.
  std::uint64_t client_start_time = 0;
  std::vector<std::uint16_t> dialects;
  std::vector<NegotiateContext> contexts;
  bool offers(std::uint16_t d) const;
  friend bool operator==(const NegotiateRequest&, const NegotiateRequest&) = default;
};

struct NegotiateResponse {
  std::uint16_t security_mode = 0;
  std::uint16_t dialect_revision = 0;
  std::array<std::uint8_t, 16> server_guid{};
  std::uint32_t capabilities = 0;
  std::uint32_t max_transact_size = 0;
  std::uint32_t max_read_size = 0;
  std::uint32_t max_write_size = 0;
  std::uint64_t system_time = 0;        // FILETIME
  std::uint64_t server_start_time = 0;  // FILETIME
  Bytes security_buffer;
  std::vector<NegotiateContext> contexts;  // only with dialect 3.1.1
  friend bool operator==(const NegotiateResponse&, const NegotiateResponse&) = default;
};

// `pdu` starts at the SMB2 header (offsets in the body are relative to it).
Result<NegotiateRequest> parse_negotiate_request(ByteSpan pdu);
Result<NegotiateResponse> parse_negotiate_response(ByteSpan pdu);
// Encoders append the body to `w`, which must hold exactly this PDU's 64-byte header.
void encode_negotiate_request(const NegotiateRequest& m, ByteWriter& w);
void encode_negotiate_response(const NegotiateResponse& m, ByteWriter& w);

}  // namespace pxe::wire::smb2
