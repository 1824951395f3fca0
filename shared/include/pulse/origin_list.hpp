#pragma once
// The browser origins a service accepts (FRONTEND_URL): exact origins, trailing slashes
// dropped ("http://a.example/" is "http://a.example"), or "*" for any. Shared by the gateway's
// Engine.IO origin check and the lifecycle's CORS; each decides what a request without an
// Origin header means to it.
#include <string>
#include <string_view>
#include <vector>

namespace pulse {

class OriginList {
  public:
    explicit OriginList(std::vector<std::string> entries);
    // True when the (non-empty) origin is listed, or when "*" was.
    bool contains(std::string_view origin) const;

  private:
    std::vector<std::string> origins_;
    bool any_ = false;
};

}  // namespace pulse
