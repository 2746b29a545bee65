#include "proto/pxelinux/config.h"

#include <algorithm>
#include <charconv>

#include "base/text.h"
#include "proto/pxelinux/search.h"

namespace pxe::proto::pxelinux {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

// Splits off the first word: returns it and leaves the trimmed rest in `s`.
std::string_view next_word(std::string_view& s) {
  s = trim(s);
  std::size_t n = 0;
  while (n < s.size() && !is_space(s[n])) ++n;
  std::string_view w = s.substr(0, n);
  s = trim(s.substr(n));
  return w;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

template <class T>
std::optional<T> number(std::string_view s) {
  T v{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// The initrd= files of a command line: comma-separated, every initrd= word taken, in order.
std::vector<std::string> initrds_of(std::string_view cmdline) {
  std::vector<std::string> out;
  while (!cmdline.empty()) {
    std::string_view w = next_word(cmdline);
    if (!istarts_with(w, "initrd=")) continue;
    w.remove_prefix(7);
    while (!w.empty()) {
      auto comma = w.find(',');
      std::string_view f = w.substr(0, comma);
      if (!f.empty()) out.emplace_back(f);
      if (comma == std::string_view::npos) break;
      w.remove_prefix(comma + 1);
    }
  }
  return out;
}

void add_unique(std::vector<std::string>& to, const std::vector<std::string>& from) {
  for (const auto& f : from)
    if (std::find(to.begin(), to.end(), f) == to.end()) to.push_back(f);
}

// Keywords syslinux knows that do not change which files a network boot fetches.
bool ignored_keyword(std::string_view k) {
  static constexpr std::string_view kIgnored[] = {
      "serial", "console", "font", "kbdmap", "display", "say", "path", "noescape", "nocomplete",
      "allowoptions", "implicit", "totaltimeout", "onerror", "ipappend", "sysappend", "fkeys",
      "f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10", "f11", "f12"};
  for (auto i : kIgnored)
    if (iequals(k, i)) return true;
  return false;
}

bool ignored_menu_keyword(std::string_view k) {
  static constexpr std::string_view kIgnored[] = {
      "color", "background", "separator", "width", "margin", "passwordmargin", "rows", "tabmsgrow",
      "cmdlinerow", "endrow", "passwordrow", "timeoutrow", "helpmsgrow", "helpmsgendrow", "hiddenrow",
      "hshift", "vshift", "master", "passwd", "autoboot", "tabmsg", "notabmsg", "passprompt", "resolution",
      "shiftkey", "save", "nosave", "exit", "quit", "start", "disable", "disabled", "msgcolor",
      "immediate", "noimmediate", "clear", "begin", "end", "goto", "vshift", "beginmenu"};
  for (auto i : kIgnored)
    if (iequals(k, i)) return true;
  return false;
}

bool image_keyword(std::string_view k) {
  static constexpr std::string_view kImage[] = {"kernel", "linux", "com32", "comboot", "pxe", "boot", "bss",
                                                "fdimage", "config"};
  for (auto i : kImage)
    if (iequals(k, i)) return true;
  return false;
}

}  // namespace

const Label* Menu::find(std::string_view name) const {
  for (const auto& l : labels)
    if (l.name == name) return &l;
  for (const auto& l : labels)
    if (iequals(l.name, name)) return &l;
  return nullptr;
}

const Label* Menu::menu_default() const {
  for (const auto& l : labels)
    if (l.menu_default) return &l;
  return nullptr;
}

namespace {

struct Includes {
  const IncludedFiles* files = nullptr;
  unsigned expanded = 0;  // INCLUDEs read in place so far, all files together
};

Result<void> parse_into(Menu& m, std::string_view text, std::string_view file, Includes& inc, unsigned depth) {
  std::size_t line_no = 0;
  std::size_t offset = 0;      // where the next line starts
  std::size_t line_start = 0;  // where the current line starts (an error's offset)
  bool in_text = false;  // inside TEXT HELP ... ENDTEXT
  std::size_t text_line = 0;
  auto where = [&](std::size_t line) { return std::string(file) + ":" + std::to_string(line) + ": "; };
  auto error = [&](const std::string& why) { return make_error(where(line_no) + why, line_start); };
  auto warn = [&](const std::string& why) { m.warnings.push_back(where(line_no) + why); };
  // INCLUDE: the file's lines in place when the owner supplied its text, else noted as missing.
  auto include = [&](std::string_view name) -> Result<void> {
    m.includes.emplace_back(name);
    auto it = inc.files ? inc.files->find(name) : IncludedFiles::const_iterator{};
    if (!inc.files || it == inc.files->end()) {
      m.missing_includes.emplace_back(name);
      return {};
    }
    if (depth >= kMaxIncludeDepth) return error("INCLUDE nested deeper than " + std::to_string(kMaxIncludeDepth));
    if (++inc.expanded > kMaxIncludes) return error("more than " + std::to_string(kMaxIncludes) + " INCLUDEs");
    return parse_into(m, it->second, it->first, inc, depth + 1);
  };

  while (offset < text.size()) {
    std::size_t end = text.find('\n', offset);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(offset, end - offset);
    ++line_no;
    line_start = offset;
    offset = end + 1;
    if (line.find('\0') != std::string_view::npos) return error("NUL byte in the line");
    std::string_view rest = trim(line);
    if (in_text) {
      if (iequals(next_word(rest), "endtext")) in_text = false;
      continue;
    }
    if (rest.empty() || rest.front() == '#') continue;
    const std::string_view keyword = next_word(rest);
    Label* label = m.labels.empty() ? nullptr : &m.labels.back();
    auto need_label = [&](std::string_view what) -> Result<void> {
      if (label) return {};
      return error(std::string(what) + " outside a LABEL");
    };

    if (iequals(keyword, "label")) {
      std::string_view name = next_word(rest);
      if (name.empty()) {
        return error("LABEL without a name");
      }
      if (m.find(name) && m.find(name)->name == name) warn("LABEL " + std::string(name) + " given twice");
      Label l;
      l.name = std::string(name);
      l.line = line_no;
      m.labels.push_back(std::move(l));
    } else if (image_keyword(keyword)) {
      if (auto r = need_label(lower(keyword)); !r) return r.error();
      std::string_view image = next_word(rest);
      if (image.empty()) {
        return error(lower(keyword) + " without a file name");
      }
      label->kernel = std::string(image);
      label->kernel_keyword = lower(keyword);
      // "KERNEL vmlinuz initrd=x quiet": words after the image join the command line.
      if (!rest.empty()) {
        label->append = label->append ? *label->append + " " + std::string(rest) : std::string(rest);
        add_unique(label->initrd, initrds_of(rest));
      }
    } else if (iequals(keyword, "initrd")) {
      if (auto r = need_label("INITRD"); !r) return r.error();
      if (rest.empty()) {
        return error("INITRD without a file name");
      }
      add_unique(label->initrd, initrds_of("initrd=" + std::string(rest)));
    } else if (iequals(keyword, "append")) {
      if (!label) {
        m.global_append = std::string(rest);
      } else {
        label->append = std::string(rest);
        add_unique(label->initrd, initrds_of(rest));
      }
    } else if (iequals(keyword, "localboot")) {
      if (auto r = need_label("LOCALBOOT"); !r) return r.error();
      auto n = number<int>(next_word(rest));
      if (!n) {
        return error("LOCALBOOT needs a number (0, 4, 5 or -1)");
      }
      label->localboot = *n;
    } else if (iequals(keyword, "ui")) {
      std::string_view module = next_word(rest);
      if (module.empty()) {
        return error("UI without a module");
      }
      m.ui = std::string(module);
    } else if (iequals(keyword, "default")) {
      if (rest.empty()) {
        return error("DEFAULT without a label or kernel");
      }
      m.default_command = std::string(rest);
    } else if (iequals(keyword, "timeout")) {
      auto n = number<unsigned>(next_word(rest));
      if (!n) {
        return error("TIMEOUT needs a number of tenths of a second");
      }
      m.timeout = *n;
    } else if (iequals(keyword, "prompt")) {
      auto n = number<unsigned>(next_word(rest));
      if (!n) {
        return error("PROMPT needs 0 or 1");
      }
      m.prompt = *n != 0;
    } else if (iequals(keyword, "ontimeout")) {
      m.ontimeout = std::string(rest);
    } else if (iequals(keyword, "include")) {
      std::string_view f = next_word(rest);
      if (f.empty()) {
        return error("INCLUDE without a file name");
      }
      if (auto r = include(f); !r) return r;
    } else if (iequals(keyword, "text")) {
      in_text = true;  // TEXT HELP: free text up to ENDTEXT
      text_line = line_no;
    } else if (iequals(keyword, "menu")) {
      const std::string_view sub = next_word(rest);
      if (iequals(sub, "title")) {
        m.title = std::string(rest);
      } else if (iequals(sub, "label")) {
        if (auto r = need_label("MENU LABEL"); !r) return r.error();
        label->menu_label = std::string(rest);
      } else if (iequals(sub, "default")) {
        if (auto r = need_label("MENU DEFAULT"); !r) return r.error();
        for (auto& l : m.labels) l.menu_default = false;
        label->menu_default = true;
      } else if (iequals(sub, "hide") || iequals(sub, "hidden")) {
        if (label && iequals(sub, "hide")) label->hidden = true;
      } else if (iequals(sub, "include")) {
        std::string_view f = next_word(rest);
        if (f.empty()) {
          return error("MENU INCLUDE without a file name");
        }
        if (auto r = include(f); !r) return r;
      } else if (!ignored_menu_keyword(sub)) {
        warn("unknown keyword MENU " + log_safe(sub, 64));
      }
    } else if (!ignored_keyword(keyword)) {
      warn("unknown keyword " + log_safe(keyword, 64));
    }
  }
  if (in_text) {
    line_no = text_line;
    warn("TEXT without ENDTEXT");
  }
  return {};
}

}  // namespace

Result<Menu> parse_config(std::string_view text, std::string_view file_name, const IncludedFiles* included) {
  Menu m;
  m.file = std::string(file_name);
  Includes inc{included};
  if (auto r = parse_into(m, text, file_name, inc, 0); !r) return r.error();
  // A label without its own APPEND boots with the global one, initrd= included.
  if (m.global_append) {
    const auto global = initrds_of(*m.global_append);
    for (auto& l : m.labels)
      if (!l.append) add_unique(l.initrd, global);
  }
  return m;
}

std::vector<std::string> ui_modules(const Menu& menu) {
  std::optional<std::string> ui = menu.ui;
  if (!ui && menu.default_command) {
    std::string_view cmd = *menu.default_command;
    std::string_view first = next_word(cmd);
    if (first.size() > 4 && iequals(first.substr(first.size() - 4), ".c32") && !menu.find(first))
      ui = std::string(first);
  }
  if (!ui) return {};
  std::vector<std::string> out{*ui};
  std::string_view base = *ui;
  if (auto slash = base.rfind('/'); slash != std::string_view::npos) base.remove_prefix(slash + 1);
  if (iequals(base, "menu.c32")) out.emplace_back("libutil.c32");
  if (iequals(base, "vesamenu.c32")) {
    out.emplace_back("libcom32.c32");
    out.emplace_back("libutil.c32");
  }
  return out;
}

Result<Label> choose(const Menu& menu, std::optional<std::string_view> wanted) {
  if (wanted) {
    if (const Label* l = menu.find(*wanted)) return *l;
    return make_error(menu.file + ": no LABEL " + log_safe(*wanted, 64));
  }
  if (!ui_modules(menu).empty())
    if (const Label* l = menu.menu_default()) return *l;
  if (menu.default_command) {
    std::string_view cmd = *menu.default_command;
    std::string_view first = next_word(cmd);
    if (const Label* l = menu.find(first)) return *l;
    const bool is_ui = !ui_modules(menu).empty() && !menu.ui && ui_modules(menu).front() == first;
    if (!is_ui) {  // DEFAULT vmlinuz initrd=x ...: a kernel and its command line, no label needed
      Label l;
      l.name = std::string(first);
      l.kernel = std::string(first);
      l.kernel_keyword = "kernel";
      if (!cmd.empty()) {
        l.append = std::string(cmd);
        l.initrd = initrds_of(cmd);
      }
      return l;
    }
  }
  if (!menu.labels.empty()) return menu.labels.front();
  return make_error(menu.file + ": nothing to boot (no LABEL and no DEFAULT)");
}

std::string command_line(const Menu& menu, const Label& label) {
  std::string cmd = label.append ? *label.append : menu.global_append.value_or("");
  return trim(cmd) == "-" ? std::string() : cmd;
}

std::vector<std::string> files_to_fetch(const Label& label, std::string_view prefix) {
  std::vector<std::string> out;
  if (label.localboot && label.kernel.empty()) return out;
  if (!label.kernel.empty()) out.push_back(resolve(prefix, label.kernel));
  for (const auto& f : label.initrd) out.push_back(resolve(prefix, f));
  return out;
}

}  // namespace pxe::proto::pxelinux
