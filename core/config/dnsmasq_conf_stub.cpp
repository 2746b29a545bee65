// Stub until the dnsmasq.conf reader lands (issue 4): delete this file when adding the real one.
#include "config/serve_config.h"

namespace pxe::config {

Result<ServeConfig> load_dnsmasq_conf(const std::string& path) {
  return make_error(path + ": reading dnsmasq.conf is not built yet");
}

}  // namespace pxe::config
