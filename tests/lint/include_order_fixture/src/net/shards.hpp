#pragma once
// Fixture for tests/lint/include_order.py: a clean file of the lowest layer.
#include <vector>
