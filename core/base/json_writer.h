// A small streaming JSON writer: appends to a string with no intermediate tree, because
// `pxekit decode --format json` writes one object per packet for millions of packets.
// Output is checked by parsing it back with nlohmann::json in the tests.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pxe {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);

  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
  JsonWriter& value(bool b);
  JsonWriter& value(std::int64_t v);
  JsonWriter& value(std::uint64_t v);
  JsonWriter& value(int v) { return value(std::int64_t(v)); }
  JsonWriter& value(unsigned v) { return value(std::uint64_t(v)); }
  JsonWriter& value(double v);
  JsonWriter& null();

  template <class T>
  JsonWriter& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }

  // Appends s as a JSON string literal (quoted and escaped).
  static void escape(std::string& out, std::string_view s);

 private:
  void separate();

  std::string& out_;
  // One entry per open container: true once it holds an element.
  std::vector<bool> has_elem_;
  bool after_key_ = false;
};

}  // namespace pxe
