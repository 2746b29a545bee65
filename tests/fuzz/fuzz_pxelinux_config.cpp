// libFuzzer: pxelinux config text (on odd sizes also supplied as the included file "cfg", so
// INCLUDE cfg recurses into it). parse_config either fails with an error naming the file and a
// line (and an offset inside the text), or gives a Menu on which choosing a label and listing its
// files never crash; every warning names the file and a line too.
#include <cstdlib>
#include <string>
#include <string_view>

#include "proto/pxelinux/config.h"

namespace px = pxe::proto::pxelinux;

namespace {

// "cfg:<digits>: ..." with a line number of at least 1.
bool names_a_line(const std::string& what) {
  if (what.rfind("cfg:", 0) != 0) return false;
  std::size_t i = 4;
  while (i < what.size() && what[i] >= '0' && what[i] <= '9') ++i;
  return i > 4 && what[4] != '0' && i + 1 < what.size() && what[i] == ':' && what[i + 1] == ' ';
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // The input may include itself ("INCLUDE cfg"): the depth and expansion bounds must hold.
  const px::IncludedFiles files{{"cfg", std::string(text)}};
  auto menu = px::parse_config(text, "cfg", (size & 1) ? &files : nullptr);
  if (!menu) {
    if (!names_a_line(menu.error().what) || menu.error().offset > size) std::abort();
    return 0;
  }
  for (const auto& w : menu->warnings)
    if (!names_a_line(w)) std::abort();
  (void)px::ui_modules(*menu);
  if (auto chosen = px::choose(*menu); chosen) {
    (void)px::files_to_fetch(*chosen, "boot/");
    (void)px::command_line(*menu, *chosen);
  }
  for (const auto& l : menu->labels) {
    if (!px::choose(*menu, l.name)) std::abort();  // every label can be chosen by its name
    (void)px::files_to_fetch(l);
  }
  return 0;
}
