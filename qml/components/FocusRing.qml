// The keyboard focus, drawn the same way on every control: a 2-pixel accent
// ring just outside the control that holds the focus, when it came from the
// keyboard (visualFocus), in light and dark. Fusion's own marks are a
// 1-pixel tint (a tab shows none). Made once in the window (`FocusRing {}`);
// it is drawn on the window's top item, above the content and popups. Text fields and
// list rows draw their own frame and cursor and are left alone.
import QtQuick
import QtQuick.Controls
import Waypoint

Item {
    id: root
    property alias ring: ring
    readonly property alias target: ring.target

    // The window's top item (above the content, the header and the popups'
    // overlay); found again when the window changes. (Overlay.overlay is
    // read once, before this item is in a window.)
    readonly property Item topItem: {
        let i = root.Window.window ? root.Window.window.contentItem : null
        while (i && i.parent) i = i.parent
        return i
    }
    onTopItemChanged: ring.parent = topItem ? topItem : root

    Rectangle {
        id: ring
        objectName: "focusRing"
        property Item target: null
        readonly property int gap: 2

        z: 2000000  // over the overlay (1000000)
        color: "transparent"
        radius: 5
        border.width: 2
        border.color: Theme.accent
        visible: false
        enabled: false  // never takes a click
    }

    // The control the ring is for, or null: keyboard focus on a control that
    // has no frame of its own and is not a list's row.
    function ringed(item) {
        if (!item || item.visualFocus !== true || !item.visible) return null
        // A row of a list with a delegate (not a tab of a TabBar, whose
        // ListView holds its tabs without one): the list's cursor shows it.
        for (let p = item.parent; p; p = p.parent)
            if (p.highlightFollowsCurrentItem !== undefined && p.delegate) return null
        return item
    }
    // Where the target is, over the top item; hidden when it is out of sight
    // (scrolled away inside a clipping area, or gone).
    function place() {
        const t = ring.target
        if (!t || !t.visible || !root.topItem) { ring.visible = false; return }
        const r = t.mapToItem(root.topItem, 0, 0, t.width, t.height)
        for (let p = t.parent; p; p = p.parent) {
            if (!p.clip) continue
            const c = p.mapToItem(root.topItem, 0, 0, p.width, p.height)
            const cx = r.x + r.width / 2, cy = r.y + r.height / 2
            if (cx < c.x || cx > c.x + c.width || cy < c.y || cy > c.y + c.height) { ring.visible = false; return }
        }
        ring.x = r.x - ring.gap
        ring.y = r.y - ring.gap
        ring.width = r.width + 2 * ring.gap
        ring.height = r.height + 2 * ring.gap
        ring.visible = true
    }
    // The item with the keyboard focus, ringed or not (it may become so).
    property Item focused: null
    function follow() {
        const w = root.Window.window
        root.focused = w ? w.activeFocusItem : null
        ring.target = ringed(root.focused)
        Qt.callLater(place)  // after the layout and any scroll the focus change causes
    }

    Connections {
        target: root.Window.window
        function onActiveFocusItemChanged() { root.follow() }
        function onWidthChanged() { root.follow() }
        function onHeightChanged() { root.follow() }
    }
    Connections {
        target: root.focused
        ignoreUnknownSignals: true
        function onVisualFocusChanged() { root.follow() }
        function onVisibleChanged() { root.follow() }
    }
    // A control can move without the focus changing (a list scrolled with the
    // wheel, a layout that grows): look again a few times a second while a
    // ring shows. Setting the same geometry redraws nothing.
    Timer {
        interval: 200
        repeat: true
        running: ring.target !== null
        onTriggered: root.place()
    }
}
