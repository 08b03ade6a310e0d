// A small line chart drawn with a Canvas: points (xs[i], ys[i]) joined in x
// order, both axes labelled with their range, each point with its value.
// Works for any number of points: none shows `emptyText`, one is drawn
// alone in the middle. `points` (pixel positions, for tests) is derived.
import QtQuick
import QtQuick.Controls
import Waypoint

Item {
    id: chart
    property var xs: []
    property var ys: []
    property string xLabel: ""
    property string yLabel: ""
    property int decimals: 3
    property color lineColor: Theme.accent
    property string emptyText: qsTr("No data")

    implicitWidth: 320
    implicitHeight: 200

    // The plot area inside the axis labels.
    readonly property real leftMargin: 56
    readonly property real rightMargin: 28
    readonly property real topMargin: 20
    readonly property real bottomMargin: 40
    readonly property real plotWidth: Math.max(1, width - leftMargin - rightMargin)
    readonly property real plotHeight: Math.max(1, height - topMargin - bottomMargin)

    // Sorted by x; non-numbers left out.
    readonly property var series: {
        const out = [];
        const n = Math.min(xs ? xs.length : 0, ys ? ys.length : 0);
        for (let i = 0; i < n; ++i) {
            const x = Number(xs[i]), y = Number(ys[i]);
            if (isFinite(x) && isFinite(y)) out.push({ x: x, y: y });
        }
        out.sort((a, b) => a.x - b.x);
        return out;
    }
    // Ranges padded so that one point, or equal values, still have a span.
    readonly property var xRange: range(series.map(p => p.x), 0)
    readonly property var yRange: range(series.map(p => p.y), 0.1)

    readonly property var points: series.map(p => ({
        x: leftMargin + (xRange[1] === xRange[0] ? plotWidth / 2 : (p.x - xRange[0]) / (xRange[1] - xRange[0]) * plotWidth),
        y: topMargin + plotHeight - (p.y - yRange[0]) / (yRange[1] - yRange[0]) * plotHeight,
        valueX: p.x, valueY: p.y }))

    function range(values, pad) {
        if (values.length === 0) return [0, 1];
        let lo = Math.min(...values), hi = Math.max(...values);
        const span = hi - lo;
        if (span === 0) return pad > 0 ? [lo - Math.max(Math.abs(lo) * pad, 0.5), hi + Math.max(Math.abs(hi) * pad, 0.5)] : [lo, hi];
        return pad > 0 ? [lo - span * pad, hi + span * pad] : [lo, hi];
    }
    function fmt(v, d) { return Number(v).toFixed(d); }

    onPointsChanged: canvas.requestPaint()
    onLineColorChanged: canvas.requestPaint()

    Canvas {
        id: canvas
        anchors.fill: parent
        onWidthChanged: requestPaint()
        onHeightChanged: requestPaint()
        onPaint: {
            const ctx = getContext("2d");
            ctx.reset();
            // Axes.
            ctx.strokeStyle = Theme.mutedText;
            ctx.lineWidth = 1;
            ctx.beginPath();
            ctx.moveTo(chart.leftMargin + 0.5, chart.topMargin);
            ctx.lineTo(chart.leftMargin + 0.5, chart.topMargin + chart.plotHeight + 0.5);
            ctx.lineTo(chart.leftMargin + chart.plotWidth, chart.topMargin + chart.plotHeight + 0.5);
            ctx.stroke();
            // The line.
            const pts = chart.points;
            if (pts.length > 1) {
                ctx.strokeStyle = chart.lineColor;
                ctx.lineWidth = 2;
                ctx.beginPath();
                ctx.moveTo(pts[0].x, pts[0].y);
                for (let i = 1; i < pts.length; ++i) ctx.lineTo(pts[i].x, pts[i].y);
                ctx.stroke();
            }
        }
    }

    Repeater {
        id: markers
        model: chart.points
        delegate: Item {
            required property var modelData
            x: modelData.x
            y: modelData.y
            Rectangle {
                width: 9; height: 9; radius: 4.5
                x: -width / 2; y: -height / 2
                color: chart.lineColor
                border.color: Theme.surface
                border.width: 1.5
            }
            Label {
                // Beside the point, on the side towards the middle: clear of
                // the y axis's labels and of the right edge.
                text: chart.fmt(modelData.valueY, chart.decimals)
                font.pointSize: Theme.smallSize
                color: Theme.text
                x: modelData.x > chart.leftMargin + chart.plotWidth / 2 ? -width - 6 : 6
                y: -height - 2
            }
        }
    }

    // Axis ranges and names.
    Label {
        visible: chart.series.length > 0
        text: chart.fmt(chart.yRange[1], chart.decimals)
        font.pointSize: Theme.smallSize; color: Theme.mutedText
        x: chart.leftMargin - width - 6; y: chart.topMargin - height / 2
    }
    Label {
        visible: chart.series.length > 0
        text: chart.fmt(chart.yRange[0], chart.decimals)
        font.pointSize: Theme.smallSize; color: Theme.mutedText
        x: chart.leftMargin - width - 6; y: chart.topMargin + chart.plotHeight - height / 2
    }
    Repeater {  // an x tick under every point (steps are few)
        model: chart.points
        delegate: Label {
            required property var modelData
            text: String(modelData.valueX)
            font.pointSize: Theme.smallSize; color: Theme.mutedText
            x: modelData.x - width / 2; y: chart.topMargin + chart.plotHeight + 4
        }
    }
    Label {
        text: chart.xLabel
        font.pointSize: Theme.smallSize; color: Theme.text
        anchors.horizontalCenter: parent.horizontalCenter
        anchors.bottom: parent.bottom
    }
    Label {
        text: chart.yLabel
        font.pointSize: Theme.smallSize; color: Theme.text
        rotation: -90
        x: -width / 2 + height / 2
        y: chart.topMargin + chart.plotHeight / 2 - height / 2
    }
    Label {
        anchors.centerIn: parent
        visible: chart.series.length === 0
        text: chart.emptyText
        color: Theme.mutedText
    }
}
