#!/bin/sh
# Ledger Desktop, portable tarball: add (or with --remove, take away) the menu entry, icons,
# file types and the `ledger-desktop`/`ledger` commands for this user, pointing at this folder.
# Nothing outside ~/.local is touched; the folder itself can live anywhere.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
bin="$HOME/.local/bin"
app=ledger-desktop

refresh() {
  command -v update-mime-database >/dev/null 2>&1 && update-mime-database "$data/mime" || true
  command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$data/applications" || true
  command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
}

if [ "${1:-}" = "--remove" ]; then
  rm -f "$bin/$app" "$bin/ledger" "$data/applications/$app.desktop" "$data/mime/packages/$app.xml"
  find "$data/icons/hicolor" \( -name "$app.*" -o -name "application-x-ledger-desktop.*" \) -delete 2>/dev/null || true
  refresh
  echo "Removed Ledger Desktop's menu entry, file types and commands (the folder $here stays)."
  exit 0
fi

mkdir -p "$bin" "$data/applications" "$data/mime/packages"
ln -sf "$here/$app" "$bin/$app"
ln -sf "$here/ledger" "$bin/ledger"
# The menu entry runs this folder's executable, wherever the tarball was unpacked.
sed -e "s|^Exec=$app |Exec=\"$here/$app\" |" -e "s|^TryExec=$app\$|TryExec=$here/$app|" \
  "$here/share/applications/$app.desktop" > "$data/applications/$app.desktop"
cp "$here/share/mime/packages/$app.xml" "$data/mime/packages/$app.xml"
cp -R "$here/share/icons" "$data/"
refresh
echo "Installed for $(id -un): run 'ledger-desktop' or 'ledger' (in $bin), or use the menu entry."
