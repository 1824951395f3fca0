// Fixture: test servers sit above every layer.
#include "engine/server.hpp"
#include "http/upward.hpp"
