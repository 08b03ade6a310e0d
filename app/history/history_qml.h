// The history types as QML sees them (they live in waypoint_history, a
// library without the QML module, so the helper programs and tests link only
// Qt Core and Qt SQL).
#pragma once

#include <QtQml/qqmlregistration.h>

#include "chat_list_model.h"
#include "history_store.h"

namespace waypoint::app {

struct ChatHistoryForeign {
    Q_GADGET
    QML_FOREIGN(waypoint::history::HistoryStore)
    QML_NAMED_ELEMENT(ChatHistory)
};

struct ChatListModelForeign {
    Q_GADGET
    QML_FOREIGN(waypoint::history::ChatListModel)
    QML_NAMED_ELEMENT(ChatListModel)
    QML_UNCREATABLE("Owned by ChatHistory")
};

}  // namespace waypoint::app
