// The compare view as a person uses it (fake backend): one prompt typed and
// sent reaches every pane and each pane streams its own answer; Add pane and
// the remove buttons (at least two stay); the switches write the controller;
// a pane's settings popup writes that pane's settings only; Stop stops all.
import QtQuick
import QtTest
import Waypoint
import WaypointTest

Item {
    width: 1280
    height: 800

    CompareController { id: controller; backend: "fake" }
    CheckpointLibrary { id: library }
    ButtonKeys {}
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
            // Made when first opened: replacing the panes makes all of them at once.
            compare(findChild(p, "paneSettingsPopup"), null)
            mouseClick(button)
            verify(findChild(p, "paneSettingsPopup"))
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

        // Export to a file that does not exist yet (typed name), then to the
        // same name again: the dialog asks before replacing it.
        function exportAs(name, menuItem) {
            mouseClick(findChild(view, "exportButton"))
            const item = findChild(view, menuItem)
            verify(item, menuItem)
            tryVerify(() => item.visible && item.width > 0)
            mouseClick(item)
            const dialog = findChild(view, "exportDialog")
            tryVerify(() => dialog.opened)
            dialog.folderField.text = TestEnvironment.outputFolder
            verify(dialog.nameField.activeFocus, "the name field has the focus")
            dialog.nameField.selectAll()
            type(name)
            keyClick(Qt.Key_Return)
            return dialog
        }

        function test_exportToANewFileThenConfirmReplacing() {
            for (let i = 0; i < controller.count; ++i) controller.paneAt(i).sampling.maxNewTokens = 3
            controller.send("hello")
            tryVerify(() => !controller.generating, 5000)
            const target = TestEnvironment.outputFolder + "/first-export.md"
            verify(!FilePaths.exists(target))
            let dialog = exportAs("first-export", "exportMarkdown")  // ".md" is added
            tryVerify(() => !dialog.visible)
            verify(FilePaths.exists(target), target + " written")
            compare(view.exportMessage, "Saved " + target)

            // The same name again: not written until Replace is pressed.
            view.exportMessage = ""
            dialog = exportAs("first-export.md", "exportMarkdown")
            verify(dialog.visible, "the dialog stays open to ask")
            verify(dialog.confirming)
            const status = findChild(dialog.contentItem, "saveStatus")
            verify(status.text.indexOf("already exists") >= 0, status.text)
            compare(view.exportMessage, "")
            keyClick(Qt.Key_Return)  // Enter on the focused Replace button
            tryVerify(() => !dialog.visible)
            compare(view.exportMessage, "Saved " + target)

            // JSON goes to a .json file; Esc cancels without writing.
            dialog = exportAs("first-export", "exportJson")
            tryVerify(() => !dialog.visible)
            verify(FilePaths.exists(TestEnvironment.outputFolder + "/first-export.json"))
            mouseClick(findChild(view, "exportButton"))
            const md = findChild(view, "exportMarkdown")
            tryVerify(() => md.visible && md.width > 0)
            mouseClick(md)
            tryVerify(() => dialog.opened)
            dialog.nameField.selectAll()
            type("never-written")
            keyClick(Qt.Key_Escape)
            tryVerify(() => !dialog.visible)
            verify(!FilePaths.exists(TestEnvironment.outputFolder + "/never-written.md"))
        }
    }
}
