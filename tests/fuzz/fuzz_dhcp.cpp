// libFuzzer harness for the DHCP codec and both printers. Build with -DPXE_FUZZ=ON (clang).
// Checks, besides "no crash / no sanitizer report": a strict parse re-encodes byte-exactly.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "base/json_writer.h"
#include "print/dhcp/dhcp_print.h"
#include "wire/dhcp/dhcp.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  pxe::ByteSpan in(data, size);
  namespace dw = pxe::wire::dhcp;

  auto m = dw::parse(in);
  if (m.ok()) {
    pxe::Bytes back = dw::encode(*m);
    if (back.size() != size || !std::equal(back.begin(), back.end(), data)) std::abort();
    // Exercise the typed accessors and the logical (RFC 3396) view.
    (void)m->logical_options();
    (void)m->pxe_options();
    (void)m->user_class();
    (void)m->relay_agent_info();
    (void)m->ipxe_options();
    (void)m->client_arch();
    (void)m->bootfile();
    (void)m->tftp_server_name();
  }
  (void)dw::parse_lenient(in);
  (void)dw::decode_pxe_options(in);

  std::string text;
  pxe::print::dhcp_text(in, text);
  std::string json;
  pxe::JsonWriter w(json);
  pxe::print::dhcp_json(in, w);
  return 0;
}
