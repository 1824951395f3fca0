#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "support/fixture.hpp"

namespace pulse::test {

bool envelopes_match_schema(const std::vector<std::string>& envelopes, std::string& output) {
    const char* tool = std::getenv("PULSE_ENVELOPE_VALIDATOR");
    if (!tool) {
        output = "PULSE_ENVELOPE_VALIDATOR is not set (run through ctest)";
        return false;
    }
    char path[] = "/tmp/pulse-envelopes-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return false;
    close(fd);
    {
        std::ofstream out(path);
        for (const auto& e : envelopes) out << e << '\n';
    }
    const char* node = std::getenv("PULSE_NODE");
    std::string cmd = std::string(node ? node : "node") + " '" + tool + "' '" + path + "' 2>&1";
    FILE* pipe = popen(cmd.c_str(), "r");
    if (!pipe) return false;
    std::array<char, 4096> buf{};
    while (fgets(buf.data(), buf.size(), pipe)) output += buf.data();
    int status = pclose(pipe);
    std::remove(path);
    return status == 0 && output.find("ok ") != std::string::npos;
}

}  // namespace pulse::test
