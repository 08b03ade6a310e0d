// One turn of the conversation. The user's turns sit right in a tinted
// bubble; the model's turns, under the name of the model that wrote them, take the width, with a caret while streaming, and
// show each token's probability on hover (TokenText).
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Waypoint

Item {
    id: root
    required property int index
    required property string role
    required property string text
    required property bool streaming
    required property string stats
    required property string author  // the model that wrote this answer ("" for the user's turns)
    // Where the tokens are (the view's MessageModel), and whether to colour them.
    property MessageModel messages: null
    property bool colorByProbability: false
    readonly property bool isUser: role === "user"

    implicitHeight: column.implicitHeight + 14

    ColumnLayout {
        id: column
        spacing: 3
        width: root.isUser ? Math.min(implicitWidthOfBubble(), root.width * 0.78) : root.width
        anchors.right: root.isUser ? parent.right : undefined
        anchors.left: root.isUser ? undefined : parent.left

        function implicitWidthOfBubble() { return Math.max(80, metrics.advanceWidth + 2 * 14 + 4) }
        // Only user bubbles size to their text; a long streaming answer is not measured per frame.
        TextMetrics { id: metrics; text: root.isUser ? root.text : ""; font: body.font }

        Label {
            objectName: "authorLabel"
            // Which checkpoint answered: a chat may span several.
            text: root.isUser ? qsTr("You") : root.author.length > 0 ? root.author : qsTr("Model")
            font.pointSize: Theme.smallSize
            font.weight: Font.DemiBold
            color: Theme.mutedText
            Layout.alignment: root.isUser ? Qt.AlignRight : Qt.AlignLeft
        }
        Rectangle {
            Layout.fillWidth: true
            implicitHeight: body.implicitHeight + 20
            radius: Theme.radius + 2
            color: root.isUser ? Theme.userBubble : Theme.modelBubble
            border.color: root.isUser ? "transparent" : Theme.border

            TokenText {
                id: body
                objectName: "messageText"
                x: 14
                y: 10
                width: parent.width - 28
                // The model's answers: hover or select a token for its probability.
                messages: root.isUser ? null : root.messages
                row: root.index
                colorByProbability: root.colorByProbability
                sourceText: root.text.length === 0 && root.streaming ? "…" : root.text
                Accessible.role: Accessible.StaticText
                Accessible.name: (root.isUser ? qsTr("You: ") : qsTr("Model: ")) + root.text
            }
            Rectangle {
                // the streaming caret, after the last character
                visible: root.streaming
                readonly property rect last: body.positionToRectangle(body.length)
                x: body.x + last.x + 2
                y: body.y + last.y + 2
                width: 7
                height: Math.max(10, last.height - 4)
                radius: 1
                color: Theme.accent
                SequentialAnimation on opacity {
                    running: root.streaming
                    loops: Animation.Infinite
                    NumberAnimation { to: 0.2; duration: 450 }
                    NumberAnimation { to: 1; duration: 450 }
                }
            }
        }
        Label {
            objectName: "statsLabel"
            Layout.fillWidth: true
            visible: root.stats.length > 0
            wrapMode: Text.Wrap
            text: root.stats
            font.pointSize: Theme.smallSize
            color: Theme.mutedText
        }
    }
}
