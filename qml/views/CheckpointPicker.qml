// Recent, demo and models-folder checkpoints, the steps of a training run
// grouped under a collapsible header; a click loads one on the worker.
// Keyboard: Tab reaches the list as one stop; Up/Down (Home/End, Page keys)
// move a visible cursor over run headers and rows; Enter or Space loads the
// row, or folds the run on its header; Left folds a run, Right unfolds it;
// T chooses a tokenizer for the row's checkpoint.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Waypoint

ColumnLayout {
    id: root
    required property CheckpointLibrary library
    required property ChatController controller
    signal openFileRequested()
    signal openFolderRequested()
    signal chooseModelsFolderRequested()
    // A row failed for want of a tokenizer: its "Choose tokenizer…" button.
    signal chooseTokenizerRequested(string checkpoint)
    spacing: 6

    RowLayout {
        Layout.fillWidth: true
        SectionLabel { text: qsTr("Checkpoints"); Layout.fillWidth: true }
        ToolButton {
            text: qsTr("Open file…")
            font.pointSize: Theme.smallSize
            Accessible.name: qsTr("Open a checkpoint file")
            onClicked: root.openFileRequested()
        }
        ToolButton {
            objectName: "openFolderButton"
            text: qsTr("Folder…")
            font.pointSize: Theme.smallSize
            Accessible.name: qsTr("Open a checkpoint folder")
            onClicked: root.openFolderRequested()
        }
    }

    Rectangle {
        Layout.fillWidth: true
        Layout.fillHeight: true
        color: Theme.surface
        // The list's focus is drawn on its frame (the cursor row has its own).
        border.color: list.activeFocus ? Theme.accent : Theme.border
        border.width: list.activeFocus ? 2 : 1
        radius: Theme.radius

        ListView {
            id: list
            objectName: "checkpointList"
            anchors.fill: parent
            anchors.margins: 2
            clip: true
            model: root.library
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar {}
            Accessible.role: Accessible.List
            Accessible.name: qsTr("Checkpoints")
            activeFocusOnTab: true
            keyNavigationEnabled: false  // the cursor below skips folded rows and stops on run headers

            // The keyboard cursor: a row, and whether it is on the row's run header.
            property int cursorRow: -1
            property bool cursorOnHeader: false

            function role(row, r) { return root.library.data(root.library.index(row, 0), r) }
            // Every place the cursor can be, in order: a run's header, then each visible row.
            function stops() {
                const out = []
                for (let r = 0; r < root.library.count; ++r) {
                    const inRun = role(r, CheckpointLibrary.RunRole).length > 0
                    if (inRun && role(r, CheckpointLibrary.FirstInRunRole)) out.push({ row: r, header: true })
                    if (!(inRun && role(r, CheckpointLibrary.CollapsedRole))) out.push({ row: r, header: false })
                }
                return out
            }
            function stopIndex(all) {
                return all.findIndex(s => s.row === cursorRow && s.header === cursorOnHeader)
            }
            function placeCursor(s) {
                if (!s) return
                cursorRow = s.row
                cursorOnHeader = s.header
                positionViewAtIndex(s.row, ListView.Contain)
            }
            function moveCursor(step) {
                const all = stops()
                if (all.length === 0) return
                const i = stopIndex(all)
                placeCursor(all[i < 0 ? 0 : Math.max(0, Math.min(all.length - 1, i + step))])
            }
            // On first focus: the loaded checkpoint's row, else the first stop.
            function ensureCursor() {
                const all = stops()
                if (stopIndex(all) >= 0) return
                placeCursor(all.find(s => !s.header && role(s.row, CheckpointLibrary.PathRole) === root.controller.checkpointPath)
                            || all[0])
            }
            function setFolded(folded) {
                if (cursorRow < 0) return
                const group = role(cursorRow, CheckpointLibrary.GroupRole)
                if (group.length === 0) return
                // The cursor goes to the run's header, which stays visible.
                let first = cursorRow
                while (first > 0 && role(first - 1, CheckpointLibrary.GroupRole) === group) --first
                root.library.setRunCollapsed(group, folded)
                cursorRow = first
                cursorOnHeader = true
            }
            function activate() {
                if (cursorRow < 0) return
                if (cursorOnHeader) {
                    setFolded(!role(cursorRow, CheckpointLibrary.CollapsedRole))
                } else if (!root.controller.loading) {
                    root.controller.load(role(cursorRow, CheckpointLibrary.PathRole))
                }
            }
            onActiveFocusChanged: if (activeFocus) ensureCursor()
            onCountChanged: if (cursorRow >= count) cursorRow = -1
            Keys.onUpPressed: moveCursor(-1)
            Keys.onDownPressed: moveCursor(1)
            Keys.onPressed: (event) => {
                const page = Math.max(1, Math.floor(height / 30))
                switch (event.key) {
                case Qt.Key_Home: moveCursor(-1e9); break
                case Qt.Key_End: moveCursor(1e9); break
                case Qt.Key_PageUp: moveCursor(-page); break
                case Qt.Key_PageDown: moveCursor(page); break
                case Qt.Key_Return: case Qt.Key_Enter: case Qt.Key_Space: activate(); break
                case Qt.Key_Left: setFolded(true); break
                case Qt.Key_T:
                    if (cursorRow < 0 || cursorOnHeader) return
                    root.chooseTokenizerRequested(role(cursorRow, CheckpointLibrary.PathRole))
                    break
                case Qt.Key_Right:
                    if (cursorOnHeader) setFolded(false)
                    break
                default: return
                }
                event.accepted = true
            }

            section.property: "section"
            section.delegate: Label {
                required property string section
                width: ListView.view.width
                text: section
                leftPadding: Theme.padding
                topPadding: 5
                bottomPadding: 2
                font.pointSize: Theme.smallSize
                font.weight: Font.DemiBold
                color: Theme.mutedText
            }

            // One row per checkpoint. The first row of a training run also
            // carries the run's header, which collapses or expands the run.
            delegate: Column {
                id: row
                required property string name
                required property string label
                required property string path
                required property string format
                required property string size
                required property string status
                required property string statusText
                required property string run
                required property string group
                required property int runSize
                required property bool firstInRun
                required property bool collapsed
                required property real step
                required property var valLoss
                required property bool tokenizerFound
                required property string problem
                readonly property bool inRun: run.length > 0
                readonly property bool current: path === root.controller.checkpointPath
                readonly property bool loadingThis: root.controller.loading && path === root.controller.loadingPath
                readonly property string lossText: valLoss === undefined ? "" : qsTr("val loss %1").arg(Number(valLoss).toFixed(4))
                // What the engine's probe found missing (a file it does not know has no row at all).
                readonly property string tokenizerNote: tokenizerFound || format === "unrecognised" ? "" : qsTr("no tokenizer")
                required property int index
                readonly property bool cursorHere: list.activeFocus && list.cursorRow === index
                width: ListView.view.width

                ItemDelegate {
                    id: runHeader
                    objectName: "runHeader_" + row.run
                    width: parent.width
                    visible: row.inRun && row.firstInRun
                    topPadding: 4
                    bottomPadding: 4
                    focusPolicy: Qt.NoFocus  // the list takes the focus as a whole
                    onClicked: { list.cursorRow = row.index; list.cursorOnHeader = true; root.library.setRunCollapsed(row.group, !row.collapsed) }
                    FocusFrame { objectName: "headerCursor"; visible: row.cursorHere && list.cursorOnHeader }
                    Accessible.name: qsTr("Training run %1, %2, %3").arg(row.run).arg(runHeader.stepsText)
                                     .arg(row.collapsed ? qsTr("collapsed") : qsTr("expanded"))
                    readonly property string stepsText: row.runSize === 1 ? qsTr("1 step") : qsTr("%1 steps").arg(row.runSize)
                    contentItem: GridLayout {
                        columns: 2
                        columnSpacing: 6
                        rowSpacing: 0
                        Label {
                            text: row.collapsed ? "\u25B8" : "\u25BE"
                            color: Theme.mutedText
                            Layout.preferredWidth: 12
                        }
                        RowLayout {
                            Layout.fillWidth: true
                            spacing: 8
                            Label {
                                Layout.fillWidth: true
                                text: row.run
                                font.weight: Font.DemiBold
                                color: Theme.text
                                elide: Text.ElideMiddle
                            }
                            Label {
                                text: runHeader.stepsText
                                font.pointSize: Theme.smallSize
                                color: Theme.mutedText
                            }
                        }
                        Item { width: 1; height: 1 }
                        Label {
                            // The steps of a run share format and size: said once here.
                            Layout.fillWidth: true
                            text: row.format + " · " + qsTr("%1 each").arg(row.size)
                            font.pointSize: Theme.smallSize
                            color: Theme.mutedText
                            elide: Text.ElideRight
                        }
                    }
                }

                ItemDelegate {
                    id: item
                    width: parent.width
                    visible: !(row.inRun && row.collapsed)
                    leftPadding: row.inRun ? 30 : Theme.padding
                    topPadding: row.inRun ? 3 : 6
                    bottomPadding: row.inRun ? 3 : 6
                    highlighted: row.current
                    enabled: !root.controller.loading
                    focusPolicy: Qt.NoFocus
                    FocusFrame {
                        objectName: "rowCursor"
                        visible: row.cursorHere && !list.cursorOnHeader
                        frameColor: item.highlighted ? Theme.accentText : Theme.accent
                    }
                    readonly property string statusWord: row.status === "ok" ? qsTr("loads")
                                                       : row.status === "failed" ? qsTr("failed to load") : qsTr("not tried")
                    readonly property color muted: highlighted ? Theme.accentText : Theme.mutedText
                    Accessible.name: (row.inRun ? row.run + ", " : "") + row.label + ", " + row.format + ", " + row.size +
                                     (row.lossText.length > 0 ? ", " + row.lossText : "") +
                                     (row.tokenizerNote.length > 0 ? ", " + row.tokenizerNote : "") + ", " + row.statusText
                    ToolTip.visible: hovered
                    ToolTip.delay: 700
                    ToolTip.text: row.path + (row.problem.length > 0 ? "\n" + row.problem
                                                                     : row.status === "failed" ? "\n" + row.statusText : "")
                    onClicked: { list.cursorRow = row.index; list.cursorOnHeader = false; root.controller.load(row.path) }

                    contentItem: RowLayout {
                        spacing: 8
                        Rectangle {
                            Layout.alignment: Qt.AlignVCenter
                            width: 8; height: 8; radius: 4
                            color: row.status === "ok" ? Theme.success : row.status === "failed" ? Theme.error : Theme.border
                        }
                        ColumnLayout {
                            Layout.fillWidth: true
                            spacing: 1
                            RowLayout {
                                Layout.fillWidth: true
                                spacing: 8
                                Label {
                                    Layout.fillWidth: true
                                    text: row.label
                                    font.weight: row.current ? Font.DemiBold : Font.Normal
                                    color: item.highlighted ? Theme.accentText : Theme.text
                                    elide: Text.ElideMiddle
                                }
                                Label {
                                    visible: row.lossText.length > 0
                                    text: row.lossText
                                    font.pointSize: Theme.smallSize
                                    color: item.muted
                                }
                                Label {
                                    // Inside a run, one line: the status word sits here.
                                    visible: row.inRun
                                    text: item.statusWord + (row.tokenizerNote.length > 0 ? " · " + row.tokenizerNote : "")
                                    font.pointSize: Theme.smallSize
                                    color: row.status === "failed" && !item.highlighted ? Theme.error : item.muted
                                }
                            }
                            Label {
                                Layout.fillWidth: true
                                visible: !row.inRun
                                text: row.format + " · " + row.size + " · " + item.statusWord +
                                      (row.tokenizerNote.length > 0 ? " · " + row.tokenizerNote : "")
                                font.pointSize: Theme.smallSize
                                color: item.muted
                                elide: Text.ElideRight
                            }
                            Label {
                                // Why it failed, where the user looks for it.
                                Layout.fillWidth: true
                                visible: row.status === "failed"
                                text: row.statusText
                                font.pointSize: Theme.smallSize
                                color: item.highlighted ? Theme.accentText : Theme.error
                                elide: Text.ElideRight
                                maximumLineCount: 2
                                wrapMode: Text.Wrap
                            }
                            Button {
                                objectName: "rowChooseTokenizer"
                                visible: row.status === "failed" && row.statusText.indexOf("Choose tokenizer") >= 0
                                text: qsTr("Choose tokenizer…")
                                font.pointSize: Theme.smallSize
                                flat: true
                                leftPadding: 0
                                focusPolicy: Qt.NoFocus  // the list's cursor: T on the row does the same
                                Accessible.name: qsTr("Choose a tokenizer for %1").arg(row.label)
                                onClicked: root.chooseTokenizerRequested(row.path)
                            }
                        }
                        BusyIndicator {
                            visible: row.loadingThis
                            running: visible
                            Layout.preferredWidth: 22
                            Layout.preferredHeight: 22
                        }
                    }
                }
            }

            Label {
                anchors.centerIn: parent
                width: parent.width - 2 * Theme.padding
                visible: list.count === 0
                wrapMode: Text.WordWrap
                horizontalAlignment: Text.AlignHCenter
                color: Theme.mutedText
                text: qsTr("No checkpoints yet. Open a file or folder, or choose a models folder below.")
            }
        }
    }

    RowLayout {
        Layout.fillWidth: true
        spacing: 4
        Label {
            Layout.fillWidth: true
            text: root.library.modelsFolder.length > 0 ? qsTr("Models folder: %1").arg(root.library.modelsFolder)
                                                       : qsTr("No models folder")
            font.pointSize: Theme.smallSize
            color: Theme.mutedText
            elide: Text.ElideMiddle
        }
        ToolButton {
            text: qsTr("Choose…")
            font.pointSize: Theme.smallSize
            Accessible.name: qsTr("Choose the models folder")
            onClicked: root.chooseModelsFolderRequested()
        }
    }
}
