// The winpe-share stage's state inside a SimulatedClient (shared by simulated_client.cpp and
// winpe_stage.cpp; not part of the client's interface).
#pragma once

#include <memory>
#include <optional>

#include "client/simulated_client.h"
#include "proto/smb2/client.h"
#include "proto/tcp/endpoint.h"

namespace pxe::client {

struct SimulatedClient::Share {
  static constexpr std::uint16_t kPort = 445;
  NetUse use;
  std::uint16_t port = 0;  // ours
  std::optional<proto::tcp::Endpoint> tcp;
  std::unique_ptr<proto::smb2::SmbClient> smb;
  std::optional<Timestamp> tcp_timer, smb_timer;
  std::optional<proto::smb2::ClientDone> done;
  int system_error = 0;  // what net use said, once it failed
};

}  // namespace pxe::client
