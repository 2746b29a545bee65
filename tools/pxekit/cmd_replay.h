// pxekit replay: send a capture's client side again to a server and compare the answers.
#pragma once

#include <CLI/CLI.hpp>

namespace pxekit {

void add_replay(CLI::App& app, int& exit_code);

}  // namespace pxekit
