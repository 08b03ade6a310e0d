# history tests: real SQLite files in temporary folders (no mocks).
find_package(Qt6 REQUIRED COMPONENTS Sql)

function(waypoint_history_test name)
  add_executable(${name} history/${name}.cpp ${ARGN})
  target_link_libraries(${name} PRIVATE waypoint_history Qt6::Sql Qt6::Test)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES TIMEOUT 300 ENVIRONMENT
    "QT_QPA_PLATFORM=offscreen;XDG_DATA_HOME=${CMAKE_CURRENT_BINARY_DIR}/data-${name};HOME=${CMAKE_CURRENT_BINARY_DIR}/home-${name}")
endfunction()

waypoint_history_test(tst_history_database)
waypoint_history_test(tst_history_store)

# A program that streams answers into the history until it is killed.
add_executable(history_crash_writer history/history_crash_writer.cpp)
target_link_libraries(history_crash_writer PRIVATE waypoint_history)
waypoint_history_test(tst_history_crash)
add_dependencies(tst_history_crash history_crash_writer)
target_compile_definitions(tst_history_crash PRIVATE HISTORY_CRASH_WRITER="$<TARGET_FILE:history_crash_writer>")

# What the history costs the GUI thread, beside doing the writes on it (prints JSON).
add_executable(bench_history history/bench_history.cpp)
target_link_libraries(bench_history PRIVATE waypoint_history Qt6::Qml)
waypoint_app_test(tst_chat_recorder)
