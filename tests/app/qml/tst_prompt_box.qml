// Prompt box keys: Enter sends, Shift+Enter adds a line, nothing is sent
// while loading or while an answer streams.
import QtQuick
import QtTest
import Waypoint

Item {
    width: 600
    height: 200

    PromptBox { id: box; width: 560 }
    ButtonKeys {}
    SignalSpy { id: submitted; target: box; signalName: "submitted" }

    TestCase {
        name: "PromptBox"
        when: windowShown

        function type(text) { for (const c of text) keyClick(c) }

        function init() {
            box.busy = false
            box.loading = false
            box.canSend = true
            box.text = ""
            submitted.clear()
            box.textArea.forceActiveFocus()
        }

        function test_enterSends() {
            type("hello")
            keyClick(Qt.Key_Return)
            compare(submitted.count, 1)
            compare(submitted.signalArguments[0][0], "hello")
            compare(box.text, "")  // cleared for the next prompt
        }

        function test_shiftEnterAddsALine() {
            type("line one")
            keyClick(Qt.Key_Return, Qt.ShiftModifier)
            type("two")
            compare(submitted.count, 0)
            compare(box.text, "line one\ntwo")
            keyClick(Qt.Key_Enter)  // keypad Enter sends too
            compare(submitted.count, 1)
            compare(submitted.signalArguments[0][0], "line one\ntwo")
        }

        function test_emptyPromptIsNotSent() {
            type("   ")
            keyClick(Qt.Key_Return)
            compare(submitted.count, 0)
        }

        // Tab moves on to the Send button (no tab character); Shift+Tab comes back.
        function test_tabMovesTheFocus() {
            type("hi")
            keyClick(Qt.Key_Tab)
            compare(box.text, "hi")
            verify(!box.textArea.activeFocus)
            const send = findChild(box, "sendButton")
            verify(send.activeFocus, "the Send button has the focus")
            keyClick(Qt.Key_Backtab, Qt.ShiftModifier)
            verify(box.textArea.activeFocus)
        }

        // A focused button answers Enter and Space.
        function test_enterAndSpacePressTheFocusedButton() {
            type("one")
            const send = findChild(box, "sendButton")
            send.forceActiveFocus(Qt.TabFocusReason)
            keyClick(Qt.Key_Return)
            compare(submitted.count, 1)
            box.textArea.forceActiveFocus()
            type("two")
            send.forceActiveFocus(Qt.TabFocusReason)
            keyClick(Qt.Key_Space)
            compare(submitted.count, 2)
        }

        function test_busyAndLoadingBlockSending() {
            type("wait")
            box.busy = true
            keyClick(Qt.Key_Return)
            compare(submitted.count, 0)
            compare(box.text, "wait")
            box.busy = false
            box.loading = true
            verify(!box.textArea.enabled)
            verify(!box.submit())
            compare(submitted.count, 0)
        }
    }
}
