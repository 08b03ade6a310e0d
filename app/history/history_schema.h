// The history database's layout and its migrations. PRAGMA user_version holds
// the version; migrate() runs the steps after it, each in one transaction, so a
// database is always at one whole version.
#pragma once

#include <QSqlDatabase>
#include <QString>

namespace waypoint::history {

constexpr int kSchemaVersion = 2;

// Brings `db` from its user_version up to `target` (kSchemaVersion unless a
// test asks for an older one). Returns "" or what went wrong. A database newer
// than this build is refused (the caller sets it aside, never downgrades it).
QString migrate(QSqlDatabase& db, int target = kSchemaVersion);
int schemaVersionOf(QSqlDatabase& db);

// Full-text search of message text through SQLite's FTS5, kept in step by
// triggers. Returns false where this SQLite lacks FTS5 (search falls back to
// LIKE); then the triggers are dropped, so writes never depend on the module.
bool ensureFullTextIndex(QSqlDatabase& db);

}  // namespace waypoint::history
