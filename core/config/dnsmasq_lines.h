// Internal to the dnsmasq.conf reader: the parsers for one line's value, and the small text
// helpers they share. Each returns an error string (empty on success) that the reader prefixes
// with "FILE:LINE: ".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/dhcp_settings.h"

namespace pxe::config::dnsmasq {

// Splits on commas outside double quotes; trims each field; removes the quotes.
std::vector<std::string> split_fields(std::string_view value);
// Takes leading `tag:X` / `tag:!X` / `set:X` (and the older `net:X`) fields off `fields`.
void take_tags(std::vector<std::string>& fields, TagConditions* tags, std::vector<std::string>* sets);
// "12h", "45m", "30s", "2d", "1w", "3600", "infinite" -> seconds.
std::optional<std::uint32_t> parse_lease_time(std::string_view text);
std::optional<std::uint64_t> parse_number(std::string_view text);  // decimal or 0x hex
// Bytes written as hex with colons: "01:02:ff" (nullopt when not in that form).
std::optional<Bytes> parse_hex_bytes(const std::string& v);
// "option:client-arch" / "93" -> 93.
std::optional<std::uint8_t> parse_option_code(std::string_view text);

std::string parse_dhcp_range(std::string_view value, DhcpSettings& s);
std::string parse_dhcp_host(std::string_view value, DhcpSettings& s);
std::string parse_dhcp_boot(std::string_view value, DhcpSettings& s);
std::string parse_dhcp_match(std::string_view value, DhcpSettings& s);
std::string parse_class_match(std::string_view value, std::uint8_t code, DhcpSettings& s);
std::string parse_tag_if(std::string_view value, DhcpSettings& s);
std::string parse_pxe_service(std::string_view value, DhcpSettings& s);
std::string parse_pxe_prompt(std::string_view value, DhcpSettings& s);
std::string parse_dhcp_option(std::string_view value, bool force, DhcpSettings& s);

}  // namespace pxe::config::dnsmasq
