// A model answer whose tokens can be inspected: hovering a token,
// or clicking / moving the cursor onto it (keyboard, touch), shows its
// probability and the sampler's top 5 alternatives; `colorByProbability`
// tints every token by its probability. Takes a MessageModel and a row, so
// the chat and the compare panes show answers the same way.
//
// Streaming: new text is inserted at the end (TextEdit.insert), never re-set
// as a whole, so a long answer costs only the new characters per frame; the
// highlighter then re-colours just the paragraph that grew.
import QtQuick
import QtQuick.Controls
import Waypoint

TextEdit {
    id: root
    property MessageModel messages: null
    property int row: -1
    // The row's text (the model's text role); appended to, or replaced when it is not a continuation.
    property string sourceText: ""
    property bool colorByProbability: false

    // The token under the mouse, else the one at the cursor while focused; -1 for none.
    property int hoveredToken: -1
    property int cursorToken: -1
    readonly property int shownToken: hoveredToken >= 0 ? hoveredToken : cursorToken
    // messages.tokenAt(row, shownToken): a tokenInfo (TokenValue: valid, index, id, text, probability,
    // start, length, alternatives).
    readonly property var shownData: shownToken >= 0 && messages ? messages.tokenAt(row, shownToken) : ({})
    // The token popup, null until a token was first shown.
    readonly property Popup popup: popupLoader.item

    function tokenAtPosition(x, y) {
        if (!messages || row < 0 || length === 0) return -1
        const pos = positionAt(x, y)
        // positionAt gives the nearest caret position: the character is the one
        // after it, unless the point lies left of that caret (then the one before).
        const r = positionToRectangle(pos)
        const charPos = x < r.x && pos > 0 ? pos - 1 : pos
        const next = charPos < length ? positionToRectangle(charPos + 1) : r
        // Past the end of a line (or of the text): no token.
        if (charPos >= length || (x > next.x + 2 && next.y === positionToRectangle(charPos).y)) return -1
        return messages.tokenIndexAtCharacter(row, charPos)
    }

    function syncText() {
        const shown = text
        if (sourceText.length > shown.length && sourceText.startsWith(shown))
            insert(shown.length, sourceText.substring(shown.length))
        else if (sourceText !== shown)
            text = sourceText
    }
    onSourceTextChanged: syncText()
    Component.onCompleted: syncText()

    // PlainText: a model's "<b>" is shown, not rendered.
    textFormat: TextEdit.PlainText
    renderType: Theme.textRenderType
    wrapMode: TextEdit.Wrap
    readOnly: true
    selectByMouse: true
    selectByKeyboard: true
    activeFocusOnPress: true
    color: Theme.text
    selectionColor: Theme.accent
    selectedTextColor: Theme.accentText
    font: Theme.baseFont

    onCursorPositionChanged: {
        if (!activeFocus || !messages) return
        const pos = selectionStart !== selectionEnd ? selectionStart : cursorPosition
        cursorToken = messages.tokenIndexAtCharacter(row, pos)
    }
    onActiveFocusChanged: if (!activeFocus) cursorToken = -1
    Keys.onEscapePressed: (event) => { event.accepted = cursorToken >= 0; cursorToken = -1 }

    TokenHighlighter {
        textDocument: root.textDocument
        model: root.messages
        row: root.row
        active: root.colorByProbability
    }

    // Hover only: clicks and drags go through to the TextEdit (selection, cursor).
    MouseArea {
        objectName: "tokenHoverArea"
        anchors.fill: parent
        hoverEnabled: true
        acceptedButtons: Qt.NoButton
        cursorShape: Qt.IBeamCursor
        onPositionChanged: (mouse) => root.hoveredToken = root.tokenAtPosition(mouse.x, mouse.y)
        onExited: root.hoveredToken = -1
    }

    // Made on the first hover or cursor stop, then kept: most answers are
    // never inspected, and a chat makes many of them at once.
    onShownTokenChanged: if (shownToken >= 0) popupLoader.active = true
    Loader {
        id: popupLoader
        active: false
        sourceComponent: Popup {
            id: popup
            objectName: "tokenPopup"
            parent: root
            readonly property var info: root.shownData
            readonly property rect anchorRect: info.valid ? root.positionToRectangle(info.start) : Qt.rect(0, 0, 0, 0)
            visible: root.shownToken >= 0 && info.valid === true
            // Below the token's line, so the pointer keeps hovering the text.
            x: Math.max(0, Math.min(anchorRect.x, root.width - width))
            y: anchorRect.y + anchorRect.height + 4
            padding: 10
            closePolicy: Popup.NoAutoClose
            focus: false
            background: Rectangle {
                color: Theme.window
                border.color: Theme.border
                radius: Theme.radius
            }
            function percent(p) { return p === undefined ? "" : (100 * p).toFixed(p < 0.001 ? 3 : 1) + "%" }
            // Spaces and newlines made visible: "␣the", "↵".
            function visible_(s) { return (s || "").replace(/ /g, "␣").replace(/\n/g, "↵").replace(/\t/g, "⇥") }

            // Positioners, not layouts: the alternatives' Repeater replaces its
            // rows whenever another token is shown, often in the same binding
            // update that opens the popup, and Qt 6.4's layouts then lay out
            // the rows just deleted (a crash seen with the pointer resting on
            // a streaming answer).
            contentItem: Column {
                spacing: 4
                Accessible.role: Accessible.ToolTip
                Accessible.name: popup.info.valid
                                 ? qsTr("Token %1, probability %2").arg(JSON.stringify(popup.info.text)).arg(popup.percent(popup.info.probability))
                                 : ""
                Row {
                    spacing: 8
                    Label {
                        objectName: "tokenPopupText"
                        text: popup.visible_(popup.info.text)
                        font.family: "monospace"
                        font.weight: Font.DemiBold
                        textFormat: Text.PlainText
                    }
                    Label {
                        objectName: "tokenPopupProbability"
                        text: popup.percent(popup.info.probability)
                        color: Theme.mutedText
                    }
                    Label {
                        text: qsTr("id %1").arg(popup.info.id)
                        color: Theme.mutedText
                        font.pointSize: Theme.smallSize
                    }
                }
                Label {
                    text: qsTr("Top alternatives (after temperature)")
                    color: Theme.mutedText
                    font.pointSize: Theme.smallSize
                }
                Repeater {
                    objectName: "tokenPopupAlternatives"
                    model: popup.info.alternatives || []
                    delegate: Row {
                        required property var modelData
                        readonly property string altText: popup.visible_(modelData.text)
                        readonly property real altProbability: modelData.probability
                        spacing: 8
                        Label {
                            width: 90
                            anchors.verticalCenter: parent.verticalCenter
                            text: parent.altText
                            font.family: "monospace"
                            font.weight: modelData.chosen ? Font.Bold : Font.Normal
                            elide: Text.ElideRight
                            textFormat: Text.PlainText
                        }
                        Rectangle {
                            width: 80
                            height: 8
                            anchors.verticalCenter: parent.verticalCenter
                            radius: 2
                            color: Theme.border
                            Rectangle {
                                width: parent.width * Math.max(0, Math.min(1, modelData.probability))
                                height: parent.height
                                radius: 2
                                color: modelData.chosen ? Theme.accent : Theme.mutedText
                            }
                        }
                        Label {
                            width: 52
                            anchors.verticalCenter: parent.verticalCenter
                            horizontalAlignment: Text.AlignRight
                            text: popup.percent(modelData.probability)
                            font.pointSize: Theme.smallSize
                        }
                    }
                }
            }
        }
    }
}
