// The one translation unit that compiles Boost.Asio and Boost.Beast (separate compilation,
// see shared/CMakeLists.txt): without it every TU re-instantiates both, ~30 s each here.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
