// The window's renderer choice (scene_renderer.h): which OpenGL names mean
// the CPU draws (a GPU driver built with LLVM must not count); that the
// person's choice and Qt's own variables win over the probe; and that where
// the CPU draws OpenGL (Xvfb) the window draws with Qt Quick's software
// renderer.
#include <QGuiApplication>
#include <QQuickWindow>
#include <QtTest>

#include "rendering/scene_renderer.h"

using waypoint::app::chooseSceneRenderer;
using waypoint::app::isSoftwareOpenGl;

class TstSceneRenderer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void softwareOpenGlNames_data() {
        QTest::addColumn<QString>("renderer");
        QTest::addColumn<bool>("software");
        QTest::newRow("Mesa llvmpipe") << QStringLiteral("llvmpipe (LLVM 15.0.6, 256 bits)") << true;
        QTest::newRow("Mesa softpipe") << QStringLiteral("softpipe") << true;
        QTest::newRow("Mesa swrast") << QStringLiteral("Software Rasterizer") << true;
        QTest::newRow("Windows GDI") << QStringLiteral("GDI Generic") << true;
        QTest::newRow("d3d12 WARP") << QStringLiteral("D3D12 (Microsoft Basic Render Driver)") << true;
        QTest::newRow("AMD, built with LLVM") << QStringLiteral("AMD Radeon RX 6800 (navi21, LLVM 15.0.6, DRM 3.49, 6.1.0-13-amd64)") << false;
        QTest::newRow("Intel") << QStringLiteral("Mesa Intel(R) UHD Graphics 620 (KBL GT2)") << false;
        QTest::newRow("NVIDIA") << QStringLiteral("NVIDIA GeForce RTX 3060/PCIe/SSE2") << false;
        QTest::newRow("virgl (a VM's host GPU)") << QStringLiteral("virgl (NVIDIA GeForce RTX 3060)") << false;
    }
    void softwareOpenGlNames() {
        QFETCH(QString, renderer);
        QFETCH(bool, software);
        QCOMPARE(isSoftwareOpenGl(renderer), software);
    }

    void gpuLeavesTheDefault() {
        const auto gpu = chooseSceneRenderer(QStringLiteral("gpu"));
        QVERIFY(!gpu.software);
        QCOMPARE(gpu.reason, QStringLiteral("--renderer gpu"));
    }

    void qtVariablesWin() {
        qputenv("QSG_RHI_BACKEND", "opengl");
        const auto choice = chooseSceneRenderer(QStringLiteral("auto"));
        qunsetenv("QSG_RHI_BACKEND");
        QVERIFY(!choice.software);
        QVERIFY2(choice.reason.contains(QLatin1String("QSG_RHI_BACKEND")), qPrintable(choice.reason));
    }

    // Last: it sets the process's graphics API. CTest runs this under Xvfb
    // (xcb), whose OpenGL is Mesa's llvmpipe (or none at all): the probe
    // must pick the software renderer, and the window must use it (without
    // the choice it would draw through OpenGL). On the offscreen platform,
    // nothing is probed.
    void autoPicksSoftwareWhereTheCpuDraws() {
        QElapsedTimer probe;
        probe.start();
        const auto choice = chooseSceneRenderer(QStringLiteral("auto"));
        qInfo("auto: %s (%lld ms)", qPrintable(choice.reason), probe.elapsed());
        if (QGuiApplication::platformName() != QLatin1String("xcb")) {
            QVERIFY(!choice.software);
            QVERIFY2(choice.reason.contains(QGuiApplication::platformName()), qPrintable(choice.reason));
            QSKIP("not on xcb: the OpenGL probe runs under Xvfb only (ctest runs this test with xvfb-run)");
        }
        QVERIFY2(choice.software, qPrintable(choice.reason));
        QVERIFY2(choice.reason.contains(QLatin1String("llvmpipe")) || choice.reason.contains(QLatin1String("no OpenGL")),
                 qPrintable(choice.reason));
        QQuickWindow window;
        window.resize(200, 100);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QTRY_VERIFY(window.rendererInterface() != nullptr);
        QCOMPARE(window.rendererInterface()->graphicsApi(), QSGRendererInterface::Software);
    }
};

QTEST_MAIN(TstSceneRenderer)
#include "tst_scene_renderer.moc"
