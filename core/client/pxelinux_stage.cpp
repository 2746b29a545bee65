// The pxelinux stage of a SimulatedClient: ldlinux.c32 (with syslinux's fallbacks), the config
// search, the config and its UI modules, the menu, and the chosen label's files.
#include <fmt/format.h>

#include "client/pxelinux_state.h"
#include "client/simulated_client.h"

namespace pxe::client {

namespace pl = proto::pxelinux;

void SimulatedClient::pxelinux_start(Timestamp now) {
  begin(Stage::PxelinuxConfig, now);
  show({pxelinux_banner()});
  px_ = std::make_unique<Pxelinux>();
  auto& info = px_->info;
  info.boot_file = boot_->boot_file;
  info.config_file_209 = boot_->pxelinux_config_209;
  info.path_prefix_210 = boot_->path_prefix_210;
  info.uuid_97 = opt_.profile.dhcp.uuid;
  info.mac = opt_.mac;
  info.ip = ip_;
  px_->prefix = pl::path_prefix(info);
  px_->ldlinux = pl::ldlinux_search(info, opt_.profile.ldlinux);
  px_->configs = pl::config_search(info);
  pxelinux_ldlinux(0, now);
}

void SimulatedClient::pxelinux_ldlinux(std::size_t i, Timestamp now) {
  fetch(px_->ldlinux[i], {{"tsize", "0"}, {"blksize", "1408"}}, opt_.profile.pxelinux_timing, false, false, now,
        [this, i](const Fetched& r, Timestamp t) {
          if (r.ok) return pxelinux_config(0, t);
          if (r.code == 1 && i + 1 < px_->ldlinux.size()) return pxelinux_ldlinux(i + 1, t);
          if (r.code == 1) {
            auto s = facts();
            s.module = opt_.profile.ldlinux;
            show(failure_lines(Firmware::Pxelinux, Failure::ModuleMissing, s));
            return fail(Failure::ModuleMissing, t);
          }
          tftp_fail(r, px_->ldlinux[i], t);
        });
}

void SimulatedClient::pxelinux_config(std::size_t i, Timestamp now) {
  if (i >= px_->configs.size()) {
    show(failure_lines(Firmware::Pxelinux, Failure::ConfigNotFound, facts()));
    return fail(Failure::ConfigNotFound, now);
  }
  const std::string name = px_->configs[i];
  fetch(name, {{"tsize", "0"}, {"blksize", "1408"}}, opt_.profile.pxelinux_timing, false, true, now,
        [this, i, name](const Fetched& r, Timestamp t) {
          if (r.ok) return pxelinux_parse(name, r.data, t);
          if (r.code == 1) return pxelinux_config(i + 1, t);  // the search goes on
          tftp_fail(r, name, t);
        });
}

void SimulatedClient::pxelinux_parse(const std::string& name, const Bytes& text, Timestamp now) {
  auto menu = pl::parse_config(std::string_view(reinterpret_cast<const char*>(text.data()), text.size()), name);
  if (!menu) {
    step(now, menu.error().what);
    show({menu.error().what});
    return fail(Failure::ConfigInvalid, now);
  }
  for (const auto& w : menu->warnings) step(now, w);
  px_->config_name = name;
  px_->config_text = text;
  px_->menu = std::move(*menu);
  px_->ui = pl::ui_modules(*px_->menu);
  complete(Stage::PxelinuxConfig, now);
  if (report_.finished) return;
  begin(Stage::Menu, now);
  pxelinux_ui(0, now);
}

void SimulatedClient::pxelinux_ui(std::size_t i, Timestamp now) {
  if (i >= px_->ui.size()) {
    if (!px_->ui.empty()) {
      // The menu module reads the config again itself (seed 1's log: default sent twice).
      fetch(px_->config_name, {{"tsize", "0"}, {"blksize", "1408"}}, opt_.profile.pxelinux_timing, false, false, now,
            [this](const Fetched&, Timestamp t) { pxelinux_menu(t); });
      return;
    }
    return pxelinux_menu(now);
  }
  const std::string name = pl::resolve(px_->prefix, px_->ui[i]);
  fetch(name, {{"tsize", "0"}, {"blksize", "1408"}}, opt_.profile.pxelinux_timing, false, false, now,
        [this, i, name](const Fetched& r, Timestamp t) {
          if (r.ok) return pxelinux_ui(i + 1, t);
          if (r.code != 1) return tftp_fail(r, name, t);
          auto s = facts();
          s.module = px_->ui[i];
          show(failure_lines(Firmware::Pxelinux, Failure::ModuleMissing, s));
          fail(Failure::ModuleMissing, t);
        });
}

void SimulatedClient::pxelinux_menu(Timestamp now) {
  const auto& m = *px_->menu;
  auto chosen = pl::choose(m, opt_.label ? std::optional<std::string_view>(*opt_.label) : std::nullopt);
  if (!px_->ui.empty()) {
    MenuScreen ms;
    ms.title = m.title.value_or("");
    for (std::size_t i = 0; i < m.labels.size(); ++i) {
      if (m.labels[i].hidden) continue;
      if (chosen && m.labels[i].name == chosen->name) ms.selected = ms.items.size();
      ms.items.push_back(m.labels[i].menu_label.value_or(m.labels[i].name));
    }
    ms.timeout_tenths = m.timeout.value_or(0);
    show(menu_lines(ms));
  }
  complete(Stage::Menu, now);
  if (report_.finished) return;
  if (!chosen) {
    step(now, chosen.error().what);
    show({chosen.error().what});
    return fail(Failure::ConfigInvalid, now);
  }
  step(now, fmt::format("boot label {}", chosen->name));
  begin(Stage::Kernel, now);
  if (chosen->localboot) {
    show({"Booting from local disk..."});
    complete(Stage::Kernel, now);
    report_.finished = true;
    return;
  }
  px_->files = pl::files_to_fetch(*chosen, px_->prefix);
  px_->file_index = 0;
  pxelinux_kernel(now);
}

void SimulatedClient::pxelinux_kernel(Timestamp now) {
  if (px_->file_index >= px_->files.size()) {
    complete(Stage::Kernel, now);
    if (!report_.finished && opt_.profile.winpe_after_kernel) winpe_start(now);
    return;
  }
  const std::string name = px_->files[px_->file_index];
  fetch(name, {{"tsize", "0"}, {"blksize", "1408"}}, opt_.profile.pxelinux_timing, false, false, now,
        [this, name](const Fetched& r, Timestamp t) {
          if (!r.ok) {
            auto s = facts();
            s.filename = name;
            show(failure_lines(Firmware::Pxelinux, r.code == 1 ? Failure::FileNotFound : Failure::TftpError, s));
            return tftp_fail(r, name, t);
          }
          auto shown = name.substr(px_->prefix.size() <= name.size() && name.starts_with(px_->prefix) ? px_->prefix.size() : 0);
          show({loading_line(shown)});
          ++px_->file_index;
          pxelinux_kernel(t);
        });
}

}  // namespace pxe::client
