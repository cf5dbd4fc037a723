#!/bin/sh
# Wrap the frozen .app in a compressed disk image with an Applications link to drag it onto.
#   sh packaging/macos/make-dmg.sh "dist/Ledger Desktop.app" dist/ledger-desktop-0.1.0-macos.dmg 0.1.0
# build.py runs this on macOS after PyInstaller's BUNDLE step. Needs hdiutil (macOS only).
set -eu
app="$1"
dmg="$2"
version="$3"
[ -d "$app" ] || { echo "error: no $app; run python packaging/build.py on macOS first" >&2; exit 2; }
command -v hdiutil >/dev/null 2>&1 || { echo "error: hdiutil not found (macOS only)" >&2; exit 2; }

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
cp -R "$app" "$stage/"
ln -s /Applications "$stage/Applications"
# PyInstaller signs the bundle ad hoc; with a Developer ID, sign (and notarize) before this:
#   codesign --force --deep --options runtime -s "Developer ID Application: …" "$app"
if [ -n "${CODESIGN_IDENTITY:-}" ]; then
  codesign --force --deep --options runtime -s "$CODESIGN_IDENTITY" "$stage/$(basename "$app")"
fi
rm -f "$dmg"
hdiutil create -volname "Ledger Desktop $version" -srcfolder "$stage" -fs HFS+ \
  -format UDZO -imagekey zlib-level=9 -ov "$dmg"
hdiutil verify "$dmg"
echo "built $dmg"
