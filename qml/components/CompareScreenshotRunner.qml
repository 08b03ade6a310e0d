// --screenshot DIR with --compare A --compare B ...: waits for the panes to
// load, makes them greedy, sends one sum (the demo models' task), runs the
// evaluation on the demo's held-out text when the panel is there, and saves
// compare-<light|dark>.png of the whole window; then quits.
import QtQuick
import Waypoint

Item {
    id: root
    required property string directory
    required property CompareController controller
    required property var view
    required property Item windowContent
    property string prompt: "123+456="
    // The demo's held-out problems, beside the demo checkpoints.
    readonly property string evalText: {
        const first = AppOptions.compare.length > 0 ? AppOptions.compare[0].replace(/\/+$/, "") : ""
        return first.substring(0, first.lastIndexOf("/")) + "/heldout.txt"
    }
    readonly property string suffix: Theme.dark ? "dark" : "light"
    readonly property var evaluation: view.evaluatePanel ? view.evaluatePanel.controller : null
    property int step: 0
    property int ticks: 0
    Screenshooter { id: shooter }

    function allLoaded() {
        if (controller.count === 0 || controller.loading) return false
        for (let i = 0; i < controller.count; ++i)
            if (!controller.paneAt(i).chat.modelLoaded) return false
        return true
    }

    Timer {
        interval: 100
        repeat: true
        running: true
        onTriggered: {
            root.ticks++
            if (root.ticks > 1800) { console.error("compare screenshot: timed out at step", root.step); AppOptions.quit(1); stop(); return }
            switch (root.step) {
            case 0:
                if (root.allLoaded() && root.ticks > 10) root.step = 1
                break
            case 1:
                for (let i = 0; i < root.controller.count; ++i) {
                    const s = root.controller.paneAt(i).sampling
                    s.temperature = 0
                    s.maxNewTokens = 16
                }
                if (root.evaluation) {
                    root.evaluation.textPath = root.evalText
                    root.evaluation.window = 12  // heldout.txt: one 12-character problem per line
                    root.evaluation.start()
                }
                for (const c of root.prompt) root.view.promptBox.text += c
                root.view.promptBox.submit()
                root.step = 2
                break
            case 2:
                if (!root.controller.generating && (!root.evaluation || !root.evaluation.running)) root.step = 3
                break
            case 3:  // one more frame for the charts and highlights
                shooter.save(root.windowContent, root.directory + "/compare-" + root.suffix + ".png", true)
                AppOptions.quit(0)
                root.step = 4
                break
            }
        }
    }
}
