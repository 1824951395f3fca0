// libFuzzer target: the Socket.IO packet decoder must never crash, hang or leak on any input, and
// whatever it accepts must survive an encode -> decode round trip unchanged. The flat-array fast
// path must give exactly what the general JSON parser gives.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "parser/decoder.hpp"
#include "parser/encoder.hpp"
#include "parser/flat_array.hpp"

using namespace pulse::parser;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // The first byte splits the input into a text packet and binary attachments, so the fuzzer
    // also explores the attachment path.
    const std::string_view all(reinterpret_cast<const char*>(data), size);
    // Differential: the flat-array fast path must agree with the general JSON parser.
    if (auto flat = parse_flat_string_array(all)) {
        const Json general = Json::parse(all.begin(), all.end(), nullptr, false);
        if (general.is_discarded() || general != *flat) std::abort();
    }
    Decoder decoder;
    std::size_t pos = 0;
    const auto next = [&]() {
        const auto sep = all.find('\x1e', pos);
        const auto end = sep == std::string_view::npos ? all.size() : sep;
        const auto piece = all.substr(pos, end - pos);
        pos = end == all.size() ? all.size() : end + 1;
        return piece;
    };
    auto result = decoder.add_text(next());
    while (result.status == Decoder::Result::Status::incomplete && pos < all.size())
        result = decoder.add_binary(next());
    if (result.status != Decoder::Result::Status::packet) return 0;

    const Encoded encoded = encode(*result.packet);
    Decoder again;
    auto back = again.add_text(encoded.text);
    for (const auto& a : encoded.attachments) {
        if (back.status != Decoder::Result::Status::incomplete) break;
        back = again.add_binary(a);
    }
    if (back.status != Decoder::Result::Status::packet) std::abort();
    // Binary packets may come back as plain ones (no attachments left) and vice versa; compare the
    // content that matters.
    if (back.packet->nsp != result.packet->nsp || back.packet->id != result.packet->id ||
        back.packet->data != result.packet->data)
        std::abort();
    return 0;
}
