// The checkpoint list without a mouse: Tab reaches it, Up/Down move a
// visible cursor over run headers and rows, Enter folds a run on its header
// and loads a checkpoint on a row, Left/Right fold and unfold.
import QtQuick
import QtTest
import Waypoint

Item {
    width: 380
    height: 640

    ChatController { id: chat; backend: "fake" }
    CheckpointLibrary { id: library }
    ButtonKeys {}
    CheckpointPicker { id: picker; width: 360; height: 620; library: library; controller: chat }

    TestCase {
        name: "CheckpointPickerKeyboard"
        when: windowShown

        function role(row, r) { return library.data(library.index(row, 0), r) }
        function firstRowOf(run) {
            for (let r = 0; r < library.count; ++r)
                if (role(r, CheckpointLibrary.RunRole) === run && role(r, CheckpointLibrary.FirstInRunRole)) return r
            return -1
        }

        function test_keyboardReachesAndUsesTheList() {
            if (library.demoFolder.length === 0) skip("no demo checkpoints (resources/demo) to list")
            const list = findChild(picker, "checkpointList")
            const folder = findChild(picker, "openFolderButton")
            folder.forceActiveFocus(Qt.TabFocusReason)
            keyClick(Qt.Key_Tab)
            verify(list.activeFocus, "Tab from the Folder… button reaches the list")
            verify(list.cursorRow >= 0, "a cursor is placed")

            // Put the cursor on the demo run's header (Home, then down to it).
            const head = firstRowOf("arith")
            verify(head >= 0, "the demo run is listed")
            keyClick(Qt.Key_Home)
            let guard = 0
            while (!(list.cursorRow === head && list.cursorOnHeader) && guard++ < 50) keyClick(Qt.Key_Down)
            compare(list.cursorRow, head)
            verify(list.cursorOnHeader)
            const group = role(head, CheckpointLibrary.GroupRole)

            // Enter on the header folds the run, again unfolds it; Left/Right too.
            keyClick(Qt.Key_Return)
            verify(role(head, CheckpointLibrary.CollapsedRole))
            keyClick(Qt.Key_Return)
            verify(!role(head, CheckpointLibrary.CollapsedRole))
            keyClick(Qt.Key_Left)
            verify(role(head, CheckpointLibrary.CollapsedRole))
            keyClick(Qt.Key_Right)
            verify(!role(head, CheckpointLibrary.CollapsedRole))

            // Down: the run's first step, then the second; Enter loads it.
            keyClick(Qt.Key_Down)
            compare(list.cursorRow, head)
            verify(!list.cursorOnHeader)
            keyClick(Qt.Key_Down)
            compare(list.cursorRow, head + 1)
            const path = role(head + 1, CheckpointLibrary.PathRole)
            keyClick(Qt.Key_Return)
            tryCompare(chat, "checkpointPath", path, 5000)

            // A folded run's steps are skipped by the cursor.
            library.setRunCollapsed(group, true)
            list.cursorRow = head
            list.cursorOnHeader = true
            keyClick(Qt.Key_Down)
            verify(list.cursorRow > head + role(head, CheckpointLibrary.RunSizeRole) - 1 || list.cursorRow === head,
                   "the cursor left the folded run or stayed on its header")
            library.setRunCollapsed(group, false)
        }
    }
}
