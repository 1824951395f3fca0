#pragma once
// The recovery credential (socket.io's private session id, `pid`) that lets a client resume its
// session on ANY replica: "<sid>.<HMAC-SHA256(key, sid) in base64url>". Every replica of a
// deployment shares the key (PULSE_RECOVERY_KEY), so one that never saw the session can check
// that the pid was issued for that socket id by one of its peers; nobody without the key can make
// a pid for someone else's socket (and so take its rooms), and a pid of another deployment fails.
#include <optional>
#include <string>
#include <string_view>

namespace pulse::sio {

class RecoveryCredential {
  public:
    // Throws std::invalid_argument when the key is shorter than 16 bytes.
    explicit RecoveryCredential(std::string key);

    std::string issue(std::string_view sid) const;
    // The socket id the pid was issued for; nullopt for anything forged, foreign or malformed.
    std::optional<std::string> verify(std::string_view pid) const;

  private:
    std::string mac(std::string_view sid) const;
    std::string key_;
};

}  // namespace pulse::sio
