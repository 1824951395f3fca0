#include "pulse/origin_list.hpp"

#include <algorithm>

namespace pulse {

OriginList::OriginList(std::vector<std::string> entries) {
    for (auto& entry : entries) {
        if (entry == "*") any_ = true;
        while (entry.size() > 1 && entry.back() == '/') entry.pop_back();
        if (!entry.empty()) origins_.push_back(std::move(entry));
    }
}

bool OriginList::contains(std::string_view origin) const {
    if (origin.empty()) return false;
    return any_ || std::find(origins_.begin(), origins_.end(), origin) != origins_.end();
}

}  // namespace pulse
