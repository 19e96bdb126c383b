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

installer_paquet_debian() {
  # $1 : paquet Debian ; $2 : à quoi il sert (message). En root, ou avec sudo.
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "Installation de $1 (Debian) $2…"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$1" >/dev/null
}

preparer_chromium() {
  if [ -x /usr/bin/chromium ]; then
    return 0
  fi
  installer_paquet_debian chromium "pour les tests navigateur"
}

preparer_postgresql() {
  # Binaires PostgreSQL du paquet Debian : les tests du magasin démarrent leur propre serveur jetable.
  if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    return 0
  fi
  installer_paquet_debian postgresql "pour les tests du magasin"
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null
}
