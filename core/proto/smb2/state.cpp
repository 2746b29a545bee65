#include "proto/smb2/state.h"

#include "proto/smb2/dispatch.h"
#include "wire/smb2/simple.h"
#include "wire/smb2/status.h"

namespace pxe::proto::smb2 {

bool CreditWindow::consume(std::uint64_t first, std::uint64_t count) {
  if (count == 0) count = 1;
  if (first < low_ || first - low_ >= size_ || count > size_ - (first - low_)) return false;
  std::size_t at = std::size_t(first - low_);
  for (std::size_t i = 0; i < count; ++i)
    if (used_ids_[at + i]) return false;
  for (std::size_t i = 0; i < count; ++i) used_ids_[at + i] = true;
  used_ += count;
  while (!used_ids_.empty() && used_ids_.front()) {
    used_ids_.pop_front();
    ++low_;
    --size_;
    --used_;
  }
  return true;
}

std::uint64_t CreditWindow::grant(std::uint64_t n, std::uint64_t max_window) {
  if (size_ >= max_window) return 0;
  n = std::min(n, max_window - size_);
  size_ += n;
  used_ids_.resize(std::size_t(size_), false);
  return n;
}

std::size_t Open::memory() const {
  std::size_t m = sizeof(Open) + path.size() + client_name.size() + pattern.size() +
                  locks.size() * sizeof(LockRange);
  if (listing)
    for (const auto& e : *listing) m += sizeof(DirEntry) + e.name.size();
  return m;
}

Session* ConnState::session(std::uint64_t id) {
  auto it = sessions.find(id);
  return it == sessions.end() ? nullptr : &it->second;
}

void ConnState::complete_pending(const PendingAsync& p, std::uint32_t status, Actions& out) {
  wire::smb2::Header h;
  h.credit_charge = p.credit_charge;
  h.status = status;
  h.command = p.command;
  h.credits = 0;  // the interim response granted them (measured: Samba grants 0 here)
  h.flags = wire::smb2::flags::kServerToRedir | wire::smb2::flags::kAsyncCommand;
  h.message_id = p.message_id;
  h.async_id = p.async_id;
  h.session_id = p.session_id;
  ByteWriter w(80);
  wire::smb2::encode_header(h, w);
  wire::smb2::encode_error_response({}, w);
  Bytes pdu = w.take();
  if (p.sign)
    if (Session* s = session(p.session_id); s && s->signer) s->signer->sign_in_place(pdu);
  emit(out, SendBytes{nbss_message(pdu)});
}

void ConnState::close_open(std::uint64_t volatile_id, std::uint32_t notify_status, Actions& out) {
  auto it = opens.find(volatile_id);
  if (it == opens.end()) return;
  const Open& o = it->second;
  // Pending notifies on the handle complete after the CLOSE response (Samba's order, measured).
  for (std::size_t i = 0; i < pending.size();) {
    if (pending[i].file_id == o.id) {
      complete_pending(pending[i], notify_status, out);
      pending.erase(pending.begin() + std::ptrdiff_t(i));
    } else {
      ++i;
    }
  }
  if (o.bytes_read > 0)
    emit(out, Event{"read \\\\" + o.share_name + "\\" + o.client_name + " " +
                    human_size(o.bytes_read)});
  opens.erase(it);
}

void ConnState::drop_tree(Session& s, std::uint32_t tree_id, Actions& out) {
  std::vector<std::uint64_t> ids;
  for (const auto& [vid, o] : opens)
    if (o.session_id == s.id && o.tree_id == tree_id) ids.push_back(vid);
  for (auto vid : ids) close_open(vid, wire::smb2::status::kNotifyCleanup, out);
  s.trees.erase(tree_id);
}

void ConnState::drop_session(std::uint64_t session_id, Actions& out) {
  Session* s = session(session_id);
  if (!s) return;
  std::vector<std::uint32_t> trees;
  for (const auto& [tid, t] : s->trees) trees.push_back(tid);
  for (auto tid : trees) drop_tree(*s, tid, out);
  sessions.erase(session_id);
}

}  // namespace pxe::proto::smb2
