# The whole window driven with the keyboard (the real Main.qml on the demo
# checkpoint): every Tab stop shown and reachable, popups hold the focus.
waypoint_app_test(tst_keyboard_walk)
target_link_libraries(tst_keyboard_walk PRIVATE Qt6::QuickControls2)
