// tcpdump -vv style text and JSON for BOOTP/DHCP payloads (UDP 67/68/4011 with the magic cookie).
#pragma once

#include <string>

#include "base/bytes.h"
#include "base/json_writer.h"

namespace pxe::print {
// Appends tcpdump -vv's BOOTP text for a UDP payload, starting with "BOOTP/DHCP, Request from ..." and
// ending without a newline; detail lines start with kDetail. Truncated/malformed input: prints what
// could be read, then " [|bootp]" like tcpdump.
void dhcp_text(ByteSpan udp_payload, std::string& out);
// Writes one JSON object (the caller already wrote key "dhcp"): op, htype, hops, xid, secs, flags,
// ciaddr, yiaddr, siaddr, giaddr, chaddr, sname, file, message_type (name e.g. "Discover"),
// options: array of {code, name, length, value (decoded, typed where it makes sense; PXE 43
// sub-options decoded), raw hex}, truncated: bool / error string when malformed.
void dhcp_json(ByteSpan udp_payload, JsonWriter& w);
}  // namespace pxe::print
