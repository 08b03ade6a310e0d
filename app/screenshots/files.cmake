# Screenshot and test hooks, only with -DWAYPOINT_SCREENSHOT_HOOKS=ON (the
# default when the tests build; a package build turns the tests and these
# off): `waypoint --screenshot DIR` (the runners drive the window and save
# PNGs, tools/screenshots/take.sh) and WAYPOINT_TOKEN_DELAY_MS (a slowed
# engine, so a shot catches a stream mid-way; tests use the same decorator).
list(APPEND WAYPOINT_APP_SOURCES
  screenshots/screenshooter.h screenshots/screenshooter.cpp
  screenshots/token_delay_backend.h screenshots/token_delay_backend.cpp
)
list(APPEND WAYPOINT_QML_FILES
  components/ScreenshotRunner.qml
  components/CompareScreenshotRunner.qml
)
