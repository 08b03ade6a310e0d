// The main window: a Chat | Compare tab bar on top (Ctrl+1 / Ctrl+2). Chat:
// checkpoints and sampling on the left, the saved chats (ChatList, kept by
// ChatHistory and ChatRecorder), the conversation, a status bar below; opens
// the last chat; starts on --checkpoint, else the last used checkpoint,
// else the project's demo checkpoint. Compare: 2-4 panes on one prompt; its
// panes load only when the view is first shown (or with --compare).
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
    title: chat.modelLoaded ? qsTr("%1 — Waypoint").arg(chat.modelTitle) : "Waypoint"

    // Qt 6.4's Fusion controls take their colours from the style's own light
    // palette, not from QGuiApplication::setPalette (--theme dark): hand the
    // application's palette to the window, whose controls inherit it.
    SystemPalette { id: appPalette; colorGroup: SystemPalette.Active }
    SystemPalette { id: disabledPalette; colorGroup: SystemPalette.Disabled }
    palette.window: appPalette.window
    // Text colours per group: "palette.text" would set the disabled group too,
    // and a disabled control would look enabled.
    palette.active.windowText: appPalette.windowText
    palette.inactive.windowText: appPalette.windowText
    palette.base: appPalette.base
    palette.alternateBase: appPalette.alternateBase
    palette.active.text: appPalette.text
    palette.inactive.text: appPalette.text
    palette.button: appPalette.button
    palette.active.buttonText: appPalette.buttonText
    palette.inactive.buttonText: appPalette.buttonText
    palette.highlight: appPalette.highlight
    palette.highlightedText: appPalette.highlightedText
    palette.placeholderText: appPalette.placeholderText
    palette.toolTipBase: appPalette.toolTipBase
    palette.toolTipText: appPalette.toolTipText
    palette.mid: appPalette.mid
    palette.dark: appPalette.dark
    palette.light: appPalette.light
    palette.midlight: appPalette.midlight
    palette.shadow: appPalette.shadow
    palette.disabled.text: disabledPalette.text
    palette.disabled.buttonText: disabledPalette.buttonText
    palette.disabled.windowText: disabledPalette.windowText

    ChatController {
        id: chat
        device: AppOptions.device
        onLoadSucceeded: (path) => { library.markLoaded(path, true); library.addRecent(path) }
        onLoadFailedFor: (path, message) => library.markLoaded(path, false, message)
    }
    CheckpointLibrary { id: library }
    ButtonKeys {}  // Enter presses the focused button, as Space does
    FocusRing {}   // the keyboard focus, drawn alike on every control
    // Saved chats (history.sqlite in the app-data folder); the recorder saves
    // what the chat shows and puts a chosen chat back. On start: the last chat.
    ChatHistory {
        id: chatHistory
        onReadyChanged: if (ready && chat.messages.count === 0) recorder.openMostRecent()
    }
    ChatRecorder { id: recorder; history: chatHistory; messages: chat.messages; controller: chat }
    function newChat() {
        chat.clear()
        recorder.startNewChat()
        chat.useDefaultSystemPrompt()  // the one last used with this checkpoint
        chatView.promptBox.textArea.forceActiveFocus()
    }
    CompareController { id: compare }

    readonly property bool comparing: tabs.currentIndex === 1
    // A small window (the smallest is 880 wide) has no room for the chat list
    // beside the conversation: it shows when asked (the header's Chats button).
    readonly property bool roomForChats: width >= 1100
    property bool chatsWanted: false
    readonly property bool chatsShown: roomForChats || chatsWanted
    property bool compareStarted: false
    // The first time the compare view shows: the remembered layout, else the
    // demo run's first and last step side by side.
    function startCompare() {
        if (compareStarted) return
        compareStarted = true
        if (AppOptions.compare.length > 0) { compare.openCheckpoints(AppOptions.compare); return }
        const demo = library.demoFolder
        const fallback = demo.length > 0 ? [demo + "/arith-step000500", demo + "/arith-step004000"]
                                         : [library.startCheckpoint(), library.startCheckpoint()]
        compare.restoreLayout(fallback.filter(p => p.length > 0))
    }
    function showView(i) {
        tabs.currentIndex = i
        if (i === 1) { startCompare(); compareView.promptBox.textArea.forceActiveFocus() }
        else chatView.promptBox.textArea.forceActiveFocus()
    }

    Component.onCompleted: {
        const start = AppOptions.checkpoint.length > 0 ? AppOptions.checkpoint : library.startCheckpoint()
        if (AppOptions.tokenizer.length > 0) chat.loadWithTokenizer(start, AppOptions.tokenizer)
        else if (start.length > 0) chat.load(start)
        if (AppOptions.compare.length > 0) showView(1)
        else chatView.promptBox.textArea.forceActiveFocus()
    }

    Shortcut {
        sequences: ["Ctrl+Return", "Ctrl+Enter"]
        onActivated: window.comparing ? compareView.promptBox.submit() : chatView.promptBox.submit()
    }
    Shortcut {
        sequence: "Esc"
        enabled: window.comparing ? compare.generating : chat.generating
        onActivated: window.comparing ? compare.stop() : chat.stop()
    }
    Shortcut { sequence: StandardKey.Open; enabled: !window.comparing; onActivated: fileDialog.open() }
    Shortcut { sequence: "Ctrl+N"; enabled: !window.comparing; onActivated: window.newChat() }
    Shortcut { sequence: "Ctrl+I"; enabled: chat.modelLoaded && !window.comparing; onActivated: modelCard.open() }
    Shortcut { sequence: "Ctrl+1"; onActivated: window.showView(0) }
    Shortcut { sequence: "Ctrl+2"; onActivated: window.showView(1) }

    header: Rectangle {
        implicitHeight: tabs.implicitHeight + 8
        color: Theme.sidebar
        Rectangle { anchors.bottom: parent.bottom; width: parent.width; height: 1; color: Theme.border }
        TabBar {
            id: tabs
            objectName: "viewTabs"
            anchors.left: parent.left
            anchors.leftMargin: 8
            anchors.bottom: parent.bottom
            width: 300
            Accessible.name: qsTr("View")
            TabButton {
                text: qsTr("Chat  (Ctrl+1)")
                Accessible.name: qsTr("Chat view")
                onClicked: window.showView(0)
            }
            TabButton {
                objectName: "compareTab"
                text: qsTr("Compare  (Ctrl+2)")
                Accessible.name: qsTr("Compare view")
                onClicked: window.showView(1)
            }
        }
        // "Serve this model": the chat's loaded checkpoint over a local
        // OpenAI-compatible API, whichever view is shown.
        ServeButton {
            id: serveButton
            anchors.right: parent.right
            anchors.rightMargin: 8
            anchors.verticalCenter: tabs.verticalCenter
            chat: chat
        }
        Button {
            objectName: "chatsToggle"
            anchors.right: serveButton.left
            anchors.rightMargin: 4
            anchors.verticalCenter: tabs.verticalCenter
            visible: !window.comparing && !window.roomForChats
            flat: true
            checkable: true
            checked: window.chatsWanted
            text: checked ? qsTr("Hide chats") : qsTr("Chats")
            Accessible.name: checked ? qsTr("Hide the saved chats") : qsTr("Show the saved chats")
            onToggled: window.chatsWanted = checked
        }
    }

    StackLayout {
        id: views
        anchors.fill: parent
        currentIndex: tabs.currentIndex

        RowLayout {
            id: content
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
                onChooseTokenizerRequested: (path) => window.chooseTokenizer(path)
            }
            Rectangle { Layout.fillHeight: true; width: 1; color: Theme.border; visible: chatList.visible }
            ChatList {
                id: chatList
                visible: window.chatsShown
                Layout.preferredWidth: window.roomForChats ? 250 : 220
                Layout.fillHeight: true
                history: chatHistory
                currentChatId: recorder.chatId
                onNewChatRequested: window.newChat()
                onChatChosen: (chatId) => {
                    if (chat.generating) chat.stop()
                    recorder.openChat(chatId)
                }
                onCurrentChatDeleted: window.newChat()
            }
            Rectangle { Layout.fillHeight: true; width: 1; color: Theme.border }
            ChatView {
                id: chatView
                chatRecorder: recorder
                Layout.fillWidth: true
                Layout.fillHeight: true
                controller: chat
                onCardRequested: modelCard.open()
                onChooseTokenizerRequested: (path) => window.chooseTokenizer(path)
            }
        }

        CompareView {
            id: compareView
            controller: compare
            library: library
        }
    }

    footer: StatusBar { controller: chat; visible: !window.comparing }

    ModelCardDialog { id: modelCard; controller: chat }

    FileDialog {
        id: fileDialog
        title: qsTr("Open a checkpoint file")
        nameFilters: [qsTr("Checkpoints (*.bin *.gguf *.pt *.pth *.ckpt *.safetensors)"), qsTr("All files (*)")]
        onAccepted: chat.load(selectedFile.toString())
    }
    // A checkpoint without a tokenizer beside it: pick one; the checkpoint
    // loads with it, and it is remembered for that checkpoint.
    function chooseTokenizer(checkpoint) {
        tokenizerDialog.checkpoint = checkpoint
        const dir = checkpoint.substring(0, checkpoint.lastIndexOf("/"))
        if (dir.length > 0) tokenizerDialog.currentFolder = FilePaths.toUrl(dir)
        tokenizerDialog.open()
    }
    FileDialog {
        id: tokenizerDialog
        objectName: "tokenizerDialog"
        property string checkpoint
        title: qsTr("Choose a tokenizer for %1").arg(checkpoint.split("/").pop())
        nameFilters: [qsTr("Tokenizers (*.model *.bin *.json *.gguf *.txt)"), qsTr("All files (*)")]
        onAccepted: chat.loadWithTokenizer(checkpoint, selectedFile.toString())
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

    // --screenshot DIR (builds with WAYPOINT_SCREENSHOT_HOOKS only, where the
    // runners are part of the module): drives the window and saves PNGs.
    Loader {
        active: AppOptions.screenshotDir.length > 0
        Component.onCompleted: {
            if (!active) return
            if (AppOptions.compare.length > 0)
                setSource(Qt.resolvedUrl("components/CompareScreenshotRunner.qml"), {
                    directory: AppOptions.screenshotDir, controller: compare, view: compareView, windowContent: views })
            else
                setSource(Qt.resolvedUrl("components/ScreenshotRunner.qml"), {
                    directory: AppOptions.screenshotDir, controller: chat, windowContent: content,
                    picker: sidebar.picker, samplingPanel: sidebar.samplingPanel, cardDialog: modelCard,
                    promptBox: chatView.promptBox, history: chatHistory, recorder: recorder })
        }
    }
}
