# The gateway's executables (included by CMakeLists.txt here, after every layer folder).
#   gateway_core               every layer + the process assembly (src/pulse/gateway_app.cpp)
#   pulse-gateway              thin main over gateway_core
#   pulse-conformance-server   issue 3's protocol-test server, from the same libraries
#   pulse-bus-inject           test tool: envelopes on stdin -> ZeroMQ PUB (for the interop tests)
if(NOT PULSE_BUILD_SERVICES)
  return()
endif()

add_library(gateway_core STATIC src/pulse/gateway_app.cpp)
target_link_libraries(gateway_core PUBLIC
  gateway_pulse gateway_sio gateway_adapter gateway_bus gateway_parser
  gateway_engine gateway_http gateway_shards pulse_common pulse_net)
pulse_warnings(gateway_core)

add_executable(pulse-gateway main.cpp)
target_link_libraries(pulse-gateway PRIVATE gateway_core)
pulse_warnings(pulse-gateway)

add_executable(pulse-conformance-server conformance_main.cpp)
target_link_libraries(pulse-conformance-server PRIVATE gateway_core)
pulse_warnings(pulse-conformance-server)
