// The tokenizer a user chose for a checkpoint that has none beside it (a
// nanoGPT ckpt.pt, a lone llama2.c .bin), remembered in QSettings so that the
// next load of that checkpoint (the picker, Recent, a compare pane, the next
// start) uses it again.
#pragma once

#include <QString>

namespace waypoint::app {

struct TokenizerChoices {
    // The remembered tokenizer for `checkpoint`, or "" when none was chosen
    // (or the chosen file is gone).
    static QString forCheckpoint(const QString& checkpoint);
    static void remember(const QString& checkpoint, const QString& tokenizer);
    static void forget(const QString& checkpoint);
};

// Whether an engine load error says the checkpoint lacks a tokenizer (the
// engine's messages end "pass --tokenizer PATH"), and the same message
// for the window, where there is no command line: "choose one with Choose
// tokenizer…".
bool isMissingTokenizer(const QString& loadError);
QString forTheWindow(const QString& loadError);

}  // namespace waypoint::app
