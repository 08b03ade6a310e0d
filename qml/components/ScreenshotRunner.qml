// --screenshot DIR: drives the window through its states and saves PNGs:
// checkpoint picker, sampling panel, chat mid-stream, the saved chats (a
// two-turn chat on the loaded checkpoint beside older chats), a conversation
// (a saved Markdown answer, then the loaded model's real turns with a system
// prompt and an edited question: "2/2"), model card, as
// {picker,sampling,chat,chats,conversation,card}-{light,dark}.png; then quits. The theme suffix
// comes from --theme; $WAYPOINT_SCREENSHOTS picks shots (Screenshooter.wanted).
// Run by tools/screenshots/take.sh.
import QtQuick
import Waypoint

Item {
    id: root
    required property string directory
    required property ChatController controller
    required property Item windowContent
    required property Item picker
    required property Item samplingPanel
    required property var cardDialog
    required property var promptBox
    // For the "chats" shot: the window's ChatHistory (older chats are added to it).
    property var history: null
    // For the "conversation" shot: opens the saved chat it writes.
    property var recorder: null
    property var chatPrompts: ["5+7=", "123+456="]
    readonly property string suffix: Theme.dark ? "dark" : "light"
    property int step: 0
    property int ticks: 0
    property int waitUntil: 0
    Screenshooter { id: shooter }

    function path(name) { return directory + "/" + name + "-" + suffix + ".png" }

    Timer {
        interval: 100
        repeat: true
        running: true
        onTriggered: {
            root.ticks++
            if (root.ticks > 1200) { console.error("screenshots: timed out at step", root.step); AppOptions.quit(1); stop(); return }
            if (root.ticks < root.waitUntil) return  // let the window repaint
            switch (root.step) {
            case 0:  // the model is there and the window settled
                if (root.controller.modelLoaded && !root.controller.loading && root.ticks > 10) root.step = 1
                break
            case 1:
                if (shooter.wanted("picker")) shooter.save(root.picker, root.path("picker"))
                if (shooter.wanted("sampling")) shooter.save(root.samplingPanel, root.path("sampling"))
                if (shooter.wanted("failed") && shooter.badCheckpoint().length > 0) {
                    root.controller.load(shooter.badCheckpoint())
                    root.step = 10
                } else {
                    root.step = 2
                }
                break
            case 10:  // the failed load: its message in the window, the model kept
                if (!root.controller.loading) {
                    root.waitUntil = root.ticks + 5
                    root.step = 11
                }
                break
            case 11:
                shooter.save(root.windowContent, root.path("failed"), true)
                root.step = 2
                break
            case 2:
                if (!shooter.wanted("chat")) { root.step = 3; break }
                root.controller.send(root.controller.examplePrompt)
                root.step = 20
                break
            case 20:  // mid-stream: a few lines in, still generating
                if (root.controller.generating && root.controller.messages.textAt(1).length > 360) {
                    root.promptBox.text = qsTr("Tell me another one")
                    shooter.save(root.windowContent, root.path("chat"), true)
                    root.controller.stop()
                    root.step = 3
                }
                break
            case 3:  // the saved chats: a few older ones, then a two-turn chat
                if (!shooter.wanted("chats") || !root.history) { root.step = 5; break }
                if (root.controller.generating || !root.history.ready) break
                root.controller.clear()
                for (const t of ["Bedtime story about a dragon", "Why is the sky blue?", "Sums with carries"]) {
                    const id = root.history.newChat(t, root.controller.checkpointPath)
                    root.history.addMessage(id, 0, "user", t)
                }
                root.step = 40
                break
            case 40:  // ask the next sum once the last answer is in
                if (root.controller.generating) break
                if (root.chatPrompts.length === 0) { root.waitUntil = root.ticks + 5; root.step = 41; break }
                root.controller.send(root.chatPrompts.shift())
                break
            case 41:
                shooter.save(root.windowContent, root.path("chats"), true)
                root.step = 6
                break
            case 6:  // a conversation: a saved answer in Markdown, then real turns
                if (!shooter.wanted("conversation") || !root.history || !root.recorder) { root.step = 5; break }
                if (root.controller.generating || !root.history.ready) break
                {
                    const id = root.history.newChat("Adding in Python, then sums", root.controller.checkpointPath)
                    const q = root.history.addMessage(id, 0, "user", "How do I add two numbers in Python?")
                    root.history.addMessage(id, q, "assistant",
                        "Use the **`+` operator**; a function keeps it reusable:\n\n" +
                        "```python\ndef add(a, b):\n    return a + b\n\nprint(add(12, 34))  # 46\n```\n\n" +
                        "- integers and floats both work\n- for many numbers, use `sum([...])`",
                        root.controller.checkpointPath, {}, "eos")
                    root.recorder.openChat(id)
                }
                root.chatPrompts = ["123+456=", "5+7="]
                root.step = 60
                break
            case 60:  // the chat is open: a system prompt, then the sums
                if (root.controller.messages.count < 2) break
                root.controller.systemPrompt = "You answer sums."
                root.step = 61
                break
            case 61:
                if (root.controller.generating) break
                if (root.chatPrompts.length > 0) { root.controller.send(root.chatPrompts.shift()); break }
                // Edit the last question and send it again: its branch switcher shows 2/2.
                root.controller.editAndResend(root.controller.messages.count - 2, "100+200=")
                root.step = 62
                break
            case 62:
                if (root.controller.generating) break
                root.waitUntil = root.ticks + 8
                root.step = 63
                break
            case 63:
                shooter.save(root.windowContent, root.path("conversation"), true)
                root.step = 5
                break
            case 5:
                if (!shooter.wanted("card")) { AppOptions.quit(0); root.step = 99; break }
                if (root.controller.generating) break
                root.cardDialog.open()
                root.step = 30
                break
            case 30:  // the card's example answer has arrived
                if (!root.controller.exampleBusy && root.controller.exampleAnswer.length > 0) {
                    root.waitUntil = root.ticks + 3
                    root.step = 31
                }
                break
            case 31:
                shooter.save(root.windowContent, root.path("card"), true)
                root.step = 99
                AppOptions.quit(0)
                break
            }
        }
    }
}
