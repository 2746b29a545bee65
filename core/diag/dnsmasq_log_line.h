// The pieces of one dnsmasq log line, for the log reader: the timestamp (syslog or ISO 8601),
// the `dnsmasq-dhcp[pid]:` tag, the transaction number, and the values of `--log-dhcp` lines.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "diag/events.h"

namespace pxe::diag::logline {

// Removes prefix from s when s starts with it.
bool consume(std::string_view& s, std::string_view prefix);
// The next space-separated token of s (leading spaces skipped); s keeps what follows it.
std::string_view next_token(std::string_view& s);

int current_year();
// A leading `Nov 22 04:15:18 ` (syslog: UTC, in `year`, which advances when the month goes
// backwards, tracked in last_month) or `2026-11-22T04:15:18[.ffffff][Z|+hh:mm] `; removed
// from s when found.
std::optional<Timestamp> parse_time(std::string_view& s, int& year, int& last_month);
// Finds the `dnsmasq`, `dnsmasq-dhcp[15330]:`-style tag among the first two tokens of s (the
// first may be a syslog host name); *message is what follows it.
bool strip_tag(std::string_view s, std::string_view* message);
// The transaction number dnsmasq puts before `--log-dhcp` lines; removed from s when found.
std::optional<std::uint32_t> leading_xid(std::string_view& s);

// `50:58:45:43:6c:69:65:6e:74` -> "PXEClient"; anything else as it is. A value cut short
// by dnsmasq (ending in `...`) keeps its complete bytes.
std::string hex_or_text(std::string_view value);
// Option 43 as dnsmasq shows it (hex, maybe cut short): sets has_pxe_options,
// pxe_discovery_control (43.6) and pxe_boot_item (43.71) from the sub-options it can see.
void pxe_suboptions(std::string_view value, Event& reply);

}  // namespace pxe::diag::logline
