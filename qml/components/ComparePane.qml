// One pane of the compare view: its checkpoint, its sampling (summary + a
// popup with the sliders), the streaming answer with the part that differs
// from pane 1 highlighted, the divergence label and the pane's stats.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Waypoint

Rectangle {
    id: root
    required property ComparePaneState pane
    required property int index
    required property CompareController controller
    required property CheckpointLibrary library
    readonly property ChatController chat: pane.chat
    readonly property SamplingSettings sampling: pane.sampling
    signal openCheckpointRequested(int row)

    radius: Theme.radius
    color: Theme.surface
    border.color: Theme.border
    Accessible.name: qsTr("Pane %1").arg(index + 1)

    function baseName(p) { return p.length ? p.split("/").filter(s => s.length).pop() : "" }
    property bool colorByProbability: false
    // Where the answer parts from pane 1's: rectangles behind the text from
    // the divergent token to the end, line by line (the text stays plain, so
    // TokenText's probability colours and popup keep working).
    readonly property var divergenceRects: {
        // Up to the last visible character: a trailing newline adds no line.
        const off = pane.divergenceOffset, t = answerText, n = pane.answer.replace(/\s+$/, "").length
        if (off < 0 || off >= n || chat.generating || t.width <= 0) return []
        const first = t.positionToRectangle(off), last = t.positionToRectangle(n)
        const lineH = first.height
        if (Math.abs(first.y - last.y) < 1) return [{x: first.x, y: first.y, w: last.x - first.x, h: lineH}]
        const out = [{x: first.x, y: first.y, w: t.width - first.x, h: lineH}]
        if (last.y - first.y > lineH + 0.5) out.push({x: 0, y: first.y + lineH, w: t.width, h: last.y - first.y - lineH})
        out.push({x: 0, y: last.y, w: last.x, h: lineH})
        return out
    }
    function samplingSummary() {
        const s = root.sampling
        let t = s.temperature <= 0 ? qsTr("greedy")
              : qsTr("temp %1 · top-k %2 · top-p %3").arg(Number(s.temperature).toFixed(2)).arg(s.topK).arg(Number(s.topP).toFixed(2))
        t += qsTr(" · max %1").arg(s.maxNewTokens)
        if (s.temperature > 0 && !root.controller.sameSeed) t += s.randomSeed ? qsTr(" · random seed") : qsTr(" · seed %1").arg(s.seed)
        return t
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 10
        spacing: 6

        // Title row: pane number, checkpoint, move / remove.
        RowLayout {
            Layout.fillWidth: true
            spacing: 4
            Label {
                text: qsTr("%1").arg(root.index + 1)
                font.weight: Font.Bold
                color: Theme.accentText
                horizontalAlignment: Text.AlignHCenter
                verticalAlignment: Text.AlignVCenter
                Layout.preferredWidth: 22
                Layout.preferredHeight: 22
                background: Rectangle { radius: 11; color: Theme.accent }
            }
            ComboBox {
                id: picker
                objectName: "panePicker"
                Layout.fillWidth: true
                model: root.library
                textRole: "name"
                valueRole: "path"
                displayText: root.chat.loading ? qsTr("Loading %1…").arg(root.baseName(root.chat.loadingPath))
                             : root.baseName(root.pane.checkpoint) || qsTr("Pick a checkpoint")
                Accessible.name: qsTr("Checkpoint of pane %1").arg(root.index + 1)
                onActivated: (i) => root.controller.setCheckpoint(root.index, valueAt(i))
                // Up/Down on the closed list open it: they would load the next checkpoint at once.
                Keys.onUpPressed: popup.open()
                Keys.onDownPressed: popup.open()
            }
            ToolButton {
                text: "…"
                opacity: enabled ? 1 : 0.3  // Fusion's disabled text is hard to tell apart in dark
                Accessible.name: qsTr("Open a checkpoint file for pane %1").arg(root.index + 1)
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Open a checkpoint file or folder")
                onClicked: root.openCheckpointRequested(root.index)
            }
            ToolButton {
                text: "◀"
                opacity: enabled ? 1 : 0.3  // Fusion's disabled text is hard to tell apart in dark
                enabled: root.index > 0
                Accessible.name: qsTr("Move pane %1 left").arg(root.index + 1)
                onClicked: root.controller.movePane(root.index, root.index - 1)
            }
            ToolButton {
                text: "▶"
                opacity: enabled ? 1 : 0.3  // Fusion's disabled text is hard to tell apart in dark
                enabled: root.index < root.controller.count - 1
                Accessible.name: qsTr("Move pane %1 right").arg(root.index + 1)
                onClicked: root.controller.movePane(root.index, root.index + 1)
            }
            ToolButton {
                text: "✕"
                opacity: enabled ? 1 : 0.3  // Fusion's disabled text is hard to tell apart in dark
                enabled: root.controller.count > 2 && !root.controller.generating
                Accessible.name: qsTr("Remove pane %1").arg(root.index + 1)
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Remove this pane (at least two stay)")
                onClicked: root.controller.removePane(root.index)
            }
        }

        // Model line + sampling summary and its editor; one above the other in
        // a narrow pane (four panes in a small window), so neither is cut.
        GridLayout {
            Layout.fillWidth: true
            columns: root.width < 330 ? 1 : 2
            columnSpacing: 6
            rowSpacing: 0
            Label {
                objectName: "paneModelLine"
                Layout.fillWidth: true
                text: {
                    const c = root.chat.card
                    if (!root.chat.modelLoaded) return root.chat.loading ? qsTr("loading…") : qsTr("no model")
                    let t = c.name || ""
                    if (c.trainingStep !== undefined) t += qsTr(" · step %1").arg(c.trainingStep)
                    if (c.validationLoss !== undefined) t += qsTr(" · val loss %1").arg(Number(c.validationLoss).toFixed(3))
                    return t
                }
                font.pointSize: Theme.smallSize
                color: Theme.mutedText
                wrapMode: Text.Wrap
            }
            Button {
                objectName: "paneSettingsButton"
                text: root.samplingSummary()
                flat: true
                font.pointSize: Theme.smallSize
                Accessible.name: qsTr("Sampling settings of pane %1").arg(root.index + 1)
                onClicked: root.openSettings()
            }
        }

        Rectangle {
            objectName: "paneError"
            Layout.fillWidth: true
            visible: root.chat.lastError.length > 0
            implicitHeight: errorLabel.implicitHeight + 10
            radius: 4
            color: Theme.errorBackground
            Label {
                id: errorLabel
                anchors.fill: parent
                anchors.margins: 5
                text: root.chat.lastError
                color: Theme.error
                wrapMode: Text.Wrap
                font.pointSize: Theme.smallSize
            }
        }

        // The prompt, then the answer (hover a token: its probability and top 5).
        Rectangle {
            Layout.fillWidth: true
            Layout.fillHeight: true
            radius: 4
            color: Theme.codeBackground
            ColumnLayout {
                anchors.fill: parent
                anchors.margins: 8
                spacing: 4
                Label {
                    objectName: "panePrompt"
                    Layout.fillWidth: true
                    visible: root.controller.prompt.length > 0
                    text: "› " + root.controller.prompt
                    color: Theme.mutedText
                    font.family: "monospace"
                    elide: Text.ElideRight
                    maximumLineCount: 2
                    wrapMode: Text.Wrap
                }
                ScrollView {
                    id: answerScroll
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    clip: true
                    contentWidth: availableWidth
                    Item {
                        width: answerScroll.availableWidth
                        implicitHeight: Math.max(answerText.contentHeight, waiting.implicitHeight)
                        Repeater {
                            model: root.divergenceRects
                            Rectangle {
                                required property var modelData
                                x: modelData.x; y: modelData.y; width: modelData.w; height: modelData.h
                                color: Theme.dark ? "#6b4f12" : "#ffe08a"
                            }
                        }
                        TokenText {
                            id: answerText
                            objectName: "paneAnswer"
                            width: parent.width
                            messages: root.chat.messages
                            row: 1
                            sourceText: root.pane.answer
                            colorByProbability: root.colorByProbability
                            font.family: "monospace"
                            color: Theme.text
                            Accessible.name: qsTr("Answer of pane %1").arg(root.index + 1)
                        }
                        Label {
                            id: waiting
                            visible: root.chat.generating && root.pane.answer.length === 0
                            text: qsTr("waiting for the first token…")
                            color: Theme.mutedText
                        }
                    }
                }
            }
        }

        Label {
            objectName: "divergenceLabel"
            Layout.fillWidth: true
            visible: text.length > 0
            text: root.pane.divergenceLabel
            color: root.pane.divergence >= 0 ? Theme.warning : Theme.mutedText
            font.weight: root.pane.divergence >= 0 ? Font.DemiBold : Font.Normal
            wrapMode: Text.Wrap
        }
        Label {
            objectName: "paneStats"
            Layout.fillWidth: true
            text: root.chat.generating ? qsTr("generating…")
                  : root.chat.lastFinish.length === 0 ? " "
                  : qsTr("%1 tokens · first token %2 ms · %3 tok/s · %4")
                        .arg(root.chat.lastNewTokens).arg(Number(root.chat.timeToFirstTokenMs).toFixed(0))
                        .arg(Number(root.chat.tokensPerSecond).toFixed(1)).arg(root.chat.lastFinish)
            font.pointSize: Theme.smallSize
            color: Theme.mutedText
            wrapMode: Text.Wrap  // a narrow pane (four at the smallest window) keeps the finish reason
        }
    }

    // The sliders' popup is made on first use: replacing the panes makes
    // them all in one step, and few panes ever open their settings.
    function openSettings() {
        settingsLoader.active = true
        settingsLoader.item.open()
    }
    Loader {
        id: settingsLoader
        active: false
        sourceComponent: ComparePaneSettings {
            parent: root
            sampling: root.sampling
            title: qsTr("Pane %1 sampling").arg(root.index + 1)
            linked: root.controller.linked
            sameSeed: root.controller.sameSeed
        }
    }
}
