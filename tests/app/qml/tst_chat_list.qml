// The chat list: newest first, choose, rename in place, delete with undo,
// search by title and message text, and the notice when the history file
// cannot be used. Each test has its own in-memory history.
import QtQuick
import QtTest
import Waypoint

Item {
    id: top
    width: 360
    height: 600

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
            // Another chat's delete key (F2/Delete work on the focused row).
            view.currentChatId = 0
            const r = row(1)
            r.forceActiveFocus()
            keyClick(Qt.Key_Delete)
            compare(view.list.count, 1)
            compare(currentDeleted.count, 1)
        }

        function test_exportNeedsAChatOnShow() {
            const id = history.newChat("to export")
            const button = findChild(view, "exportButton")
            compare(button.enabled, false)
            view.currentChatId = id
            compare(button.enabled, true)
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
