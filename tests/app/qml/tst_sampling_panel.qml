// The sampling panel writes what the user does into SamplingSettings and
// from there into QSettings.
import QtQuick
import QtTest
import Waypoint

Item {
    id: root
    width: 360
    height: 700

    SamplingSettings { id: settings }
    SamplingPanel { id: panel; width: 340; settings: settings }

    TestCase {
        name: "SamplingPanel"
        when: windowShown

        function type(text) { for (const c of text) keyClick(c) }

        function find(name) {
            const item = findChild(panel, name)
            verify(item !== null, name + " not found")
            return item
        }

        function init() { settings.resetToDefaults() }

        function test_sliderKeysWriteTheSettings() {
            const slider = find("temperatureSlider")
            compare(settings.temperature.toFixed(2), "0.80")
            slider.forceActiveFocus()
            keyClick(Qt.Key_Right)
            keyClick(Qt.Key_Right)
            compare(settings.temperature.toFixed(2), "0.90")
            compare(Number(settings.stored("temperature")).toFixed(2), "0.90")
            const topK = find("topKSlider")
            topK.forceActiveFocus()
            keyClick(Qt.Key_Left)
            compare(settings.topK, 39)
            compare(Number(settings.stored("topK")), 39)
        }

        function test_dragToZeroMeansGreedy() {
            const slider = find("temperatureSlider")
            mouseDrag(slider, slider.width / 2, slider.height / 2, -slider.width, 0)
            compare(settings.temperature, 0)
            compare(Number(settings.stored("temperature")), 0)
            compare(find("temperatureField").text, "greedy")
        }

        function test_typedValueWritesTheSettings() {
            const field = find("topPField")
            mouseClick(field)
            field.selectAll()
            type("0.42")
            keyClick(Qt.Key_Return)
            compare(settings.topP.toFixed(2), "0.42")
            compare(Number(settings.stored("topP")).toFixed(2), "0.42")
            compare(find("topPSlider").value.toFixed(2), "0.42")
        }

        function test_fixedSeed() {
            const random = find("randomSeed")
            mouseClick(random)
            compare(settings.randomSeed, false)
            compare(settings.stored("randomSeed"), false)
            const seed = find("seedField")
            mouseClick(seed)
            seed.selectAll()
            type("777")
            keyClick(Qt.Key_Return)
            compare(settings.seed, "777")
            compare(settings.stored("seed"), "777")
        }
    }
}
