# compare: the compare view's controller, panes, divergence, export, layout.
list(APPEND WAYPOINT_APP_SOURCES
  compare/compare_pane.h compare/compare_pane.cpp
  compare/compare_divergence.h compare/compare_divergence.cpp
  compare/compare_result.h compare/compare_result.cpp
  compare/compare_layout.h compare/compare_layout.cpp
  compare/compare_controller.h compare/compare_controller.cpp
)
list(APPEND WAYPOINT_QML_FILES
  views/CompareView.qml
  components/ComparePane.qml
  components/CompareToolbar.qml
  components/ComparePaneSettings.qml
)
