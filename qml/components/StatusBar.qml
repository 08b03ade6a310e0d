// Device in use, what the app is doing, and the last answer's speed.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Waypoint

Rectangle {
    id: root
    required property ChatController controller
    implicitHeight: 28
    color: Theme.sidebar
    Rectangle { width: parent.width; height: 1; color: Theme.border }

    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: 12
        anchors.rightMargin: 12
        spacing: 18
        Label {
            objectName: "statusDevice"
            text: qsTr("Device: %1").arg(root.controller.card.device || root.controller.device)
            font.pointSize: Theme.smallSize
        }
        Label {
            objectName: "statusState"
            Layout.fillWidth: true
            elide: Text.ElideRight
            font.pointSize: Theme.smallSize
            color: root.controller.loading || root.controller.generating ? Theme.accent : Theme.mutedText
            text: root.controller.loading ? qsTr("Loading %1…").arg(root.controller.loadingPath)
                  : root.controller.generating ? qsTr("Generating…")
                  : root.controller.modelLoaded ? qsTr("Ready") : qsTr("No checkpoint")
        }
        Label {
            objectName: "statusSpeed"
            visible: root.controller.lastNewTokens > 0
            font.pointSize: Theme.smallSize
            text: qsTr("%1 tok/s").arg(root.controller.tokensPerSecond.toFixed(1))
        }
        Label {
            objectName: "statusTtft"
            visible: root.controller.lastNewTokens > 0
            font.pointSize: Theme.smallSize
            text: qsTr("first token %1 ms").arg(root.controller.timeToFirstTokenMs.toFixed(0))
        }
        Label {
            visible: root.controller.lastNewTokens > 0
            font.pointSize: Theme.smallSize
            color: Theme.mutedText
            text: qsTr("%1 tokens, %2").arg(root.controller.lastNewTokens).arg(root.controller.lastFinish)
        }
    }
}
