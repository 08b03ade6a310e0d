// The chat view's error banner when a checkpoint has no tokenizer beside it
// (fake backend: paths containing "notok"): it offers "Choose tokenizer…"
// for that checkpoint, and a model's answers carry the model's name.
import QtQuick
import QtTest
import Waypoint

Item {
    width: 900
    height: 600

    ChatController { id: chat; backend: "fake" }
    ChatView { id: view; anchors.fill: parent; controller: chat }
    SignalSpy { id: chooseSpy; target: view; signalName: "chooseTokenizerRequested" }

    TestCase {
        name: "ChatView"
        when: windowShown

        function test_bannerOffersChooseTokenizer() {
            chat.load("/models/notok/ckpt.pt")
            tryVerify(() => !chat.loading, 5000)
            verify(chat.needsTokenizer)
            const banner = findChild(view, "errorBanner")
            verify(banner.visible)
            const text = findChild(view, "errorText").text
            verify(text.indexOf("--tokenizer") < 0, text)
            const button = findChild(view, "chooseTokenizerButton")
            verify(button.visible)
            mouseClick(button)
            compare(chooseSpy.count, 1)
            compare(chooseSpy.signalArguments[0][0], "/models/notok/ckpt.pt")
            // Chosen: the checkpoint loads and the banner goes.
            chat.loadWithTokenizer("/models/notok/ckpt.pt", "/models/notok/tokenizer.model")
            tryVerify(() => chat.modelLoaded, 5000)
            verify(!banner.visible)
            verify(!button.visible)
        }

        function test_answersShowTheirModel() {
            chat.load("/models/story-a")
            tryVerify(() => chat.modelLoaded && chat.modelName === "story-a", 5000)
            chat.sampling.maxNewTokens = 3
            chat.send("hi")
            tryVerify(() => !chat.generating, 5000)
            const list = findChild(view, "messageList")
            tryVerify(() => list.count === 2)
            const labels = []
            for (let i = 0; i < list.contentItem.children.length; ++i) {
                const l = findChild(list.contentItem.children[i], "authorLabel")
                if (l) labels.push(l.text)
            }
            verify(labels.indexOf("story-a · step 4000") >= 0, JSON.stringify(labels))
            compare(findChild(view, "modelTitle").text, "story-a · step 4000")
            verify(labels.indexOf("You") >= 0, JSON.stringify(labels))
        }
    }
}
