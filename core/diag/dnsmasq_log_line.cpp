#include "diag/dnsmasq_log_line.h"

#include <charconv>
#include <chrono>
#include <vector>

#include "base/text.h"

namespace pxe::diag::logline {
namespace {

constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `width` digits from s at pos.
std::optional<int> digits(std::string_view s, std::size_t& pos, std::size_t width) {
  if (pos + width > s.size()) return std::nullopt;
  int v = 0;
  for (std::size_t i = 0; i < width; ++i) {
    char c = s[pos + i];
    if (!is_digit(c)) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  pos += width;
  return v;
}

std::int64_t to_us(int year, int month, int day, int h, int m, int sec) {
  using namespace std::chrono;
  auto days = sys_days{std::chrono::year{year} / month / day};
  auto t = days + hours{h} + minutes{m} + seconds{sec};
  return duration_cast<microseconds>(t.time_since_epoch()).count();
}

bool valid_clock(int h, int m, int sec) { return h < 24 && m < 60 && sec < 61; }

std::optional<Timestamp> syslog_time(std::string_view& s, int& year, int& last_month) {
  // "Nov 22 04:15:18 " or "Nov  2 04:15:18 "
  if (s.size() < 16 || s[3] != ' ') return std::nullopt;
  int month = 0;
  for (int i = 0; i < 12; ++i)
    if (s.substr(0, 3) == kMonths[i]) month = i + 1;
  if (!month) return std::nullopt;
  std::size_t pos = 4;
  if (s[pos] == ' ') ++pos;
  int day = 0;
  while (pos < s.size() && is_digit(s[pos]) && day < 100) day = day * 10 + (s[pos++] - '0');
  if (day < 1 || day > 31 || pos >= s.size() || s[pos++] != ' ') return std::nullopt;
  auto h = digits(s, pos, 2);
  if (!h || pos >= s.size() || s[pos++] != ':') return std::nullopt;
  auto m = digits(s, pos, 2);
  if (!m || pos >= s.size() || s[pos++] != ':') return std::nullopt;
  auto sec = digits(s, pos, 2);
  if (!sec || !valid_clock(*h, *m, *sec)) return std::nullopt;
  if (last_month && month < last_month) ++year;  // the log went past New Year
  last_month = month;
  s.remove_prefix(pos);
  return Timestamp{to_us(year, month, day, *h, *m, *sec)};
}

std::optional<Timestamp> iso_time(std::string_view& s) {
  std::size_t pos = 0;
  auto y = digits(s, pos, 4);
  if (!y || pos >= s.size() || s[pos++] != '-') return std::nullopt;
  auto mo = digits(s, pos, 2);
  if (!mo || pos >= s.size() || s[pos++] != '-') return std::nullopt;
  auto d = digits(s, pos, 2);
  if (!d || pos >= s.size() || (s[pos] != 'T' && s[pos] != ' ')) return std::nullopt;
  ++pos;
  auto h = digits(s, pos, 2);
  if (!h || pos >= s.size() || s[pos++] != ':') return std::nullopt;
  auto mi = digits(s, pos, 2);
  if (!mi || pos >= s.size() || s[pos++] != ':') return std::nullopt;
  auto sec = digits(s, pos, 2);
  if (!sec || *mo < 1 || *mo > 12 || *d < 1 || *d > 31 || !valid_clock(*h, *mi, *sec))
    return std::nullopt;
  std::int64_t us = to_us(*y, *mo, *d, *h, *mi, *sec);
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    std::int64_t frac = 0;
    int n = 0;
    while (pos < s.size() && is_digit(s[pos])) {
      if (n < 6) frac = frac * 10 + (s[pos] - '0'), ++n;
      ++pos;
    }
    for (; n < 6; ++n) frac *= 10;
    us += frac;
  }
  if (pos < s.size() && s[pos] == 'Z') {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int sign = s[pos++] == '+' ? 1 : -1;
    auto oh = digits(s, pos, 2);
    if (!oh) return std::nullopt;
    if (pos < s.size() && s[pos] == ':') ++pos;
    auto om = digits(s, pos, 2);
    if (!om) return std::nullopt;
    us -= sign * (std::int64_t(*oh) * 3600 + *om * 60) * 1000000;
  }
  s.remove_prefix(pos);
  return Timestamp{us};
}

bool is_tag(std::string_view token) {
  if (!consume(token, "dnsmasq") || token.empty() || token.back() != ':') return false;
  token.remove_suffix(1);
  while (!token.empty() && (token.front() == '-' || (token.front() >= 'a' && token.front() <= 'z')))
    token.remove_prefix(1);
  if (token.empty()) return true;
  if (token.front() != '[' || token.back() != ']' || token.size() < 3) return false;
  for (char c : token.substr(1, token.size() - 2))
    if (!is_digit(c)) return false;
  return true;
}

int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// "06:01:03:08..." -> bytes; nullopt when it is not colon-separated hex.
std::optional<std::vector<std::uint8_t>> colon_hex(std::string_view v) {
  if (v.ends_with("...")) v.remove_suffix(3);
  std::vector<std::uint8_t> out;
  while (!v.empty()) {
    if (v.size() < 2) return std::nullopt;
    int hi = hex_value(v[0]), lo = hex_value(v[1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
    v.remove_prefix(2);
    if (!v.empty() && !consume(v, ":")) return std::nullopt;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

}  // namespace

bool consume(std::string_view& s, std::string_view prefix) {
  if (!s.starts_with(prefix)) return false;
  s.remove_prefix(prefix.size());
  return true;
}

std::string_view next_token(std::string_view& s) {
  s = trim(s);
  auto end = s.find(' ');
  std::string_view token = s.substr(0, end);
  s = end == std::string_view::npos ? std::string_view{} : s.substr(end);
  return token;
}

int current_year() {
  using namespace std::chrono;
  year_month_day today{floor<days>(system_clock::now())};
  return int(today.year());
}

std::optional<Timestamp> parse_time(std::string_view& s, int& year, int& last_month) {
  if (auto t = syslog_time(s, year, last_month)) return t;
  return iso_time(s);
}

bool strip_tag(std::string_view s, std::string_view* message) {
  for (int i = 0; i < 2 && !s.empty(); ++i) {
    std::string_view token = next_token(s);
    if (is_tag(token)) {
      *message = trim(s);
      return true;
    }
  }
  return false;
}

std::optional<std::uint32_t> leading_xid(std::string_view& s) {
  auto space = s.find(' ');
  if (space == std::string_view::npos || space == 0) return std::nullopt;
  std::uint32_t xid = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + space, xid);
  if (ec != std::errc() || end != s.data() + space) return std::nullopt;
  s = trim(s.substr(space));
  return xid;
}

std::string hex_or_text(std::string_view value) {
  auto bytes = colon_hex(value);
  if (!bytes) return std::string(value);
  return std::string(bytes->begin(), bytes->end());
}

void pxe_suboptions(std::string_view value, Event& reply) {
  auto bytes = colon_hex(value);
  if (!bytes) return;
  const auto& b = *bytes;
  for (std::size_t i = 0; i < b.size();) {
    std::uint8_t code = b[i];
    if (code == 255) break;
    if (code == 0) {
      ++i;
      continue;
    }
    if (i + 1 >= b.size()) break;
    std::size_t len = b[i + 1];
    // PXE sub-options 1-10 (discovery, boot servers, menu) and 71 (boot item).
    if ((code >= 1 && code <= 10) || code == 71) reply.has_pxe_options = true;
    if (code == 6 && len >= 1 && i + 2 < b.size()) reply.pxe_discovery_control = b[i + 2];
    if (code == 71) reply.pxe_boot_item = true;
    i += 2 + len;
  }
}

}  // namespace pxe::diag::logline
