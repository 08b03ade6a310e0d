// A whole answer rendered as Markdown (Qt's CommonMark support): prose in
// read-only, selectable text; each fenced code block in a box of its own, in
// a monospace font, with a Copy button. The blocks come from the model's
// `blocks` role (markdown_blocks.h), parsed once an answer is whole.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Waypoint

ColumnLayout {
    id: root
    property var blocks: []
    // The code of a block whose Copy button was pressed.
    signal copyRequested(string text)
    spacing: 8

    Repeater {
        model: root.blocks
        delegate: Loader {
            required property var modelData
            required property int index
            Layout.fillWidth: true
            sourceComponent: modelData.code ? codeBlock : prose
            property var block: modelData
        }
    }

    Component {
        id: prose
        TextEdit {
            objectName: "markdownProse"
            text: parent ? parent.block.text : ""
            textFormat: TextEdit.MarkdownText
            renderType: Theme.textRenderType
            wrapMode: TextEdit.Wrap
            readOnly: true
            selectByMouse: true
            selectByKeyboard: true
            color: Theme.text
            selectionColor: Theme.accent
            selectedTextColor: Theme.accentText
            font: Theme.baseFont
            onLinkActivated: (link) => Qt.openUrlExternally(link)
            HoverHandler { cursorShape: parent.hoveredLink ? Qt.PointingHandCursor : Qt.IBeamCursor }
        }
    }

    Component {
        id: codeBlock
        Rectangle {
            id: box
            objectName: "codeBlock"
            readonly property string code: parent ? parent.block.text : ""
            readonly property string language: parent ? parent.block.language : ""
            implicitHeight: codeColumn.implicitHeight + 12
            radius: Theme.radius - 2
            color: Theme.codeBackground
            border.color: Theme.border
            ColumnLayout {
                id: codeColumn
                x: 10
                y: 4
                width: parent.width - 20
                spacing: 0
                RowLayout {
                    Layout.fillWidth: true
                    Label {
                        Layout.fillWidth: true
                        text: box.language
                        renderType: Theme.textRenderType
                        color: Theme.mutedText
                        font.pointSize: Theme.smallSize
                    }
                    ToolButton {
                        id: copyButton
                        objectName: "copyCodeButton"
                        property bool copied: false
                        text: copied ? qsTr("Copied") : qsTr("Copy")
                        font.pointSize: Theme.smallSize
                        Accessible.name: qsTr("Copy this code")
                        onClicked: {
                            root.copyRequested(box.code)
                            copied = true
                            copiedTimer.restart()
                        }
                        Timer { id: copiedTimer; interval: 1500; onTriggered: copyButton.copied = false }
                    }
                }
                TextEdit {
                    objectName: "codeText"
                    Layout.fillWidth: true
                    text: box.code
                    textFormat: TextEdit.PlainText
                    renderType: Theme.textRenderType
                    wrapMode: TextEdit.WrapAnywhere
                    readOnly: true
                    selectByMouse: true
                    color: Theme.text
                    selectionColor: Theme.accent
                    selectedTextColor: Theme.accentText
                    font.family: "monospace"
                    font.pointSize: Theme.baseFont.pointSize
                    bottomPadding: 6
                }
            }
        }
    }
}
