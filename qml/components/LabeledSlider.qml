// A slider with its name, an editable value field and an optional word for
// a special value (e.g. 0 = "greedy"). `moved(value)` fires on user edits only.
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
    property alias slider: slider
    property alias field: field
    signal moved(real value)

    spacing: 2
    Accessible.name: label

    function display(v) {
        return (specialText.length > 0 && v === specialValue) ? specialText : Number(v).toFixed(decimals)
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
        TextField {
            id: field
            objectName: root.objectName + "Field"
            Layout.preferredWidth: 76
            horizontalAlignment: Text.AlignRight
            selectByMouse: true
            text: root.display(root.value)
            Accessible.name: root.label + " value"
            validator: DoubleValidator { bottom: root.from; top: root.to; decimals: root.decimals }
            onEditingFinished: {
                const v = Number.parseFloat(text.replace(",", "."))
                if (!isNaN(v)) root.moved(Math.min(root.to, Math.max(root.from, v)))
                text = Qt.binding(() => root.display(root.value))
            }
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
        onMoved: root.moved(value)
    }
}
