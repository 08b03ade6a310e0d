// One turn of the conversation. The user's turns sit right in a tinted
// bubble and can be edited and sent again; the model's turns, under the name
// of the checkpoint that wrote them, take the width: Markdown once whole (code
// blocks with a Copy button), tokens while streaming or when coloured by
// probability (TokenText: hover a token for its probability). A turn with
// alternatives (edited, regenerated, continued) shows "‹ 1/2 ›" to switch.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Waypoint

Item {
    id: root
    required property int index
    required property string role
    required property string text
    required property bool streaming
    required property string stats
    required property string author  // the model that wrote this answer ("" for the user's turns)
    required property string finish
    required property int alternative
    required property int alternatives
    required property string notice
    required property var blocks
    // Where the tokens are (the view's MessageModel), and whether to colour them.
    property MessageModel messages: null
    property bool colorByProbability: false
    // The last row, when the conversation is idle: Continue is offered there.
    property bool canContinue: false
    // Whether editing and switching alternatives are possible now (not while an answer streams).
    property bool canEdit: true
    readonly property bool isUser: role === "user"
    readonly property bool showMarkdown: !isUser && !streaming && !colorByProbability && text.length > 0
    // An answer that streamed in this delegate turns into Markdown in the
    // background (the Loader is asynchronous, its pieces made over several
    // frames) while its tokens stay on show: no stall when a long answer ends.
    // So do the saved answers of the delegates made while the view opens a
    // chat (markdownInBackground, the value the delegate was made with:
    // opening a long chat makes several at once). Saved answers scrolled
    // into view later show Markdown at once (no bubble changing its height
    // as it scrolls in).
    property bool streamedHere: false
    property bool markdownInBackground: false
    onStreamingChanged: if (streaming) streamedHere = true
    Component.onCompleted: {
        streamedHere = streaming
        markdownInBackground = markdownInBackground  // kept, not bound: a load in progress stays asynchronous
    }
    readonly property bool markdownShown: showMarkdown && markdown.status === Loader.Ready
    property bool editing: false
    property bool editorMade: false

    signal editSubmitted(int row, string text)
    signal alternativeRequested(int row, int step)
    signal continueRequested()
    signal copyRequested(string text)

    implicitHeight: column.implicitHeight + 14

    // What only some turns use (the editor, the "1/2" switcher, Edit,
    // Continue, the streaming caret) is made by a Loader when first needed:
    // opening a long chat makes a screenful of delegates in one step, and
    // each control made up front would be paid for in every one of them.
    function startEditing() {
        editorMade = true  // makes the editor (editorLoader), synchronously
        editing = true
        const editor = editorLoader.item.editor
        editor.text = root.text
        editor.forceActiveFocus()
        editor.cursorPosition = editor.length
    }
    // Back to the message, the focus on its Edit button (not lost with the
    // hidden editor).
    function cancelEditing() {
        const box = editorLoader.item
        const hadFocus = box && (box.editor.activeFocus || box.cancelButton.activeFocus)
        editing = false
        if (hadFocus && editButton.item) editButton.item.forceActiveFocus(Qt.TabFocusReason)
    }
    function submitEdit() {
        const text = editorLoader.item.editor.text
        if (text.trim().length === 0) return
        editing = false
        root.editSubmitted(root.index, text)
    }

    ColumnLayout {
        id: column
        spacing: 3
        width: root.isUser && !root.editing ? Math.min(implicitWidthOfBubble(), root.width * 0.78) : root.width
        anchors.right: root.isUser ? parent.right : undefined
        anchors.left: root.isUser ? undefined : parent.left

        function implicitWidthOfBubble() { return Math.max(140, metrics.advanceWidth + 2 * 14 + 4) }
        // Only user bubbles size to their text; a long streaming answer is not measured per frame.
        TextMetrics { id: metrics; text: root.isUser ? root.text : ""; font: body.font }

        RowLayout {
            Layout.alignment: root.isUser ? Qt.AlignRight : Qt.AlignLeft
            spacing: 2
            Label {
                objectName: "authorLabel"
                renderType: Theme.textRenderType
                // Which checkpoint answered: a chat may span several.
                text: root.isUser ? qsTr("You") : root.author.length > 0 ? root.author : qsTr("Model")
                font.pointSize: Theme.smallSize
                font.weight: Font.DemiBold
                color: Theme.mutedText
            }
            // "‹ 1/2 ›": the turn's alternatives (each with its own continuation).
            Loader {
                objectName: "branchSwitcher"
                visible: root.alternatives > 1
                active: visible
                sourceComponent: RowLayout {
                    spacing: 0
                    ToolButton {
                        objectName: "previousAlternative"
                        text: "‹"
                        enabled: root.canEdit && root.alternative > 0
                        implicitWidth: 24
                        implicitHeight: 22
                        Accessible.name: qsTr("Previous version")
                        onClicked: root.alternativeRequested(root.index, -1)
                    }
                    Label {
                        objectName: "alternativeLabel"
                        renderType: Theme.textRenderType
                        text: (root.alternative + 1) + "/" + root.alternatives
                        font.pointSize: Theme.smallSize
                        color: Theme.mutedText
                    }
                    ToolButton {
                        objectName: "nextAlternative"
                        text: "›"
                        enabled: root.canEdit && root.alternative < root.alternatives - 1
                        implicitWidth: 24
                        implicitHeight: 22
                        Accessible.name: qsTr("Next version")
                        onClicked: root.alternativeRequested(root.index, +1)
                    }
                }
            }
            Loader {
                id: editButton
                active: root.isUser
                visible: active && !root.editing
                sourceComponent: ToolButton {
                    objectName: "editButton"
                    // Shown on hover or keyboard focus; kept in the layout (opacity,
                    // not visible) so that Tab reaches it.
                    opacity: hover.hovered || activeFocus ? 1 : 0
                    enabled: root.canEdit
                    text: qsTr("Edit")
                    font.pointSize: Theme.smallSize
                    implicitHeight: 22
                    Accessible.name: qsTr("Edit this message and send it again")
                    onClicked: root.startEditing()
                }
            }
        }
        Rectangle {
            Layout.fillWidth: true
            visible: !root.editing
            implicitHeight: (root.markdownShown ? markdown.implicitHeight : body.implicitHeight) + 20
            radius: Theme.radius + 2
            color: root.isUser ? Theme.userBubble : Theme.modelBubble
            border.color: root.isUser ? "transparent" : Theme.border

            TokenText {
                id: body
                objectName: "messageText"
                visible: !root.markdownShown
                x: 14
                y: 10
                width: parent.width - 28
                // The model's answers: hover or select a token for its probability.
                messages: root.isUser ? null : root.messages
                row: root.index
                colorByProbability: root.colorByProbability
                sourceText: root.text.length === 0 && root.streaming ? "…" : root.text
                Accessible.role: Accessible.StaticText
                Accessible.name: (root.isUser ? qsTr("You: ") : qsTr("Model: ")) + root.text
            }
            Loader {
                id: markdown
                objectName: "markdownLoader"
                active: root.showMarkdown
                asynchronous: root.streamedHere || root.markdownInBackground
                visible: root.markdownShown
                x: 14
                y: 10
                width: parent.width - 28
                sourceComponent: MarkdownAnswer {
                    blocks: root.blocks
                    onCopyRequested: (code) => root.copyRequested(code)
                }
            }
            Loader {
                // the streaming caret, after the last character
                active: root.streaming
                readonly property rect last: active ? body.positionToRectangle(body.length) : Qt.rect(0, 0, 0, 0)
                x: body.x + last.x + 2
                y: body.y + last.y + 2
                sourceComponent: Rectangle {
                    implicitWidth: 7
                    implicitHeight: Math.max(10, parent.last.height - 4)
                    radius: 1
                    color: Theme.accent
                    SequentialAnimation on opacity {
                        loops: Animation.Infinite
                        NumberAnimation { to: 0.2; duration: 450 }
                        NumberAnimation { to: 1; duration: 450 }
                    }
                }
            }
        }
        // Editing a user turn: Enter (or Send) answers it again, Esc cancels.
        // Made when first opened, then kept (its focus and text survive Esc).
        Loader {
            id: editorLoader
            Layout.fillWidth: true
            active: root.editorMade
            visible: root.editing
            sourceComponent: ColumnLayout {
                property alias editor: editor
                property alias cancelButton: cancelEditButton
                spacing: 4
                TextArea {
                    id: editor
                    objectName: "messageEditor"
                    Layout.fillWidth: true
                    wrapMode: TextEdit.Wrap
                    Accessible.name: qsTr("Edit your message")
                    Keys.onReturnPressed: (event) => {
                        if (event.modifiers & Qt.ShiftModifier) event.accepted = false
                        else root.submitEdit()
                    }
                    Keys.onEscapePressed: root.cancelEditing()
                }
                RowLayout {
                    Layout.alignment: Qt.AlignRight
                    Button {
                        id: cancelEditButton
                        objectName: "cancelEditButton"
                        text: qsTr("Cancel")
                        onClicked: root.cancelEditing()
                    }
                    Button {
                        objectName: "sendEditButton"
                        text: qsTr("Send")
                        highlighted: true
                        enabled: editor.text.trim().length > 0
                        Accessible.name: qsTr("Send the edited message; the answer after it is replaced, the old one kept")
                        onClicked: root.submitEdit()
                    }
                }
            }
        }
        Label {
            objectName: "noticeLabel"
            renderType: Theme.textRenderType
            Layout.fillWidth: true
            visible: root.notice.length > 0
            wrapMode: Text.Wrap
            text: root.notice
            font.pointSize: Theme.smallSize
            color: Theme.warning
        }
        RowLayout {
            Layout.fillWidth: true
            spacing: 6
            Label {
                objectName: "statsLabel"
                renderType: Theme.textRenderType
                Layout.fillWidth: true
                visible: root.stats.length > 0
                wrapMode: Text.Wrap
                text: root.stats
                font.pointSize: Theme.smallSize
                color: Theme.mutedText
            }
            Loader {
                active: root.canContinue && root.finish === "length"
                visible: active
                sourceComponent: Button {
                    objectName: "continueButton"
                    text: qsTr("Continue")
                    Accessible.name: qsTr("Continue this answer where the token limit cut it")
                    onClicked: root.continueRequested()
                }
            }
        }
    }
    HoverHandler { id: hover }
}
