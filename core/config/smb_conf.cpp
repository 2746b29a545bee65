// The smb.conf reader. Samba's grammar as smbd 4.17 reads it (checked with testparm -s):
//   - a line is `[section]`, `key = value`, a comment (first non-blank `#` or `;`) or blank;
//   - a line ending in `\` goes on on the next one; a comment line never goes on;
//   - keys compare without case and without blanks; in a value, a run of blanks counts as its
//     first blank ("a    b" is "a b"), and blanks around it are dropped;
//   - a key repeated wins with its last value; a section repeated goes on where it left off;
//   - a share key in [global] is the default for every share (sections after it, here);
//   - a [global] key in a share section is ignored with a warning.
// Where pxekit differs from Samba, the comment at the code says so.
#include "config/smb_conf.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <utility>

#include "base/text.h"

namespace pxe::config {

namespace {

// Samba's comparison of parameter names: "guest ok", "GuestOK" and "guest   ok" are one key.
std::string key_of(std::string_view k) {
  std::string out;
  for (char c : k)
    if (c != ' ' && c != '\t') out += ascii_lower(c);
  return out;
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// A run of blanks inside a value becomes its first blank (measured: "p<TAB>q   r" -> "p<TAB>q r").
std::string collapse_blanks(std::string_view v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i)
    if (!(is_blank(v[i]) && i > 0 && is_blank(v[i - 1]))) out += v[i];
  return out;
}

std::string shown(std::string_view s) { return "'" + log_safe(s, 120) + "'"; }

// Samba's booleans: yes/no, true/false, 1/0, on/off, any case.
std::optional<bool> parse_bool(std::string_view v) {
  for (auto t : {"yes", "true", "1", "on"})
    if (iequals(v, t)) return true;
  for (auto f : {"no", "false", "0", "off"})
    if (iequals(v, f)) return false;
  return std::nullopt;
}

// Samba's protocol names. "SMB2" and "SMB3" are what Samba makes of them: SMB2_10 and SMB3_11
// (so `min protocol = SMB2` refuses a 2.0.2-only client, as smbd does: measured in
// ../shared/reference/smb2-server.md §2.3). CORE..LANMAN2 are older SMB1 dialects than NT1; pxekit
// has no SMB1 beyond the upgrading NEGOTIATE, so they read as NT1 (with a warning).
struct DialectName {
  const char* name;
  SmbDialect dialect;
  bool older_smb1;
};
constexpr DialectName kDialects[] = {
    {"CORE", SmbDialect::Nt1, true},       {"COREPLUS", SmbDialect::Nt1, true},
    {"LANMAN1", SmbDialect::Nt1, true},    {"LANMAN2", SmbDialect::Nt1, true},
    {"NT1", SmbDialect::Nt1, false},       {"SMB2", SmbDialect::Smb2_10, false},
    {"SMB2_02", SmbDialect::Smb2_02, false}, {"SMB2_10", SmbDialect::Smb2_10, false},
    {"SMB3", SmbDialect::Smb3_11, false},  {"SMB3_00", SmbDialect::Smb3_00, false},
    {"SMB3_02", SmbDialect::Smb3_02, false}, {"SMB3_11", SmbDialect::Smb3_11, false},
};

const DialectName* parse_dialect(std::string_view v) {
  for (const auto& d : kDialects)
    if (iequals(v, d.name)) return &d;
  return nullptr;
}

// The [global] keys global_key() reads (as key_of() writes them).
constexpr std::string_view kGlobalKeys[] = {
    "maptoguest",    "serverminprotocol", "minprotocol", "servermaxprotocol", "maxprotocol", "protocol",
    "serversigning", "guestaccount",      "workgroup",   "netbiosname",       "serverstring", "smbports",
    "servermultichannelsupport"};

enum class Section { None, Global, Share, Skipped };

class Reader {
 public:
  explicit Reader(const std::string& file) : file_(file) {}

  // One logical line (continuations joined) starting at physical line `line`; an error text, or
  // empty.
  std::string on_line(std::string_view text, std::size_t line) {
    // Trailing comments. Samba has none: `map to guest = Bad User # Required` is the value
    // "Bad User # Required", which smbd 4.17 rejects ("Ignoring invalid value"), and
    // `guest ok = yes # Required` is no boolean ("Error loading services"), so the first seed's
    // file as written does not load in Samba at all. The seed's author meant "# Required" as a
    // note to the reader, and a path or name that really holds " #" is rarer than a note like
    // that, so pxekit ends the value at a '#' after a blank, as its dnsmasq.conf reader does,
    // and says so in a warning (the file means something else to smbd). `;` ends nothing: it
    // only starts a comment at the start of a line, in Samba and here.
    std::string_view body = trim(strip_comment(text));
    std::string_view comment = trim(text.substr(strip_comment(text).size()));
    if (body.empty()) return {};
    if (body.front() == '[') return on_section(body, line);
    auto eq = body.find('=');
    std::string_view key = trim(body.substr(0, eq));
    if (section_ == Section::None)
      return shown(key) + " comes before any [section] (a [global] line above it would make it a global key)";
    if (section_ == Section::Skipped) return {};
    if (eq == std::string_view::npos || key.empty()) {
      warn(line, shown(body) + " is no `key = value` line: ignored");
      return {};
    }
    if (!comment.empty())
      warn(line, shown(comment) + " read as a comment; Samba would keep it in the value");
    return on_key(key, collapse_blanks(trim(body.substr(eq + 1))), line);
  }

  Result<SmbSettings> finish() {
    // A share with no path serves nothing; smbd marks it unavailable, pxekit leaves it out.
    std::vector<SmbShare> kept;
    for (auto& s : out_.shares) {
      if (s.path.empty())
        warn(s.line, "share [" + log_safe(s.name) + "] has no path: not served");
      else
        kept.push_back(std::move(s));
    }
    out_.shares = std::move(kept);
    if (out_.max_protocol == SmbDialect::Nt1)
      return make_error(where(max_line_) + "server max protocol = NT1 leaves no SMB2 dialect, and pxekit serves SMB2 and later only");
    if (out_.min_protocol > out_.max_protocol)
      return make_error(where(std::max(min_line_, max_line_)) + "server min protocol (" +
                        std::string(dialect_name(out_.min_protocol)) + ") is above server max protocol (" +
                        std::string(dialect_name(out_.max_protocol)) + ")");
    return std::move(out_);
  }

  std::string where(std::size_t line) const { return file_ + ":" + std::to_string(line) + ": "; }

 private:
  void warn(std::size_t line, const std::string& what) { out_.warnings.push_back(where(line) + what); }

  std::string on_section(std::string_view body, std::size_t line) {
    auto close = body.find(']');
    if (close == std::string_view::npos) return "section header " + shown(body) + " has no ']'";
    // Samba keeps blanks around the name ("[ s3 ]" is " s3 "); no client can type those, so pxekit
    // drops them.
    std::string_view name = trim(body.substr(1, close - 1));
    if (auto rest = trim(body.substr(close + 1)); !rest.empty() && rest.front() != ';')
      warn(line, shown(rest) + " after the section header: ignored");
    if (name.empty()) return "empty section name '[]'";
    if (iequals(name, "global")) {
      section_ = Section::Global;
      return {};
    }
    if (iequals(name, "homes") || iequals(name, "printers") || iequals(name, "print$")) {
      warn(line, "[" + std::string(name) + "] skipped: pxekit serves no home directories or printers");
      section_ = Section::Skipped;
      return {};
    }
    if (iequals(name, "IPC$")) {
      warn(line, "[IPC$] skipped: pxekit provides IPC$ itself");
      section_ = Section::Skipped;
      return {};
    }
    if (auto bad = share_name_problem(name); !bad.empty()) {
      warn(line, bad + ": section skipped");
      section_ = Section::Skipped;
      return {};
    }
    section_ = Section::Share;
    for (std::size_t i = 0; i < out_.shares.size(); ++i)
      if (iequals(out_.shares[i].name, name)) {  // a section again: its keys add to the first
        share_ = i;
        return {};
      }
    SmbShare s = defaults_;
    s.name = std::string(name);
    s.line = line;
    out_.shares.push_back(std::move(s));
    share_ = out_.shares.size() - 1;
    return {};
  }

  std::string bool_value(std::string_view key, const std::string& v, bool& to) {
    auto b = parse_bool(v);
    if (!b) return std::string(key) + ": expected yes/no (true/false, 1/0, on/off), found " + shown(v);
    to = *b;
    return {};
  }

  // A share key: in [global] it sets the default for the shares after it. Empty: not a share key.
  std::optional<std::string> share_key(const std::string& k, std::string_view key, const std::string& v,
                                       std::size_t line) {
    SmbShare& s = section_ == Section::Global ? defaults_ : out_.shares[share_];
    if (k == "path" || k == "directory") {
      s.path = v;
      return std::string();
    }
    if (k == "readonly") {
      auto err = bool_value(key, v, s.read_only);
      if (err.empty() && !s.read_only) warn(line, std::string(key) + " = " + v + ": pxekit serves shares read-only");
      return err;
    }
    if (k == "writable" || k == "writeable" || k == "writeok") {
      bool w = false;
      auto err = bool_value(key, v, w);
      if (!err.empty()) return err;
      s.read_only = !w;
      if (w) warn(line, std::string(key) + " = " + v + ": pxekit serves shares read-only");
      return std::string();
    }
    if (k == "guestok" || k == "public") return bool_value(key, v, s.guest_ok);
    if (k == "browseable" || k == "browsable") return bool_value(key, v, s.browseable);
    if (k == "comment") {
      s.comment = v;
      return std::string();
    }
    if (k == "validusers") {
      // A list: names separated by commas or blanks (`@group` and `+group` kept as written).
      s.valid_users.clear();
      std::string cur;
      for (char c : v + ",") {
        if (c == ',' || is_blank(c)) {
          if (!cur.empty()) s.valid_users.push_back(cur);
          cur.clear();
        } else {
          cur += c;
        }
      }
      return std::string();
    }
    return std::nullopt;
  }

  std::optional<std::string> global_key(const std::string& k, std::string_view key, const std::string& v,
                                        std::size_t line) {
    auto upper = [](std::string s) {
      for (auto& c : s) c = (c >= 'a' && c <= 'z') ? char(c - 'a' + 'A') : c;
      return s;
    };
    if (k == "maptoguest") {
      auto w = key_of(v);
      if (w == "never") out_.map_to_guest = MapToGuest::Never;
      else if (w == "baduser") out_.map_to_guest = MapToGuest::BadUser;
      else if (w == "badpassword") out_.map_to_guest = MapToGuest::BadPassword;
      else if (w == "baduid") {  // only means something to a domain member; pxekit is standalone
        out_.map_to_guest = MapToGuest::Never;
        warn(line, std::string(key) + " = " + v + ": only a domain member uses it; read as Never");
      } else {
        return std::string(key) + ": expected Never, Bad User or Bad Password, found " + shown(v);
      }
      return std::string();
    }
    bool is_min = k == "serverminprotocol" || k == "minprotocol";
    bool is_max = k == "servermaxprotocol" || k == "maxprotocol" || k == "protocol";
    if (is_min || is_max) {
      SmbDialect d = is_min ? SmbDialect::Smb2_02 : SmbDialect::Smb3_11;  // "default"
      if (!iequals(v, "default")) {
        const auto* n = parse_dialect(v);
        if (!n)
          return std::string(key) + ": expected NT1, SMB2, SMB2_02, SMB2_10, SMB3, SMB3_00, SMB3_02 or SMB3_11, found " +
                 shown(v);
        if (n->older_smb1) warn(line, std::string(key) + " = " + v + ": pxekit has no SMB1 dialect before NT1; read as NT1");
        d = n->dialect;
      }
      (is_min ? out_.min_protocol : out_.max_protocol) = d;
      (is_min ? min_line_ : max_line_) = line;
      return std::string();
    }
    if (k == "serversigning") {
      auto w = key_of(v);
      // Samba's names for its signing states; "desired" and "if_required" are both "offer it".
      static constexpr std::pair<const char*, SmbSigning> kNames[] = {
          {"auto", SmbSigning::Auto},          {"default", SmbSigning::Auto},   {"if_required", SmbSigning::Auto},
          {"desired", SmbSigning::Auto},       {"yes", SmbSigning::Auto},       {"true", SmbSigning::Auto},
          {"on", SmbSigning::Auto},            {"1", SmbSigning::Auto},         {"enabled", SmbSigning::Auto},
          {"mandatory", SmbSigning::Required}, {"required", SmbSigning::Required}, {"force", SmbSigning::Required},
          {"forced", SmbSigning::Required},    {"enforced", SmbSigning::Required}, {"disabled", SmbSigning::Disabled},
          {"no", SmbSigning::Disabled},        {"false", SmbSigning::Disabled}, {"off", SmbSigning::Disabled},
          {"0", SmbSigning::Disabled}};
      for (const auto& [n, mode] : kNames)
        if (iequals(v, n)) {
          out_.signing = mode;
          return std::string();
        }
      return std::string(key) + ": expected auto, mandatory (required) or disabled, found " + shown(v);
    }
    if (k == "servermultichannelsupport") return bool_value(key, v, out_.multi_channel);
    if (k == "guestaccount") {
      if (v.empty()) return std::string(key) + ": needs a user name";
      out_.guest_account = v;
      return std::string();
    }
    if (k == "workgroup") {
      out_.workgroup = upper(v);
      return std::string();
    }
    if (k == "netbiosname") {
      out_.netbios_name = upper(v);
      return std::string();
    }
    if (k == "serverstring") {
      out_.server_string = v;
      return std::string();
    }
    if (k == "smbports") {
      // Samba listens on each; pxekit on the first (NetBIOS session framing is spoken on it).
      auto first = v.substr(0, v.find_first_of(" \t,"));
      unsigned long n = 0;
      bool digits = !first.empty() && first.size() <= 5 && first.find_first_not_of("0123456789") == std::string::npos;
      if (digits) n = std::stoul(first);
      if (!digits || n == 0 || n > 65535) return std::string(key) + ": expected a port, found " + shown(v);
      out_.port = std::uint16_t(n);
      if (first.size() != v.size()) warn(line, std::string(key) + " = " + v + ": pxekit listens on the first port only");
      return std::string();
    }
    return std::nullopt;
  }

  std::string on_key(std::string_view key, const std::string& v, std::size_t line) {
    std::string k = key_of(key);
    if (k == "include") {
      warn(line, "include = " + log_safe(v) + ": not supported, the file is not read");
      return {};
    }
    if (auto r = share_key(k, key, v, line)) return *r;
    if (section_ == Section::Global) {
      if (auto r = global_key(k, key, v, line)) return *r;
    } else if (std::find(std::begin(kGlobalKeys), std::end(kGlobalKeys), k) != std::end(kGlobalKeys)) {
      // smbd ignores it too ("Global parameter ... found in service section!").
      warn(line, shown(key) + " is a [global] key: ignored in [" + log_safe(out_.shares[share_].name) + "]");
      return {};
    }
    warn(line, shown(key) + " is not used by pxekit: ignored");
    return {};
  }

  const std::string& file_;
  SmbSettings out_;
  SmbShare defaults_;  // share keys set in [global]
  Section section_ = Section::None;
  std::size_t share_ = 0;
  std::size_t min_line_ = 0;
  std::size_t max_line_ = 0;
};

}  // namespace

Result<SmbSettings> parse_smb_conf(std::istream& in, const std::string& name) {
  Reader reader(name);
  std::string raw;
  std::string logical;            // a line and its continuations
  std::size_t first_line = 0;     // where `logical` starts
  std::size_t first_offset = 0;
  std::size_t lineno = 0;
  std::size_t offset = 0;         // byte offset of the line being read
  auto flush = [&]() -> Result<void> {
    auto err = reader.on_line(logical, first_line);
    logical.clear();
    if (!err.empty()) return make_error(reader.where(first_line) + err, first_offset);
    return {};
  };
  while (std::getline(in, raw)) {
    ++lineno;
    std::size_t here = offset;
    offset += raw.size() + 1;
    if (!raw.empty() && raw.back() == '\r') raw.pop_back();  // a file written on Windows
    if (logical.empty()) {
      auto t = trim(raw);
      // Comment lines; measured: smbd does not join the line after a comment ending in '\'.
      if (t.empty() || t.front() == '#' || t.front() == ';') continue;
      first_line = lineno;
      first_offset = here;
    }
    if (!raw.empty() && raw.back() == '\\') {
      raw.pop_back();
      logical += raw;
      if (logical.empty()) logical = " ";  // a lone '\': keep the logical line open
      continue;
    }
    logical += raw;
    if (auto r = flush(); !r) return r.error();
  }
  if (!logical.empty())  // the file ends in '\'
    if (auto r = flush(); !r) return r.error();
  return reader.finish();
}

Result<SmbSettings> load_smb_conf(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return make_error(path + ": not a regular file (or missing)");
  if (std::filesystem::file_size(path, ec) > kMaxSmbConfBytes)
    return make_error(path + ": larger than " + std::to_string(kMaxSmbConfBytes >> 10) + " KiB");
  std::ifstream in(path);
  if (!in) return make_error(path + ": cannot open");
  return parse_smb_conf(in, path);
}

}  // namespace pxe::config
