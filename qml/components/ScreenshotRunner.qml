// --screenshot DIR: drives the window through its states and saves PNGs:
// checkpoint picker, sampling panel, chat mid-stream, model card; then quits.
// The theme suffix comes from --theme. Run by tools/screenshots/take.sh.
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
    readonly property string suffix: Theme.dark ? "dark" : "light"
    property int step: 0
    property int ticks: 0
    Screenshooter { id: shooter }

    function path(name) { return directory + "/" + name + "-" + suffix + ".png" }

    Timer {
        interval: 100
        repeat: true
        running: true
        onTriggered: {
            root.ticks++
            if (root.ticks > 1200) { console.error("screenshots: timed out at step", root.step); AppOptions.quit(1); stop(); return }
            switch (root.step) {
            case 0:  // the model is there and the window settled
                if (root.controller.modelLoaded && !root.controller.loading && root.ticks > 10) root.step = 1
                break
            case 1:
                shooter.save(root.picker, root.path("checkpoint-picker"))
                shooter.save(root.samplingPanel, root.path("sampling-panel"))
                root.controller.send(root.controller.examplePrompt)
                root.step = 2
                break
            case 2:  // mid-stream: a few lines in, still generating
                if (root.controller.generating && root.controller.messages.textAt(1).length > 120) {
                    root.promptBox.text = qsTr("Tell me another one")
                    shooter.save(root.windowContent, root.path("chat-streaming"), true)
                    root.controller.stop()
                    root.cardDialog.open()
                    root.step = 3
                }
                break
            case 3:  // the card's example answer has arrived
                if (!root.controller.exampleBusy && root.controller.exampleAnswer.length > 0) {
                    root.step = 4
                }
                break
            case 4:
                shooter.save(root.windowContent, root.path("model-card"), true)
                root.step = 5
                AppOptions.quit(0)
                break
            }
        }
    }
}
