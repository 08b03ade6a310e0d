// The compare view as a person uses it (fake backend): one prompt typed and
// sent reaches every pane and each pane streams its own answer; Add pane and
// the remove buttons (at least two stay); the switches write the controller;
// a pane's settings popup writes that pane's settings only; Stop stops all.
import QtQuick
import QtTest
import Waypoint

Item {
    width: 1280
    height: 800

    CompareController { id: controller; backend: "fake" }
    CheckpointLibrary { id: library }
    CompareView {
        id: view
        anchors.fill: parent
        controller: controller
        library: library
    }

    TestCase {
        name: "CompareView"
        when: windowShown

        function type(text) { for (const c of text) keyClick(c) }
        function panes() {
            const out = []
            const kids = view.panesRow.children
            for (let i = 0; i < kids.length; ++i)
                if (kids[i].pane !== undefined && kids[i].pane !== null) out.push(kids[i])
            return out.sort((a, b) => a.index - b.index)
        }
        function allLoaded() {
            for (let i = 0; i < controller.count; ++i)
                if (!controller.paneAt(i).chat.modelLoaded) return false
            return !controller.loading
        }

        function init() {
            controller.stop()
            controller.linked = false
            controller.openCheckpoints(["/fake/a", "/fake/b"])
            tryVerify(allLoaded, 5000)
            tryVerify(() => panes().length === 2)
        }

        function test_promptGoesToEveryPane() {
            for (let i = 0; i < controller.count; ++i) controller.paneAt(i).sampling.maxNewTokens = 5
            view.promptBox.textArea.forceActiveFocus()
            type("hello")
            keyClick(Qt.Key_Return)
            compare(controller.prompt, "hello")
            verify(controller.generating)
            tryVerify(() => !controller.generating, 5000)
            const shown = panes()
            compare(shown.length, 2)
            for (const p of shown) {
                const answer = findChild(p, "paneAnswer")
                verify(answer)
                compare(answer.text, "t0 t1 t2 t3 t4 ")
                compare(findChild(p, "panePrompt").text, "› hello")
                verify(findChild(p, "paneStats").text.indexOf("5 tokens") === 0, findChild(p, "paneStats").text)
            }
            // Same fake answers: pane 2 says so.
            compare(findChild(shown[1], "divergenceLabel").text, "same as pane 1")
        }

        function test_stopStopsAll() {
            for (let i = 0; i < controller.count; ++i) controller.paneAt(i).sampling.maxNewTokens = 40
            controller.send("go")
            tryVerify(() => controller.paneAt(0).answer.length > 0 && controller.paneAt(1).answer.length > 0, 5000)
            const send = findChild(view.promptBox, "sendButton")
            compare(send.text, "Stop")
            mouseClick(send)
            verify(!controller.generating)
            for (let i = 0; i < controller.count; ++i) compare(controller.paneAt(i).chat.generating, false)
        }

        function test_addAndRemovePanes() {
            const add = findChild(view, "addPaneButton")
            mouseClick(add)
            compare(controller.count, 3)
            mouseClick(add)
            compare(controller.count, 4)
            verify(!add.enabled)  // four at most
            controller.removePane(3)
            controller.removePane(2)
            compare(controller.count, 2)
            tryVerify(() => panes().length === 2)  // the removed delegates went
        }

        function test_switchesWriteTheController() {
            const link = findChild(view, "linkSwitch")
            mouseClick(link)
            verify(controller.linked)
            const seed = findChild(view, "sameSeedSwitch")
            const before = controller.sameSeed
            mouseClick(seed)
            compare(controller.sameSeed, !before)
            mouseClick(seed)
            compare(controller.sameSeed, before)
        }

        function test_paneSettingsWriteThatPaneOnly() {
            const p = panes()[1]
            const button = findChild(p, "paneSettingsButton")
            mouseClick(button)
            const field = findChild(p, "paneTemperatureField")
            verify(field)
            tryVerify(() => field.visible)
            field.forceActiveFocus()
            field.selectAll()
            type("1.5")
            keyClick(Qt.Key_Return)
            compare(controller.paneAt(1).sampling.temperature, 1.5)
            verify(Math.abs(controller.paneAt(0).sampling.temperature - 1.5) > 0.01)
            verify(button.text.indexOf("temp 1.50") === 0, button.text)
        }
    }
}
