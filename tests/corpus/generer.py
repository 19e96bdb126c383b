"""Les fichiers hostiles trop gros pour être versionnés, fabriqués au moment des tests dans un dossier temporaire.

`GENERES` nomme chaque fichier (chemin relatif au corpus, comme les fichiers versionnés) ;
`generer(dossier)` les écrit tous. Chaque fichier vise une limite de `coverage.sources.limites`
(ou une défaillance mesurée dans l'issue 15 : bombe de décompression, ligne d'en-tête de plus de
128 Kio, milliers de codes inconnus, JSON imbriqué sur 100 000 niveaux).
"""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

S_ENT = "id_structure;nom;statut;siret;departement;etp_facilitateur;etp_coordinateur;financement_pnad"
P_ENT = "id_structure;niveau;code;role;part_etp"


def _bombe_xlsx() -> bytes:
    """Classeur dont `sharedStrings.xml` se décompresse en 400 Mo (environ 400 ko compressés)."""
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as partie:
            partie.write(b"<sst><si><t>")
            bloc = b" " * (4 << 20)
            for _ in range(100):
                partie.write(bloc)
            partie.write(b"</t></si></sst>")
    return tampon.getvalue()


def _gzip_bombe() -> bytes:
    """300 Mo d'espaces compressés en gzip (environ 300 ko)."""
    tampon = io.BytesIO()
    with gzip.GzipFile(fileobj=tampon, mode="wb", compresslevel=6) as z:
        z.write(b'{"marches": [')
        bloc = b" " * (4 << 20)
        for _ in range(75):
            z.write(bloc)
    return tampon.getvalue()


def _noms_inconnus(n: int) -> bytes:
    lignes = [P_ENT] + [f"S0001;commune;Ville inconnue numero {i};principal;" for i in range(n)]
    return ("\n".join(lignes) + "\n").encode()


GENERES: dict[str, object] = {
    "structures/trop_volumineux.csv": lambda: (S_ENT + "\n").encode() + b"S0001;" + b"x" * (101 << 20) + b"\n",
    "structures/premiere_ligne_200_kio.csv": lambda: b"a" * (200 << 10) + b";" + S_ENT.encode() + b"\n",
    "structures/six_cents_colonnes.csv": lambda: (S_ENT + "".join(f";c{i}" for i in range(600)) + "\n").encode(),
    "structures/un_million_de_lignes.csv": lambda: (S_ENT + "\n").encode() + b";\n" * 1_000_001,
    "structures/bombe_sharedstrings.xlsx": _bombe_xlsx,
    "perimetres/mille_noms_inconnus.csv": lambda: _noms_inconnus(1_000),
    "perimetres/dix_mille_noms_inconnus.csv": lambda: _noms_inconnus(10_000),
    "decp/bombe.json.gz": _gzip_bombe,
    "decp/csv_entete_200_kio.csv": lambda: b"acheteur.id;lieuExecution.code;" + b"x" * (200 << 10) + b"\n1;2\n",
    "decp/profond_100000.json": lambda: b'{"marches": [{"id": ' + b"[" * 100_000 + b"]" * 100_000 + b"}]}",
    "registre/profond_100000.geojson": lambda: b'{"type": "FeatureCollection", "features": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
}


def generer(dossier: Path) -> dict[str, Path]:
    """Écrit chaque fichier de `GENERES` sous `dossier` ; rend nom → chemin."""
    chemins = {}
    for nom, fabrique in GENERES.items():
        chemin = dossier / nom
        chemin.parent.mkdir(parents=True, exist_ok=True)
        chemin.write_bytes(fabrique())
        chemins[nom] = chemin
    return chemins
