// A pxelinux (syslinux) configuration file as a value: the parts a network boot depends on (which
// UI module, the menu's title and timeout, the labels and what each one loads). Grammar facts from
// syslinux's doc/syslinux.txt and doc/menu.txt:
//   - one command per line, the keyword case-insensitive, '#' starts a comment line;
//   - LABEL starts an entry; KERNEL/LINUX/COM32/... INITRD, APPEND, LOCALBOOT, MENU LABEL,
//     MENU DEFAULT, MENU HIDE belong to the entry above them;
//   - an APPEND before the first LABEL applies to every label without its own ("APPEND -": none);
//   - INITRD a,b is the same as initrd=a,b on the command line;
//   - TIMEOUT is in tenths of a second; INCLUDE (and MENU INCLUDE) reads another file in place.
// The parser does no I/O: an INCLUDE whose text the owner supplied (IncludedFiles) is parsed in
// place, any other is listed in Menu::missing_includes; the owner fetches those and parses again
// (an empty text for a file the server does not have: pxelinux goes on without it).
// Unknown keywords are kept as warnings, not errors, since syslinux skips them too. Errors and
// warnings read FILE:LINE: reason.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace pxe::proto::pxelinux {

struct Label {
  std::string name;
  std::optional<std::string> menu_label;
  std::string kernel;                // the image (empty for LOCALBOOT)
  std::string kernel_keyword;        // how it was named, lower case: kernel, linux, com32, pxe, boot, ...
  std::vector<std::string> initrd;   // INITRD's list, then APPEND's initrd= files
  std::optional<std::string> append;  // this label's APPEND (without the global one)
  std::optional<int> localboot;      // LOCALBOOT n (0 normal, -1 next boot device)
  bool menu_default = false;
  bool hidden = false;
  std::size_t line = 0;
};

struct Menu {
  std::string file;                        // the config's name, in messages
  std::optional<std::string> ui;           // UI module, e.g. menu.c32
  std::optional<std::string> title;        // MENU TITLE
  std::optional<unsigned> timeout;         // TIMEOUT, in tenths of a second (0: wait forever)
  std::optional<std::string> default_command;  // DEFAULT's text (a label, or a kernel and options)
  std::optional<bool> prompt;              // PROMPT 0|1
  std::optional<std::string> ontimeout;    // ONTIMEOUT's text
  std::optional<std::string> global_append;  // APPEND before the first LABEL
  std::vector<Label> labels;
  std::vector<std::string> includes;       // INCLUDE / MENU INCLUDE file names, in order
  std::vector<std::string> missing_includes;  // those whose text was not supplied: to fetch
  std::vector<std::string> warnings;       // FILE:LINE: what was skipped

  const Label* find(std::string_view name) const;
  // The label MENU DEFAULT marks, if any.
  const Label* menu_default() const;
};

// Included files' text by the name the INCLUDE line gives.
using IncludedFiles = std::map<std::string, std::string, std::less<>>;
// Bounds on INCLUDE (ours, against loops and blow-ups): nesting depth, and expansions per parse.
inline constexpr unsigned kMaxIncludeDepth = 16;
inline constexpr unsigned kMaxIncludes = 64;

// Errors read FILE:LINE: reason, FILE being the included file's name for an error inside it, and
// Error::offset is where that line starts in that file's text.
Result<Menu> parse_config(std::string_view text, std::string_view file_name = "pxelinux.cfg/default",
                          const IncludedFiles* included = nullptr);

// The UI module and the libraries it needs before it can run (syslinux 5+ modules: menu.c32 needs
// libutil.c32, vesamenu.c32 libcom32.c32 and libutil.c32). A config without UI whose DEFAULT names a
// .c32 module that is not a label runs that module (the pre-4 way of starting a menu). Empty: no UI,
// pxelinux boots DEFAULT (or asks at boot:) itself. Names as written in the config.
std::vector<std::string> ui_modules(const Menu& menu);

// The label to boot: `wanted` when given (exact, then case-insensitive), else the MENU DEFAULT one
// when a UI runs the menu, else DEFAULT's first word when it is a label, else a label made of
// DEFAULT's own command line (DEFAULT vmlinuz initrd=x ...), else the first label. Errors when
// `wanted` is no label or the config has nothing to boot.
Result<Label> choose(const Menu& menu, std::optional<std::string_view> wanted = std::nullopt);

// The command line the label boots with: its APPEND, else the global one ("-" means none).
std::string command_line(const Menu& menu, const Label& label);

// What booting `label` fetches, in order: the kernel, then each initrd (memdisk, then winpe.iso
// for seed 1's winpe entry), resolved against the path prefix; nothing for LOCALBOOT.
std::vector<std::string> files_to_fetch(const Label& label, std::string_view prefix = "");

}  // namespace pxe::proto::pxelinux
