// The main window: checkpoints and sampling on the left, the chat in the
// middle, a status bar below. Starts on --checkpoint, else the last used
// checkpoint, else the project's demo checkpoint.
import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import Waypoint

ApplicationWindow {
    id: window
    width: 1280
    height: 820
    minimumWidth: 880
    minimumHeight: 560
    visible: true
    color: Theme.window
    title: chat.modelLoaded ? qsTr("%1 — Waypoint").arg(chat.modelName) : "Waypoint"

    ChatController {
        id: chat
        backend: AppOptions.fakeBackend ? "fake" : "engine"
        device: AppOptions.device
        onLoadSucceeded: (path) => { library.markLoaded(path, true); library.addRecent(path) }
        onLoadFailedFor: (path, message) => library.markLoaded(path, false, message)
    }
    CheckpointLibrary { id: library }

    Component.onCompleted: {
        const start = AppOptions.checkpoint.length > 0 ? AppOptions.checkpoint : library.startCheckpoint()
        if (start.length > 0) chat.load(start)
        chatView.promptBox.textArea.forceActiveFocus()
    }

    Shortcut { sequences: ["Ctrl+Return", "Ctrl+Enter"]; onActivated: chatView.promptBox.submit() }
    Shortcut { sequence: "Esc"; enabled: chat.generating; onActivated: chat.stop() }
    Shortcut { sequence: StandardKey.Open; onActivated: fileDialog.open() }
    Shortcut { sequence: "Ctrl+N"; onActivated: { chat.clear(); chatView.promptBox.textArea.forceActiveFocus() } }
    Shortcut { sequence: "Ctrl+I"; enabled: chat.modelLoaded; onActivated: modelCard.open() }

    RowLayout {
        id: content
        anchors.fill: parent
        spacing: 0

        Sidebar {
            id: sidebar
            Layout.preferredWidth: Theme.sidebarWidth
            Layout.fillHeight: true
            controller: chat
            library: library
            onOpenFileRequested: fileDialog.open()
            onOpenFolderRequested: folderDialog.open()
            onChooseModelsFolderRequested: modelsFolderDialog.open()
        }
        Rectangle { Layout.fillHeight: true; width: 1; color: Theme.border }
        ChatView {
            id: chatView
            Layout.fillWidth: true
            Layout.fillHeight: true
            controller: chat
            onCardRequested: modelCard.open()
        }
    }

    footer: StatusBar { controller: chat }

    ModelCardDialog { id: modelCard; controller: chat }

    FileDialog {
        id: fileDialog
        title: qsTr("Open a checkpoint file")
        nameFilters: [qsTr("Checkpoints (*.bin *.gguf *.pt *.pth *.ckpt *.safetensors)"), qsTr("All files (*)")]
        onAccepted: chat.load(selectedFile.toString())
    }
    FolderDialog {
        id: folderDialog
        title: qsTr("Open a checkpoint folder (Hugging Face or step folder)")
        onAccepted: chat.load(selectedFolder.toString())
    }
    FolderDialog {
        id: modelsFolderDialog
        title: qsTr("Choose the models folder (scanned, subfolders included)")
        onAccepted: library.modelsFolder = selectedFolder.toString()
    }

    Loader {
        active: AppOptions.screenshotDir.length > 0
        sourceComponent: ScreenshotRunner {
            directory: AppOptions.screenshotDir
            controller: chat
            windowContent: content
            picker: sidebar.picker
            samplingPanel: sidebar.samplingPanel
            cardDialog: modelCard
            promptBox: chatView.promptBox
        }
    }
}
