// A small upper-case heading for a group of controls.
import QtQuick
import QtQuick.Controls
import Waypoint

Label {
    font.pointSize: Theme.smallSize
    font.weight: Font.DemiBold
    font.letterSpacing: 0.6
    font.capitalization: Font.AllUppercase
    color: Theme.mutedText
    elide: Text.ElideRight
}
