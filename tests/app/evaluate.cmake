# evaluate tests: the controller over the real engine (compared with
# waypoint-cli --perplexity, built first so the test can run it), and a
# screenshot harness for the Evaluate panel (built, not a test).
waypoint_app_test(tst_evaluation_controller)
if(TARGET waypoint-cli)
  add_dependencies(tst_evaluation_controller waypoint-cli)
endif()
# The engine tests' runner for waypoint-cli (tests/engine/cli_runner.h).
target_include_directories(tst_evaluation_controller PRIVATE ${PROJECT_SOURCE_DIR}/tests/engine)
target_compile_definitions(tst_evaluation_controller PRIVATE WAYPOINT_CLI="${PROJECT_BINARY_DIR}/cli/waypoint-cli")

add_executable(shot_evaluate_panel shot_evaluate_panel.cpp)
target_link_libraries(shot_evaluate_panel PRIVATE waypoint_app waypoint_appplugin Qt6::Quick Qt6::QuickControls2)
target_compile_definitions(shot_evaluate_panel PRIVATE WAYPOINT_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
