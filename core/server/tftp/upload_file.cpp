// Uploads (WRQ): the upload directory, the temporary file an upload is written to (its size cap
// and fsyncs), and the removal of temporaries a crash left behind. Declared in file_access.h.
#include "server/tftp/file_access.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "base/text.h"
#include "server/fs/confined_path.h"

namespace pxe::server::tftp {

namespace wt = wire::tftp;

FdSink::~FdSink() {
  if (!committed_) discard();
}

void FdSink::discard() {
  fd_.reset();
  if (!discarded_) ::unlinkat(dirfd_.get(), tmp_.c_str(), 0);
  discarded_ = true;
}

Result<void> FdSink::write(ByteSpan data) {
  if (discarded_) return make_error("upload already abandoned");
  if (data.size() > max_bytes_ - written_) {
    discard();  // nothing of an upload over the limit stays on disk
    return make_error("Allocation exceeded: uploads are limited to " + std::to_string(max_bytes_) + " bytes");
  }
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd_.get(), data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      discard();
      return make_error(e == ENOSPC || e == EDQUOT ? "Disk full or allocation exceeded"
                                                   : std::string("write: ") + std::strerror(e));
    }
    done += static_cast<std::size_t>(n);
  }
  written_ += data.size();
  return {};
}

Result<void> FdSink::commit() {
  if (committed_) return {};
  if (discarded_) return make_error("upload already abandoned");
  // The data first, then the name: a power cut after the rename must not leave the final name
  // on an empty or partial file.
  if (sync_(fd_.get()) != 0) {
    int e = errno;
    discard();
    return make_error(std::string("Disk error: fsync: ") + std::strerror(e));
  }
  if (::renameat2(dirfd_.get(), tmp_.c_str(), dirfd_.get(), name_.c_str(), overwrite_ ? 0u : RENAME_NOREPLACE) != 0) {
    int e = errno;
    discard();
    return make_error(e == EEXIST ? std::string("File already exists (appeared meanwhile, not replaced)")
                                  : std::string("rename: ") + std::strerror(e));
  }
  committed_ = true;
  fd_.reset();
  // The rename itself is durable only once the directory is.
  if (dir_syncable_ && sync_(dirfd_.get()) != 0)
    return make_error(std::string("Disk error: fsync of the directory: ") + std::strerror(errno));
  return {};
}

std::string upload_temporary_name(std::string_view base, long pid, unsigned n) {
  return "." + std::string(base) + ".pxekit-upload-" + std::to_string(pid) + "-" + std::to_string(n);
}

bool is_upload_temporary(std::string_view name) {
  static constexpr std::string_view kTag = ".pxekit-upload-";
  auto at = name.rfind(kTag);
  // "." + a non-empty base + the tag + digits "-" digits, and nothing else.
  if (name.size() < 2 || name[0] != '.' || at == std::string_view::npos || at < 2) return false;
  std::string_view rest = name.substr(at + kTag.size());
  auto dash = rest.find('-');
  auto digits = [](std::string_view d) {
    return !d.empty() && std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  return dash != std::string_view::npos && digits(rest.substr(0, dash)) && digits(rest.substr(dash + 1));
}

Result<std::string> TftpRoot::upload_dir(const std::string& dir) const {
  std::string rel = dir;
  if (!dir.empty() && dir[0] == '/') {
    char buf[PATH_MAX];
    if (!::realpath(dir.c_str(), buf)) return make_error("upload directory " + dir + ": " + std::strerror(errno));
    std::string real = buf;
    std::string prefix = real_ == "/" ? "/" : real_ + "/";
    if (real.size() <= prefix.size() || real.compare(0, prefix.size(), prefix) != 0)
      return make_error("upload directory " + dir + " is not under the TFTP root " + real_);
    rel = real.substr(prefix.size());
  }
  auto norm = normalize_name(rel, real_, {});
  if (!norm) return make_error("upload directory " + dir + ": " + norm.error().what);
  int fd = server::open_beneath(fd_.get(), real_, *norm, O_PATH | O_DIRECTORY, RESOLVE_NO_SYMLINKS);
  if (fd < 0)
    return make_error("upload directory " + dir + ": " +
                      (fd == -ELOOP ? std::string("reached through a symlink") : std::string(std::strerror(-fd))));
  ::close(fd);
  return *norm;
}

namespace {

// Opens a directory beneath `root` without following any symlink: for reading when it can (the
// directory is then fsync()able), else O_PATH (a write-only drop box). fd or -errno.
int open_dir_beneath(int root, const std::string& root_real, const std::string& dir, bool& readable) {
  int fd = -EACCES;
  for (std::uint64_t flags : {O_RDONLY | O_DIRECTORY, O_PATH | O_DIRECTORY}) {
    fd = server::open_beneath(root, root_real, dir, flags, RESOLVE_NO_SYMLINKS);
    readable = !(flags & O_PATH);
    if (fd >= 0 || fd != -EACCES) break;
  }
  return fd;
}

}  // namespace

std::variant<TftpRoot::Created, OpenError> TftpRoot::create_upload(const std::string& relative,
                                                                   const std::string& upload_dir,
                                                                   const UploadRules& rules) const {
  const OpenError denied{wt::ErrorCode::AccessViolation, "Access violation", ""};
  if (upload_dir.empty() || relative.size() <= upload_dir.size() + 1 ||
      relative.compare(0, upload_dir.size(), upload_dir) != 0 || relative[upload_dir.size()] != '/') {
    auto e = denied;
    e.detail = "not inside the upload directory " + upload_dir;
    return e;
  }
  if (rules.announced && *rules.announced > rules.max_bytes)
    return OpenError{wt::ErrorCode::DiskFull, "Allocation exceeded",
                     "announces " + std::to_string(*rules.announced) + " bytes, over tftp-max-upload-size " +
                         std::to_string(rules.max_bytes)};
  auto slash = relative.rfind('/');
  std::string dir = relative.substr(0, slash), base = relative.substr(slash + 1);
  bool dir_readable = false;
  int dirfd = open_dir_beneath(fd_.get(), real_, dir, dir_readable);
  if (dirfd < 0) {
    int e = -dirfd;
    if (e == ENOENT || e == ENOTDIR)
      return OpenError{wt::ErrorCode::FileNotFound, "Directory not found", "no such directory " + log_safe(dir)};
    auto d = denied;
    d.detail = e == ELOOP ? "a symlink on the way to " + log_safe(dir) : std::string(std::strerror(e));
    return d;
  }
  UniqueFd dir_owner(dirfd);
  struct statvfs vfs {};
  if (rules.announced && ::fstatvfs(dirfd, &vfs) == 0 &&
      *rules.announced > static_cast<std::uint64_t>(vfs.f_bavail) * vfs.f_frsize)
    return OpenError{wt::ErrorCode::DiskFull, "Disk full",
                     "announces " + std::to_string(*rules.announced) + " bytes, more than the free space"};
  struct stat st {};
  if (::fstatat(dirfd, base.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (!S_ISREG(st.st_mode)) {
      auto d = denied;
      d.detail = "exists and is not a regular file";
      return d;
    }
    if (!rules.overwrite) return OpenError{wt::ErrorCode::FileExists, "File already exists", "exists (no overwrite)"};
  }
  static unsigned counter = 0;
  std::string tmp = upload_temporary_name(base, ::getpid(), ++counter);
  int fd = ::openat(dirfd, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) {
    auto d = denied;
    d.detail = std::string("create: ") + std::strerror(errno);
    return d;
  }
  std::string full = real_ + (real_ == "/" ? "" : "/") + log_safe(relative);
  return Created{std::make_unique<FdSink>(dir_owner.release(), tmp, base, fd, rules.overwrite, rules.max_bytes, sync_,
                                          dir_readable),
                 full};
}

namespace {

// remove_stale_uploads below `dirfd`; `depth` bounds how far a deep tree is walked.
void remove_stale_in(int dirfd, int depth, std::size_t& removed) {
  DIR* d = ::fdopendir(dirfd);
  if (!d) {
    ::close(dirfd);
    return;
  }
  std::vector<std::string> subdirs;
  while (dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st {};
    if (::fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      subdirs.emplace_back(name);
    } else if (S_ISREG(st.st_mode) && is_upload_temporary(name)) {
      if (::unlinkat(dirfd, e->d_name, 0) == 0) ++removed;
    }
  }
  for (const auto& sub : subdirs) {
    if (depth <= 0) break;
    int fd = ::openat(dirfd, sub.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) remove_stale_in(fd, depth - 1, removed);
  }
  ::closedir(d);
}

}  // namespace

Result<std::size_t> TftpRoot::remove_stale_uploads(const std::string& upload_dir) const {
  bool readable = false;
  int fd = open_dir_beneath(fd_.get(), real_, upload_dir, readable);
  if (fd < 0) return make_error("upload directory " + upload_dir + ": " + std::strerror(-fd));
  if (!readable) {
    ::close(fd);
    return make_error("upload directory " + upload_dir + " cannot be listed: stale uploads not removed");
  }
  std::size_t removed = 0;
  remove_stale_in(fd, 16, removed);
  return removed;
}

}  // namespace pxe::server::tftp
