// The model-card dialog shows the card of the loaded checkpoint (fake
// backend: a known card) and the greedy example generated on the worker.
import QtQuick
import QtQuick.Controls
import QtTest
import Waypoint

Item {
    width: 800
    height: 800

    ChatController { id: chat; backend: "fake" }
    ModelCardDialog { id: dialog; controller: chat }

    TestCase {
        name: "ModelCardDialog"
        when: windowShown

        function value(key) {
            const label = findChild(dialog.contentItem, "value_" + key)
            verify(label !== null, key + " row not found")
            return label.text
        }

        function test_showsTheCard() {
            chat.load("/models/demo-model")
            tryCompare(chat, "modelLoaded", true, 5000)
            dialog.open()
            tryCompare(dialog, "opened", true, 2000)
            compare(dialog.title, "demo-model")
            compare(value("Architecture"), "llama")
            compare(value("Parameters"), "260,000")
            compare(value("Layers"), "5")
            compare(value("Heads (KV heads)"), "8 (4)")
            compare(value("Width / feed-forward"), "64 / 172")
            compare(value("Vocabulary"), "512")
            compare(value("Context"), "512 tokens")
            compare(value("Tied embeddings"), "yes")
            compare(value("Weights dtype"), "float32")
            compare(value("Device"), "cpu")
            compare(value("Format"), "fake")
            compare(value("File size"), "1015.6 KB")
            compare(value("Training step"), "4,000")
            compare(value("Validation loss"), "1.2500")
            compare(value("Path"), "/models/demo-model")
            // The example answer is generated when the dialog opens.
            verify(chat.exampleBusy)
            const example = findChild(dialog.contentItem, "exampleText")
            verify(example.text.indexOf("Once upon a time") >= 0)
            tryVerify(() => !chat.exampleBusy, 10000)
            verify(example.text.indexOf("t0 t1 t2") > 0, example.text)
            dialog.close()
        }
    }
}
