// A check box whose box reads on light and dark backgrounds: Fusion draws the
// frame from the window colour, darkened, which all but vanishes on a dark
// sidebar. The frame takes the theme's muted text colour (the accent when
// focused from the keyboard).
import QtQuick
import QtQuick.Controls
import Waypoint

CheckBox {
    id: control
    Binding {
        target: control.indicator
        property: "border.color"
        value: control.visualFocus ? Theme.accent : Theme.mutedText
    }
}
