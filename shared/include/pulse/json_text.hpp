#pragma once
// Writing JSON text straight into a string, for the hot paths that know their shape (the
// lifecycle's batch commands, the bus envelope): building an nlohmann::json tree only to dump it
// cost an allocation per node and a second pass. Output is byte-for-byte what nlohmann's dump()
// gives for the same values (tests/unit/common/json_text_test.cpp holds it to that).
#include <cstdint>
#include <string>
#include <string_view>

namespace pulse::json_text {

// Appends `text` as a JSON string literal, quotes included, escaped as nlohmann::json's dump()
// escapes: \" \\ \b \f \n \r \t, the other control characters as \u00xx, everything else (UTF-8
// included) as is. `text` must be valid UTF-8: callers pass validated or generated values.
void append_string(std::string& out, std::string_view text);

// A flat JSON object written in order: {"a":"x","b":2,"c":{...}}. Keys are escaped too.
class ObjectWriter {
  public:
    explicit ObjectWriter(std::size_t reserve = 128);
    ObjectWriter& string(std::string_view key, std::string_view value);
    ObjectWriter& integer(std::string_view key, std::int64_t value);
    ObjectWriter& boolean(std::string_view key, bool value);
    // `json` is already JSON text (e.g. another writer's result or a dump()).
    ObjectWriter& raw(std::string_view key, std::string_view json);
    // The text, closed; the writer is left empty.
    std::string finish();

  private:
    void key(std::string_view key);
    std::string out_;
};

}  // namespace pulse::json_text
