// The reference Samba's smb.conf for a test: every directory smbd writes (private, lock, state,
// cache, pid, ncalrpc, logs) under `work`, no printing, no NetBIOS, guest account nobody, `map to
// guest = Bad User`, plus the caller's listening lines and shares. The directories are created.
#pragma once

#include <filesystem>
#include <string>
#include <utility>

namespace pxe::test {

inline std::string samba_conf(const std::filesystem::path& work, const std::string& listen_lines,
                              const std::string& shares) {
  namespace fs = std::filesystem;
  for (const char* d : {"private", "lock", "state", "cache", "pid", "ncalrpc", "logs"}) fs::create_directories(work / d);
  std::string g = "[global]\n  server role = standalone server\n" + listen_lines +
                  "  disable netbios = yes\n  map to guest = Bad User\n  server min protocol = SMB2_02\n"
                  "  server max protocol = SMB3\n";
  const std::pair<const char*, const char*> dirs[] = {
      {"private dir", "private"}, {"lock directory", "lock"}, {"state directory", "state"},
      {"cache directory", "cache"}, {"pid directory", "pid"},   {"ncalrpc dir", "ncalrpc"},
      {"binddns dir", "private"}};
  for (const auto& [key, sub] : dirs) g += "  " + std::string(key) + " = " + (work / sub).string() + "\n";
  g += "  passdb backend = tdbsam:" + (work / "private" / "passdb.tdb").string() + "\n  log file = " +
       (work / "logs" / "log.%m").string() +
       "\n  load printers = no\n  printing = bsd\n  printcap name = /dev/null\n  disable spoolss = yes\n"
       "  guest account = nobody\n";
  return g + shares;
}

}  // namespace pxe::test
