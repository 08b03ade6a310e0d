// The prompt editor: Enter (or Ctrl+Enter) sends, Shift+Enter starts a new
// line; Tab and Shift+Tab move the focus on (a prompt has no use for a tab
// character). While a checkpoint loads it is disabled; while an answer streams the
// Send button becomes Stop.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Waypoint

Rectangle {
    id: root
    property bool busy: false        // an answer is streaming
    property bool loading: false     // a checkpoint is loading
    property bool canSend: true      // a model is there to answer
    property alias text: area.text
    property alias textArea: area
    signal submitted(string text)
    signal stopRequested()

    function submit() {
        const t = area.text
        if (root.busy || root.loading || !root.canSend || t.trim().length === 0) return false
        root.submitted(t)
        area.clear()
        return true
    }

    implicitHeight: Math.min(Math.max(area.implicitHeight, 40), 180) + 2 * 8
    radius: Theme.radius + 2
    color: Theme.surface
    border.color: area.activeFocus ? Theme.accent : Theme.border
    border.width: area.activeFocus ? 2 : 1

    RowLayout {
        anchors.fill: parent
        anchors.margins: 8
        spacing: 8

        ScrollView {
            Layout.fillWidth: true
            Layout.fillHeight: true
            TextArea {
                id: area
                objectName: "promptArea"
                enabled: !root.loading
                wrapMode: TextArea.Wrap
                selectByMouse: true
                placeholderText: root.loading ? qsTr("Loading checkpoint…")
                                              : qsTr("Write a prompt — Enter sends, Shift+Enter adds a line")
                background: null
                Accessible.name: qsTr("Prompt")
                Keys.onPressed: (event) => {
                    if (event.key === Qt.Key_Tab && !(event.modifiers & Qt.ShiftModifier)) {
                        event.accepted = true
                        const next = area.nextItemInFocusChain(true)
                        if (next) next.forceActiveFocus(Qt.TabFocusReason)
                        return
                    }
                    if (event.key !== Qt.Key_Return && event.key !== Qt.Key_Enter) return
                    if (event.modifiers & Qt.ShiftModifier) return  // TextArea inserts the newline
                    event.accepted = true
                    root.submit()
                }
            }
        }
        Button {
            id: sendButton
            objectName: "sendButton"
            Layout.alignment: Qt.AlignBottom
            text: root.busy ? qsTr("Stop") : qsTr("Send")
            highlighted: !root.busy
            enabled: root.busy || (!root.loading && root.canSend && area.text.trim().length > 0)
            Accessible.name: root.busy ? qsTr("Stop generating") : qsTr("Send prompt")
            onClicked: root.busy ? root.stopRequested() : root.submit()
        }
    }
}
