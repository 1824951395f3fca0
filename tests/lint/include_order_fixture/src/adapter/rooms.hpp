#pragma once
// Fixture: a '..' path hides which layer it reaches into.
#include "../engine/server.hpp"
