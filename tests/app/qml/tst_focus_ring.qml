// The focus ring: around the control the keyboard put the focus on (a tab
// too, which Fusion leaves unmarked), not after a click, not on text fields
// or a list's rows (they have their own frame and cursor), gone with the
// control.
import QtQuick
import QtQuick.Controls
import QtTest
import Waypoint

Item {
    width: 400
    height: 320

    Column {
        x: 20
        y: 20
        spacing: 8
        TabBar {
            width: 200
            TabButton { id: tab; text: "One" }
            TabButton { text: "Two" }
        }
        Button { id: button; text: "Press" }
        Slider { id: slider }
        TextField { id: field; width: 120 }
        ListView {
            id: list
            width: 120
            height: 60
            activeFocusOnTab: true
            model: 3
            delegate: ItemDelegate { required property int index; text: "row " + index; width: 120 }
        }
    }
    FocusRing { id: focusRing }
    readonly property Item ring: focusRing.ring

    TestCase {
        name: "FocusRing"
        when: windowShown

        // The ring shows and lies just outside `item`.
        function around(item) {
            const r = item.mapToItem(ring.parent, 0, 0, item.width, item.height)
            return ring.visible && ring.x < r.x && ring.y < r.y &&
                   ring.x + ring.width > r.x + r.width && ring.y + ring.height > r.y + r.height &&
                   ring.x > r.x - 6 && ring.y > r.y - 6
        }

        function test_keyboardFocusIsRinged() {
            field.forceActiveFocus(Qt.TabFocusReason)
            button.forceActiveFocus(Qt.TabFocusReason)
            tryVerify(() => around(button), 1000, "ring around the button")
            keyClick(Qt.Key_Tab)
            verify(slider.activeFocus)
            tryVerify(() => around(slider), 1000, "ring around the slider")
            tab.forceActiveFocus(Qt.TabFocusReason)
            tryVerify(() => around(tab), 1000, "ring around a tab")
        }

        function test_notAfterAClick() {
            mouseClick(field)
            mouseClick(button)
            // activeFocus needs the window active too, which a loaded machine
            // can report a moment after the click: waited for, not assumed.
            tryVerify(() => button.activeFocus, 2000, "the click gave the button the focus")
            verify(!button.visualFocus)
            tryCompare(ring, "visible", false)
        }

        function test_notOnTextFieldsAndRows() {
            field.forceActiveFocus(Qt.TabFocusReason)
            tryCompare(ring, "visible", false)
            list.forceActiveFocus(Qt.TabFocusReason)
            wait(50)
            compare(ring.visible, false)
        }

        function test_goneWithTheControl() {
            button.forceActiveFocus(Qt.TabFocusReason)
            tryVerify(() => around(button))
            button.visible = false
            tryCompare(ring, "visible", false)
            button.visible = true
            field.forceActiveFocus(Qt.TabFocusReason)
        }
    }
}
