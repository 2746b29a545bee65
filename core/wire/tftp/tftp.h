// TFTP packets (RFC 1350) with option extension (RFC 2347: OACK; 2348 blksize; 2349 tsize and
// timeout; 7440 windowsize).
//
//   RRQ/WRQ  | 01/02 | filename | 0 | mode | 0 | opt1 | 0 | value1 | 0 | ...
//   DATA     | 03 | block # | data (0..blksize bytes; shorter than blksize ends the transfer)
//   ACK      | 04 | block # |
//   ERROR    | 05 | code | message | 0 |
//   OACK     | 06 | opt1 | 0 | value1 | 0 | ...
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace pxe::wire::tftp {

inline constexpr std::uint16_t kPort = 69;

enum class Opcode : std::uint16_t { Rrq = 1, Wrq = 2, Data = 3, Ack = 4, Error = 5, Oack = 6 };

// RFC 1350 error codes, plus 8 from RFC 2347 (option negotiation refused).
enum class ErrorCode : std::uint16_t {
  NotDefined = 0,
  FileNotFound = 1,
  AccessViolation = 2,
  DiskFull = 3,
  IllegalOperation = 4,
  UnknownTid = 5,
  FileExists = 6,
  NoSuchUser = 7,
  OptionRefused = 8,
};

std::string_view opcode_name(std::uint16_t op);  // "RRQ", ..., or "" when unknown

struct Option {
  std::string name;   // as sent (RFC 2347: compared case-insensitively)
  std::string value;
  friend bool operator==(const Option&, const Option&) = default;
};

struct Request {  // RRQ or WRQ
  bool write = false;
  std::string filename;
  std::string mode;  // "octet" / "netascii" (case-insensitive on the wire)
  std::vector<Option> options;
  friend bool operator==(const Request&, const Request&) = default;
};

struct Data {
  std::uint16_t block = 0;
  ByteSpan payload;  // view into the parsed buffer
};

struct Ack {
  std::uint16_t block = 0;
  friend bool operator==(const Ack&, const Ack&) = default;
};

struct ErrorPacket {
  std::uint16_t code = 0;
  std::string message;
  friend bool operator==(const ErrorPacket&, const ErrorPacket&) = default;
};

struct Oack {
  std::vector<Option> options;
  friend bool operator==(const Oack&, const Oack&) = default;
};

using Packet = std::variant<Request, Data, Ack, ErrorPacket, Oack>;

Opcode opcode_of(const Packet& p);

// Looks up an option by name, case-insensitively.
const Option* find_option(const std::vector<Option>& options, std::string_view name);

// Strict parse of a whole UDP payload. Data::payload points into `bytes`.
Result<Packet> parse(ByteSpan bytes);
Bytes encode(const Packet& packet);

}  // namespace pxe::wire::tftp
