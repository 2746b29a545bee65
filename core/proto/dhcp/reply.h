// Assembling a server reply's options (RFC 2131 Table 3, RFC 2132): lease times, the configured
// dhcp-option lines that apply (tags, parameter request list), boot file fields, PXE echoes, and
// the client-id (RFC 6842) and relay agent (RFC 3046) echoes, within the client's size limit.
#pragma once

#include <optional>
#include <vector>

#include "config/dhcp_settings.h"
#include "proto/dhcp/classify.h"
#include "proto/dhcp/pxe_boot.h"
#include "wire/dhcp/dhcp.h"

namespace pxe::proto::dhcp {

// Starts a reply: xid/flags/giaddr/chaddr copied, message type, server identifier (54).
wire::dhcp::Builder start_reply(const wire::dhcp::Message& req, wire::dhcp::MessageType type, Ipv4 server);

// 51, 58 (T1 = 0.5 x lease), 59 (T2 = 0.875 x lease), RFC 2131 §4.4.5.
void add_lease_times(wire::dhcp::Builder& b, std::uint32_t lease_s);

// Subnet mask (1), broadcast (28), then every dhcp-option line whose tags hold and which the
// client asked for (55) or which is forced; domain (15) and hostname (12) when asked for.
// Appends the codes added to `optional_codes` (dropped first when the reply is too big).
void add_configured_options(wire::dhcp::Builder& b, const wire::dhcp::Message& req, const Tags& tags,
                            const config::DhcpSettings& s, Ipv4 server, Ipv4 netmask, Ipv4 on_subnet,
                            const std::string& hostname, std::vector<std::uint8_t>& optional_codes);

// Boot file (file field NUL-terminated; 67 with a trailing NUL for ROMs that need it, when asked
// for), sname (and 66 when asked for), siaddr.
void add_boot_file(wire::dhcp::Builder& b, const wire::dhcp::Message& req, const std::string& file,
                   const std::string& sname, Ipv4 siaddr);

// PXE replies: option 60 "PXEClient", the client's 97 echoed, option 43 when present.
void add_pxe(wire::dhcp::Builder& b, const wire::dhcp::Message& req, const PxeBoot& boot);

// Echoes 61 (RFC 6842) and, last, 82 for relayed requests (RFC 3046 §2.2), then encodes within
// the client's maximum message size (57, at least 576), dropping optional options if needed,
// then whatever else does not fit; empty when even the bare reply does not fit.
// `built`, when given, receives the message as encoded.
Bytes finish_reply(wire::dhcp::Builder& b, const wire::dhcp::Message& req,
                   const std::vector<std::uint8_t>& optional_codes, wire::dhcp::Message* built = nullptr);

}  // namespace pxe::proto::dhcp
