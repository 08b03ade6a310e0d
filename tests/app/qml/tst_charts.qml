// The Evaluate panel's charts: the line chart places a falling series'
// points left to right and ever lower, copes with 0 and 1 points, and the bar
// chart's bars follow the values. The panel itself reports a missing text.
import QtQuick
import QtQuick.Controls
import QtTest
import Waypoint

Item {
    width: 900
    height: 700

    LineChart { id: line; width: 400; height: 240 }
    BarChart { id: bars; y: 250; width: 400; height: 200 }
    EvaluatePanel { id: panel; y: 0; x: 420; width: 480; height: 700 }

    TestCase {
        name: "Charts"
        when: windowShown

        function test_fallingSeriesIsMonotonic() {
            // Given out of order: the chart sorts by step.
            line.xs = [2000, 500, 4000, 3000]
            line.ys = [1.2, 2.5, 0.4, 0.9]
            const p = line.points
            compare(p.length, 4)
            for (let i = 1; i < p.length; ++i) {
                verify(p[i].x > p[i - 1].x, "x grows with the step at " + i)
                verify(p[i].y > p[i - 1].y, "a lower loss is drawn lower at " + i)  // y grows downwards
            }
            compare(p[0].valueX, 500)
            compare(p[3].valueY, 0.4)
            // Inside the plot area.
            for (const q of p) {
                verify(q.x >= line.leftMargin && q.x <= line.leftMargin + line.plotWidth)
                verify(q.y >= line.topMargin && q.y <= line.topMargin + line.plotHeight)
            }
            // First and last step at the ends of the x axis.
            fuzzyCompare(p[0].x, line.leftMargin, 0.001)
            fuzzyCompare(p[3].x, line.leftMargin + line.plotWidth, 0.001)
        }

        function test_noPoints() {
            line.xs = []
            line.ys = []
            compare(line.points.length, 0)
            wait(0)
            line.xs = [1, 2]
            line.ys = []  // mismatched lengths: nothing to pair
            compare(line.points.length, 0)
        }

        function test_onePoint() {
            line.xs = [1500]
            line.ys = [0.7]
            compare(line.points.length, 1)
            const q = line.points[0]
            verify(isFinite(q.x) && isFinite(q.y))
            fuzzyCompare(q.x, line.leftMargin + line.plotWidth / 2, 0.001)
            verify(q.y > line.topMargin && q.y < line.topMargin + line.plotHeight)
        }

        function test_equalValues() {
            line.xs = [1, 2, 3]
            line.ys = [0.5, 0.5, 0.5]
            const p = line.points
            compare(p.length, 3)
            for (const q of p) verify(isFinite(q.y))
            compare(p[0].y, p[2].y)
        }

        function test_barsFollowValues() {
            bars.labels = ["a", "b", "c"]
            bars.values = [1.0, 0.5, 0.25]
            compare(bars.count, 3)
            compare(bars.maxValue, 1.0)
            bars.values = []
            compare(bars.count, 0)
        }

        function test_panelReportsMissingText() {
            const button = findChild(panel, "evaluateButton")
            verify(button !== null)
            verify(!button.enabled, "nothing to evaluate yet")
            panel.checkpoints = ["/nowhere/model.bin"]
            panel.textPath = "/nowhere/missing-text.txt"
            verify(button.enabled)
            mouseClick(button)
            tryCompare(panel.controller, "running", false, 10000)
            verify(panel.controller.error.indexOf("/nowhere/missing-text.txt") >= 0, panel.controller.error)
            compare(panel.rows.length, 1)
            compare(panel.rows[0].state, "failed")
        }
    }
}
