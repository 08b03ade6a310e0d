#include "history_ids.h"

#include <QDateTime>
#include <atomic>

namespace waypoint::history {

namespace {
std::atomic<Id> last{0};
}

Id nextId() {
    // ms since 1970 needs 41 bits until the year 2039 and 42 until 2109; << 10
    // leaves room for 1024 ids per millisecond and stays below 2^53.
    const Id now = QDateTime::currentMSecsSinceEpoch() << 10;
    Id prev = last.load();
    Id next;
    do {
        next = now > prev ? now : prev + 1;
    } while (!last.compare_exchange_weak(prev, next));
    return next;
}

void seenId(Id id) {
    Id prev = last.load();
    while (id > prev && !last.compare_exchange_weak(prev, id)) {
    }
}

}  // namespace waypoint::history
