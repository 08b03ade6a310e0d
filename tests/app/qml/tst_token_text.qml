// TokenText: hovering a generated token, or putting the cursor on
// it, shows that token's probability and the sampler's top 5 (fake backend:
// known ids and probabilities); the colour toggle tints the tokens.
import QtQuick
import QtQuick.Controls
import QtTest
import Waypoint

Item {
    width: 700
    height: 500

    ChatController { id: chat; backend: "fake" }
    TokenText {
        id: tokens
        x: 10
        y: 10
        width: 600
        messages: chat.messages
        row: 1
    }

    TestCase {
        name: "TokenText"
        when: windowShown

        function percent(p) { return (100 * p).toFixed(1) + "%" }

        // Center of the characters of token k, in tokens' coordinates.
        function tokenPoint(info) {
            const a = tokens.positionToRectangle(info.start)
            const b = tokens.positionToRectangle(info.start + 1)
            return Qt.point((a.x + b.x) / 2, a.y + a.height / 2)
        }

        function initTestCase() {
            chat.load("/models/fake-tokens")
            tryCompare(chat, "modelLoaded", true, 5000)
            verify(chat.send("hello"))
            tryCompare(chat, "generating", false, 10000)
            compare(chat.messages.count, 2)
            tokens.sourceText = chat.messages.textAt(1)
            compare(tokens.text, chat.messages.textAt(1))
            verify(chat.messages.tokenCountAt(1) >= 10)
        }

        function test_hoverShowsProbabilityAndAlternatives() {
            const k = 7
            const info = chat.messages.tokenAt(1, k)
            verify(info.valid)
            compare(info.index, k)
            compare(info.text, "t7 ")
            compare(info.id, 107)
            compare(info.alternatives.length, 5)
            verify(info.alternatives[0].probability >= info.alternatives[1].probability)
            compare(chat.messages.tokenAt(1, 100000).valid, false)
            const p = tokenPoint(info)
            compare(tokens.tokenAtPosition(p.x, p.y), k)
            // The first move only enters the window (no hover position yet under the offscreen platform).
            mouseMove(tokens, p.x, p.y)
            mouseMove(tokens, p.x + 1, p.y)
            tryCompare(tokens, "shownToken", k)
            tryCompare(tokens.popup, "visible", true)
            compare(findChild(tokens.popup.contentItem, "tokenPopupText").text, "t7␣")
            compare(findChild(tokens.popup.contentItem, "tokenPopupProbability").text, percent(info.probability))
            const alternatives = findChild(tokens.popup.contentItem, "tokenPopupAlternatives")
            compare(alternatives.count, 5)
            // Best first; the chosen token is among them, with its probability.
            let chosen = -1
            for (let i = 0; i < 5; ++i) {
                const row = alternatives.itemAt(i)
                if (i > 0) verify(row.altProbability <= alternatives.itemAt(i - 1).altProbability)
                if (row.altText === "t7␣") chosen = i
            }
            verify(chosen >= 0)
            fuzzyCompare(alternatives.itemAt(chosen).altProbability, info.probability, 1e-6)

            // Another token: the popup follows.
            const info2 = chat.messages.tokenAt(1, 2)
            const p2 = tokenPoint(info2)
            mouseMove(tokens, p2.x, p2.y)
            mouseMove(tokens, p2.x + 1, p2.y)
            tryCompare(tokens, "shownToken", 2)
            compare(findChild(tokens.popup.contentItem, "tokenPopupProbability").text, percent(info2.probability))

            // Off the text: no popup.
            mouseMove(tokens, tokens.width - 2, tokens.height + 5)
            mouseMove(tokens, tokens.width - 1, tokens.height + 6)
            tryCompare(tokens, "shownToken", -1)
            tryCompare(tokens.popup, "visible", false)
        }

        function test_cursorSelectsToken() {
            // Keyboard / touch: the token at the cursor is shown while focused.
            const info = chat.messages.tokenAt(1, 4)
            tokens.forceActiveFocus()
            tokens.cursorPosition = info.start + 1
            tryCompare(tokens, "cursorToken", 4)
            tryCompare(tokens.popup, "visible", true)
            keyClick(Qt.Key_Right)
            keyClick(Qt.Key_Right)
            keyClick(Qt.Key_Right)  // "t4 " is 3 characters: now in "t5 "
            tryCompare(tokens, "cursorToken", 5)
            compare(findChild(tokens.popup.contentItem, "tokenPopupText").text, "t5␣")
            keyClick(Qt.Key_Escape)
            tryCompare(tokens, "shownToken", -1)
            tokens.focus = false
        }

        function test_colourToggleTintsTokens() {
            const info = chat.messages.tokenAt(1, 0)
            const r = tokens.positionToRectangle(info.start)
            // A background pixel inside the first token's box, left of the glyph's ink.
            const px = tokens.x + r.x + 1, py = tokens.y + r.y + 1
            tokens.colorByProbability = false
            wait(50)
            const plain = grabImage(parent).pixel(px, py)
            tokens.colorByProbability = true
            wait(50)
            const tinted = grabImage(parent).pixel(px, py)
            verify(!Qt.colorEqual(plain, tinted), "colouring changed nothing at the first token: " + plain + " " + tinted)
            tokens.colorByProbability = false
            wait(50)
            verify(Qt.colorEqual(grabImage(parent).pixel(px, py), plain))
        }
    }
}
