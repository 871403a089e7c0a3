"""What a plan calls its levels, in singular and plural, for headings, counts and chart axes.

A plan names its levels in `Plan.niveles_nombres` («Eje, Componente, Programa»); pages need the
plural («Ejes») and, on crowded chart axes, a short form («Comp.»). Pure functions over strings.
"""

from dataclasses import dataclass

from politicas.models import Plan

_CONECTORES = {"de", "del", "para", "en", "con", "por", "a", "al", "y", "e", "o", "u"}
_SIN_TILDE = str.maketrans("áéíóúÁÉÍÓÚ", "aeiouAEIOU")
_VOCALES = "aeiouáéíóúü"


def _plural_palabra(palabra: str) -> str:
    """The Spanish plural of one word: Eje → Ejes, Acción → Acciones, Indicador → Indicadores."""
    if not palabra or not palabra[-1].isalpha() or (palabra.isupper() and len(palabra) > 1):
        return palabra  # acronyms (ODS, PDM) do not change
    base, final = palabra.lower(), palabra[-1].lower()
    vocales_tilde = [c for c in base if c in "áéíóú"]
    if final in "aeiouáéó":
        plural = base + "s"
    elif final in "íú":
        plural = base + "es"  # ají → ajíes (the learned form)
    elif final == "z":
        plural = base[:-1] + "ces"
    elif final in "sx" and not (vocales_tilde and base[-2] in "áéíóú" or sum(c in "aeiou" for c in base) == 1):
        plural = base  # análisis, tesis, lunes: unstressed final syllable, no change
    elif final in "ns" and len(base) > 2 and base[-2] in "áéíóú" and not (base[-2] in "íú" and base[-3] in _VOCALES):
        plural = base[:-2] + base[-2].translate(_SIN_TILDE) + base[-1] + "es"  # acción → acciones (país → países)
    else:
        plural = base + "es"
    return palabra[: len(palabra) - len(base)] + (plural[0].upper() + plural[1:] if palabra[0].isupper() else plural)


def plural(nombre: str) -> str:
    """The Spanish plural of a level name, e.g. «Eje estratégico» → «Ejes estratégicos»,
    «Línea de acción» → «Líneas de acción»: the words before the first connector agree in number."""
    palabras = nombre.split()
    for i, palabra in enumerate(palabras):
        if palabra.lower() in _CONECTORES and i > 0:
            return " ".join([_plural_palabra(p) for p in palabras[:i]] + palabras[i:])
    return " ".join(_plural_palabra(p) for p in palabras)


def abreviatura(nombre: str) -> str:
    """A short form for crowded chart axes: «Obj.», «Comp.», «Prog.»; short names stay whole («Eje»).

    Three letters, then any consonants that follow, so the cut falls before a vowel."""
    primera = nombre.split()[0] if nombre.split() else nombre
    if len(primera) <= 5:
        return primera
    corte = 3
    while corte < len(primera) - 1 and primera[corte].lower() not in _VOCALES:
        corte += 1
    return primera[:corte] + "."


@dataclass(frozen=True)
class NombreNivel:
    """What a plan calls a level, in singular and plural («Producto», «Productos»)."""

    singular: str
    plural: str

    @classmethod
    def de(cls, singular: str) -> "NombreNivel":
        return cls(singular, plural(singular))

    def __str__(self) -> str:
        return self.singular

    def contar(self, n: int) -> str:
        """«1 producto», «3 productos»: the count with the right number, in lower case."""
        return f"{n} {(self.singular if n == 1 else self.plural).lower()}"


def nombres_de_niveles(plan: Plan, profundidad_maxima: int | None) -> tuple[NombreNivel, NombreNivel]:
    """The names of the plan's top level and of its indicators.

    Indicators hang below the deepest level the plan actually uses, so they take the plan's
    name for the next depth when `nombres_niveles` has one (Bogotá: «Objetivo, Producto» with
    objectives only → «Producto»); otherwise, or without levels, they are «Indicador» (Cali
    names its three levels «Eje, Componente, Programa» and uses all three).
    """
    nombres = plan.niveles_nombres
    objetivo = nombres[0] if nombres else "Nivel"
    siguiente = None if profundidad_maxima is None else profundidad_maxima + 1
    indicador = nombres[siguiente] if siguiente is not None and siguiente < len(nombres) else "Indicador"
    return NombreNivel.de(objetivo), NombreNivel.de(indicador)


def etiquetas_categorias(nombre: str, codigos: list[str], *, ancho_grupo: float, px_por_letra: float = 7.2) -> list[str]:
    """Chart axis labels «Objetivo 1»; when one does not fit its group, all use the short form
    («Obj. 1»), so a chart never mixes the two."""
    completas = [f"{nombre} {c}" for c in codigos]
    if all(len(e) * px_por_letra <= ancho_grupo * 0.95 for e in completas):
        return completas
    return [f"{abreviatura(nombre)} {c}" for c in codigos]
