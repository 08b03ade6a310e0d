// A small vertical bar chart: one bar per value from zero, its value above it
// and its label below (elided). Values that are not numbers draw no bar.
import QtQuick
import QtQuick.Controls
import Waypoint

Item {
    id: chart
    property var labels: []
    property var values: []
    property int decimals: 3
    property color barColor: Theme.accent
    property string emptyText: qsTr("No data")

    implicitWidth: 320
    implicitHeight: 200

    readonly property real labelHeight: 20
    readonly property real valueHeight: 18
    readonly property real plotHeight: Math.max(1, height - labelHeight - valueHeight - 4)
    readonly property real maxValue: {
        let m = 0;
        for (const v of (values || [])) if (isFinite(Number(v))) m = Math.max(m, Number(v));
        return m;
    }
    readonly property int count: values ? values.length : 0
    readonly property real slot: count > 0 ? width / count : width

    Rectangle {  // the baseline
        x: 0; width: chart.width; height: 1
        y: chart.valueHeight + chart.plotHeight
        color: Theme.mutedText
    }
    Repeater {
        model: chart.count
        delegate: Item {
            required property int index
            readonly property real value: Number(chart.values[index])
            readonly property bool known: isFinite(value)
            x: index * chart.slot
            width: chart.slot
            height: chart.height
            Rectangle {
                id: bar
                visible: parent.known
                width: Math.min(56, parent.width * 0.6)
                anchors.horizontalCenter: parent.horizontalCenter
                height: chart.maxValue > 0 && parent.known ? Math.max(1, parent.value / chart.maxValue * chart.plotHeight) : 0
                y: chart.valueHeight + chart.plotHeight - height
                radius: 2
                color: chart.barColor
            }
            Label {
                visible: parent.known
                text: parent.known ? parent.value.toFixed(chart.decimals) : ""
                font.pointSize: Theme.smallSize
                color: Theme.text
                anchors.horizontalCenter: parent.horizontalCenter
                y: bar.y - height - 2
            }
            Label {
                text: chart.labels && index < chart.labels.length ? String(chart.labels[index]) : ""
                width: parent.width - 4
                horizontalAlignment: Text.AlignHCenter
                elide: Text.ElideMiddle
                font.pointSize: Theme.smallSize
                color: Theme.mutedText
                anchors.horizontalCenter: parent.horizontalCenter
                y: chart.valueHeight + chart.plotHeight + 4
            }
        }
    }
    Label {
        anchors.centerIn: parent
        visible: chart.count === 0
        text: chart.emptyText
        color: Theme.mutedText
    }
}
