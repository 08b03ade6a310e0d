// The conversation in the chat view with a real history file: editing a
// user turn and sending it again replaces the answer and keeps the earlier
// branch behind a "‹ 1/2 ›" switcher; a saved answer with Markdown shows its
// code block in a box with a Copy button; a streamed answer becomes Markdown
// once whole; a long chat opens at its end; the view follows the stream
// until scrolled up; the
// prompt-mode bar says when the model has no chat template.
import QtQuick
import QtTest
import Waypoint
import WaypointTest

Item {
    width: 1000
    height: 700

    ChatController { id: chat; backend: "fake" }
    ChatHistory { id: history; path: TestEnvironment.outputFolder + "/conversation.sqlite" }
    ChatRecorder { id: recorder; history: history; messages: chat.messages; controller: chat }
    ChatView { id: view; anchors.fill: parent; controller: chat; chatRecorder: recorder }

    TestCase {
        name: "ConversationView"
        when: windowShown

        function delegateAt(row) {
            const list = findChild(view, "messageList")
            list.positionViewAtIndex(row, ListView.Contain)
            for (let i = 0; i < list.contentItem.children.length; ++i) {
                const d = list.contentItem.children[i]
                if (d.index === row && d.role !== undefined) return d
            }
            return null
        }
        // The last message's end is in view (positionViewAtEnd leaves the
        // list's bottom margin out, so atYEnd stays false there).
        function showsTheEnd(list) {
            return list.contentY + list.height >= list.originY + list.contentHeight - 1
        }
        function answer(text) {
            chat.send(text)
            tryVerify(() => !chat.generating, 5000)
        }

        function init() {
            chat.clear()
            recorder.startNewChat()
        }

        function test_editAndSwitchBranches() {
            chat.load("/models/edit")
            tryVerify(() => chat.modelLoaded && !chat.loading, 5000)
            chat.sampling.maxNewTokens = 3
            answer("one")
            answer("two")
            const list = findChild(view, "messageList")
            tryCompare(list, "count", 4)

            // Hover the second question: Edit appears; edit it and send.
            let question = delegateAt(2)
            verify(question)
            mouseMove(question, question.width - 30, question.height / 2)
            const edit = findChild(question, "editButton")
            tryVerify(() => edit.visible)
            mouseClick(edit)
            const editor = findChild(question, "messageEditor")
            tryVerify(() => editor.visible && editor.activeFocus)
            compare(editor.text, "two")
            editor.selectAll()
            keyClick(Qt.Key_Delete)
            for (const ch of "three") keyClick(ch)
            keyClick(Qt.Key_Return)
            tryVerify(() => !chat.generating && list.count === 4, 5000)
            compare(chat.messages.textAt(2), "three")

            question = delegateAt(2)
            const switcher = findChild(question, "branchSwitcher")
            tryVerify(() => switcher.visible)
            compare(findChild(question, "alternativeLabel").text, "2/2")
            mouseClick(findChild(question, "previousAlternative"))
            tryVerify(() => chat.messages.textAt(2) === "two", 5000)
            question = delegateAt(2)
            compare(findChild(question, "alternativeLabel").text, "1/2")
            verify(!findChild(question, "previousAlternative").enabled)
            mouseClick(findChild(question, "nextAlternative"))
            tryVerify(() => chat.messages.textAt(2) === "three", 5000)
        }

        // What few turns use is made when first needed, not with every
        // delegate (a long chat makes a screenful at once): the editor when
        // Edit is pressed, the token popup when a token is first shown, the
        // "1/2" switcher when there are alternatives, the caret while streaming.
        function test_rarelyUsedPartsAreMadeWhenNeeded() {
            chat.load("/models/edit")
            tryVerify(() => chat.modelLoaded && !chat.loading, 5000)
            chat.sampling.maxNewTokens = 3
            answer("one")
            const list = findChild(view, "messageList")
            tryCompare(list, "count", 2)
            const question = delegateAt(0)
            const reply = delegateAt(1)
            verify(findChild(question, "editButton"))
            compare(findChild(reply, "editButton"), null)  // Edit is for the person's turns only
            compare(findChild(question, "messageEditor"), null)
            compare(findChild(question, "previousAlternative"), null)
            compare(findChild(reply, "tokenPopup"), null)
            compare(findChild(question, "continueButton"), null)
            verify(findChild(reply, "continueButton"))  // cut at 3 tokens: Continue is offered there

            mouseMove(question, question.width - 30, question.height / 2)
            const edit = findChild(question, "editButton")
            tryVerify(() => edit.visible && edit.opacity === 1)
            mouseClick(edit)
            const editor = findChild(question, "messageEditor")
            verify(editor)
            tryVerify(() => editor.visible && editor.activeFocus)
            compare(editor.text, "one")
            keyClick(Qt.Key_Escape)
            tryVerify(() => !editor.visible)
            verify(findChild(question, "messageEditor") === editor)  // kept once made

            const tokens = findChild(reply, "messageText")
            tokens.cursorToken = 0
            verify(findChild(reply, "tokenPopup"))
            tokens.cursorToken = -1
        }

        // Without a mouse: Edit is a Tab stop (hidden until focused, then
        // shown), Space opens the editor, Esc gives the focus back to Edit.
        function test_editFromTheKeyboard() {
            chat.load("/models/edit")
            tryVerify(() => chat.modelLoaded && !chat.loading, 5000)
            chat.sampling.maxNewTokens = 3
            answer("one")
            const list = findChild(view, "messageList")
            tryCompare(list, "count", 2)
            const question = delegateAt(0)
            const edit = findChild(question, "editButton")
            verify(edit.visible && edit.enabled && edit.activeFocusOnTab)
            compare(edit.opacity, 0)  // not hovered, not focused
            edit.forceActiveFocus(Qt.TabFocusReason)
            tryCompare(edit, "opacity", 1)
            keyClick(Qt.Key_Space)
            const editor = findChild(question, "messageEditor")
            tryVerify(() => editor.visible && editor.activeFocus)
            keyClick(Qt.Key_Escape)
            tryVerify(() => !editor.visible)
            tryVerify(() => edit.activeFocus)
            compare(chat.messages.textAt(0), "one")
        }

        // Up/Down on the closed prompt-mode box open its list; the mode
        // changes only when one is picked.
        function test_promptModeArrowsOpenTheList() {
            chat.load("/models/base")
            tryVerify(() => chat.modelLoaded && !chat.loading, 5000)
            chat.promptMode = "completion"
            const box = findChild(view, "promptModeBox")
            box.forceActiveFocus(Qt.TabFocusReason)
            for (const key of [Qt.Key_Down, Qt.Key_Up]) {
                keyClick(key)
                tryVerify(() => box.popup.opened)
                compare(chat.promptMode, "completion")
                keyClick(Qt.Key_Escape)
                tryVerify(() => !box.popup.visible)
                compare(chat.promptMode, "completion")
            }
            chat.promptMode = "template"
        }

        function test_markdownCodeBlockHasCopy() {
            const id = history.newChat("markdown")
            const q = history.addMessage(id, 0, "user", "Show me code")
            history.addMessage(id, q, "assistant", "Here is **bold** text:\n\n```python\nprint(1 + 2)\n```\n\nDone.",
                               "", {}, "eos")
            recorder.openChat(id)
            tryVerify(() => chat.messages.count === 2, 5000)
            const answerRow = delegateAt(1)
            verify(answerRow)
            // Made while the chat opened: its Markdown comes in the background.
            let code = null
            tryVerify(() => (code = findChild(answerRow, "codeText")) !== null && code.visible, 2000)
            compare(code.text, "print(1 + 2)")
            const prose = findChild(answerRow, "markdownProse")
            verify(prose)
            // Rendered, not shown as typed: no asterisks left.
            verify(prose.getText(0, prose.length).indexOf("**") < 0)
            const copy = findChild(answerRow, "copyCodeButton")
            mouseClick(copy)
            compare(copy.text, "Copied")
        }

        // A streamed answer turns into Markdown once whole, made in the
        // background: its tokens stay on show until the Markdown is ready,
        // then the Markdown replaces them (the bubble fits it).
        function test_streamedAnswerBecomesMarkdown() {
            chat.load("/models/story-a")
            tryVerify(() => chat.modelLoaded && !chat.loading, 5000)
            chat.send("Tell me")
            tryVerify(() => chat.generating, 5000)
            let row = delegateAt(1)
            verify(row)
            verify(!row.markdownShown)
            verify(findChild(row, "messageText").visible)
            tryVerify(() => !chat.generating, 5000)
            row = delegateAt(1)
            tryVerify(() => row.markdownShown, 3000)
            const loader = findChild(row, "markdownLoader")
            verify(loader.visible)
            verify(!findChild(row, "messageText").visible)
            const prose = findChild(row, "markdownProse")
            verify(prose)
            compare(prose.getText(0, prose.length).trim(), chat.messages.textAt(1).trim())
            tryVerify(() => loader.item.implicitHeight > 0)
        }

        // Opening a long chat shows its last message at the bottom (the view
        // goes to the end before it makes delegates), and the end stays in
        // view while the answers there turn into Markdown in the background.
        function test_opensAtTheEnd() {
            const id = history.newChat("opens at the end")
            let parent = 0
            for (let i = 0; i < 30; ++i) {
                parent = history.addMessage(id, parent, "user", "Question " + i)
                parent = history.addMessage(id, parent, "assistant", "Answer **" + i + "**, with code:\n\n```\ncode "
                                            + i + "\n```\n\nThe end of answer " + i + ".", "", {}, "eos")
            }
            const list = findChild(view, "messageList")
            // The reset makes none of the first rows' delegates (at most row 0,
            // which the view measures): the view has no height as it applies it.
            let madeAtReset = -1
            const countMade = () => {
                madeAtReset = 0
                for (let i = 0; i < list.contentItem.children.length; ++i) {
                    const d = list.contentItem.children[i]
                    if (d.role !== undefined && d.index > 0 && d.index < 50) ++madeAtReset
                }
            }
            chat.messages.modelReset.connect(countMade)
            recorder.openChat(id)
            tryVerify(() => chat.messages.count === 60, 5000)
            chat.messages.modelReset.disconnect(countMade)
            compare(madeAtReset, 0)
            let last = null
            tryVerify(() => (last = list.itemAtIndex(59)) !== null, 2000)
            // The rows above may still be settling their heights as their
            // Markdown comes in; the view follows them to the end.
            tryVerify(() => showsTheEnd(list), 2000, "at the end once the last message is made")
            tryVerify(() => last.markdownShown, 3000)
            const code = findChild(last, "codeText")
            verify(code && code.text === "code 29")
            // The last message's end sits at the bottom of the view.
            tryVerify(() => showsTheEnd(list), 2000)
            const bottom = last.mapToItem(list, 0, last.height).y
            verify(bottom <= list.height && bottom >= list.height - list.bottomMargin - list.spacing - 2,
                   bottom + " in " + list.height)
            verify(list.follow)
        }

        // Following the stream: the view stays at the end while the answer
        // grows, and stays where the person scrolled to once they scroll up.
        function test_followsTheStreamUntilScrolledUp() {
            const id = history.newChat("long")
            let parent = 0
            for (let i = 0; i < 20; ++i) {
                parent = history.addMessage(id, parent, "user", "Question " + i)
                parent = history.addMessage(id, parent, "assistant", "Answer " + i + "\n\nwith a second paragraph.", "", {}, "eos")
            }
            recorder.openChat(id)
            tryVerify(() => chat.messages.count === 40, 5000)
            chat.load("/models/story-a")
            tryVerify(() => chat.modelLoaded && !chat.loading, 5000)
            const list = findChild(view, "messageList")
            const maxNewTokens = chat.sampling.maxNewTokens
            chat.sampling.maxNewTokens = 40  // the fake's 40 tokens, 30 ms apart
            chat.send("Go on")
            tryVerify(() => chat.generating && chat.messages.tokenCountAt(41) > 5, 5000)
            tryVerify(() => showsTheEnd(list), 2000)
            const grown = chat.messages.tokenCountAt(41)
            tryVerify(() => chat.messages.tokenCountAt(41) > grown + 5, 5000)
            tryVerify(() => showsTheEnd(list), 2000)
            // Scrolled up by the wheel: the view stays there while tokens come.
            mouseWheel(list, list.width / 2, list.height / 2, 0, 600)
            tryVerify(() => !list.moving, 2000)
            verify(!showsTheEnd(list))
            verify(!list.follow)
            const y = list.contentY
            const more = chat.messages.tokenCountAt(41)
            tryVerify(() => chat.messages.tokenCountAt(41) > more + 3 || !chat.generating, 5000)
            wait(100)
            compare(list.contentY, y)
            tryVerify(() => !chat.generating, 5000)
            // Back at the end: it follows again.
            list.flick(0, -4000)
            tryVerify(() => !list.moving, 3000)
            verify(list.follow)
            chat.sampling.maxNewTokens = maxNewTokens
        }

        function test_barSaysWhenThereIsNoTemplate() {
            chat.load("/models/base")
            tryVerify(() => chat.modelLoaded && !chat.loading, 5000)
            chat.promptMode = "template"
            const note = findChild(view, "templateNote")
            verify(note.text.indexOf("no chat template") >= 0, note.text)
            compare(chat.effectivePromptMode, "completion")
            chat.promptMode = "transcript"
            verify(findChild(view, "userLabelField").visible)
            chat.promptMode = "template"
        }
    }
}
