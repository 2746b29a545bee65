#pragma once

#include <CLI/CLI.hpp>

namespace pxekit {
void add_client(CLI::App& app, int& exit_code);
}  // namespace pxekit
