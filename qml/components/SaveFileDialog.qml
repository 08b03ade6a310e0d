// "Save as": a folder (typed, or picked with the folder dialog) and a typed
// file name, which may be new; an existing file is replaced only after a
// "Replace?" confirmation. (Qt 6.4's Quick FileDialog in save mode does not
// take a typed new name.) The dialog only chooses the path: saveRequested(path)
// lets the caller write the file. Enter saves, Esc cancels.
import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import Waypoint

Dialog {
    id: root
    property string folder: FilePaths.documentsFolder()
    property string fileName: ""
    property string suffix: ""   // e.g. "md": the saved name always ends in it
    readonly property string path: FilePaths.join(folderField.text, FilePaths.withSuffix(nameField.text, suffix))
    readonly property bool folderOk: FilePaths.isFolder(FilePaths.join(folderField.text, "."))
    property bool confirming: false  // the file exists: the next Save replaces it
    property alias folderField: folderField
    property alias nameField: nameField
    signal saveRequested(string path)

    parent: Overlay.overlay
    anchors.centerIn: parent
    width: Math.min(600, parent ? parent.width - 48 : 600)
    modal: true
    focus: true
    padding: 16

    function save() {
        if (nameField.text.trim().length === 0 || !folderOk) return
        if (!confirming && FilePaths.exists(path)) {
            confirming = true
            replaceButton.forceActiveFocus()
            return
        }
        const chosen = path
        root.folder = folderField.text.trim()
        confirming = false
        close()
        saveRequested(chosen)
    }

    onOpened: {
        folderField.text = root.folder
        nameField.text = root.fileName
        confirming = false
        nameField.forceActiveFocus()
        const dot = nameField.text.lastIndexOf(".")
        nameField.select(0, dot > 0 ? dot : nameField.text.length)  // type over the name, keep the suffix
    }

    contentItem: ColumnLayout {
        spacing: 6
        Label { text: qsTr("Folder"); font.pointSize: Theme.smallSize; color: Theme.mutedText }
        RowLayout {
            Layout.fillWidth: true
            TextField {
                id: folderField
                objectName: "saveFolder"
                Layout.fillWidth: true
                selectByMouse: true
                Accessible.name: qsTr("Folder to save in")
                onTextEdited: root.confirming = false
                onAccepted: root.save()
            }
            Button {
                text: qsTr("Choose…")
                Accessible.name: qsTr("Choose the folder")
                onClicked: folderDialog.open()
            }
        }
        Label { text: qsTr("File name"); font.pointSize: Theme.smallSize; color: Theme.mutedText }
        TextField {
            id: nameField
            objectName: "saveFileName"
            Layout.fillWidth: true
            selectByMouse: true
            Accessible.name: qsTr("File name")
            onTextEdited: root.confirming = false
            onAccepted: root.save()
        }
        Label {
            objectName: "saveStatus"
            Layout.fillWidth: true
            wrapMode: Text.Wrap
            textFormat: Text.PlainText
            color: root.confirming || !root.folderOk ? Theme.warning : Theme.mutedText
            font.weight: root.confirming ? Font.DemiBold : Font.Normal
            text: !root.folderOk ? qsTr("There is no folder %1.").arg(folderField.text)
                  : root.confirming ? qsTr("%1 already exists. Replace it?").arg(root.path)
                  : qsTr("Saves to %1").arg(root.path)
        }
    }

    footer: Item {
        implicitHeight: buttons.implicitHeight + 24
        RowLayout {
            id: buttons
            anchors.right: parent.right
            anchors.rightMargin: 16
            anchors.verticalCenter: parent.verticalCenter
            spacing: 8
            Button {
                objectName: "saveCancel"
                text: qsTr("Cancel")
                onClicked: root.close()
            }
            Button {
                id: replaceButton
                objectName: "saveButton"
                text: root.confirming ? qsTr("Replace") : qsTr("Save")
                highlighted: true
                enabled: root.folderOk && nameField.text.trim().length > 0
                Accessible.name: root.confirming ? qsTr("Replace the existing file") : qsTr("Save")
                onClicked: root.save()
            }
        }
    }

    FolderDialog {
        id: folderDialog
        title: qsTr("Choose the folder to save in")
        currentFolder: FilePaths.toUrl(folderField.text)
        onAccepted: {
            folderField.text = FilePaths.localPath(selectedFolder.toString())
            root.confirming = false
        }
    }
}
