// Colours and metrics, derived from the application palette so that the
// window follows the system's light or dark scheme (or --theme).
pragma Singleton
import QtQuick

QtObject {
    readonly property SystemPalette palette: SystemPalette { colorGroup: SystemPalette.Active }
    readonly property bool dark: palette.window.hslLightness < 0.5

    readonly property color window: palette.window
    readonly property color sidebar: dark ? Qt.darker(palette.window, 1.18) : Qt.darker(palette.window, 1.03)
    readonly property color surface: palette.base
    readonly property color text: palette.windowText
    readonly property color mutedText: dark ? "#9aa1ab" : "#5c636d"
    readonly property color border: dark ? "#353a43" : "#d8dbe0"
    // The frame of a text field drawn by us (Fusion's own is near-black on dark).
    readonly property color fieldBorder: dark ? "#5b626e" : "#c3c8cf"
    readonly property color accent: palette.highlight
    readonly property color accentText: palette.highlightedText
    readonly property color userBubble: dark ? "#24344f" : "#e4edfc"
    readonly property color modelBubble: palette.base
    readonly property color codeBackground: dark ? "#1c1f24" : "#f3f4f6"
    readonly property color error: dark ? "#ff9a8f" : "#a8231b"
    readonly property color errorBackground: dark ? "#3a2326" : "#fdecea"
    readonly property color success: dark ? "#7fd693" : "#1d7a35"
    readonly property color warning: dark ? "#e8c26a" : "#8a6100"

    readonly property int spacing: 8
    readonly property int padding: 12
    readonly property int radius: 8
    readonly property int sidebarWidth: 330
    readonly property font baseFont: Qt.application.font
    // How the conversation's text is drawn: glyphs from the platform's
    // rasteriser in a texture (NativeRendering) rather than distance fields.
    // Distance-field text is shaded per pixel, every frame; with software
    // OpenGL (llvmpipe: VMs, remote desktops, Xvfb) a window full of answers
    // took 20-30 ms per frame that way, against about 10 natively, and the GUI
    // thread waits for each frame (bench_chat_window).
    readonly property int textRenderType: Text.NativeRendering
    readonly property real smallSize: Math.max(9, baseFont.pointSize - 1)
    readonly property real titleSize: baseFont.pointSize + 3
}
