// TFTP in tcpdump -vv's words ("TFTP, length 45, RRQ \"boot/pxelinux.0\" octet tsize 0").
#pragma once

#include <string>

#include "base/bytes.h"
#include "base/json_writer.h"

namespace pxe::print {

// Appends from "TFTP, length N, ..." on; a malformed packet prints what was read and " [|tftp]".
void tftp_text(ByteSpan udp_payload, std::string& out);
// Writes one JSON object (the caller wrote key "tftp"): opcode, file, mode, options, block,
// length, error_code, error_message, and error when malformed.
void tftp_json(ByteSpan udp_payload, JsonWriter& w);

}  // namespace pxe::print
