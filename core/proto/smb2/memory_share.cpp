#include "proto/smb2/memory_share.h"

#include <algorithm>
#include <cstring>

#include "wire/smb2/status.h"

namespace pxe::proto::smb2 {

namespace st = wire::smb2::status;

namespace {

// Splits "a/b/c" into its components ("" has none).
std::vector<std::string_view> components(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start < path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

class MemoryFile final : public ShareFile {
 public:
  explicit MemoryFile(std::shared_ptr<const Bytes> data) : data_(std::move(data)) {}
  Result<std::size_t> read(std::uint64_t offset, std::span<std::uint8_t> dst) override {
    if (offset >= data_->size()) return std::size_t{0};
    std::size_t n = std::min<std::uint64_t>(dst.size(), data_->size() - offset);
    if (n) std::memcpy(dst.data(), data_->data() + offset, n);
    return n;
  }

 private:
  std::shared_ptr<const Bytes> data_;
};

}  // namespace

MemoryShare::MemoryShare(std::uint64_t filetime) : filetime_(filetime) {
  root_.meta.directory = true;
  root_.meta.creation = root_.meta.last_access = root_.meta.last_write = root_.meta.change = filetime;
  root_.meta.index = next_index_++;
  volume_.label = "PXEKIT";
  volume_.serial = 0x50584B54;
  volume_.creation = filetime;
}

MemoryShare::Node& MemoryShare::new_child(Node& dir, std::string name, bool directory) {
  auto node = std::make_unique<Node>();
  FileMeta& m = node->meta;
  m.directory = directory;
  m.creation = m.last_access = m.last_write = m.change = filetime_;
  m.index = next_index_++;
  m.hidden = !name.empty() && name.front() == '.';
  if (!directory) node->data = std::make_shared<const Bytes>();
  Node& ref = *node;
  dir.children[std::move(name)] = std::move(node);
  return ref;
}

MemoryShare::Node* MemoryShare::ensure_dir(std::string_view path) {
  Node* n = &root_;
  for (std::string_view c : components(path)) {
    auto it = n->children.find(std::string(c));
    if (it == n->children.end() || !it->second->meta.directory)
      n = &new_child(*n, std::string(c), true);
    else
      n = it->second.get();
  }
  return n;
}

FileMeta& MemoryShare::add_dir(std::string_view path) { return ensure_dir(path)->meta; }

FileMeta& MemoryShare::add_file(std::string_view path, Bytes data) {
  std::size_t slash = path.rfind('/');
  Node* dir = ensure_dir(slash == std::string_view::npos ? std::string_view{} : path.substr(0, slash));
  std::string name(slash == std::string_view::npos ? path : path.substr(slash + 1));
  Node& f = new_child(*dir, std::move(name), false);
  f.meta.size = data.size();
  f.meta.allocation = (data.size() + 4095) / 4096 * 4096;
  f.data = std::make_shared<const Bytes>(std::move(data));
  return f.meta;
}

void MemoryShare::deny(std::string_view path) {
  if (auto n = find(path); n.ok()) (*n)->denied = true;
}

Result<MemoryShare::Node*> MemoryShare::find(std::string_view path, std::string* spelled) {
  Node* n = &root_;
  auto parts = components(path);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    bool last = i + 1 == parts.size();
    if (!n->meta.directory)
      return make_status_error(st::kObjectPathNotFound, "a path component is not a directory");
    auto it = n->children.find(std::string(parts[i]));
    if (it == n->children.end())
      it = std::find_if(n->children.begin(), n->children.end(),
                        [&](const auto& kv) { return name_equals_ci(kv.first, parts[i]); });
    if (it == n->children.end())
      return make_status_error(last ? st::kObjectNameNotFound : st::kObjectPathNotFound,
                               last ? "no such file" : "no such directory");
    n = it->second.get();
    if (spelled) {
      if (!spelled->empty()) *spelled += '/';
      *spelled += it->first;
    }
  }
  return n;
}

Result<std::string> MemoryShare::canonical_path(std::string_view path) {
  std::string spelled;
  auto n = find(path, &spelled);
  if (!n) return n.error();
  return spelled;
}

Result<FileMeta> MemoryShare::stat(std::string_view path) {
  auto n = find(path);
  if (!n) return n.error();
  return (*n)->meta;
}

Result<std::unique_ptr<ShareFile>> MemoryShare::open(std::string_view path) {
  auto n = find(path);
  if (!n) return n.error();
  if ((*n)->meta.directory) return make_status_error(st::kFileIsADirectory, "is a directory");
  if ((*n)->denied) return make_status_error(st::kAccessDenied, "not readable");
  return std::unique_ptr<ShareFile>(std::make_unique<MemoryFile>((*n)->data));
}

Result<std::vector<DirEntry>> MemoryShare::list(std::string_view dir) {
  auto n = find(dir);
  if (!n) return n.error();
  if (!(*n)->meta.directory) return make_status_error(st::kNotADirectory, "not a directory");
  if ((*n)->denied) return make_status_error(st::kAccessDenied, "not readable");
  std::vector<DirEntry> out;
  out.reserve((*n)->children.size());
  for (const auto& [name, child] : (*n)->children) out.push_back(DirEntry{name, child->meta});
  return out;  // std::map keeps them sorted by name
}

}  // namespace pxe::proto::smb2
