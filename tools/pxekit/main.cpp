// pxekit: one binary, one CLI11 subcommand per file.
// Exit codes: 0 ok, 1 a failure diagnosed, 2 usage, 3 runtime error.
#include <CLI/CLI.hpp>

#include "cmd_client.h"
#include "cmd_decode.h"
#include "cmd_diagnose.h"
#include "cmd_leases.h"
#include "cmd_replay.h"
#include "cmd_serve.h"

int main(int argc, char** argv) {
  CLI::App app{"pxekit: decode, diagnose, serve and emulate PXE netboot"};
  app.set_version_flag("--version", std::string("pxekit ") + PXEKIT_VERSION);
  app.require_subcommand(1);
  int exit_code = 0;
  pxekit::add_decode(app, exit_code);
  pxekit::add_diagnose(app, exit_code);
  pxekit::add_serve(app, exit_code);
  pxekit::add_leases(app, exit_code);
  pxekit::add_client(app, exit_code);
  pxekit::add_replay(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  return exit_code;
}
