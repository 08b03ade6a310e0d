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

        // A typed value beyond the limit: clamped, and the field and a note say so.
        function test_typedValueBeyondTheLimitIsClamped() {
            const field = find("maxNewTokensField")
            compare(find("maxNewTokensRange").text, "1–4096")
            verify(find("maxNewTokensRange").visible)
            mouseClick(field)
            field.selectAll()
            type("100000")
            keyClick(Qt.Key_Return)
            compare(settings.maxNewTokens, 4096)
            compare(field.text, "4096")  // not the rejected 100000
            const note = find("maxNewTokensLimitNote")
            verify(note.visible)
            verify(note.text.indexOf("4096") >= 0, note.text)
            // Below the least, too; an in-range value clears the note.
            mouseClick(field)
            field.selectAll()
            type("0")
            keyClick(Qt.Key_Return)
            compare(settings.maxNewTokens, 1)
            compare(field.text, "1")
            verify(note.visible)
            mouseClick(field)
            field.selectAll()
            type("300")
            keyClick(Qt.Key_Tab)  // leaving the field commits it too
            compare(settings.maxNewTokens, 300)
            verify(!note.visible)
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
