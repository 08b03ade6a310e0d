// The compare view's header: the switches that make a comparison fair
// (linked settings, one seed), add a pane, export.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Waypoint

Rectangle {
    id: root
    required property CompareController controller
    property alias colorTokens: colorSwitch.checked
    signal exportRequested(string format)  // "md" | "json"

    implicitHeight: 52
    // In a small window the switches say less (their tooltips say it all) and
    // the buttons keep their whole text.
    readonly property bool narrow: width < 1000
    color: Theme.window
    Rectangle { anchors.bottom: parent.bottom; width: parent.width; height: 1; color: Theme.border }

    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: 20
        anchors.rightMargin: 12
        spacing: 10
        ColumnLayout {
            spacing: 0
            Layout.fillWidth: true
            Label {
                Layout.fillWidth: true
                elide: Text.ElideRight
                text: qsTr("Compare checkpoints")
                font.pointSize: Theme.baseFont.pointSize + 1.5
                font.weight: Font.DemiBold
            }
            Label {
                Layout.fillWidth: true
                text: qsTr("One prompt, every pane answers at once · Esc stops all")
                font.pointSize: Theme.smallSize
                color: Theme.mutedText
                elide: Text.ElideRight
            }
        }
        Switch {
            id: colorSwitch
            Layout.minimumWidth: implicitWidth
            objectName: "compareColorTokens"
            text: root.narrow ? qsTr("Colours") : qsTr("Colour by probability")
            font.pointSize: Theme.smallSize
            Accessible.name: qsTr("Colour tokens by probability")
            ToolTip.visible: hovered
            ToolTip.delay: 600
            ToolTip.text: qsTr("Red: tokens the model found unlikely; green: near certain. Hover a token for its top 5.")
        }
        Switch {
            objectName: "linkSwitch"
            Layout.minimumWidth: implicitWidth
            text: root.narrow ? qsTr("Link") : qsTr("Link settings")
            checked: root.controller.linked
            font.pointSize: Theme.smallSize
            Accessible.name: qsTr("Link sampling settings across panes")
            ToolTip.visible: hovered
            ToolTip.delay: 600
            ToolTip.text: qsTr("Every pane uses the same sampling settings; editing one edits all.")
            onToggled: root.controller.linked = checked
        }
        Switch {
            objectName: "sameSeedSwitch"
            Layout.minimumWidth: implicitWidth
            text: root.narrow ? qsTr("Same seed") : qsTr("Same seed everywhere")
            checked: root.controller.sameSeed
            font.pointSize: Theme.smallSize
            Accessible.name: qsTr("Use the same seed in every pane")
            ToolTip.visible: hovered
            ToolTip.delay: 600
            ToolTip.text: qsTr("Every pane draws with pane 1's seed: differences come from the models, not from chance.")
            onToggled: root.controller.sameSeed = checked
        }
        Button {
            objectName: "addPaneButton"
            Layout.minimumWidth: implicitWidth
            text: qsTr("Add pane")
            enabled: root.controller.count < root.controller.maxPanes && !root.controller.generating
            Accessible.name: qsTr("Add a pane")
            onClicked: root.controller.addPane()
        }
        Button {
            id: exportButton
            objectName: "exportButton"
            Layout.minimumWidth: implicitWidth
            text: qsTr("Export…")
            enabled: root.controller.prompt.length > 0 && !root.controller.generating
            Accessible.name: qsTr("Export the comparison")
            onClicked: exportMenu.popup(exportButton, 0, exportButton.height)
            Menu {
                id: exportMenu
                MenuItem { objectName: "exportMarkdown"; text: qsTr("Markdown (.md)…"); onTriggered: root.exportRequested("md") }
                MenuItem { objectName: "exportJson"; text: qsTr("JSON (.json)…"); onTriggered: root.exportRequested("json") }
            }
        }
    }
}
