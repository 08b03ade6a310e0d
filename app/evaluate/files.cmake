# evaluate: perplexity of a text under each checkpoint, on a worker
# thread (controller + worker + results model), and its panel and charts.
list(APPEND WAYPOINT_APP_SOURCES
  evaluate/evaluation_results.h evaluate/evaluation_results.cpp
  evaluate/evaluation_worker.h evaluate/evaluation_worker.cpp
  evaluate/evaluation_controller.h evaluate/evaluation_controller.cpp
)
list(APPEND WAYPOINT_QML_FILES
  views/EvaluatePanel.qml
  components/BarChart.qml
  components/LineChart.qml
)
