# Fonctions partagées par lancer.sh et tester.sh (à sourcer).

preparer_venv() {
  local exigences="$1"
  if [ ! -x .venv/bin/python ]; then
    if ! python3 -m venv .venv 2>/dev/null; then
      # Debian : le module venv est dans le paquet python3-venv.
      rm -rf .venv
      if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
        apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
        python3 -m venv .venv
      else
        echo "Impossible de créer .venv : installez python3-venv (sudo apt-get install python3-venv)." >&2
        return 1
      fi
    fi
  fi
  local empreinte=".venv/.exigences-$(cat requirements*.txt | sha256sum | cut -c1-16)-$(basename "$exigences")"
  if [ ! -f "$empreinte" ]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$exigences"
    touch "$empreinte"
  fi
}

preparer_chromium() {
  if [ -x /usr/bin/chromium ]; then
    return 0
  fi
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "Installation de Chromium (Debian) pour les tests navigateur…"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
}
