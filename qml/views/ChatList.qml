// The saved chats, most recently used first: New, a search over titles and
// message text, rename in place (double-click or F2), delete with an Undo bar,
// export of the chat on show through the save dialog (a typed file name).
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
    // Asks where (a folder and a typed file name, new or existing: replacing
    // asks first), then writes the chat on show. format: "md" | "json".
    function exportCurrent(format) {
        if (root.currentChatId === 0) return
        exportStatus.text = ""
        exportDialog.chatId = root.currentChatId
        exportDialog.suffix = format
        exportDialog.fileName = root.history.exportFileNameFor(root.currentChatId, format === "json" ? "json" : "markdown",
                                                               exportDialog.folder)
        exportDialog.open()
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
                // A chat to export: one on show that is still saved (none
                // when the list is empty or the chat on show was deleted).
                enabled: root.currentChatId !== 0 && root.history.chats.count >= 0
                         && root.history.chat(root.currentChatId).chatId !== undefined
                Accessible.name: qsTr("Export the chat on show")
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Save the chat on show as Markdown or JSON, to a file you name")
                onClicked: exportMenu.open()
                Menu {
                    id: exportMenu
                    y: exportButton.height
                    MenuItem { objectName: "exportMarkdown"; text: qsTr("As Markdown (.md)…"); onTriggered: root.exportCurrent("md") }
                    MenuItem { objectName: "exportJson"; text: qsTr("As JSON (.json)…"); onTriggered: root.exportCurrent("json") }
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
            Keys.onDownPressed: list.forceActiveFocus(Qt.TabFocusReason)  // on to the results
        }

        ListView {
            id: list
            objectName: "chatListView"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: root.history.chats
            spacing: 2
            // One Tab stop, as the checkpoint list: Up/Down/Home/End move the
            // cursor (the framed row), Enter or Space opens the chat, F2
            // renames it, Delete deletes it (Ctrl+Z undoes), Up on the first
            // row goes back to the search.
            activeFocusOnTab: true
            keyNavigationEnabled: true
            highlightMoveDuration: 0
            ScrollBar.vertical: ScrollBar {}
            // The cursor starts on the chat on show.
            function placeCursor() {
                const shown = root.history.chats.rowOf(root.currentChatId)
                if (shown >= 0) currentIndex = shown
                else if (currentIndex < 0 || currentIndex >= count) currentIndex = count > 0 ? 0 : -1
            }
            Connections { target: root; function onCurrentChatIdChanged() { list.placeCursor() } }
            onActiveFocusChanged: if (activeFocus && (currentIndex < 0 || currentIndex >= count)) placeCursor()
            Keys.onPressed: (event) => {
                const item = list.currentItem
                if (event.key === Qt.Key_Up && list.currentIndex <= 0) {
                    search.forceActiveFocus(Qt.BacktabFocusReason)
                } else if (event.key === Qt.Key_Home && list.count > 0) {
                    list.currentIndex = 0
                } else if (event.key === Qt.Key_End && list.count > 0) {
                    list.currentIndex = list.count - 1
                } else if (event.matches(StandardKey.Undo) && root.history.canUndoDelete) {
                    root.history.undoDelete()
                } else if (!item || item.editing) {
                    return
                } else if (event.key === Qt.Key_Return || event.key === Qt.Key_Enter || event.key === Qt.Key_Space) {
                    root.chatChosen(item.chatId)
                } else if (event.key === Qt.Key_F2) {
                    item.editing = true
                } else if (event.key === Qt.Key_Delete) {
                    root.deleteChat(item.chatId)
                } else {
                    return
                }
                event.accepted = true
            }

            delegate: ItemDelegate {
                id: row
                required property int index
                required property real chatId
                required property string title
                required property string checkpoint
                required property date lastUsed
                property bool editing: false
                readonly property bool current: chatId === root.currentChatId
                // Back to the list (the keyboard cursor stays on this row).
                function stopEditing() {
                    editor.focus = false  // else the list's focus scope hands the focus back to the hidden field
                    editing = false
                    list.forceActiveFocus(Qt.OtherFocusReason)
                }

                readonly property bool cursorHere: list.activeFocus && ListView.isCurrentItem

                objectName: "chatRow_" + index
                width: ListView.view.width
                highlighted: current
                focusPolicy: Qt.NoFocus  // the list is the Tab stop; its keys act on this row
                Accessible.name: title
                onClicked: { list.currentIndex = index; root.chatChosen(chatId) }
                onDoubleClicked: editing = true
                FocusFrame {
                    objectName: "chatCursor"
                    visible: row.cursorHere
                    frameColor: row.highlighted ? Theme.accentText : Theme.accent
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
                            onAccepted: { root.history.renameChat(row.chatId, text); row.stopEditing() }
                            onActiveFocusChanged: if (!activeFocus && row.editing) row.editing = false
                            Keys.onEscapePressed: row.stopEditing()
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
                        visible: row.hovered || row.current || row.cursorHere
                        focusPolicy: Qt.NoFocus  // Delete on the row does it from the keyboard
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
                    ToolTip.visible: hovered || visualFocus
                    ToolTip.text: qsTr("Or Ctrl+Z in the chat list")
                    onClicked: root.history.undoDelete()
                }
            }
        }
    }

    SaveFileDialog {
        id: exportDialog
        objectName: "chatExportDialog"
        property real chatId: 0
        folder: root.history.exportFolder()  // then the folder last saved to
        title: suffix === "json" ? qsTr("Export the chat as JSON") : qsTr("Export the chat as Markdown")
        onSaveRequested: (path) => root.history.exportChat(chatId, path)
    }
}
