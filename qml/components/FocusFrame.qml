// The keyboard cursor drawn over a row or control: an accent outline that
// reads in light and dark.
import QtQuick
import Waypoint

Rectangle {
    property color frameColor: Theme.accent  // on an accent background: Theme.accentText
    anchors.fill: parent
    anchors.margins: 1
    color: "transparent"
    radius: 4
    border.width: 2
    border.color: frameColor
    z: 10
}
