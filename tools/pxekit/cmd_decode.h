#pragma once

#include <CLI/CLI.hpp>

namespace pxekit {
// Registers `pxekit decode`; the returned flag tells main it ran and its exit code.
void add_decode(CLI::App& app, int& exit_code);
}  // namespace pxekit
