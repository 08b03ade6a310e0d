# history: the saved chats in SQLite through Qt SQL (QSQLITE). A library of
# its own (Qt Core, SQL and the QML parser-status interface only) so its tests
# and the crash-test writer link without the engine; the app registers its
# types for QML through history_qml.h.
find_package(Qt6 REQUIRED COMPONENTS Sql)
add_library(waypoint_history STATIC
  history/history_types.h
  history/history_ids.h history/history_ids.cpp
  history/history_schema.h history/history_schema.cpp
  history/history_database.h history/history_database.cpp
  history/chat_list_model.h history/chat_list_model.cpp
  history/history_store.h history/history_store.cpp
  history/history_export.h history/history_export.cpp
)
set_target_properties(waypoint_history PROPERTIES AUTOMOC ON)
target_include_directories(waypoint_history PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/history)
target_compile_options(waypoint_history PRIVATE -Wall -Wextra)
target_link_libraries(waypoint_history PUBLIC Qt6::Core Qt6::Sql Qt6::Qml)
# The QML module's type registrar and compiler need these types' metatypes:
# without them, Qt 6.4's compiled bindings assign `undefined` to a property of
# a foreign type (HistoryStore*).
qt_extract_metatypes(waypoint_history)

list(APPEND WAYPOINT_APP_SOURCES history/history_qml.h history/chat_recorder.h history/chat_recorder.cpp)
list(APPEND WAYPOINT_QML_FILES views/ChatList.qml)
