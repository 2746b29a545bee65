// The host name a client sends (option 12) as the server may keep it: in the lease database, in
// log lines, echoed in option 12. A client names itself; the name is only taken when it is a
// legal host name (RFC 1123 §2.1 label: letters, digits and '-', not at either end, 1-63
// characters). A name with a domain appended keeps its first label, as dnsmasq does. Trailing NUL
// bytes (ROMs that send C strings) are ignored. Anything else is refused: nullopt.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pxe::proto::dhcp {

std::optional<std::string> legal_hostname(std::string_view sent);

}  // namespace pxe::proto::dhcp
