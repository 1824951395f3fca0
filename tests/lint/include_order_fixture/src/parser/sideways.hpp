#pragma once
// Fixture: parser and adapter are beside each other: neither includes the other.
#include "adapter/rooms.hpp"
