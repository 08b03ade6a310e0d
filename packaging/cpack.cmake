# Installer settings for `cpack` in the build tree, per platform:
#   Linux: DEB (Debian 12 and derivatives, on the system's Qt and libtorch;
#          packaging/linux/build-packages.sh computes the Depends)
#   Windows: NSIS (.exe installer), macOS: DragNDrop (.dmg)
# The self-contained Linux tarball and the .rpm are made from the installed
# tree by packaging/linux/bundle.sh and packaging/linux/rpm/.
set(CPACK_PACKAGE_NAME "waypoint")
set(CPACK_PACKAGE_VENDOR "The Waypoint developers")
set(CPACK_PACKAGE_CONTACT "The Waypoint developers <waypoint@users.noreply.github.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "chat with, inspect and compare language-model checkpoints")
set(CPACK_PACKAGE_DESCRIPTION
"Waypoint opens small language models (llama2.c, Hugging Face folders,
PyTorch checkpoints, GGUF) in a native Qt Quick window: a streaming chat with
each token's probability, sampling controls, a model card, and several
checkpoints answering the same prompt side by side. waypoint-cli does the
same from a terminal. A demo model trained on sums is included.")
set(CPACK_PACKAGE_HOMEPAGE_URL "${WAYPOINT_HOMEPAGE}")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_INSTALL_DIRECTORY "Waypoint")
set(CPACK_PACKAGE_EXECUTABLES "waypoint;Waypoint")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DIRECTORY "${PROJECT_BINARY_DIR}/packages")
set(CPACK_VERBATIM_VARIABLES ON)

# --- Debian --------------------------------------------------------------------
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # waypoint_<version>_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# dpkg-shlibdeps computes the libraries' packages (Qt, libtorch, the
# sentencepiece bridge's libsentencepiece0, ...); what is loaded without being
# linked (QML modules, Qt's platform plugins) comes from build-packages.sh,
# which maps the files the app imports to their packages with dpkg -S.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(WAYPOINT_DEB_EXTRA_DEPENDS "" CACHE STRING "Depends: for what the programs load without linking (filled by build-packages.sh)")
set(CPACK_DEBIAN_PACKAGE_DEPENDS "${WAYPOINT_DEB_EXTRA_DEPENDS}")
# Debian's libtorch uses whatever libblas.so.3 is installed; the reference
# BLAS is ~30x slower than OpenBLAS (DESIGN.md).
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libopenblas0-pthread | libopenblas0")
set(CPACK_DEBIAN_COMPRESSION_TYPE "xz")

# --- Windows: an NSIS installer with a Start-menu entry --------------------------
set(CPACK_NSIS_DISPLAY_NAME "Waypoint")
set(CPACK_NSIS_PACKAGE_NAME "Waypoint")
set(CPACK_NSIS_INSTALLED_ICON_NAME "bin\\\\waypoint.exe")
set(CPACK_NSIS_URL_INFO_ABOUT "${WAYPOINT_HOMEPAGE}")
set(CPACK_NSIS_ENABLE_UNINSTALL_BEFORE_INSTALL ON)
if(WAYPOINT_ICO)
  set(CPACK_NSIS_MUI_ICON "${WAYPOINT_ICO}")
  set(CPACK_NSIS_MUI_UNIICON "${WAYPOINT_ICO}")
endif()

# --- macOS: a .dmg to drag Waypoint.app from -----------------------------------
set(CPACK_DMG_VOLUME_NAME "Waypoint")
set(CPACK_DMG_FORMAT "UDBZ")

if(WIN32)
  set(CPACK_GENERATOR "NSIS;ZIP")
elseif(APPLE)
  set(CPACK_GENERATOR "DragNDrop")
else()
  set(CPACK_GENERATOR "DEB")
endif()
include(CPack)
