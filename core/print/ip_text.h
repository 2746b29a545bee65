// IPv4 / UDP / TCP / ICMP / ARP lines as tcpdump -vv prints them, from the captured bytes.
#pragma once

#include <string>

#include "base/bytes.h"
#include "capture/observation.h"

namespace pxe::print {

// "IP (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto UDP (17), length 73)"
void ip_header_text(ByteSpan ip_header, const capture::Observation* obs, std::string& out);
// "    src.sport > dst.dport: [udp sum ok] " + the application text.
void udp_text(const capture::Observation& obs, std::string& out);
void tcp_text(const capture::Observation& obs, std::string& out);
void icmp_text(const capture::Observation& obs, std::string& out);
// IPv6 gets a one-line summary: PXE over IPv4 is what we decode in depth.
void ip6_text(const capture::Observation& obs, std::string& out);
void arp_text(const capture::Observation& obs, std::string& out);
// The application layer of a UDP datagram by classification (DHCP, TFTP or plain UDP).
void udp_app_text(capture::App app, ByteSpan payload, std::string& out);

}  // namespace pxe::print
