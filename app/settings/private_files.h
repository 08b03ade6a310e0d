// Files of the user's that others on the machine must not read: the settings
// (recent checkpoints and folders, prompts in sampling presets) and, later,
// conversation history. Created readable and writable by the user only.
#pragma once

#include <QString>

namespace waypoint::app {

// Makes the application's settings file (QSettings' default location, e.g.
// ~/.config/Waypoint/Waypoint.conf) private before anything writes it:
// its folder 0700 when we create it, the file created empty with 0600 when
// absent, or narrowed to 0600 when it exists with wider permissions.
// QSettings replaces the file through a temporary file and a rename that
// keeps the existing file's permissions, so this holds across writes.
// Returns the settings file's path; empty when it could not be made private
// (the app then runs on; the reason is logged).
QString protectSettingsFile();

// The same for any file: creates `path` empty with 0600 when absent (its
// folder with 0700 when missing), narrows it to 0600 when wider. False when
// that failed.
bool makePrivateFile(const QString& path);

}  // namespace waypoint::app
