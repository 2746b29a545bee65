// A Share held in memory: for unit tests, the fuzzers and in-process runs. Paths given to
// add_file/add_dir are share paths ('/'-separated, no leading '/'); missing parent directories
// are created. Lookups follow the Share contract (exact name first, then case-insensitive).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "proto/smb2/share.h"

namespace pxe::proto::smb2 {

class MemoryShare final : public Share {
 public:
  // Every entry gets `filetime` as its four times unless changed with meta().
  explicit MemoryShare(std::uint64_t filetime = 0x01D0000000000000ull);

  // Adds (or replaces) a regular file; returns its metadata for a test to adjust.
  FileMeta& add_file(std::string_view path, Bytes data);
  FileMeta& add_dir(std::string_view path);
  // Makes open()/list() of an existing entry fail with STATUS_ACCESS_DENIED (an unreadable file).
  void deny(std::string_view path);
  void set_volume(VolumeInfo v) { volume_ = std::move(v); }

  Result<FileMeta> stat(std::string_view path) override;
  Result<std::unique_ptr<ShareFile>> open(std::string_view path) override;
  Result<std::vector<DirEntry>> list(std::string_view dir) override;
  VolumeInfo volume() override { return volume_; }
  Result<std::string> canonical_path(std::string_view path) override;

 private:
  struct Node {
    FileMeta meta;
    std::shared_ptr<const Bytes> data;            // files
    std::map<std::string, std::unique_ptr<Node>> children;  // directories, by exact name
    bool denied = false;
  };
  Node* ensure_dir(std::string_view path);
  Node& new_child(Node& dir, std::string name, bool directory);
  // The node, and (when `spelled` is given) the path as stored.
  Result<Node*> find(std::string_view path, std::string* spelled = nullptr);

  std::uint64_t filetime_;
  std::uint64_t next_index_ = 1;
  Node root_;
  VolumeInfo volume_;
};

}  // namespace pxe::proto::smb2
