// The chat list: newest first, choose, rename in place, delete with undo,
// search by title and message text, and the notice when the history file
// cannot be used. Each test has its own in-memory history.
import QtQuick
import QtTest
import Waypoint
import WaypointTest

Item {
    id: top
    width: 360
    height: 600

    ButtonKeys {}  // Enter presses a focused button, as in the window
    Component { id: historyComponent; ChatHistory { path: ":memory:" } }
    Component { id: listComponent; ChatList {} }
    SignalSpy { id: chosen; signalName: "chatChosen" }
    SignalSpy { id: newRequested; signalName: "newChatRequested" }
    SignalSpy { id: currentDeleted; signalName: "currentChatDeleted" }

    TestCase {
        id: testCase
        name: "ChatList"
        when: windowShown

        property var history: null
        property var view: null

        function make(path) {
            cleanup()
            history = createTemporaryObject(historyComponent, testCase, path ? {path: path} : {})
            view = createTemporaryObject(listComponent, top, {history: history, width: 340, height: 580})
            tryCompare(history, "ready", true)
            chosen.target = view
            chosen.clear()
            newRequested.target = view
            newRequested.clear()
            currentDeleted.target = view
            currentDeleted.clear()
        }
        function row(i) {
            let item = null
            tryVerify(() => (item = findChild(view.list, "chatRow_" + i)) !== null)
            return item
        }

        function init() { make() }
        // The view goes before its history (the temporary objects would go the other way round).
        function cleanup() {
            if (view) { view.destroy(); view = null; wait(0) }
        }

        function test_newestFirstAndChoose() {
            const first = history.newChat("first")
            const second = history.newChat("second")
            compare(view.list.count, 2)
            compare(history.chats.get(0).title, "second")
            mouseClick(row(1))
            compare(chosen.count, 1)
            compare(chosen.signalArguments[0][0], first)
            mouseClick(findChild(view, "newChatButton"))
            compare(newRequested.count, 1)
            verify(second > first)
        }

        function test_renameInPlace() {
            history.newChat("old name")
            const r = row(0)
            mouseDoubleClickSequence(r)
            const editor = findChild(r, "renameField")
            tryCompare(editor, "visible", true)
            tryCompare(editor, "activeFocus", true)
            keySequence(StandardKey.SelectAll)
            for (const c of "Sums, again") keyClick(c)
            keyClick(Qt.Key_Return)
            compare(history.chats.get(0).title, "Sums, again")
            compare(editor.visible, false)
            // Escape leaves the name as it was.
            mouseDoubleClickSequence(r)
            tryCompare(editor, "activeFocus", true)
            keyClick("x")
            keyClick(Qt.Key_Escape)
            compare(history.chats.get(0).title, "Sums, again")
        }

        function test_deleteAndUndo() {
            const keep = history.newChat("keep")
            const gone = history.newChat("gone")
            view.currentChatId = gone  // the current row shows its delete button
            const button = findChild(row(0), "deleteChatButton")
            tryCompare(button, "visible", true)
            mouseClick(button)
            compare(view.list.count, 1)
            compare(history.chats.get(0).chatId, keep)
            const bar = findChild(view, "undoBar")
            tryCompare(bar, "visible", true)
            mouseClick(findChild(view, "undoButton"))
            compare(view.list.count, 2)
            compare(history.chats.get(0).title, "gone")
            compare(history.canUndoDelete, false)
            tryCompare(bar, "visible", false)
            compare(currentDeleted.count, 1)  // it was the chat on show
            // Another chat's delete key (Delete works on the list's cursor row).
            view.currentChatId = 0
            view.list.forceActiveFocus()
            view.list.currentIndex = 1
            keyClick(Qt.Key_Delete)
            compare(view.list.count, 1)
            compare(currentDeleted.count, 1)
        }

        // Keyboard only: the list is one Tab stop with a visible cursor that
        // starts on the chat on show; arrows, Enter, F2, Delete, Ctrl+Z;
        // Up from the first row and Down from the search move between them.
        function test_keyboardOnly() {
            const alpha = history.newChat("alpha")
            const beta = history.newChat("beta")
            const gamma = history.newChat("gamma")  // rows: gamma, beta, alpha
            view.currentChatId = beta
            view.searchField.forceActiveFocus()
            keyClick(Qt.Key_Tab)
            verify(view.list.activeFocus, "Tab from the search reaches the list")
            compare(view.list.currentIndex, 1)
            tryCompare(findChild(row(1), "chatCursor"), "visible", true)
            compare(findChild(row(0), "chatCursor").visible, false)
            keyClick(Qt.Key_Down)
            compare(view.list.currentIndex, 2)
            keyClick(Qt.Key_Return)
            compare(chosen.count, 1)
            compare(chosen.signalArguments[0][0], alpha)
            keyClick(Qt.Key_Space)
            compare(chosen.count, 2)

            keyClick(Qt.Key_Home)
            compare(view.list.currentIndex, 0)
            keyClick(Qt.Key_F2)
            const editor = findChild(row(0), "renameField")
            tryCompare(editor, "activeFocus", true)
            keySequence(StandardKey.SelectAll)
            for (const c of "Gamma 2") keyClick(c)
            keyClick(Qt.Key_Return)
            compare(history.chats.get(history.chats.rowOf(gamma)).title, "Gamma 2")
            verify(view.list.activeFocus, "back on the list after renaming")
            keyClick(Qt.Key_F2)
            tryCompare(editor, "activeFocus", true)
            keyClick(Qt.Key_Escape)
            verify(view.list.activeFocus, "back on the list after Esc")

            view.list.currentIndex = view.history.chats.rowOf(gamma)
            keyClick(Qt.Key_Delete)
            compare(view.list.count, 2)
            verify(view.list.activeFocus)
            keySequence(StandardKey.Undo)
            compare(view.list.count, 3)

            keyClick(Qt.Key_Home)
            keyClick(Qt.Key_Up)
            verify(view.searchField.activeFocus, "Up on the first row goes to the search")
            keyClick(Qt.Key_Down)
            verify(view.list.activeFocus, "Down in the search goes to the list")
            // The rows and their delete buttons are no Tab stops of their own.
            keyClick(Qt.Key_Tab)
            verify(!view.list.activeFocus, "Tab leaves the list")
            verify(findChild(row(0), "deleteChatButton").focusPolicy === Qt.NoFocus)
        }

        function test_exportNeedsAChatOnShow() {
            const id = history.newChat("to export")
            const button = findChild(view, "exportButton")
            compare(button.enabled, false)
            view.currentChatId = id
            compare(button.enabled, true)
            // The last chat deleted: nothing left to export.
            history.deleteChat(id)
            tryCompare(history.chats, "count", 0)
            compare(button.enabled, false)
            history.undoDelete()
            tryCompare(history.chats, "count", 1)
            compare(button.enabled, true)
        }

        // Export through the save dialog: a typed new name is written, the
        // same name again asks before replacing, Esc writes nothing.
        function exportAs(name, menuItem) {
            const button = findChild(view, "exportButton")
            button.forceActiveFocus()
            keyClick(Qt.Key_Space)  // opens the menu from the keyboard
            const item = findChild(view, menuItem)
            tryVerify(() => item.visible && item.width > 0)
            mouseClick(item)
            const dialog = findChild(view, "chatExportDialog")
            tryVerify(() => dialog.opened)
            dialog.folderField.text = TestEnvironment.outputFolder
            verify(dialog.nameField.activeFocus, "the name field has the focus")
            dialog.nameField.selectAll()
            for (const c of name) keyClick(c)
            keyClick(Qt.Key_Return)
            return dialog
        }
        function test_exportToANewFileThenConfirmReplacing() {
            const id = history.newChat("Sums")
            const q = history.addMessage(id, 0, "user", "12+34=")
            history.addMessage(id, q, "assistant", "46")
            view.currentChatId = id
            const status = findChild(view, "exportStatus")
            const target = TestEnvironment.outputFolder + "/chat-export.md"
            verify(!FilePaths.exists(target))

            let dialog = exportAs("chat-export", "exportMarkdown")  // ".md" is added
            tryVerify(() => !dialog.visible)
            tryCompare(status, "text", "Saved to " + target)
            verify(FilePaths.exists(target))

            // The same name: the dialog stays open and asks; Enter on Replace writes.
            status.text = ""
            dialog = exportAs("chat-export.md", "exportMarkdown")
            verify(dialog.visible, "the dialog stays open to ask")
            verify(dialog.confirming)
            const ask = findChild(dialog.contentItem, "saveStatus")
            verify(ask.text.indexOf("already exists") >= 0, ask.text)
            wait(50)
            compare(status.text, "")  // nothing written yet
            keyClick(Qt.Key_Return)
            tryVerify(() => !dialog.visible)
            tryCompare(status, "text", "Saved to " + target)

            // JSON, and the folder is remembered for the next export.
            dialog = exportAs("chat-export", "exportJson")
            tryVerify(() => !dialog.visible)
            tryCompare(status, "text", "Saved to " + TestEnvironment.outputFolder + "/chat-export.json")
            compare(dialog.folder, TestEnvironment.outputFolder)

            // Esc cancels: nothing written.
            findChild(view, "exportButton").forceActiveFocus()
            keyClick(Qt.Key_Space)
            const md = findChild(view, "exportMarkdown")
            tryVerify(() => md.visible && md.width > 0)
            mouseClick(md)
            tryVerify(() => dialog.opened)
            verify(dialog.nameField.text.indexOf("Sums ") === 0, dialog.nameField.text)  // a suggested name
            dialog.nameField.selectAll()
            for (const c of "never-written") keyClick(c)
            keyClick(Qt.Key_Escape)
            tryVerify(() => !dialog.visible)
            wait(50)
            verify(!FilePaths.exists(TestEnvironment.outputFolder + "/never-written.md"))
        }

        function test_searchTitlesAndText() {
            history.newChat("Dragon facts")
            const sums = history.newChat("Sums")
            history.addMessage(sums, 0, "user", "the dragon counted to ten")
            history.newChat("Other")
            compare(view.list.count, 3)
            view.searchField.forceActiveFocus()
            for (const c of "drag") keyClick(c)
            tryCompare(history.chats, "searching", false)
            compare(view.list.count, 2)
            keyClick(Qt.Key_Escape)  // clears the search
            compare(view.searchField.text, "")
            compare(view.list.count, 3)
            for (const c of "nothing like it") keyClick(c)
            tryCompare(history.chats, "searching", false)
            compare(view.list.count, 0)
        }

        function test_noticeWhenTheFileCannotBeKept() {
            make("/proc/waypoint-no-such-folder/history.sqlite")
            compare(history.persistent, false)
            const notice = findChild(view, "historyNotice")
            compare(notice.visible, true)
            verify(notice.text.indexOf("will not be kept") >= 0, notice.text)
            history.newChat("still works")
            compare(view.list.count, 1)
        }
    }
}
