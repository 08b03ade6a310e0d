// Everything the engine's ModelCard knows, plus a fixed prompt and the
// model's greedy answer, generated on the worker when the dialog opens.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Waypoint

Dialog {
    id: root
    objectName: "modelCardDialog"
    required property ChatController controller
    readonly property var card: controller.card

    function fmtInt(v) { return v === undefined ? "—" : Number(v).toLocaleString(Qt.locale("en_US"), "f", 0) }
    function fmtBytes(b) {
        if (b === undefined) return "—"
        if (b < 1024) return b + " B"
        if (b < 1048576) return (b / 1024).toFixed(1) + " KB"
        if (b < 1073741824) return (b / 1048576).toFixed(1) + " MB"
        return (b / 1073741824).toFixed(2) + " GB"
    }
    readonly property var rows: [
        [qsTr("Architecture"), card.architecture || "—"],
        [qsTr("Parameters"), fmtInt(card.parameters)],
        [qsTr("Layers"), fmtInt(card.layers)],
        [qsTr("Heads (KV heads)"), fmtInt(card.heads) + " (" + fmtInt(card.kvHeads) + ")"],
        [qsTr("Width / feed-forward"), fmtInt(card.width) + " / " + fmtInt(card.hidden)],
        [qsTr("Vocabulary"), fmtInt(card.vocabulary)],
        [qsTr("Context"), fmtInt(card.context) + qsTr(" tokens")],
        [qsTr("Tied embeddings"), card.tiedEmbeddings ? qsTr("yes") : qsTr("no")],
        [qsTr("Weights dtype"), card.dtype || "—"],
        [qsTr("Device"), card.device || "—"],
        [qsTr("Format"), card.format || "—"],
        [qsTr("File size"), fmtBytes(card.fileBytes)],
        [qsTr("Tokenizer"), card.tokenizer || "—"],
        [qsTr("Training step"), card.trainingStep !== undefined ? fmtInt(card.trainingStep) : qsTr("not recorded")],
        [qsTr("Validation loss"), card.validationLoss !== undefined ? Number(card.validationLoss).toFixed(4) : qsTr("not recorded")],
        [qsTr("Path"), card.path || "—"]
    ]

    title: card.name || qsTr("Model card")
    modal: true
    anchors.centerIn: Overlay.overlay
    width: Math.min(640, parent ? parent.width - 80 : 640)
    padding: 20
    standardButtons: Dialog.Close
    onOpened: controller.requestExample()

    contentItem: ColumnLayout {
        spacing: 14
        GridLayout {
            objectName: "cardGrid"
            Layout.fillWidth: true
            columns: 2
            columnSpacing: 18
            rowSpacing: 5
            Repeater {
                model: root.rows.length * 2
                Label {
                    required property int index
                    readonly property var row: root.rows[Math.floor(index / 2)]
                    readonly property bool isKey: index % 2 === 0
                    objectName: isKey ? "" : "value_" + row[0]
                    text: isKey ? row[0] : row[1]
                    color: isKey ? Theme.mutedText : Theme.text
                    font.weight: isKey ? Font.Normal : Font.Medium
                    Layout.fillWidth: !isKey
                    wrapMode: isKey ? Text.NoWrap : Text.WrapAnywhere
                    textFormat: Text.PlainText
                }
            }
        }
        Rectangle { Layout.fillWidth: true; height: 1; color: Theme.border }
        SectionLabel { text: qsTr("Example (greedy)") }
        Rectangle {
            Layout.fillWidth: true
            implicitHeight: example.implicitHeight + 20
            radius: Theme.radius
            color: Theme.codeBackground
            border.color: Theme.border
            Label {
                id: example
                objectName: "exampleText"
                x: 12; y: 10
                width: parent.width - 24
                wrapMode: Text.Wrap
                textFormat: Text.StyledText
                text: "<b>" + root.htmlEscape(root.controller.examplePrompt) + "</b>" +
                      (root.controller.exampleBusy ? " …" : root.htmlEscape(root.controller.exampleAnswer))
            }
        }
    }
    function htmlEscape(s) { return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\n/g, "<br>") }
}
