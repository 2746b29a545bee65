// The SMB server's named logger ("smb") and the text of its lines. Like the TFTP and DHCP lines
// they carry their context first: the peer, then what happened.
//   127.0.0.1:41872 connected
//   127.0.0.1:41872 session 0x5e2a0001 user 'user' SMB 3.1.1 signed      (a machine Event)
//   127.0.0.1:41872 closed: peer closed the connection
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <string_view>

namespace pxe::server::smb {

std::shared_ptr<spdlog::logger> log();

// "<peer> <text>", with control characters of `text` shown as \xNN so that no text (a file name
// a client chose) can forge a log line. Backslashes are kept: Windows paths read as they are.
std::string event_line(std::string_view peer, std::string_view text);

}  // namespace pxe::server::smb
