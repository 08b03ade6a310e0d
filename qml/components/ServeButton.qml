// "Serve this model": a header button that opens a popup with the switch,
// host, port and API key, and, while serving, the URL clients use and the
// live request count. The server is waypoint-server's library (ServeController)
// on the chat's loaded checkpoint, sharing its weights.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Waypoint

Button {
    id: root
    required property ChatController chat
    readonly property ServeController serve: serveController
    objectName: "serveButton"
    flat: true
    text: serveController.running ? qsTr("Serving · %n active", "", serveController.activeRequests)
                                   : qsTr("Serve…")
    Accessible.name: qsTr("Serve this model over a local OpenAI-compatible API")
    onClicked: popup.opened ? popup.close() : popup.open()

    ServeController {
        id: serveController
        checkpoint: root.chat.checkpointPath
        device: root.chat.device
    }

    Popup {
        id: popup
        objectName: "servePopup"
        y: root.height + 4
        x: root.width - width
        width: 360
        padding: Theme.padding
        focus: true  // Tab stays inside; Esc closes it and the focus goes back to the button
        onOpened: toggle.forceActiveFocus(Qt.TabFocusReason)
        background: Rectangle { color: Theme.surface; border.color: Theme.border; radius: Theme.radius }

        ColumnLayout {
            anchors.fill: parent
            spacing: Theme.spacing
            Switch {
                id: toggle
                objectName: "serveSwitch"
                text: qsTr("Serve this model")
                checked: serveController.running
                enabled: !serveController.busy && (root.chat.modelLoaded || serveController.running)
                onToggled: checked ? serveController.start() : serveController.stop()
                Accessible.name: text
            }
            Label {
                Layout.fillWidth: true
                wrapMode: Text.WordWrap
                font.pointSize: Theme.smallSize
                color: Theme.mutedText
                text: serveController.running
                      ? qsTr("Serving %1 (the chat's loaded weights, not a copy).").arg(serveController.servedModel)
                      : root.chat.modelLoaded ? qsTr("An OpenAI-compatible API for %1, as waypoint-server gives.").arg(root.chat.modelName)
                                              : qsTr("Load a checkpoint first.")
            }
            GridLayout {
                columns: 2
                columnSpacing: Theme.spacing
                enabled: !serveController.running && !serveController.busy
                Label { text: qsTr("Host") }
                TextField {
                    objectName: "serveHost"
                    Layout.fillWidth: true
                    text: serveController.host
                    onEditingFinished: serveController.host = text
                    Accessible.name: qsTr("Host")
                }
                Label { text: qsTr("Port") }
                SpinBox {
                    objectName: "servePort"
                    from: 0; to: 65535
                    editable: true
                    value: serveController.port
                    textFromValue: (v) => String(v)  // a port, not a quantity: no digit grouping
                    valueFromText: (t) => parseInt(t)
                    onValueModified: serveController.port = value
                    Accessible.name: qsTr("Port (0: any free one)")
                }
                Label { text: qsTr("API key") }
                TextField {
                    objectName: "serveKey"
                    Layout.fillWidth: true
                    placeholderText: qsTr("none")
                    echoMode: TextInput.PasswordEchoOnEdit
                    text: serveController.apiKey
                    onEditingFinished: serveController.apiKey = text
                    Accessible.name: qsTr("API key")
                }
            }
            TextField {
                objectName: "serveUrl"
                Layout.fillWidth: true
                visible: serveController.running
                readOnly: true
                selectByMouse: true
                text: serveController.url
                Accessible.name: qsTr("Base URL for OpenAI clients")
            }
            Label {
                objectName: "serveCounts"
                visible: serveController.running
                font.pointSize: Theme.smallSize
                text: qsTr("%1 requests in flight, %2 answered").arg(serveController.activeRequests)
                                                                 .arg(serveController.answeredRequests)
            }
            Label {
                objectName: "serveError"
                Layout.fillWidth: true
                visible: serveController.error.length > 0
                wrapMode: Text.WordWrap
                color: Theme.error
                text: serveController.error
            }
        }
    }
}
