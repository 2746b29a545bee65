#include "server/tftp/file_access.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "base/text.h"
#include "server/fs/confined_path.h"
#include "server/fs/pread.h"

namespace pxe::server::tftp {

namespace wt = wire::tftp;

Result<std::string> normalize_name(std::string_view requested, std::string_view root, const NameRules& rules) {
  std::string name(requested);
  std::replace(name.begin(), name.end(), '\\', '/');  // Windows boot files ask with backslashes
  if (rules.lowercase)
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  std::string r(root);
  while (r.size() > 1 && r.back() == '/') r.pop_back();
  // An absolute name that already lies under the root (some configs name files that way).
  if (!r.empty() && r != "/" && name.size() > r.size() && name.compare(0, r.size(), r) == 0 && name[r.size()] == '/')
    name.erase(0, r.size());
  std::string out;
  std::size_t i = 0;
  while (i <= name.size()) {
    std::size_t j = name.find('/', i);
    if (j == std::string::npos) j = name.size();
    std::string_view part(name.data() + i, j - i);
    if (part == "..") return make_error("name has a '..' component: " + log_safe(requested));
    if (!part.empty() && part != ".") {
      if (!out.empty()) out += '/';
      out += part;
    }
    i = j + 1;
  }
  if (out.empty()) return make_error("empty file name");
  return out;
}

Result<std::size_t> FdSource::read(std::uint64_t offset, std::span<std::uint8_t> dst) {
  return pread_full(fd_.get(), offset, dst);
}

Result<TftpRoot> TftpRoot::open(const std::string& root) {
  auto r = open_confined_root(root);
  if (!r) return make_error("tftp-root " + r.error().what);
  return TftpRoot(r->fd.release(), std::move(r->real));
}

int TftpRoot::open_beneath(const std::string& relative) const {
  return server::open_beneath(fd_.get(), real_, relative, O_RDONLY | O_NOCTTY | O_NONBLOCK);
}

std::optional<std::string> TftpRoot::find_case_insensitive(const std::string& relative) const {
  std::string found;
  std::size_t i = 0;
  while (i < relative.size()) {
    std::size_t j = relative.find('/', i);
    if (j == std::string::npos) j = relative.size();
    std::string part = relative.substr(i, j - i);
    int dfd = found.empty() ? ::openat(fd_.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                            : static_cast<int>(open_beneath(found));
    if (dfd < 0) return std::nullopt;
    DIR* d = ::fdopendir(dfd);
    if (!d) {
      ::close(dfd);
      return std::nullopt;
    }
    std::optional<std::string> match;
    while (dirent* e = ::readdir(d)) {
      if (::strcasecmp(e->d_name, part.c_str()) == 0) {
        match = e->d_name;
        break;
      }
    }
    ::closedir(d);
    if (!match) return std::nullopt;
    found += (found.empty() ? "" : "/") + *match;
    i = j + 1;
  }
  return found;
}

namespace {

// Whether the kernel's permission checks would let this process read any file: root, or a
// process holding CAP_DAC_OVERRIDE or CAP_DAC_READ_SEARCH (kept by a unit file, say). Asked at
// each open: the server may have dropped to its user since it started.
bool reads_any_file() {
  if (::geteuid() == 0) return true;
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3] = {};
  if (::syscall(SYS_capget, &hdr, caps) != 0) return true;  // unknown: assume the worst
  auto effective = [&](unsigned cap) { return (caps[cap / 32].effective >> (cap % 32)) & 1u; };
  return effective(CAP_DAC_OVERRIDE) || effective(CAP_DAC_READ_SEARCH);
}

}  // namespace

std::variant<TftpRoot::Opened, OpenError> TftpRoot::open_file(const std::string& relative, const NameRules& rules,
                                                              bool secure) const {
  std::string rel = relative;
  int fd = open_beneath(rel);
  if (fd == -ENOENT && rules.case_insensitive) {
    if (auto alt = find_case_insensitive(rel)) {
      rel = *alt;
      fd = open_beneath(rel);
    }
  }
  std::string full = real_ + (real_ == "/" ? "" : "/") + log_safe(rel);
  if (fd < 0) {
    int e = -fd;
    if (e == ENOENT || e == ENOTDIR) return OpenError{wt::ErrorCode::FileNotFound, "File not found", "not found"};
    if (e == EXDEV || e == ELOOP)
      return OpenError{wt::ErrorCode::AccessViolation, "Access violation", "resolves outside the root"};
    return OpenError{wt::ErrorCode::AccessViolation, "Access violation", std::strerror(e)};
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return OpenError{wt::ErrorCode::AccessViolation, "Access violation", "not a regular file"};
  }
  const bool any_file_readable = reads_any_file();
  if (any_file_readable && !(st.st_mode & S_IROTH)) {
    ::close(fd);
    return OpenError{wt::ErrorCode::AccessViolation, "Access violation",
                     "not world-readable (a server that can read every file serves only those)"};
  }
  if (secure && ::geteuid() != 0 && st.st_uid != ::geteuid()) {
    ::close(fd);
    return OpenError{wt::ErrorCode::AccessViolation, "Access violation", "not owned by the server's user (tftp-secure)"};
  }
  // The file was opened O_NONBLOCK (so a FIFO cannot hang the open); reads of a regular file ignore it.
  return Opened{std::make_unique<FdSource>(fd, static_cast<std::uint64_t>(st.st_size)), full};
}

}  // namespace pxe::server::tftp
