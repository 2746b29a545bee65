// For the SMB service tests over real sockets: the service on loopback with one share, a
// connection to it, and hand-made SMB2 requests.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "config/smb_settings.h"
#include "server/smb/smb_server.h"
#include "transport/tcp.h"
#include "wire/smb2/header.h"
#include "wire/smb2/message.h"
#include "wire/smb2/negotiate.h"
#include "wire/smb2/netbios.h"

namespace pxe::server::smb_test {

// Settings with the account user:pass, on a port the kernel chooses.
inline config::SmbSettings user_pass_settings() {
  config::SmbSettings settings;
  settings.port = 0;
  settings.accounts.push_back({"user", "pass"});
  return settings;
}

// The SMB service on 127.0.0.1 serving `share` as GUEST (guests admitted); not started.
inline Result<std::unique_ptr<SmbServer>> open_loopback_server(std::unique_ptr<proto::smb2::Share> share,
                                                               const config::SmbSettings& settings = user_pass_settings(),
                                                               SmbServerOptions options = {},
                                                               const Clock* clock = nullptr) {
  std::vector<OpenedShare> shares;
  shares.push_back({"GUEST", true, std::move(share)});
  options.address = "127.0.0.1";
  return clock ? open_smb_server(settings, std::move(shares), options, *clock)
               : open_smb_server(settings, std::move(shares), options);
}

// A TCP connection to the server's port on 127.0.0.1 (a test failure and an empty one if refused).
inline transport::TcpConnection connect_to(const SmbServer& server) {
  auto c = transport::TcpConnection::connect({Ipv4(127, 0, 0, 1), server.port()});
  EXPECT_TRUE(c) << (c ? "" : c.error().what);
  return c ? std::move(*c) : transport::TcpConnection();
}

// A NEGOTIATE for 2.0.2 and 2.1 (MessageId 0, one credit), NBSS-framed.
inline Bytes negotiate_message() {
  namespace w = wire::smb2;
  w::Header h;
  h.command = std::uint16_t(w::Command::Negotiate);
  h.credits = 1;
  w::NegotiateRequest n;
  n.security_mode = w::security_mode::kSigningEnabled;
  n.dialects = {w::dialect::k202, w::dialect::k210};
  n.client_guid = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  ByteWriter out;
  w::encode_nbss(out, w::encode_pdu(h, n));
  return out.take();
}

}  // namespace pxe::server::smb_test
