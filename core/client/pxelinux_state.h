// The pxelinux stage's state inside a SimulatedClient (shared by simulated_client.cpp and
// pxelinux_stage.cpp; not part of the client's interface).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "client/simulated_client.h"
#include "proto/pxelinux/config.h"
#include "proto/pxelinux/search.h"

namespace pxe::client {

struct SimulatedClient::Pxelinux {
  proto::pxelinux::BootInfo info;
  std::string prefix;
  std::vector<std::string> ldlinux;
  std::vector<std::string> configs;
  std::string config_name;
  Bytes config_text;
  std::optional<proto::pxelinux::Menu> menu;
  std::vector<std::string> ui;
  std::vector<std::string> files;  // the chosen label's
  std::size_t file_index = 0;
};

}  // namespace pxe::client
