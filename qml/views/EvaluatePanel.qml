// Evaluate: mean loss and perplexity of one text under each of
// `checkpoints` (the compare view passes its panes' checkpoints), with the
// protocol of `waypoint-cli --perplexity`. A table, a bar chart of mean loss
// per checkpoint, and, when two or more checkpoints carry a training step, a
// line chart of mean loss against step.
import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import Waypoint

Pane {
    id: panel
    property var checkpoints: []
    property alias textPath: evaluation.textPath
    readonly property alias controller: evaluation

    // Rows as evaluationRow values, rebuilt when the results change (charts read these).
    property var rows: []
    readonly property var finishedRows: rows.filter(r => r.hasResult)
    readonly property var steppedRows: finishedRows.filter(r => r.hasStep)

    function refreshRows() {
        const out = [];
        for (let i = 0; i < evaluation.results.count; ++i) out.push(evaluation.results.rowAt(i));
        rows = out;
    }
    function fileName(path) {
        const s = String(path);
        return s.substring(s.lastIndexOf("/") + 1);
    }

    padding: Theme.padding
    background: Rectangle { color: Theme.window }

    EvaluationController {
        id: evaluation
        checkpoints: panel.checkpoints
    }
    Connections {
        target: evaluation.results
        function onDataChanged() { panel.refreshRows(); }
        function onModelReset() { panel.refreshRows(); }
    }

    FileDialog {
        id: textDialog
        title: qsTr("Choose a text to evaluate on")
        nameFilters: [qsTr("Text files (*.txt *.md *.text)"), qsTr("All files (*)")]
        onAccepted: evaluation.textPath = selectedFile.toString()
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing

        SectionLabel { text: qsTr("Evaluate on a text") }
        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing
            TextField {
                id: pathField
                objectName: "evaluateTextPath"
                Layout.fillWidth: true
                placeholderText: qsTr("A text file (loss per token, windows as waypoint-cli --perplexity)")
                text: evaluation.textPath
                onEditingFinished: evaluation.textPath = text
            }
            Button {
                text: qsTr("Choose…")
                onClicked: textDialog.open()
            }
            Label { text: qsTr("Window"); color: Theme.mutedText }
            SpinBox {
                // Ids per window; "auto" is waypoint-cli's default (255, or
                // the most the smallest context allows).
                id: windowBox
                objectName: "evaluateWindow"
                from: 0
                to: 65536
                editable: true
                value: evaluation.window
                onValueModified: evaluation.window = value
                textFromValue: (v, locale) => v === 0 ? qsTr("auto") : String(v)
                valueFromText: (t, locale) => t === qsTr("auto") || t.length === 0 ? 0 : parseInt(t)
                validator: RegularExpressionValidator { regularExpression: /auto|[0-9]{0,5}/ }
                implicitWidth: 110
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Tokens per window (each scored after BOS); auto = 255 or the most the smallest context allows")
            }
            Button {
                objectName: "evaluateButton"
                text: qsTr("Evaluate")
                highlighted: true
                enabled: !evaluation.running && panel.checkpoints.length > 0 && evaluation.textPath.length > 0
                onClicked: evaluation.start()
            }
        }
        RowLayout {
            Layout.fillWidth: true
            visible: evaluation.running || evaluation.progress > 0
            spacing: Theme.spacing
            ProgressBar {
                objectName: "evaluateProgress"
                Layout.fillWidth: true
                from: 0; to: 1
                value: evaluation.progress
            }
            Label {
                text: evaluation.running ? qsTr("%1%").arg(Math.round(evaluation.progress * 100))
                    : (evaluation.cancelled ? qsTr("cancelled") : qsTr("done"))
                      + (evaluation.usedWindow > 0 ? qsTr(" · window %1").arg(evaluation.usedWindow) : "")
                color: Theme.mutedText
            }
            Button {
                objectName: "evaluateCancel"
                text: qsTr("Cancel")
                visible: evaluation.running
                onClicked: evaluation.cancel()
            }
        }
        Label {
            Layout.fillWidth: true
            visible: evaluation.error.length > 0
            text: evaluation.error
            wrapMode: Text.Wrap
            color: Theme.error
            padding: Theme.spacing
            background: Rectangle { color: Theme.errorBackground; radius: Theme.radius / 2 }
        }
        Label {
            Layout.fillWidth: true
            visible: panel.checkpoints.length === 0
            text: qsTr("Add checkpoints to compare, then evaluate them on a text.")
            color: Theme.mutedText
            wrapMode: Text.Wrap
        }

        // The table.
        Rectangle {
            Layout.fillWidth: true
            Layout.preferredHeight: table.contentHeight + 2
            // The table scrolls so that the charts keep room in a short panel.
            Layout.maximumHeight: Math.max(90, Math.min(220, panel.availableHeight * 0.4))
            visible: panel.rows.length > 0
            color: Theme.surface
            border.color: Theme.border
            radius: Theme.radius / 2
            ListView {
                id: table
                anchors.fill: parent
                anchors.margins: 1
                clip: true
                model: evaluation.results
                headerPositioning: ListView.OverlayHeader
                header: EvaluateRow {
                    z: 2
                    width: table.width
                    heading: true
                    cells: [qsTr("Checkpoint"), qsTr("Step"), qsTr("Tokens"), qsTr("Mean loss"), qsTr("Perplexity"), qsTr("State")]
                }
                delegate: EvaluateRow {
                    // `model` rather than one required property per role:
                    // a role named "state" would shadow Item.state.
                    required property var model
                    readonly property bool done: model.hasResult
                    width: table.width
                    tip: model.checkpoint + (model.message.length ? "\n" + model.message : "")
                    failed: model.state === "failed"
                    cells: [model.name,
                        model.step === undefined || model.step === null ? "—" : String(model.step),
                        done ? String(model.tokens) : "—",
                        done ? model.meanNll.toFixed(4) : "—",
                        done ? model.perplexity.toFixed(3) : "—",
                        model.state === "failed" ? qsTr("failed: %1").arg(model.message)
                            : model.state === "running" && model.message.length ? model.message
                            : model.state === "running" ? qsTr("running %1%").arg(Math.round(model.progress * 100))
                            : model.state]
                }
            }
        }

        // Each failed checkpoint's message in full (the table elides it).
        Repeater {
            model: panel.rows.filter(r => r.state === "failed" && r.message !== evaluation.error)
            delegate: Label {
                required property var modelData
                objectName: "evaluateFailure"
                Layout.fillWidth: true
                text: modelData.message
                wrapMode: Text.Wrap
                color: Theme.error
                padding: Theme.spacing / 2
                background: Rectangle { color: Theme.errorBackground; radius: Theme.radius / 2 }
            }
        }

        // The charts.
        RowLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.minimumHeight: 150
            visible: panel.finishedRows.length > 0
            spacing: Theme.padding
            ColumnLayout {
                Layout.fillWidth: true
                Layout.fillHeight: true
                SectionLabel { text: qsTr("Mean loss per checkpoint (nats/token)") }
                BarChart {
                    objectName: "lossBars"
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    labels: panel.finishedRows.map(r => r.hasStep ? qsTr("step %1").arg(r.step) : r.name)
                    values: panel.finishedRows.map(r => r.meanNll)
                }
            }
            ColumnLayout {
                Layout.fillWidth: true
                Layout.fillHeight: true
                visible: panel.steppedRows.length >= 2
                SectionLabel { text: qsTr("Mean loss against training step") }
                LineChart {
                    objectName: "lossByStep"
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    xs: panel.steppedRows.map(r => r.step)
                    ys: panel.steppedRows.map(r => r.meanNll)
                    xLabel: qsTr("training step")
                    yLabel: qsTr("mean loss")
                }
            }
        }
        Item { Layout.fillHeight: true; visible: panel.finishedRows.length === 0 }
    }

    // One table row: fixed columns after a stretching first one.
    component EvaluateRow: Rectangle {
        id: row
        property var cells: []
        property bool heading: false
        property bool failed: false
        property string tip: ""
        readonly property var widths: [0, 64, 72, 84, 84, 150]
        implicitHeight: 28
        color: heading ? Theme.sidebar : "transparent"
        Rectangle { anchors.bottom: parent.bottom; width: parent.width; height: 1; color: Theme.border }
        Row {
            anchors.fill: parent
            anchors.leftMargin: Theme.spacing
            anchors.rightMargin: Theme.spacing
            Repeater {
                model: row.cells.length
                delegate: Label {
                    required property int index
                    width: index === 0 ? Math.max(80, row.width - 2 * Theme.spacing - 454) : row.widths[index]
                    height: row.height
                    verticalAlignment: Text.AlignVCenter
                    horizontalAlignment: index === 0 || index === 5 ? Text.AlignLeft : Text.AlignRight
                    rightPadding: index === 0 || index === 5 ? 0 : Theme.spacing
                    leftPadding: index === 5 ? Theme.spacing : 0
                    elide: index === 0 ? Text.ElideMiddle : Text.ElideRight
                    text: row.cells[index]
                    font.weight: row.heading ? Font.DemiBold : Font.Normal
                    font.pointSize: row.heading ? Theme.smallSize : Theme.baseFont.pointSize
                    color: row.heading ? Theme.mutedText : (row.failed && index === 5 ? Theme.error : Theme.text)
                }
            }
        }
        HoverHandler { id: hover }
        ToolTip.visible: hover.hovered && row.tip.length > 0
        ToolTip.text: row.tip
    }
}
