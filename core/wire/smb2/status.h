// NTSTATUS values SMB2 servers answer with ([MS-ERREF] 2.3.1) and their names.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pxe::wire::smb2 {

namespace status {
inline constexpr std::uint32_t kSuccess = 0x00000000;
inline constexpr std::uint32_t kPending = 0x00000103;
inline constexpr std::uint32_t kNotifyCleanup = 0x0000010B;
inline constexpr std::uint32_t kBufferOverflow = 0x80000005;
inline constexpr std::uint32_t kNoMoreFiles = 0x80000006;
inline constexpr std::uint32_t kInvalidInfoClass = 0xC0000003;
inline constexpr std::uint32_t kInfoLengthMismatch = 0xC0000004;
inline constexpr std::uint32_t kInvalidParameter = 0xC000000D;
inline constexpr std::uint32_t kNoSuchFile = 0xC000000F;
inline constexpr std::uint32_t kInvalidDeviceRequest = 0xC0000010;
inline constexpr std::uint32_t kEndOfFile = 0xC0000011;
inline constexpr std::uint32_t kMoreProcessingRequired = 0xC0000016;
inline constexpr std::uint32_t kAccessDenied = 0xC0000022;
inline constexpr std::uint32_t kBufferTooSmall = 0xC0000023;
inline constexpr std::uint32_t kObjectNameInvalid = 0xC0000033;
inline constexpr std::uint32_t kObjectNameNotFound = 0xC0000034;
inline constexpr std::uint32_t kObjectPathNotFound = 0xC000003A;
inline constexpr std::uint32_t kObjectPathSyntaxBad = 0xC000003B;
inline constexpr std::uint32_t kNoEasOnFile = 0xC0000052;
inline constexpr std::uint32_t kLogonFailure = 0xC000006D;
inline constexpr std::uint32_t kAccountDisabled = 0xC0000072;
inline constexpr std::uint32_t kFileIsADirectory = 0xC00000BA;
inline constexpr std::uint32_t kNotSupported = 0xC00000BB;
inline constexpr std::uint32_t kNetworkNameDeleted = 0xC00000C9;
inline constexpr std::uint32_t kBadNetworkName = 0xC00000CC;
inline constexpr std::uint32_t kRequestNotAccepted = 0xC00000D0;
inline constexpr std::uint32_t kNotADirectory = 0xC0000103;
inline constexpr std::uint32_t kCancelled = 0xC0000120;
inline constexpr std::uint32_t kFileClosed = 0xC0000128;
inline constexpr std::uint32_t kFsDriverRequired = 0xC000019C;
inline constexpr std::uint32_t kUserSessionDeleted = 0xC0000203;
inline constexpr std::uint32_t kNotFound = 0xC0000225;
inline constexpr std::uint32_t kNetworkSessionExpired = 0xC000035C;
// Server-side answers of the SMB2 connection machine (reference 2.2, 2.11, 2.12).
inline constexpr std::uint32_t kNotImplemented = 0xC0000002;
inline constexpr std::uint32_t kLockNotGranted = 0xC0000055;
inline constexpr std::uint32_t kRangeNotLocked = 0xC000007E;
inline constexpr std::uint32_t kInsufficientResources = 0xC000009A;
inline constexpr std::uint32_t kMediaWriteProtected = 0xC00000A2;
inline constexpr std::uint32_t kInvalidOplockProtocol = 0xC00000E3;
inline constexpr std::uint32_t kInternalError = 0xC00000E5;
inline constexpr std::uint32_t kNotAReparsePoint = 0xC0000275;
inline constexpr std::uint32_t kNoPreauthIntegrityHashOverlap = 0xC05D0000;
}  // namespace status

// "STATUS_LOGON_FAILURE", or an empty view for a value not in the table.
std::string_view status_name(std::uint32_t code);
// The name, or "0xc000abcd" when the code is not in the table.
std::string status_str(std::uint32_t code);
// Severity bits 31..30 == 3: an error (0x8... are warnings, such as STATUS_BUFFER_OVERFLOW).
inline bool is_error(std::uint32_t code) { return (code >> 30) == 3; }

}  // namespace pxe::wire::smb2
