// The conversation: a header with the model and device, the streaming
// message list, the answer actions and the prompt box.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Waypoint

Rectangle {
    id: root
    required property ChatController controller
    // Switches a turn's alternatives ("1/2") through the saved history; null: no switcher.
    property ChatRecorder chatRecorder: null
    property alias promptBox: prompt
    property alias messageList: list
    // Tint the model's tokens by probability (the header's switch).
    property alias colorTokens: colorSwitch.checked
    signal cardRequested()
    // At the smallest window the header drops its "Device" word and shortens
    // the colour switch's, so that the model's name is not cut to a few letters.
    readonly property bool narrow: width < 720
    signal chooseTokenizerRequested(string checkpoint)

    color: Theme.window

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        // Header: model name, format, device, card.
        Rectangle {
            Layout.fillWidth: true
            implicitHeight: 52
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
                        objectName: "modelTitle"
                        text: root.controller.modelLoaded ? root.controller.modelTitle : qsTr("No checkpoint loaded")
                        font.pointSize: Theme.baseFont.pointSize + 1.5
                        font.weight: Font.DemiBold
                        elide: Text.ElideRight
                    }
                    Label {
                        Layout.fillWidth: true
                        visible: root.controller.modelLoaded
                        text: {
                            const c = root.controller.card
                            const p = c.parameters || 0
                            const ps = p >= 1e9 ? (p / 1e9).toFixed(2) + "B" : p >= 1e6 ? (p / 1e6).toFixed(1) + "M" : (p / 1e3).toFixed(0) + "K"
                            return (c.architecture || "") + " · " + ps + " parameters · " + (c.format || "") + " · " + (c.dtype || "")
                        }
                        font.pointSize: Theme.smallSize
                        color: Theme.mutedText
                        elide: Text.ElideRight
                    }
                }
                Switch {
                    id: colorSwitch
                    objectName: "colorTokensSwitch"
                    Accessible.name: qsTr("Colour tokens by probability")
                    ToolTip.visible: hovered
                    ToolTip.delay: 600
                    ToolTip.text: qsTr("Answers as tokens (instead of Markdown). Red: tokens the model found unlikely; green: near certain. Hover a token for its top 5.")
                }
                Label {
                    // Beside the switch (not its text): the theme's colour in light and dark.
                    text: root.narrow ? qsTr("Colours") : qsTr("Colour by probability")
                    color: Theme.mutedText
                    font.pointSize: Theme.smallSize
                    MouseArea { anchors.fill: parent; onClicked: colorSwitch.toggle() }
                }
                Label { visible: !root.narrow; text: qsTr("Device"); color: Theme.mutedText; font.pointSize: Theme.smallSize }
                ComboBox {
                    id: deviceBox
                    objectName: "deviceBox"
                    model: ["auto"].concat(root.controller.devices)
                    currentIndex: Math.max(0, model.indexOf(root.controller.device))
                    enabled: !root.controller.loading
                    implicitWidth: root.narrow ? 84 : 110
                    Accessible.name: qsTr("Device")
                    onActivated: (i) => root.controller.device = model[i]
                    // Up/Down on the closed list open it: they would reload the model at once.
                    Keys.onUpPressed: popup.open()
                    Keys.onDownPressed: popup.open()
                }
                Button {
                    text: qsTr("Model card")
                    enabled: root.controller.modelLoaded
                    Accessible.name: qsTr("Show the model card")
                    onClicked: root.cardRequested()
                }
            }
        }

        ConversationBar {
            objectName: "conversationBar"
            Layout.fillWidth: true
            controller: root.controller
        }

        // The engine's message when a load or generation failed.
        Rectangle {
            objectName: "errorBanner"
            Layout.fillWidth: true
            Layout.margins: 12
            Layout.bottomMargin: 0
            visible: root.controller.lastError.length > 0
            implicitHeight: errorRow.implicitHeight + 16
            radius: Theme.radius
            color: Theme.errorBackground
            border.color: Theme.error
            RowLayout {
                id: errorRow
                anchors.fill: parent
                anchors.margins: 8
                anchors.leftMargin: 12
                Label {
                    objectName: "errorText"
                    Layout.fillWidth: true
                    text: root.controller.lastError
                    color: Theme.error
                    wrapMode: Text.Wrap
                    textFormat: Text.PlainText
                }
                Button {
                    objectName: "chooseTokenizerButton"
                    visible: root.controller.needsTokenizer
                    text: qsTr("Choose tokenizer…")
                    Accessible.name: qsTr("Choose a tokenizer for %1").arg(root.controller.tokenizerWantedFor)
                    onClicked: root.chooseTokenizerRequested(root.controller.tokenizerWantedFor)
                }
                ToolButton {
                    objectName: "dismissErrorButton"
                    text: "✕"
                    Accessible.name: qsTr("Dismiss error")
                    // The banner goes with the focused button: the prompt takes the focus.
                    onClicked: { const kb = activeFocus; root.controller.clearError(); if (kb) prompt.textArea.forceActiveFocus() }
                }
            }
        }

        ListView {
            id: list
            objectName: "messageList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: root.controller.messages
            spacing: 6
            topMargin: 16
            bottomMargin: 16
            leftMargin: 24
            rightMargin: 24
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar {}
            Accessible.name: qsTr("Conversation")
            // Follow the stream while the view is at the end; stay put when the
            // user scrolled up. A scroll (wheel, drag, flick) stops following as
            // it starts, else the next line of the answer would pull the view
            // back; following resumes when it ends at the end. (At the end:
            // the last message's end in view; positionViewAtEnd leaves the
            // bottom margin out.)
            property bool follow: true
            readonly property bool showsEnd: contentY + height >= originY + contentHeight - 2
            function followStream() { if (follow && !moving) positionViewAtEnd() }
            onMovementStarted: follow = false
            onMovementEnded: follow = showsEnd
            onContentHeightChanged: if (follow) Qt.callLater(followStream)
            onCountChanged: { follow = true; Qt.callLater(followStream) }

            // Opening a chat (all its rows at once: MessageModel.aboutToReplace,
            // the model reset, MessageModel.replaced): the view goes to the end
            // before it makes delegates, so that the first ones made are the
            // last messages, not the first screenful (made, then thrown away).
            // A ListView makes the delegates of new rows where it stands as it
            // applies the reset; with no height and no cache buffer (set before
            // the reset) there is nowhere to put them, so only row 0 is made
            // (the view measures it), and positionViewAtEnd() after the reset
            // makes those of the end, from the last up. The cache buffer comes
            // back once the view is at the end: a delegate that its Markdown
            // makes taller pushes those below it down, and they stay made in
            // the buffer instead of being thrown away and made again when the
            // view follows the end. The delegates made while `opening` (the
            // buffer's, made over the next frames, too) make their Markdown in
            // the background (MessageDelegate).
            property bool opening: false
            property int savedCacheBuffer: 0
            property real openingHeight: 0
            function emptyForOpening() {
                if (!opening) savedCacheBuffer = cacheBuffer
                opening = true
                follow = true
                openingHeight = height
                cacheBuffer = 0
                height = 0
            }
            function openAtEnd() {
                if (height > 0) emptyForOpening()
                forceLayout()
                positionViewAtEnd()
                height = openingHeight
                forceLayout()
                positionViewAtEnd()
                cacheBuffer = savedCacheBuffer
                openedTimer.restart()
            }
            Timer {
                id: openedTimer
                interval: 250
                onTriggered: list.opening = false
            }
            Connections {
                target: root.controller.messages
                function onAboutToReplace() { list.emptyForOpening() }
                function onReplaced() { list.openAtEnd() }
            }

            delegate: MessageDelegate {
                width: ListView.view.width - ListView.view.leftMargin - ListView.view.rightMargin
                markdownInBackground: list.opening
                messages: root.controller.messages
                colorByProbability: root.colorTokens
                canEdit: !root.controller.generating && !root.controller.loading
                canContinue: root.controller.canContinue && index === ListView.view.count - 1
                onEditSubmitted: (row, text) => root.controller.editAndResend(row, text)
                onAlternativeRequested: (row, step) => { if (root.chatRecorder) root.chatRecorder.showAlternative(row, step) }
                onContinueRequested: root.controller.continueAnswer()
                onCopyRequested: (code) => root.controller.copyText(code)
            }

            ColumnLayout {
                anchors.centerIn: parent
                visible: list.count === 0
                spacing: 6
                width: Math.min(parent.width - 64, 460)
                Label {
                    Layout.fillWidth: true
                    horizontalAlignment: Text.AlignHCenter
                    text: root.controller.loading ? qsTr("Loading %1…").arg(root.controller.loadingPath.split("/").pop())
                          : root.controller.modelLoaded ? qsTr("Ask %1 something").arg(root.controller.modelTitle)
                                                        : qsTr("Pick a checkpoint to start")
                    font.pointSize: Theme.titleSize
                    color: Theme.mutedText
                    wrapMode: Text.Wrap
                }
                Label {
                    Layout.fillWidth: true
                    horizontalAlignment: Text.AlignHCenter
                    // No-break spaces inside each hint: a line breaks only between hints.
                    text: qsTr("Enter\u00a0sends · Shift+Enter\u00a0new\u00a0line · Esc\u00a0stops · Ctrl+N\u00a0new\u00a0chat · Ctrl+O\u00a0open")
                    font.pointSize: Theme.smallSize
                    color: Theme.mutedText
                    wrapMode: Text.Wrap
                }
                BusyIndicator {
                    Layout.alignment: Qt.AlignHCenter
                    visible: root.controller.loading
                    running: visible
                }
            }
        }

        // Actions on the answer.
        RowLayout {
            Layout.fillWidth: true
            Layout.leftMargin: 20
            Layout.rightMargin: 20
            spacing: 4
            visible: list.count > 0
            ToolButton {
                text: qsTr("Regenerate")
                enabled: !root.controller.loading && root.controller.modelLoaded
                Accessible.name: qsTr("Regenerate the last answer")
                onClicked: root.controller.regenerate()
            }
            ToolButton {
                text: qsTr("Copy answer")
                Accessible.name: qsTr("Copy the last answer")
                onClicked: root.controller.copyLastAnswer()
            }
            ToolButton {
                text: qsTr("Copy chat")
                Accessible.name: qsTr("Copy the whole conversation")
                onClicked: root.controller.copyConversation()
            }
            Item { Layout.fillWidth: true }
            ToolButton {
                text: qsTr("Clear")
                Accessible.name: qsTr("Clear the conversation")
                onClicked: root.controller.clear()
            }
        }

        PromptBox {
            id: prompt
            Layout.fillWidth: true
            Layout.margins: 16
            Layout.topMargin: 6
            busy: root.controller.generating
            loading: root.controller.loading
            canSend: root.controller.modelLoaded
            onSubmitted: (text) => root.controller.send(text)
            onStopRequested: root.controller.stop()
        }
    }
}
