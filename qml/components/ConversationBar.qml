// Above the conversation: how it becomes the prompt (the checkpoint's chat
// template, one running text, or a "User: / Assistant:" transcript with
// editable labels; chosen per checkpoint and remembered), whether the model
// has a chat template at all, and the chat's system prompt.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Waypoint

Rectangle {
    id: root
    required property ChatController controller
    readonly property var modes: ["template", "completion", "transcript"]
    property bool systemOpen: controller.systemPrompt.length > 0

    implicitHeight: column.implicitHeight + 12

    // Typing and choosing break the fields' bindings: follow the controller
    // when another checkpoint (its remembered mode) or another chat comes.
    Connections {
        target: root.controller
        function onPromptModeChanged() {
            modeBox.currentIndex = Math.max(0, root.modes.indexOf(root.controller.promptMode))
            userField.text = root.controller.userLabel
            assistantField.text = root.controller.assistantLabel
        }
        function onSystemPromptChanged() {
            if (systemField.text !== root.controller.systemPrompt) systemField.text = root.controller.systemPrompt
            if (root.controller.systemPrompt.length > 0) root.systemOpen = true
        }
    }
    color: Theme.window
    Rectangle { anchors.bottom: parent.bottom; width: parent.width; height: 1; color: Theme.border }

    ColumnLayout {
        id: column
        x: 20
        y: 6
        width: parent.width - 32
        spacing: 4
        RowLayout {
            Layout.fillWidth: true
            spacing: 8
            Label { text: qsTr("Prompt"); color: Theme.mutedText; font.pointSize: Theme.smallSize }
            ComboBox {
                id: modeBox
                objectName: "promptModeBox"
                model: [qsTr("Chat template"), qsTr("Completion"), qsTr("Transcript")]
                currentIndex: Math.max(0, root.modes.indexOf(root.controller.promptMode))
                enabled: root.controller.modelLoaded
                implicitWidth: 150
                Accessible.name: qsTr("How the conversation becomes the prompt")
                onActivated: (i) => root.controller.promptMode = root.modes[i]
                // Up/Down on the closed list open it: a person tabbing past
                // would otherwise change how the chat is prompted.
                Keys.onUpPressed: popup.open()
                Keys.onDownPressed: popup.open()
            }
            TextField {
                id: userField
                objectName: "userLabelField"
                visible: root.controller.promptMode === "transcript"
                text: root.controller.userLabel
                implicitWidth: 90
                Accessible.name: qsTr("Label of your turns")
                onEditingFinished: root.controller.userLabel = text
            }
            TextField {
                id: assistantField
                objectName: "assistantLabelField"
                visible: root.controller.promptMode === "transcript"
                text: root.controller.assistantLabel
                implicitWidth: 90
                Accessible.name: qsTr("Label of the model's turns")
                onEditingFinished: root.controller.assistantLabel = text
            }
            Label {
                objectName: "templateNote"
                Layout.fillWidth: true
                visible: root.controller.modelLoaded
                elide: Text.ElideRight
                font.pointSize: Theme.smallSize
                color: !root.controller.hasChatTemplate && root.controller.promptMode === "template" ? Theme.warning : Theme.mutedText
                text: {
                    const c = root.controller
                    if (c.chatTemplateProblem.length > 0) return qsTr("The chat template cannot be used: %1").arg(c.chatTemplateProblem)
                    if (!c.hasChatTemplate)
                        return c.promptMode === "template" ? qsTr("This model has no chat template: the chat is one running text (completion)")
                                                           : qsTr("This model has no chat template")
                    return c.effectivePromptMode === "template" ? qsTr("Chat template from %1").arg(c.chatTemplateOrigin)
                                                                : qsTr("The model has a chat template (%1), not in use").arg(c.chatTemplateOrigin)
                }
                ToolTip.visible: noteHover.hovered && truncated
                ToolTip.text: text
                HoverHandler { id: noteHover }
            }
            ToolButton {
                objectName: "systemPromptToggle"
                text: root.systemOpen ? qsTr("System prompt ▴") : qsTr("System prompt ▾")
                font.pointSize: Theme.smallSize
                Accessible.name: qsTr("Show or hide the system prompt")
                onClicked: root.systemOpen = !root.systemOpen
            }
        }
        TextArea {
            id: systemField
            objectName: "systemPromptField"
            Layout.fillWidth: true
            Layout.maximumHeight: 120
            visible: root.systemOpen
            wrapMode: TextEdit.Wrap
            placeholderText: qsTr("System prompt for this chat (a new chat starts with the last one sent to this checkpoint)")
            // Fusion's frame is dark on dark: a frame of our own, as the prompt box has.
            background: Rectangle {
                radius: Theme.radius
                color: Theme.surface
                border.color: systemField.activeFocus ? Theme.accent : Theme.fieldBorder
                border.width: systemField.activeFocus ? 2 : 1
            }
            text: root.controller.systemPrompt
            Accessible.name: qsTr("System prompt")
            onTextChanged: if (text !== root.controller.systemPrompt) root.controller.systemPrompt = text
        }
    }
}
