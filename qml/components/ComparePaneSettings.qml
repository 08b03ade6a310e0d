// A pane's sampling knobs in a popup: the chat's sliders, written to the
// pane's own settings (its own QSettings scope; linked panes follow).
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Waypoint

Popup {
    id: root
    objectName: "paneSettingsPopup"
    required property SamplingSettings sampling
    property string title
    property bool linked: false
    property bool sameSeed: false

    width: 320
    padding: 14
    modal: true
    focus: true
    x: Math.max(0, (parent.width - width) / 2)
    y: 40

    ColumnLayout {
        width: parent.width
        spacing: 8
        Label { text: root.title; font.weight: Font.DemiBold }
        Label {
            visible: root.linked
            Layout.fillWidth: true
            text: qsTr("Settings are linked: every pane follows.")
            color: Theme.mutedText
            font.pointSize: Theme.smallSize
            wrapMode: Text.Wrap
        }
        LabeledSlider {
            objectName: "paneTemperature"
            Layout.fillWidth: true
            label: qsTr("Temperature")
            from: 0; to: 2; stepSize: 0.05
            value: root.sampling.temperature
            specialValue: 0; specialText: qsTr("greedy")
            onMoved: (v) => root.sampling.temperature = v
        }
        LabeledSlider {
            Layout.fillWidth: true
            label: qsTr("Top-k")
            from: 0; to: 200; stepSize: 1; decimals: 0
            value: root.sampling.topK
            specialValue: 0; specialText: qsTr("off")
            onMoved: (v) => root.sampling.topK = Math.round(v)
        }
        LabeledSlider {
            Layout.fillWidth: true
            label: qsTr("Top-p")
            from: 0; to: 1; stepSize: 0.01
            value: root.sampling.topP
            onMoved: (v) => root.sampling.topP = v
        }
        LabeledSlider {
            Layout.fillWidth: true
            label: qsTr("Max new tokens")
            from: 1; to: 2048; stepSize: 1; decimals: 0
            value: root.sampling.maxNewTokens
            onMoved: (v) => root.sampling.maxNewTokens = Math.round(v)
        }
        RowLayout {
            Layout.fillWidth: true
            enabled: !root.sameSeed
            Switch {
                text: qsTr("Random seed")
                checked: root.sampling.randomSeed
                onToggled: root.sampling.randomSeed = checked
            }
            TextField {
                Layout.fillWidth: true
                enabled: !root.sampling.randomSeed
                text: root.sampling.seed
                validator: RegularExpressionValidator { regularExpression: /[0-9]{1,19}/ }
                Accessible.name: qsTr("Seed")
                onEditingFinished: root.sampling.seed = text
            }
        }
        Label {
            visible: root.sameSeed
            Layout.fillWidth: true
            text: qsTr("“Same seed everywhere” is on: every pane uses pane 1’s seed.")
            color: Theme.mutedText
            font.pointSize: Theme.smallSize
            wrapMode: Text.Wrap
        }
        Button { Layout.alignment: Qt.AlignRight; text: qsTr("Close"); onClicked: root.close() }
    }
}
