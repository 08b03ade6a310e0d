#include "scene_renderer.h"

#include <QGuiApplication>
#include <QOffscreenSurface>
#include <QOpenGLContext>
#include <QOpenGLFunctions>
#include <QQuickWindow>
#include <QSGRendererInterface>

namespace waypoint::app {

namespace {

// GL_RENDERER of the current context; empty if none could be made current.
QString probeOpenGlRenderer(bool* madeContext) {
    QOpenGLContext context;
    *madeContext = context.create();
    if (!*madeContext) return {};
    QOffscreenSurface surface;
    surface.setFormat(context.format());
    surface.create();
    if (!context.makeCurrent(&surface)) {
        *madeContext = false;
        return {};
    }
    const auto* name = reinterpret_cast<const char*>(context.functions()->glGetString(GL_RENDERER));
    const QString renderer = name ? QString::fromUtf8(name) : QString();
    context.doneCurrent();
    return renderer;
}

}  // namespace

bool isSoftwareOpenGl(const QString& glRenderer) {
    // Mesa: "llvmpipe (LLVM 15.0.6, 256 bits)", "softpipe", "Software
    // Rasterizer" (swrast); Windows' own: "GDI Generic"; Direct3D's WARP
    // through ANGLE or Mesa's d3d12: "Microsoft Basic Render Driver".
    for (const char* cpu : {"llvmpipe", "softpipe", "software rasterizer", "swrast", "gdi generic",
                            "microsoft basic render"})
        if (glRenderer.contains(QLatin1String(cpu), Qt::CaseInsensitive)) return true;
    return false;
}

SceneRendererChoice chooseSceneRenderer(const QString& option) {
    SceneRendererChoice choice;
    if (option == QLatin1String("software")) {
        choice = {true, QStringLiteral("--renderer software")};
    } else if (option == QLatin1String("gpu")) {
        choice.reason = QStringLiteral("--renderer gpu");
    } else if (!qEnvironmentVariableIsEmpty("QT_QUICK_BACKEND") || !qEnvironmentVariableIsEmpty("QSG_RHI_BACKEND")) {
        choice.reason = QStringLiteral("QT_QUICK_BACKEND or QSG_RHI_BACKEND is set");  // Qt applies it
        return choice;
    } else {
        const QString platform = QGuiApplication::platformName();
        if (platform != QLatin1String("xcb") && !platform.startsWith(QLatin1String("wayland"))) {
            choice.reason = QStringLiteral("the %1 platform's default").arg(platform);
            return choice;
        }
        bool madeContext = false;
        const QString renderer = probeOpenGlRenderer(&madeContext);
        if (!madeContext)
            choice = {true, QStringLiteral("no OpenGL context could be made")};
        else if (isSoftwareOpenGl(renderer))
            choice = {true, QStringLiteral("OpenGL is %1, drawn by the CPU").arg(renderer)};
        else
            choice.reason = QStringLiteral("OpenGL is %1").arg(renderer);
    }
    if (choice.software) QQuickWindow::setGraphicsApi(QSGRendererInterface::Software);
    return choice;
}

}  // namespace waypoint::app
