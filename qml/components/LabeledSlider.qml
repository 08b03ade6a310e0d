// A slider with its name, an editable value field and an optional word for
// a special value (e.g. 0 = "greedy"). `moved(value)` fires on user edits only.
// A typed value outside from..to is clamped, and a note under the slider says
// so (the field then shows the value in use, never the rejected one).
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Waypoint

ColumnLayout {
    id: root
    property string label
    property string hint
    property real from: 0
    property real to: 1
    property real stepSize: 0.01
    property int decimals: 2
    property real value: 0
    property real specialValue: NaN
    property string specialText: ""
    property bool showRange: false   // "1–4096" beside the name
    property alias slider: slider
    property alias field: field
    // Why the typed value was not taken as it was; "" when it was.
    property string limitNote: ""
    signal moved(real value)

    spacing: 2
    Accessible.name: label

    function display(v) {
        return (specialText.length > 0 && v === specialValue) ? specialText : Number(v).toFixed(decimals)
    }
    // The field's text to a value in range (also the special word, e.g. "greedy").
    function commit() {
        const t = field.text.trim()
        const v = t === root.specialText && t.length > 0 ? root.specialValue : Number.parseFloat(t.replace(",", "."))
        if (!isNaN(v)) {
            const c = Math.min(root.to, Math.max(root.from, v))
            root.limitNote = c === v ? ""
                : v > root.to ? qsTr("%1 is the most: using %1").arg(Number(root.to).toFixed(root.decimals))
                              : qsTr("%1 is the least: using %1").arg(Number(root.from).toFixed(root.decimals))
            root.moved(c)
        }
        field.text = Qt.binding(() => root.display(root.value))
    }

    RowLayout {
        Layout.fillWidth: true
        spacing: Theme.spacing
        Label {
            text: root.label
            Layout.fillWidth: true
            elide: Text.ElideRight
            ToolTip.visible: hintArea.containsMouse && root.hint.length > 0
            ToolTip.text: root.hint
            ToolTip.delay: 500
            MouseArea { id: hintArea; anchors.fill: parent; hoverEnabled: true; acceptedButtons: Qt.NoButton }
        }
        Label {
            objectName: root.objectName + "Range"
            visible: root.showRange
            text: qsTr("%1–%2").arg(Number(root.from).toFixed(root.decimals)).arg(Number(root.to).toFixed(root.decimals))
            font.pointSize: Theme.smallSize
            color: Theme.mutedText
        }
        TextField {
            id: field
            objectName: root.objectName + "Field"
            Layout.preferredWidth: 76
            horizontalAlignment: Text.AlignRight
            selectByMouse: true
            text: root.display(root.value)
            Accessible.name: root.label + " value"
            Accessible.description: qsTr("from %1 to %2").arg(root.from).arg(root.to)
            // Any number may be typed; commit() clamps it to from..to (a validator
            // bounded by `to` would silently keep showing a rejected value).
            validator: RegularExpressionValidator { regularExpression: /[-+]?[0-9]*([.,][0-9]*)?|[a-z]*/ }
            onEditingFinished: root.commit()
            onActiveFocusChanged: if (activeFocus && text === root.specialText) selectAll()
            // Fusion's frame all but vanishes on a dark sidebar: a visible one.
            background: Rectangle {
                implicitHeight: 24
                radius: 3
                color: Theme.surface
                border.color: field.activeFocus ? Theme.accent : Theme.border
                border.width: field.activeFocus ? 2 : 1
            }
        }
    }
    Slider {
        id: slider
        objectName: root.objectName + "Slider"
        Layout.fillWidth: true
        from: root.from
        to: root.to
        stepSize: root.stepSize
        snapMode: Slider.SnapAlways
        value: root.value
        Accessible.name: root.label
        onMoved: { root.limitNote = ""; root.moved(value) }
    }
    Label {
        objectName: root.objectName + "LimitNote"
        Layout.fillWidth: true
        visible: root.limitNote.length > 0
        text: root.limitNote
        font.pointSize: Theme.smallSize
        color: Theme.warning
        wrapMode: Text.Wrap
    }
}
