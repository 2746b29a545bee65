#include "proto/smb2/session_registry.h"

namespace pxe::proto::smb2 {

Channel* Session::channel(const ChannelHost* host) {
  for (auto& ch : channels)
    if (ch.host == host) return &ch;
  return nullptr;
}

std::size_t Open::memory() const {
  std::size_t m = sizeof(Open) + path.size() + client_name.size() + pattern.size() +
                  locks.size() * sizeof(LockRange);
  if (listing)
    for (const auto& e : *listing) m += sizeof(DirEntry) + e.name.size();
  return m;
}

Session* SessionRegistry::find(std::uint64_t id) {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second.get();
}

Session& SessionRegistry::create(Random& random, ChannelHost& host) {
  // One draw, then the next free id: a collision is all but impossible with the kernel's random
  // source, and a deterministic one (tests, fuzzers) must not make this loop for ever.
  std::uint64_t id = std::uint64_t(random.next()) << 32 | random.next();
  while (id == 0 || id == ~0ull || sessions_.count(id)) ++id;
  auto s = std::make_unique<Session>();
  s->id = id;
  s->channels.push_back(Channel{&host, std::nullopt});
  Session& ref = *s;
  sessions_.emplace(id, std::move(s));
  return ref;
}

void SessionRegistry::erase(std::uint64_t id) { sessions_.erase(id); }

}  // namespace pxe::proto::smb2
