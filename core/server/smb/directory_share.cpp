#include "server/smb/directory_share.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "base/unique_fd.h"
#include "server/fs/pread.h"
#include "wire/smb2/status.h"

namespace pxe::server::smb {

namespace st = wire::smb2::status;
using proto::smb2::DirEntry;
using proto::smb2::FileMeta;
using proto::smb2::filetime_from_unix;
using proto::smb2::ShareFile;
using proto::smb2::VolumeInfo;

namespace {

constexpr std::uint64_t kStatxWanted = STATX_BASIC_STATS | STATX_BTIME;

std::uint64_t filetime(const statx_timestamp& t) { return filetime_from_unix(t.tv_sec, t.tv_nsec); }

bool served_type(std::uint16_t mode) { return S_ISREG(mode) || S_ISDIR(mode); }

FileMeta meta_from(const struct statx& sx, std::string_view name) {
  FileMeta m;
  m.directory = S_ISDIR(sx.stx_mode);
  m.size = m.directory ? 0 : sx.stx_size;
  m.allocation = m.directory ? 0 : sx.stx_blocks * 512;  // what is really allocated (sparse files: less)
  m.last_access = filetime(sx.stx_atime);
  m.last_write = filetime(sx.stx_mtime);
  m.change = filetime(sx.stx_ctime);
  m.creation = (sx.stx_mask & STATX_BTIME) ? filetime(sx.stx_btime)
                                          : std::min({m.last_access, m.last_write, m.change});
  m.index = sx.stx_ino;
  m.hidden = !name.empty() && name.front() == '.';
  return m;
}

std::string_view last_component(std::string_view path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string join(const std::string& dir, std::string_view name) {
  return dir.empty() ? std::string(name) : dir + "/" + std::string(name);
}

// errno of an open beneath the root -> the status the design gives it.
Error status_error(int err, bool last, std::string_view path) {
  std::string p(path);
  switch (err) {
    case ENOENT:
      return make_status_error(last ? st::kObjectNameNotFound : st::kObjectPathNotFound, p + ": not found");
    case ENOTDIR: return make_status_error(st::kObjectPathNotFound, p + ": a component is not a directory");
    case EXDEV:
    case ELOOP: return make_status_error(st::kAccessDenied, p + ": resolves outside the share");
    case ENAMETOOLONG: return make_status_error(st::kObjectNameInvalid, p + ": name too long");
    default: return make_status_error(st::kAccessDenied, p + ": " + std::strerror(err));
  }
}

class DirectoryFile final : public ShareFile {
 public:
  explicit DirectoryFile(int fd) : fd_(fd) {}
  Result<std::size_t> read(std::uint64_t offset, std::span<std::uint8_t> dst) override {
    return pread_full(fd_.get(), offset, dst);
  }
  int fd() const override { return fd_.get(); }

 private:
  UniqueFd fd_;
};

// The entry of directory `dirfd` whose name equals `name` ignoring case (not `name` itself).
std::optional<std::string> find_folded(int dirfd, std::string_view name) {
  int fd = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  DIR* d = ::fdopendir(fd);
  if (!d) {
    ::close(fd);
    return std::nullopt;
  }
  std::optional<std::string> match;
  while (dirent* e = ::readdir(d)) {
    std::string_view n = e->d_name;
    if (n != name && n != "." && n != ".." && proto::smb2::name_equals_ci(n, name)) {
      if (!match || n < *match) match = std::string(n);  // several candidates: the same one each time
    }
  }
  ::closedir(d);
  return match;
}

}  // namespace

Result<std::unique_ptr<DirectoryShare>> DirectoryShare::open(const std::string& path, std::string label) {
  auto root = open_confined_root(path);
  if (!root) return make_error("share directory " + root.error().what);
  struct stat sb {};
  if (::fstat(root->fd.get(), &sb) != 0 || !S_ISDIR(sb.st_mode))
    return make_error("share directory " + path + ": not a directory");
  return std::unique_ptr<DirectoryShare>(new DirectoryShare(std::move(*root), std::move(label)));
}

int DirectoryShare::open_at(const std::string& relative, std::uint64_t flags) const {
  return open_beneath(root_.fd.get(), root_.real, relative, flags);
}

Result<std::string> DirectoryShare::resolve(std::string_view path) const {
  std::string exact(path);
  int fd = open_at(exact, O_PATH);
  if (fd >= 0) {
    ::close(fd);
    return exact;
  }
  if (fd != -ENOENT) return status_error(-fd, true, path);
  // Walk component by component: the exact name when it exists, else a case-folded match.
  std::string found;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    bool last = end == std::string_view::npos;
    std::string_view comp = path.substr(start, last ? std::string_view::npos : end - start);
    std::string candidate = join(found, comp);
    int f = open_at(candidate, O_PATH);
    if (f == -ENOENT) {
      int dfd = open_at(found, O_PATH | O_DIRECTORY);
      if (dfd < 0) return status_error(-dfd, false, path);
      UniqueFd dir(dfd);
      if (auto alt = find_folded(dir.get(), comp)) {
        candidate = join(found, *alt);
        f = open_at(candidate, O_PATH);
      }
    }
    if (f < 0) return status_error(-f, last, path);
    ::close(f);
    found = std::move(candidate);
    if (last) break;
    start = end + 1;
  }
  return found;
}

Result<FileMeta> DirectoryShare::stat(std::string_view path) {
  auto rel = resolve(path);
  if (!rel) return rel.error();
  int fd = open_at(*rel, O_PATH);
  if (fd < 0) return status_error(-fd, true, path);
  UniqueFd f(fd);
  struct statx sx {};
  if (::statx(f.get(), "", AT_EMPTY_PATH, kStatxWanted, &sx) != 0)
    return make_status_error(st::kAccessDenied, std::string(path) + ": statx: " + std::strerror(errno));
  if (!served_type(sx.stx_mode)) return make_status_error(st::kAccessDenied, std::string(path) + ": not a file or directory");
  return meta_from(sx, last_component(*rel));
}

Result<std::unique_ptr<ShareFile>> DirectoryShare::open(std::string_view path) {
  auto rel = resolve(path);
  if (!rel) return rel.error();
  // O_NONBLOCK: a FIFO put in the tree cannot hang the open (it is refused below).
  int fd = open_at(*rel, O_RDONLY | O_NOCTTY | O_NONBLOCK);
  if (fd == -EISDIR) return make_status_error(st::kFileIsADirectory, std::string(path) + ": is a directory");
  if (fd < 0) return status_error(-fd, true, path);
  UniqueFd f(fd);
  struct stat sb {};
  if (::fstat(f.get(), &sb) != 0) return make_status_error(st::kAccessDenied, std::string(path) + ": fstat failed");
  if (S_ISDIR(sb.st_mode)) return make_status_error(st::kFileIsADirectory, std::string(path) + ": is a directory");
  if (!S_ISREG(sb.st_mode)) return make_status_error(st::kAccessDenied, std::string(path) + ": not a regular file");
  // Reads of a regular file ignore O_NONBLOCK; clear it anyway for splice/sendfile users.
  int fl = ::fcntl(f.get(), F_GETFL);
  if (fl >= 0) ::fcntl(f.get(), F_SETFL, fl & ~O_NONBLOCK);
  return std::unique_ptr<ShareFile>(std::make_unique<DirectoryFile>(f.release()));
}

Result<std::vector<DirEntry>> DirectoryShare::list(std::string_view dir) {
  auto rel = resolve(dir);
  if (!rel) return rel.error();
  int fd = open_at(*rel, O_RDONLY | O_DIRECTORY);
  if (fd == -ENOTDIR) return make_status_error(st::kNotADirectory, std::string(dir) + ": not a directory");
  if (fd < 0) return status_error(-fd, true, dir);
  DIR* d = ::fdopendir(fd);
  if (!d) {
    ::close(fd);
    return make_status_error(st::kAccessDenied, std::string(dir) + ": fdopendir failed");
  }
  std::vector<DirEntry> out;
  while (dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    struct statx sx {};
    if (e->d_type == DT_LNK || e->d_type == DT_UNKNOWN) {
      // Follow it only beneath the root: a link out of the share is not listed.
      int t = open_at(join(*rel, name), O_PATH);
      if (t < 0) continue;
      UniqueFd target(t);
      if (::statx(target.get(), "", AT_EMPTY_PATH, kStatxWanted, &sx) != 0) continue;
    } else if (::statx(::dirfd(d), e->d_name, AT_SYMLINK_NOFOLLOW, kStatxWanted, &sx) != 0) {
      continue;
    }
    if (!served_type(sx.stx_mode)) continue;
    out.push_back(DirEntry{std::string(name), meta_from(sx, name)});
  }
  ::closedir(d);
  std::sort(out.begin(), out.end(), [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return out;
}

VolumeInfo DirectoryShare::volume() {
  VolumeInfo v;
  v.label = label_;
  struct statx sx {};
  if (::statx(root_.fd.get(), "", AT_EMPTY_PATH, kStatxWanted, &sx) == 0) {
    FileMeta m = meta_from(sx, "");
    v.creation = m.creation;
    // Stable for the directory: derived from its device and inode numbers.
    std::uint64_t id = sx.stx_ino ^ (std::uint64_t{sx.stx_dev_major} << 40) ^ (std::uint64_t{sx.stx_dev_minor} << 20);
    v.serial = static_cast<std::uint32_t>(id ^ (id >> 32));
  }
  struct statvfs fs {};
  if (::fstatvfs(root_.fd.get(), &fs) == 0) {
    std::uint64_t bytes = std::uint64_t{fs.f_blocks} * (fs.f_frsize ? fs.f_frsize : fs.f_bsize);
    v.total_units = bytes / (std::uint64_t{v.sectors_per_unit} * v.bytes_per_sector);
  }
  v.free_units = 0;  // a read-only volume, like a DVD: nothing can be written to it
  return v;
}

}  // namespace pxe::server::smb
