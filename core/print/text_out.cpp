#include "print/text_out.h"

namespace pxe::print {

void append_tcpdump_string(std::string& out, ByteSpan s) {
  for (std::uint8_t c : s) {
    if (c >= 0x80) {
      out += "M-";
      c &= 0x7f;
    }
    if (c < 0x20 || c == 0x7f) {
      out.push_back('^');
      out.push_back(c == 0x7f ? '?' : char(c + '@'));
    } else {
      out.push_back(char(c));
    }
  }
}

}  // namespace pxe::print
