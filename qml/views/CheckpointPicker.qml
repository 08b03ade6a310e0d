// Recent, demo and models-folder checkpoints; a click loads one on the worker.
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
                topPadding: 8
                bottomPadding: 2
                font.pointSize: Theme.smallSize
                font.weight: Font.DemiBold
                color: Theme.mutedText
            }

            delegate: ItemDelegate {
                id: row
                required property string name
                required property string path
                required property string format
                required property string size
                required property string status
                required property string statusText
                readonly property bool current: path === root.controller.checkpointPath
                readonly property bool loadingThis: root.controller.loading && path === root.controller.loadingPath
                width: ListView.view.width
                highlighted: current
                enabled: !root.controller.loading
                Accessible.name: name + ", " + format + ", " + size + ", " + statusText
                ToolTip.visible: hovered
                ToolTip.delay: 700
                ToolTip.text: path + (status === "failed" ? "\n" + statusText : "")
                onClicked: root.controller.load(path)

                contentItem: RowLayout {
                    spacing: 10
                    Rectangle {
                        Layout.alignment: Qt.AlignVCenter
                        width: 8; height: 8; radius: 4
                        color: row.status === "ok" ? Theme.success : row.status === "failed" ? Theme.error : Theme.border
                    }
                    ColumnLayout {
                        Layout.fillWidth: true
                        spacing: 1
                        Label {
                            Layout.fillWidth: true
                            text: row.name
                            font.weight: row.current ? Font.DemiBold : Font.Normal
                            color: row.highlighted ? Theme.accentText : Theme.text
                            elide: Text.ElideMiddle
                        }
                        Label {
                            Layout.fillWidth: true
                            text: row.format + " · " + row.size + " · " +
                                  (row.status === "ok" ? qsTr("loads") : row.status === "failed" ? qsTr("failed to load") : qsTr("not tried"))
                            font.pointSize: Theme.smallSize
                            color: row.highlighted ? Theme.accentText : Theme.mutedText
                            elide: Text.ElideRight
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
