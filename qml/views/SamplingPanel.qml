// The sampling knobs. Every edit goes straight to SamplingSettings, which
// stores it (QSettings) and applies it to the next generation.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Waypoint

ColumnLayout {
    id: root
    required property SamplingSettings settings
    spacing: 6

    RowLayout {
        Layout.fillWidth: true
        SectionLabel { text: qsTr("Sampling"); Layout.fillWidth: true }
        Label {
            visible: root.settings.checkpointDefaults
            text: qsTr("checkpoint defaults")
            font.pointSize: Theme.smallSize
            color: Theme.mutedText
        }
        ToolButton {
            text: qsTr("Reset")
            font.pointSize: Theme.smallSize
            Accessible.name: qsTr("Reset sampling settings")
            onClicked: root.settings.resetToDefaults()
        }
    }

    LabeledSlider {
        objectName: "temperature"
        Layout.fillWidth: true
        label: qsTr("Temperature")
        hint: qsTr("0 picks the most likely token every time (greedy)")
        from: 0; to: 2; stepSize: 0.05; decimals: 2
        specialValue: 0; specialText: qsTr("greedy")
        value: root.settings.temperature
        onMoved: (v) => root.settings.temperature = v
    }
    LabeledSlider {
        objectName: "topK"
        Layout.fillWidth: true
        label: qsTr("Top-k")
        hint: qsTr("Keep only the k most likely tokens; 0 turns it off")
        from: 0; to: 200; stepSize: 1; decimals: 0
        specialValue: 0; specialText: qsTr("off")
        value: root.settings.topK
        onMoved: (v) => root.settings.topK = Math.round(v)
    }
    LabeledSlider {
        objectName: "topP"
        Layout.fillWidth: true
        label: qsTr("Top-p")
        hint: qsTr("Keep the most likely tokens that together hold this much probability; 1 turns it off")
        from: 0.05; to: 1; stepSize: 0.01; decimals: 2
        specialValue: 1; specialText: qsTr("off")
        value: root.settings.topP
        onMoved: (v) => root.settings.topP = v
    }
    LabeledSlider {
        objectName: "minP"
        Layout.fillWidth: true
        label: qsTr("Min-p")
        hint: qsTr("Drop tokens less likely than this fraction of the most likely one; 0 turns it off")
        from: 0; to: 0.5; stepSize: 0.01; decimals: 2
        specialValue: 0; specialText: qsTr("off")
        value: root.settings.minP
        onMoved: (v) => root.settings.minP = v
    }
    LabeledSlider {
        objectName: "repeatPenalty"
        Layout.fillWidth: true
        label: qsTr("Repetition penalty")
        hint: qsTr("Above 1 makes recently used tokens less likely; 1 turns it off")
        from: 1; to: 2; stepSize: 0.01; decimals: 2
        specialValue: 1; specialText: qsTr("off")
        value: root.settings.repeatPenalty
        onMoved: (v) => root.settings.repeatPenalty = v
    }
    LabeledSlider {
        objectName: "maxNewTokens"
        Layout.fillWidth: true
        label: qsTr("Max new tokens")
        hint: qsTr("The answer stops after this many tokens. Past the model's context the oldest tokens are dropped to go on (the answer's stats say so).")
        from: 1; to: 4096; stepSize: 1; decimals: 0
        showRange: true
        value: root.settings.maxNewTokens
        onMoved: (v) => root.settings.maxNewTokens = Math.round(v)
    }

    RowLayout {
        Layout.fillWidth: true
        spacing: Theme.spacing
        Label { text: qsTr("Seed"); Layout.fillWidth: true }
        ThemedCheckBox {
            id: randomSeed
            objectName: "randomSeed"
            text: qsTr("Random")
            checked: root.settings.randomSeed
            Accessible.name: qsTr("Random seed")
            onToggled: root.settings.randomSeed = checked
        }
        TextField {
            id: seedField
            objectName: "seedField"
            Layout.preferredWidth: 110
            enabled: !root.settings.randomSeed
            // With a random seed there is no number to edit: the field says
            // "random" and drops its frame, so it does not look editable.
            text: root.settings.randomSeed ? "" : root.settings.seed
            placeholderText: qsTr("random")
            horizontalAlignment: Text.AlignRight
            selectByMouse: true
            validator: RegularExpressionValidator { regularExpression: /[0-9]{1,19}/ }
            Accessible.name: qsTr("Fixed seed")
            onEditingFinished: if (enabled && text !== root.settings.seed) root.settings.seed = text
            background: Rectangle {
                implicitHeight: 24
                radius: 3
                color: seedField.enabled ? Theme.surface : "transparent"
                border.color: !seedField.enabled ? "transparent" : seedField.activeFocus ? Theme.accent : Theme.border
                border.width: seedField.activeFocus ? 2 : 1
            }
        }
    }
    ThemedCheckBox {
        objectName: "stopAtEos"
        text: qsTr("Stop at end of text")
        checked: root.settings.stopAtEos
        Accessible.name: qsTr("Stop at the end-of-text token")
        onToggled: root.settings.stopAtEos = checked
    }
}
