// Left column: the checkpoint picker above the sampling panel. (No logo row:
// the window title and the Chat | Compare tabs say where you are, and the
// picker needs the height.)
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Waypoint

Rectangle {
    id: root
    required property ChatController controller
    required property CheckpointLibrary library
    property alias picker: picker
    property alias samplingPanel: sampling
    signal openFileRequested()
    signal openFolderRequested()
    signal chooseModelsFolderRequested()
    signal chooseTokenizerRequested(string checkpoint)

    color: Theme.sidebar
    // Tab into a knob below the fold shows it. (Beside the ScrollView, not
    // in it: a second child there would stop it sizing its content.)
    KeepFocusInView { flickable: scroll.contentItem }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.padding
        spacing: Theme.padding

        CheckpointPicker {
            id: picker
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.minimumHeight: 160
            library: root.library
            controller: root.controller
            onOpenFileRequested: root.openFileRequested()
            onOpenFolderRequested: root.openFolderRequested()
            onChooseModelsFolderRequested: root.chooseModelsFolderRequested()
            onChooseTokenizerRequested: (path) => root.chooseTokenizerRequested(path)
        }

        ScrollView {
            id: scroll
            Layout.fillWidth: true
            Layout.preferredHeight: Math.min(sampling.implicitHeight, root.height * 0.5)
            contentWidth: availableWidth
            clip: true
            SamplingPanel {
                id: sampling
                // Clear of the scroll bar when it shows (it would cover the value fields).
                width: scroll.availableWidth - (scroll.ScrollBar.vertical.visible ? scroll.ScrollBar.vertical.width + 2 : 0)
                settings: root.controller.sampling
            }
        }
    }
}
