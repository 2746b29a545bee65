// libFuzzer: whole Ethernet frames through the dissector (libtins layers, reassembly, TFTP
// following, SMB2 stream framing) and both frame printers. The first input byte picks the
// UDP/TCP ports so the fuzzer reaches DHCP, TFTP and SMB2 quickly.
#include <algorithm>
#include <string>

#include "capture/dissector.h"
#include "print/frame_printer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static pxe::capture::Dissector dissector(pxe::capture::LinkType::Ethernet);
  static pxe::print::TextPrinter text;
  static pxe::print::JsonPrinter json;
  pxe::capture::RawFrame f{pxe::ByteSpan(data, size), std::uint32_t(size), pxe::Timestamp{}};
  std::string out;
  dissector.dissect(f, [&](const pxe::capture::Observation& o) {
    text.print(o, out);
    json.print(o, out);
  });
  return 0;
}
