"""The layering of the code (issue 12, docs/arquitectura.md), read from the imports of every module.

Bottom to top: the methodology (`seguimiento/metodologia/`, no database), the shared base (the
rest of `seguimiento/`), `politicas`, `indicadores`, `reportes`, and the project's wiring (settings,
URLs). A module imports only from its own layer or the ones below; no project import hides inside
a function to dodge a cycle; and modules do not import each other in circles.
"""

import ast
from pathlib import Path

from django.conf import settings

RAIZ = Path(settings.BASE_DIR)
PAQUETES = ("seguimiento", "politicas", "indicadores", "reportes")
CABLEADO = {
    "seguimiento.settings", "seguimiento.settings_test", "seguimiento.urls", "seguimiento.api_urls",
    "seguimiento.wsgi", "seguimiento.asgi",
}
CAPAS = ["metodologia", "base", "politicas", "indicadores", "reportes", "cableado"]


def capa(modulo: str) -> int:
    if modulo in CABLEADO:
        return CAPAS.index("cableado")
    if modulo.startswith("seguimiento.metodologia"):
        return CAPAS.index("metodologia")
    if modulo.startswith("seguimiento"):
        return CAPAS.index("base")
    return CAPAS.index(modulo.split(".")[0])


def _modulos() -> dict[str, Path]:
    modulos = {}
    for paquete in PAQUETES:
        for ruta in (RAIZ / paquete).rglob("*.py"):
            partes = ruta.relative_to(RAIZ).with_suffix("").parts
            if "migrations" in partes:
                continue  # generated; they import models by design
            nombre = ".".join(partes[:-1] if partes[-1] == "__init__" else partes)
            modulos[nombre] = ruta
    return modulos


MODULOS = _modulos()


def _del_proyecto(nombre: str) -> str | None:
    """The project module an import names (a package's submodule import names the submodule)."""
    if nombre.split(".")[0] not in PAQUETES:
        return None
    while nombre and nombre not in MODULOS:
        nombre = nombre.rpartition(".")[0]
    return nombre or None


def _importados(nodo: ast.AST, modulo: str) -> list[str]:
    if isinstance(nodo, ast.Import):
        nombres = [a.name for a in nodo.names]
    elif isinstance(nodo, ast.ImportFrom):
        base = nodo.module or ""
        if nodo.level:
            paquete = modulo.split(".")
            es_paquete = MODULOS[modulo].name == "__init__.py"
            paquete = paquete if es_paquete else paquete[:-1]
            paquete = paquete[: len(paquete) - (nodo.level - 1)]
            base = ".".join([*paquete, base] if base else paquete)
        # `from reportes import selectors` names a module; `from reportes.selectors import x`, a name in one.
        nombres = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULOS else base for a in nodo.names]
    else:
        return []
    return [p for p in {_del_proyecto(n) for n in nombres} if p and p != modulo]


def _imports(modulo: str) -> tuple[set[str], list[tuple[int, str]]]:
    """(modules imported at module level, (line, module) imported inside a function or class).

    An app's `AppConfig.ready()` is where Django wants signal receivers imported: allowed there."""
    arbol = ast.parse(MODULOS[modulo].read_text(encoding="utf-8"))
    arriba: set[str] = set()
    escondidos: list[tuple[int, str]] = []

    def recorrer(nodo: ast.AST, dentro: bool) -> None:
        for hijo in ast.iter_child_nodes(nodo):
            if isinstance(hijo, (ast.Import, ast.ImportFrom)):
                if dentro:
                    escondidos.extend((hijo.lineno, otro) for otro in _importados(hijo, modulo))
                else:
                    arriba.update(_importados(hijo, modulo))
            elif isinstance(hijo, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if not (modulo.endswith(".apps") and getattr(hijo, "name", "") == "ready"):
                    recorrer(hijo, True)
            else:
                recorrer(hijo, dentro)  # `if TYPE_CHECKING:`, `try:` at module level stay module level

    recorrer(arbol, False)
    return arriba, escondidos


def test_ningun_modulo_importa_de_una_capa_superior():
    hacia_arriba = [
        f"{modulo} ({CAPAS[capa(modulo)]}) importa {otro} ({CAPAS[capa(otro)]})"
        for modulo in sorted(MODULOS)
        for otro in sorted(_imports(modulo)[0])
        if capa(otro) > capa(modulo)
    ]
    assert hacia_arriba == []


def test_ningun_import_del_proyecto_dentro_de_una_funcion():
    escondidos = [
        f"{MODULOS[modulo].relative_to(RAIZ)}:{linea} importa {otro} dentro de una función"
        for modulo in sorted(MODULOS)
        for linea, otro in _imports(modulo)[1]
    ]
    assert escondidos == []


def test_ningun_ciclo_entre_modulos():
    grafo = {modulo: _imports(modulo)[0] for modulo in MODULOS}
    ciclos, estado, pila = [], {}, []

    def visitar(modulo: str) -> None:
        estado[modulo] = "abierto"
        pila.append(modulo)
        for otro in sorted(grafo[modulo]):
            if estado.get(otro) == "abierto":
                ciclos.append(" → ".join([*pila[pila.index(otro):], otro]))
            elif otro not in estado:
                visitar(otro)
        pila.pop()
        estado[modulo] = "cerrado"

    for modulo in sorted(grafo):
        if modulo not in estado:
            visitar(modulo)
    assert ciclos == []


def test_la_prueba_de_capas_detecta_un_import_hacia_arriba(tmp_path, monkeypatch):
    """The checks above can fail: a methodology module importing the database layer is caught."""
    falso = tmp_path / "falso.py"
    falso.write_text("from indicadores.models import Reporte\n\n\ndef f():\n    from reportes import selectors\n")
    MODULOS["seguimiento.metodologia.falso"] = falso
    try:
        arriba, escondidos = _imports("seguimiento.metodologia.falso")
        assert arriba == {"indicadores.models"}
        assert capa("indicadores.models") > capa("seguimiento.metodologia.falso")
        assert [otro for _, otro in escondidos] == ["reportes.selectors"]
    finally:
        del MODULOS["seguimiento.metodologia.falso"]
