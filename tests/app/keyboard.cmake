# The whole window driven with the keyboard (the real Main.qml on the demo
# checkpoint): every Tab stop shown and reachable, popups hold the focus.
waypoint_app_test(tst_keyboard_walk)
target_link_libraries(tst_keyboard_walk PRIVATE Qt6::QuickControls2)
# ASan builds: full stacks for its allocations, so that the Qt Quick leaks
# suppressed in tests/sanitizers/lsan.supp are matched by the Qt functions
# that make them (the fast unwinder stops at the first frame inside Qt).
if("address" IN_LIST WAYPOINT_SANITIZE)
  set_tests_properties(tst_keyboard_walk PROPERTIES
    ENVIRONMENT_MODIFICATION "LSAN_OPTIONS=string_append::fast_unwind_on_malloc=0")
endif()
