#include "proto/smb2/state.h"

#include <algorithm>

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

ConnState::ConnState(ServerContext& context)
    : ctx(&context), registry(context.registry), opens(context.registry.opens) {}

Session* ConnState::session(std::uint64_t id) {
  if (std::find(sessions.begin(), sessions.end(), id) == sessions.end()) return nullptr;
  return registry.find(id);
}

const std::optional<signing::Signer>& ConnState::channel_signer(Session& s) {
  static const std::optional<signing::Signer> none;
  Channel* ch = s.channel(this);
  return ch ? ch->signer : none;
}

std::size_t ConnState::open_count() {
  std::size_t n = 0;
  for (auto id : sessions)
    if (Session* s = registry.find(id)) n += s->open_count;
  return n;
}

Session& ConnState::new_session() {
  Session& s = registry.create(*ctx->random, *this);
  s.dialect = dialect;
  s.client_guid = client_guid;
  sessions.push_back(s.id);
  return s;
}

void ConnState::add_channel(Session& s, std::optional<signing::Signer> signer) {
  s.channels.push_back(Channel{this, std::move(signer)});
  sessions.push_back(s.id);
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
    if (Session* s = session(p.session_id))
      if (const auto& signer = channel_signer(*s)) signer->sign_in_place(pdu);
  emit(out, SendBytes{nbss_message(pdu)});
}

void ConnState::close_open(std::uint64_t volatile_id, std::uint32_t notify_status, Actions& out) {
  auto it = opens.find(volatile_id);
  if (it == opens.end()) return;
  const Open& o = it->second;
  // Pending notifies on the handle complete after the CLOSE response (Samba's order, measured),
  // on whichever channel of the session they came.
  for (std::size_t i = 0; i < pending.size();) {
    if (pending[i].file_id == o.id) {
      complete_pending(pending[i], notify_status, out);
      pending.erase(pending.begin() + std::ptrdiff_t(i));
    } else {
      ++i;
    }
  }
  if (Session* s = registry.find(o.session_id)) {
    for (auto& ch : s->channels)
      if (ch.host != this) ch.host->open_closed(o.id, notify_status);
    if (s->open_count > 0) --s->open_count;
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
  Session* s = registry.find(session_id);
  if (!s) return;
  std::vector<std::uint32_t> trees;
  for (const auto& [tid, t] : s->trees) trees.push_back(tid);
  for (auto tid : trees) drop_tree(*s, tid, out);
  std::vector<std::uint64_t> rest;  // opens whose tree is gone already (none expected)
  for (const auto& [vid, o] : opens)
    if (o.session_id == session_id) rest.push_back(vid);
  for (auto vid : rest) close_open(vid, wire::smb2::status::kNotifyCleanup, out);
  for (auto& ch : s->channels)
    if (ch.host != this) ch.host->session_ended(session_id);
  session_ended(session_id);
  registry.erase(session_id);
}

void ConnState::session_ended(std::uint64_t session_id) {
  sessions.erase(std::remove(sessions.begin(), sessions.end(), session_id), sessions.end());
  bindings.erase(session_id);
  // Requests pending on the session's opens were completed when the opens closed.
  pending.erase(std::remove_if(pending.begin(), pending.end(),
                               [&](const PendingAsync& p) { return p.session_id == session_id; }),
                pending.end());
}

void ConnState::open_closed(const wire::smb2::FileId& id, std::uint32_t status) {
  for (std::size_t i = 0; i < pending.size();) {
    if (pending[i].file_id == id) {
      complete_pending(pending[i], status, deferred);
      pending.erase(pending.begin() + std::ptrdiff_t(i));
    } else {
      ++i;
    }
  }
}

std::uint32_t server_capabilities(const ServerContext& ctx, std::uint16_t dialect) {
  namespace cap = wire::smb2::capability;
  if (dialect == wire::smb2::dialect::k202) return 0;
  std::uint32_t caps = cap::kLargeMtu;
  if (dialect >= wire::smb2::dialect::k300 && dialect != wire::smb2::dialect::kWildcard &&
      ctx.settings.multi_channel)
    caps |= cap::kMultiChannel;
  return caps;
}

}  // namespace pxe::proto::smb2
