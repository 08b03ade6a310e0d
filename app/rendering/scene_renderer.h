// How Qt Quick draws the window, chosen once before the first window exists.
//
// Where OpenGL is itself drawn by the CPU (Mesa's llvmpipe or softpipe: a VM,
// a remote desktop, Xvfb, a machine without a GPU driver), the window uses Qt
// Quick's software renderer instead. It redraws only what changed (a
// streaming answer: its last lines), where llvmpipe rasterizes every frame
// whole on the same cores that run the model: on our 2-core machine that
// was 20-35 ms of llvmpipe threads per frame of a long chat, the GUI thread
// waiting for each. Where no OpenGL context can be made at all, it is the
// software renderer too, instead of Qt Quick's abort.
//
// The person's choice wins: --renderer gpu|software, or Qt's own
// QT_QUICK_BACKEND / QSG_RHI_BACKEND. Only Linux's window systems (xcb,
// wayland) are probed: elsewhere Qt picks Direct3D or Metal, which have
// their own fallbacks, and the offscreen platform of the tests is left as is.
#pragma once

#include <QString>

namespace waypoint::app {

struct SceneRendererChoice {
    bool software = false;
    QString reason;  // for people: "OpenGL is llvmpipe (LLVM 15.0.6, 256 bits)"
};

// True for the names OpenGL gives itself (GL_RENDERER) when the CPU draws.
bool isSoftwareOpenGl(const QString& glRenderer);

// Decides from `option` ("auto", "gpu", "software"), the environment and,
// for "auto" on xcb/wayland, a probe of OpenGL (a context made and dropped:
// ~150 ms under Xvfb here, most of it loading Mesa's driver, which drawing
// through OpenGL loads anyway); then sets QQuickWindow's graphics API. Call
// after the QGuiApplication is made, before the first QQuickWindow.
SceneRendererChoice chooseSceneRenderer(const QString& option);

}  // namespace waypoint::app
