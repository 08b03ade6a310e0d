# compare tests
waypoint_app_test(tst_compare_controller)

# 3 panes streaming at once: the longest GUI event-loop stall (prints JSON).
add_executable(bench_compare_responsiveness bench_compare_responsiveness.cpp)
target_link_libraries(bench_compare_responsiveness PRIVATE waypoint_app waypoint_appplugin Qt6::Quick Qt6::QuickControls2)
target_compile_definitions(bench_compare_responsiveness PRIVATE
  WAYPOINT_SHARED_DIR="${WAYPOINT_SHARED_DIR}" WAYPOINT_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
