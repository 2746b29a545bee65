// An SMB2 share over a real directory, read-only. The directory is opened once (O_PATH); every
// lookup is openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) through server/fs/confined_path.h,
// the same confinement as TFTP's root: a symlink inside the tree works, one that leads out of
// it is STATUS_ACCESS_DENIED (and left out of listings). Names are found exactly first, then
// case-insensitively component by component (proto::smb2::name_equals_ci). Metadata comes from
// statx (birth time when the filesystem has one, else the oldest of mtime/ctime/atime, as Samba
// does), the volume from fstatvfs. Only directories and regular files are served: FIFOs,
// sockets and devices are left out of listings and refused.
#pragma once

#include <memory>
#include <string>

#include "proto/smb2/share.h"
#include "server/fs/confined_path.h"

namespace pxe::server::smb {

class DirectoryShare final : public proto::smb2::Share {
 public:
  // `label` is the volume label (FileFsVolumeInformation), e.g. the share name.
  static Result<std::unique_ptr<DirectoryShare>> open(const std::string& path, std::string label);

  Result<proto::smb2::FileMeta> stat(std::string_view path) override;
  Result<std::unique_ptr<proto::smb2::ShareFile>> open(std::string_view path) override;
  Result<std::vector<proto::smb2::DirEntry>> list(std::string_view dir) override;
  proto::smb2::VolumeInfo volume() override;
  Result<std::string> canonical_path(std::string_view path) override { return resolve(path); }

  const std::string& real_path() const { return root_.real; }

 private:
  DirectoryShare(ConfinedRoot root, std::string label) : root_(std::move(root)), label_(std::move(label)) {}
  // The path as it is on disk (case-insensitive fallback applied), or the status error.
  Result<std::string> resolve(std::string_view path) const;
  int open_at(const std::string& relative, std::uint64_t flags) const;

  ConfinedRoot root_;
  std::string label_;
};

}  // namespace pxe::server::smb
