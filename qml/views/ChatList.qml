// The saved chats, most recently used first: New, a search over titles and
// message text, rename in place (double-click or F2), delete with an Undo bar.
// Choosing a chat emits chatChosen; the window loads it into the conversation.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Waypoint

Rectangle {
    id: root
    required property ChatHistory history
    // The chat on show (0: none yet).
    property real currentChatId: 0
    property alias searchField: search
    property alias list: list
    signal chatChosen(real chatId)
    signal newChatRequested()
    // The chat on show was deleted (the window clears the conversation).
    signal currentChatDeleted()

    color: Theme.sidebar
    Accessible.role: Accessible.Pane
    Accessible.name: qsTr("Chats")

    function deleteChat(chatId) {
        const wasCurrent = chatId === root.currentChatId
        root.history.deleteChat(chatId)
        if (wasCurrent) root.currentChatDeleted()
    }
    function exportCurrent(format) {
        if (root.currentChatId === 0) return
        exportStatus.text = ""
        root.history.exportChat(root.currentChatId, root.history.exportPathFor(root.currentChatId, format))
    }

    function startRename(row) {
        list.currentIndex = row
        if (list.currentItem) list.currentItem.editing = true
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.padding
        spacing: Theme.spacing

        RowLayout {
            Layout.fillWidth: true
            SectionLabel { text: qsTr("Chats"); Layout.fillWidth: true }
            Button {
                id: exportButton
                objectName: "exportButton"
                text: qsTr("Export")
                enabled: root.currentChatId !== 0
                Accessible.name: qsTr("Export the chat on show")
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Save the chat on show as Markdown or JSON in Documents/Waypoint chats")
                onClicked: exportMenu.open()
                Menu {
                    id: exportMenu
                    y: exportButton.height
                    MenuItem { objectName: "exportMarkdown"; text: qsTr("As Markdown (.md)"); onTriggered: root.exportCurrent("markdown") }
                    MenuItem { objectName: "exportJson"; text: qsTr("As JSON (.json)"); onTriggered: root.exportCurrent("json") }
                }
            }
            Button {
                objectName: "newChatButton"
                text: qsTr("New chat")
                Accessible.name: qsTr("New chat")
                onClicked: root.newChatRequested()
            }
        }

        // The history file was unreadable and set aside, or cannot be kept.
        Label {
            objectName: "historyNotice"
            Layout.fillWidth: true
            visible: root.history.notice.length > 0 || root.history.lastError.length > 0
            text: root.history.lastError.length > 0 ? root.history.lastError : root.history.notice
            wrapMode: Text.Wrap
            color: Theme.warning
            font.pointSize: Theme.smallSize
        }

        // Where the last export went, or why it failed.
        Label {
            id: exportStatus
            objectName: "exportStatus"
            Layout.fillWidth: true
            visible: text.length > 0
            wrapMode: Text.Wrap
            font.pointSize: Theme.smallSize
            property bool failed: false
            color: failed ? Theme.error : Theme.mutedText
            Connections {
                target: root.history
                function onExportFinished(chatId, path, error) {
                    exportStatus.failed = error.length > 0
                    exportStatus.text = error.length > 0 ? error : qsTr("Saved to %1").arg(path)
                }
            }
        }

        TextField {
            id: search
            objectName: "chatSearch"
            Layout.fillWidth: true
            placeholderText: qsTr("Search chats")
            Accessible.name: qsTr("Search chats by title or text")
            selectByMouse: true
            onTextChanged: root.history.chats.searchText = text
            Keys.onEscapePressed: text = ""
        }

        ListView {
            id: list
            objectName: "chatListView"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: root.history.chats
            spacing: 2
            keyNavigationEnabled: true
            ScrollBar.vertical: ScrollBar {}

            delegate: ItemDelegate {
                id: row
                required property int index
                required property real chatId
                required property string title
                required property string checkpoint
                required property date lastUsed
                property bool editing: false
                readonly property bool current: chatId === root.currentChatId

                objectName: "chatRow_" + index
                width: ListView.view.width
                highlighted: current
                Accessible.name: title
                onClicked: { list.currentIndex = index; root.chatChosen(chatId) }
                onDoubleClicked: editing = true
                Keys.onPressed: (event) => {
                    if (event.key === Qt.Key_F2) { editing = true; event.accepted = true }
                    else if (event.key === Qt.Key_Delete) { root.deleteChat(chatId); event.accepted = true }
                }

                contentItem: RowLayout {
                    spacing: Theme.spacing
                    ColumnLayout {
                        Layout.fillWidth: true
                        spacing: 1
                        Label {
                            Layout.fillWidth: true
                            visible: !row.editing
                            text: row.title
                            elide: Text.ElideRight
                            font.weight: row.current ? Font.DemiBold : Font.Normal
                            color: row.highlighted ? Theme.accentText : Theme.text
                        }
                        TextField {
                            id: editor
                            objectName: "renameField"
                            Layout.fillWidth: true
                            visible: row.editing
                            text: row.title
                            selectByMouse: true
                            Accessible.name: qsTr("New name for the chat")
                            onVisibleChanged: if (visible) { text = row.title; selectAll(); forceActiveFocus() }
                            onAccepted: { root.history.renameChat(row.chatId, text); row.editing = false }
                            onActiveFocusChanged: if (!activeFocus && row.editing) row.editing = false
                            Keys.onEscapePressed: row.editing = false
                        }
                        Label {
                            Layout.fillWidth: true
                            text: {
                                const name = row.checkpoint.split("/").filter(p => p.length > 0).pop() || ""
                                const when = row.lastUsed.toLocaleString(Qt.locale(), Locale.ShortFormat)
                                return name.length > 0 ? when + " · " + name : when
                            }
                            elide: Text.ElideRight
                            font.pointSize: Theme.smallSize
                            color: row.highlighted ? Theme.accentText : Theme.mutedText
                        }
                    }
                    ToolButton {
                        objectName: "deleteChatButton"
                        text: "✕"
                        visible: row.hovered || row.current || row.activeFocus
                        Accessible.name: qsTr("Delete chat %1").arg(row.title)
                        ToolTip.visible: hovered
                        ToolTip.text: qsTr("Delete (Undo is offered below)")
                        onClicked: root.deleteChat(row.chatId)
                    }
                }
            }

            Label {
                anchors.centerIn: parent
                width: parent.width - 2 * Theme.padding
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.Wrap
                visible: list.count === 0 && !root.history.chats.searching
                text: search.text.length > 0 ? qsTr("No chat has “%1” in its title or text.").arg(search.text)
                                              : qsTr("No saved chats yet. Each conversation is kept here.")
                color: Theme.mutedText
            }
        }

        // Undo for the last deletion, for a while after it.
        Rectangle {
            id: undoBar
            objectName: "undoBar"
            Layout.fillWidth: true
            implicitHeight: undoRow.implicitHeight + Theme.spacing
            visible: shown && root.history.canUndoDelete
            property bool shown: false
            radius: Theme.radius
            color: Theme.surface
            border.color: Theme.border
            Connections {
                target: root.history
                function onUndoChanged() { undoBar.shown = root.history.canUndoDelete; undoTimer.restart() }
            }
            Timer { id: undoTimer; interval: 10000; onTriggered: undoBar.shown = false }
            RowLayout {
                id: undoRow
                anchors.fill: parent
                anchors.leftMargin: Theme.spacing
                Label {
                    Layout.fillWidth: true
                    text: qsTr("Deleted “%1”").arg(root.history.undoTitle)
                    elide: Text.ElideRight
                }
                Button {
                    objectName: "undoButton"
                    text: qsTr("Undo")
                    flat: true
                    onClicked: root.history.undoDelete()
                }
            }
        }
    }
}
