#pragma once
// Fixture: a folder that is not in the layer order.
#include "net/shards.hpp"
