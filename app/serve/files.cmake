# serve: "Serve this model", the local OpenAI-compatible server (server/,
# the same library as waypoint-server) on the chat's loaded checkpoint.
list(APPEND WAYPOINT_APP_SOURCES
  serve/serve_controller.h serve/serve_controller.cpp
)
list(APPEND WAYPOINT_QML_FILES
  components/ServeButton.qml
)
