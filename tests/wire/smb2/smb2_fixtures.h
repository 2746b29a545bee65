// Loads tests/wire/smb2/data/*.hex: "<name> <hex>" lines of NBSS-framed TCP payloads recorded
// from smbclient <-> smbd on loopback (see the file's header for how).
#pragma once

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>

#include "base/bytes.h"

namespace pxe::test {

inline Bytes unhex(std::string_view h) {
  Bytes out;
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i + 1 < h.size();) {
    if (nib(h[i]) < 0) { ++i; continue; }
    out.push_back(std::uint8_t(nib(h[i]) << 4 | nib(h[i + 1])));
    i += 2;
  }
  return out;
}

// name -> NBSS-framed bytes, in file order by name.
inline std::map<std::string, Bytes> smb2_fixtures() {
  std::map<std::string, Bytes> out;
  std::ifstream in(std::string(PXE_SOURCE_DIR) + "/tests/wire/smb2/data/smbclient_samba417.hex");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ss(line);
    std::string name, hex;
    ss >> name >> hex;
    out[name] = unhex(hex);
  }
  return out;
}

// The SMB message inside an NBSS-framed fixture (drops the 4-byte header).
inline Bytes smb2_fixture(const std::string& name) {
  static const auto all = smb2_fixtures();
  auto it = all.find(name);
  if (it == all.end() || it->second.size() < 4) return {};
  return Bytes(it->second.begin() + 4, it->second.end());
}

}  // namespace pxe::test
