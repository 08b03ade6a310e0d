# compare (issue 5): list(APPEND WAYPOINT_APP_SOURCES compare/...) and list(APPEND WAYPOINT_QML_FILES views/...)
