// Recent, demo and models-folder checkpoints, the steps of a training run
// grouped under a collapsible header; a click loads one on the worker.
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
        border.color: Theme.border
        radius: Theme.radius

        ListView {
            id: list
            objectName: "checkpointList"
            anchors.fill: parent
            anchors.margins: 1
            clip: true
            model: root.library
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar {}
            Accessible.role: Accessible.List
            Accessible.name: qsTr("Checkpoints")

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
                readonly property bool inRun: run.length > 0
                readonly property bool current: path === root.controller.checkpointPath
                readonly property bool loadingThis: root.controller.loading && path === root.controller.loadingPath
                readonly property string lossText: valLoss === undefined ? "" : qsTr("val loss %1").arg(Number(valLoss).toFixed(4))
                width: ListView.view.width

                ItemDelegate {
                    id: runHeader
                    objectName: "runHeader_" + row.run
                    width: parent.width
                    visible: row.inRun && row.firstInRun
                    topPadding: 4
                    bottomPadding: 4
                    Accessible.name: qsTr("Training run %1, %2, %3").arg(row.run).arg(runHeader.stepsText)
                                     .arg(row.collapsed ? qsTr("collapsed") : qsTr("expanded"))
                    readonly property string stepsText: row.runSize === 1 ? qsTr("1 step") : qsTr("%1 steps").arg(row.runSize)
                    onClicked: root.library.setRunCollapsed(row.group, !row.collapsed)
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
                    readonly property string statusWord: row.status === "ok" ? qsTr("loads")
                                                       : row.status === "failed" ? qsTr("failed to load") : qsTr("not tried")
                    readonly property color muted: highlighted ? Theme.accentText : Theme.mutedText
                    Accessible.name: (row.inRun ? row.run + ", " : "") + row.label + ", " + row.format + ", " + row.size +
                                     (row.lossText.length > 0 ? ", " + row.lossText : "") + ", " + row.statusText
                    ToolTip.visible: hovered
                    ToolTip.delay: 700
                    ToolTip.text: row.path + (row.status === "failed" ? "\n" + row.statusText : "")
                    onClicked: root.controller.load(row.path)

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
                                    text: item.statusWord
                                    font.pointSize: Theme.smallSize
                                    color: row.status === "failed" && !item.highlighted ? Theme.error : item.muted
                                }
                            }
                            Label {
                                Layout.fillWidth: true
                                visible: !row.inRun
                                text: row.format + " · " + row.size + " · " + item.statusWord
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
