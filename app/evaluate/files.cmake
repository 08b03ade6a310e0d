# evaluate (issue 5): list(APPEND WAYPOINT_APP_SOURCES evaluate/...) and list(APPEND WAYPOINT_QML_FILES views/...)
