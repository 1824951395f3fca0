#pragma once
// Fixture: http may not include engine (a layer above it).
#include "engine/server.hpp"
#include "net/shards.hpp"
