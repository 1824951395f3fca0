#pragma once
// Fixture: engine may include http and net (below it), and shared headers.
#include <pulse/log.hpp>

#include "http/upward.hpp"
#include "net/shards.hpp"
