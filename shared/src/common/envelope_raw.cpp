// decode_raw(): the gateway's decoder. Envelopes the lifecycle wrote (encode()'s form) are read
// by one forward scan that keeps data as the text it is; everything else takes decode().
#include "pulse/envelope.hpp"

#include "pulse/json_canonical.hpp"

#include "envelope_rules.hpp"

namespace pulse::envelope {
namespace {

// Reads encode()'s exact form: {"v":1,"epoch":"…","seq":N,"event":"…","rooms":["…",…],"data":{…}}
// with no whitespace, plain strings (no escape) for epoch, event and the rooms, and canonical
// data. Nothing when the text is in any other form, or breaks a rule: decode() then answers, so
// every error comes from one place.
class CanonicalReader {
  public:
    explicit CanonicalReader(std::string_view text) : s_(text) {}

    std::optional<RawEnvelope> read() {
        if (s_.size() > kMaxEnvelopeBytes) return std::nullopt;
        RawEnvelope e;
        if (!literal(R"({"v":1,"epoch":)") || !plain(e.epoch) || !literal(R"(,"seq":)") ||
            !seq(e.seq) || !literal(R"(,"event":)") || !plain(e.event) || !literal(R"(,"rooms":[)"))
            return std::nullopt;
        do {
            if (e.rooms.size() == kMaxRooms) return std::nullopt;
            if (!plain(e.rooms.emplace_back())) return std::nullopt;
        } while (literal(","));
        if (!literal(R"(],"data":)") || at_ >= s_.size() || s_[at_] != '{') return std::nullopt;
        const std::size_t data_length = json_canonical::value_length(s_.substr(at_));
        if (data_length == 0) return std::nullopt;
        e.data_json.assign(s_.substr(at_, data_length));
        at_ += data_length;
        if (!literal("}") || at_ != s_.size()) return std::nullopt;
        if (!detail::check_fields(e.v, e.epoch, e.seq, e.event, e.rooms).empty())
            return std::nullopt;
        return e;
    }

  private:
    bool literal(std::string_view text) {
        if (s_.substr(at_, text.size()) != text) return false;
        at_ += text.size();
        return true;
    }

    bool plain(std::string& out) {
        const std::size_t length = json_canonical::plain_string_length(s_.substr(at_));
        if (length == 0) return false;
        out.assign(s_.substr(at_ + 1, length - 2));
        at_ += length;
        return true;
    }

    // 1 to 18 digits without a leading zero: always within int64 (a longer seq takes decode()).
    bool seq(std::int64_t& out) {
        std::int64_t value = 0;
        const std::size_t first = at_;
        while (at_ < s_.size() && s_[at_] >= '0' && s_[at_] <= '9' && at_ - first < 19) {
            value = value * 10 + (s_[at_] - '0');
            ++at_;
        }
        const std::size_t digits = at_ - first;
        if (digits == 0 || digits > 18 || s_[first] == '0') return false;
        out = value;
        return true;
    }

    std::string_view s_;
    std::size_t at_ = 0;
};

}  // namespace

std::optional<RawEnvelope> decode_canonical(std::string_view text) {
    return CanonicalReader(text).read();
}

RawDecodeResult decode_raw(std::string_view text) noexcept {
    try {
        if (auto canonical = decode_canonical(text))
            return RawDecodeResult{std::move(canonical), {}};
        auto decoded = decode(text);
        if (!decoded) return RawDecodeResult{std::nullopt, std::move(decoded.error)};
        auto& e = *decoded.envelope;
        return RawDecodeResult{RawEnvelope{e.v, std::move(e.epoch), e.seq, std::move(e.event),
                                           std::move(e.rooms), e.data.dump()},
                               {}};
    } catch (const std::exception& e) {
        return RawDecodeResult{std::nullopt, std::string("envelope rejected: ") + e.what()};
    }
}

}  // namespace pulse::envelope
