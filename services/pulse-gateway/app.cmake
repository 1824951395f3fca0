# The gateway's executables (included by CMakeLists.txt here, after every layer folder).
#   gateway_core               every layer + the process assembly (src/app/gateway_app.cpp)
#   pulse-gateway              thin main over gateway_core
# The test servers are in testing/; pulse-bus-inject (envelopes on stdin -> ZeroMQ PUB, for the
# interop tests) is in tests/tools/.
if(NOT PULSE_BUILD_SERVICES)
  return()
endif()

add_library(gateway_core STATIC src/app/gateway_app.cpp src/app/gateway_config.cpp
            src/app/gateway_metrics.cpp)
target_link_libraries(gateway_core PUBLIC
  gateway_app gateway_sio gateway_adapter gateway_bus gateway_parser
  gateway_engine gateway_http gateway_net pulse_common pulse_net)
pulse_warnings(gateway_core)

add_executable(pulse-gateway main.cpp)
target_link_libraries(pulse-gateway PRIVATE gateway_core)
pulse_warnings(pulse-gateway)

# Node black-box tests (label node): interop of the real socket.io-client 4.8.4 with pulse-gateway
# fed by a real ZeroMQ publisher. (The conformance tests are registered in testing/.)
find_program(PULSE_NODE_FOR_SIO node)
get_filename_component(sio_node_dir ${CMAKE_CURRENT_LIST_DIR}/../../tests/node ABSOLUTE)
if(PULSE_NODE_FOR_SIO)
  file(GLOB sio_interop_tests CONFIGURE_DEPENDS ${sio_node_dir}/interop/*.test.js)
  foreach(file IN LISTS sio_interop_tests)
    get_filename_component(name ${file} NAME_WE)
    add_test(NAME node.interop.${name} COMMAND ${PULSE_NODE_FOR_SIO} --test ${file}
             WORKING_DIRECTORY ${sio_node_dir})
    set_tests_properties(node.interop.${name} PROPERTIES LABELS node TIMEOUT 300
                         ENVIRONMENT
                         "PULSE_GATEWAY_BIN=$<TARGET_FILE:pulse-gateway>;PULSE_BUS_INJECT_BIN=$<TARGET_FILE:pulse-bus-inject>")
  endforeach()
endif()
