# tokens tests: per-token probabilities from the backend through the
# worker and controller into MessageModel, checked against the engine itself.
waypoint_app_test(tst_token_probabilities)

# Screenshot harness (a program, not a test): the real window, colours on, a token hovered.
add_executable(shot_tokens shot_tokens.cpp)
target_link_libraries(shot_tokens PRIVATE waypoint_app waypoint_appplugin Qt6::Quick Qt6::QuickControls2 Qt6::Test)
target_compile_definitions(shot_tokens PRIVATE WAYPOINT_SHARED_DIR="${WAYPOINT_SHARED_DIR}")

# Benchmark (a program that prints JSON, not a test): event-loop stalls while
# 2,000 tokens stream with colouring off / on / on with the popup open.
add_executable(bench_token_stream bench_token_stream.cpp)
target_link_libraries(bench_token_stream PRIVATE waypoint_app waypoint_appplugin Qt6::Quick Qt6::QuickControls2 Qt6::Test)
target_compile_definitions(bench_token_stream PRIVATE WAYPOINT_SHARED_DIR="${WAYPOINT_SHARED_DIR}")
