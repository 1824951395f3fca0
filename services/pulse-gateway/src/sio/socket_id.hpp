#pragma once
#include <string>

namespace pulse::sio {

// A fresh, unguessable socket id: 20 characters of base64url (120 random bits), like socket.io's.
std::string make_socket_id();

}  // namespace pulse::sio
