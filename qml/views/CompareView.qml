// The compare view: 2-4 panes answering one prompt side by side, the
// evaluation of the panes' checkpoints below them, the prompt box at the
// bottom. The evaluation panel comes from EvaluatePanel.qml when the app has
// it (loaded by URL, so this view works without it).
import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import Waypoint

Rectangle {
    id: root
    required property CompareController controller
    required property CheckpointLibrary library
    property alias promptBox: prompt
    property alias panesRow: panesRow
    property alias evaluateLoader: evaluateLoader
    readonly property Item evaluatePanel: evaluateLoader.status === Loader.Ready ? evaluateLoader.item : null
    property string exportMessage: ""
    property alias colorTokens: toolbar.colorTokens

    color: Theme.window

    // The evaluation panel's controller, if the panel is there: the export
    // takes its results as they are.
    readonly property var evaluation: evaluatePanel ? (evaluatePanel.controller || null) : null

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        CompareToolbar {
            id: toolbar
            Layout.fillWidth: true
            controller: root.controller
            onExportRequested: (format) => {
                exportDialog.suffix = format
                exportDialog.fileName = "comparison." + format
                exportDialog.open()
            }
        }

        // Errors (a pane not ready, an export that failed) and export results.
        Rectangle {
            objectName: "compareBanner"
            Layout.fillWidth: true
            Layout.margins: 12
            Layout.bottomMargin: 0
            readonly property bool isError: root.controller.lastError.length > 0
            visible: isError || root.exportMessage.length > 0
            implicitHeight: bannerRow.implicitHeight + 16
            radius: Theme.radius
            color: isError ? Theme.errorBackground : Theme.codeBackground
            border.color: isError ? Theme.error : Theme.border
            RowLayout {
                id: bannerRow
                anchors.fill: parent
                anchors.margins: 8
                anchors.leftMargin: 12
                Label {
                    objectName: "compareBannerText"
                    Layout.fillWidth: true
                    text: parent.parent.isError ? root.controller.lastError : root.exportMessage
                    color: parent.parent.isError ? Theme.error : Theme.text
                    wrapMode: Text.Wrap
                    textFormat: Text.PlainText
                }
                ToolButton {
                    text: "✕"
                    Accessible.name: qsTr("Dismiss message")
                    onClicked: { root.controller.clearError(); root.exportMessage = "" }
                }
            }
        }

        SplitView {
            id: split
            Layout.fillWidth: true
            Layout.fillHeight: true
            orientation: Qt.Vertical
            clip: true

            RowLayout {
                id: panesRow
                SplitView.fillHeight: true
                SplitView.minimumHeight: 240
                spacing: 10
                Item { Layout.preferredWidth: 2 }
                Repeater {
                    model: root.controller
                    delegate: ComparePane {
                        Layout.fillWidth: true
                        Layout.fillHeight: true
                        Layout.topMargin: 10
                        Layout.bottomMargin: 6
                        Layout.preferredWidth: 100  // equal shares
                        controller: root.controller
                        library: root.library
                        colorByProbability: root.colorTokens
                        onOpenCheckpointRequested: (row) => { checkpointDialog.row = row; checkpointDialog.open() }
                    }
                }
                Label {
                    visible: root.controller.count === 0
                    Layout.fillWidth: true
                    horizontalAlignment: Text.AlignHCenter
                    text: qsTr("Add a pane to start comparing")
                    color: Theme.mutedText
                    font.pointSize: Theme.titleSize
                }
                Item { Layout.preferredWidth: 2 }
            }

            // The evaluation gets the larger share: the panes' answers are
            // usually short, the table and charts are not; in a small window
            // the panes keep room for their answers (drag the handle for more).
            Item {
                SplitView.preferredHeight: Math.max(80, Math.min(Math.max(260, root.height * 0.52), split.height - 250))
                SplitView.minimumHeight: 80
                clip: true
                Loader {
                    id: evaluateLoader
                    anchors.fill: parent
                    anchors.margins: 10
                    Component.onCompleted: setSource(Qt.resolvedUrl("EvaluatePanel.qml"),
                                                     { checkpoints: root.controller.checkpoints })
                    onLoaded: item.checkpoints = Qt.binding(() => root.controller.checkpoints)
                }
                Label {
                    anchors.centerIn: parent
                    visible: evaluateLoader.status !== Loader.Ready
                    text: qsTr("Evaluation (loss and perplexity of each pane's checkpoint) is not available in this build.")
                    color: Theme.mutedText
                }
            }
        }

        PromptBox {
            id: prompt
            objectName: "comparePrompt"
            Layout.fillWidth: true
            Layout.margins: 12
            busy: root.controller.generating
            loading: root.controller.loading
            canSend: root.controller.count > 0
            onSubmitted: (text) => root.controller.send(text)
            onStopRequested: root.controller.stop()
        }
    }

    SaveFileDialog {
        id: exportDialog
        objectName: "exportDialog"
        title: suffix === "md" ? qsTr("Export the comparison as Markdown") : qsTr("Export the comparison as JSON")
        onSaveRequested: (path) => {
            const err = root.controller.exportTo(path, root.evaluation)
            root.exportMessage = err.length ? "" : qsTr("Saved %1").arg(path)
        }
    }
    FileDialog {
        id: checkpointDialog
        property int row: 0
        title: qsTr("Open a checkpoint for pane %1").arg(row + 1)
        nameFilters: [qsTr("Checkpoints (*.bin *.gguf *.pt *.pth *.ckpt *.safetensors *.json)"), qsTr("All files (*)")]
        // A Hugging Face folder: pick its config.json; the pane opens the folder.
        onAccepted: {
            let p = selectedFile.toString()
            if (p.endsWith("/config.json")) p = p.slice(0, -"/config.json".length)
            root.controller.setCheckpoint(row, p)
        }
    }
}
