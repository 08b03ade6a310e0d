// Scrolls `flickable` (a ScrollView's contentItem, a ListView...) so that the
// control holding the keyboard focus, when it lies inside, is in view: Tab
// into a slider below the fold shows it. Qt Quick does not scroll to the
// focus by itself.
import QtQuick

Item {
    id: root
    required property Flickable flickable
    property real margin: 24  // room above (a control's label) and below

    function isInside(item) {
        for (let p = item; p; p = p.parent)
            if (p === root.flickable.contentItem) return true
        return false
    }
    function reveal(item) {
        const f = root.flickable
        if (!item || !isInside(item) || f.contentHeight <= f.height) return
        const r = item.mapToItem(f.contentItem, 0, 0, item.width, item.height)
        const top = f.contentY, bottom = f.contentY + f.height
        const most = f.contentHeight - f.height
        if (r.y - root.margin < top) f.contentY = Math.max(0, r.y - root.margin)
        else if (r.y + r.height + root.margin > bottom) f.contentY = Math.min(most, r.y + r.height + root.margin - f.height)
    }
    Connections {
        target: root.Window.window
        function onActiveFocusItemChanged() { root.reveal(root.Window.window.activeFocusItem) }
    }
}
