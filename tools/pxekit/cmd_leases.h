// pxekit leases: list the DHCP server's lease database.
#pragma once

#include <CLI/CLI.hpp>

namespace pxekit {

void add_leases(CLI::App& app, int& exit_code);

}  // namespace pxekit
