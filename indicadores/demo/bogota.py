"""`bogota-conpes-29`: the policy «Bogotá Territorio Inteligente» (CONPES D.C. 29 de 2023), seed 003.

Hierarchy: each of the 7 objectives is a `Nivel` (depth 0, weight in points of the policy); each
of the 36 products is an `Indicador` below it, with the product's code («1.1.5»), the product's
name in `producto` and the indicator's name in `nombre`. The Anexo 1 values come from
`bogota_conpes29_anexo1_inferido.tsv` (see the seeds README); narratives from section 9 of the
report text. Every value the report does not state is marked illustrative and says so in `fuente`.

Names: the TSV's product and indicator names come from the Anexo 1 table, whose cells the PDF
extraction cut («…dirigida a la»). Where the report writes a product's name whole (the headings of
section 9 and the bold names of section 8) that name is used, verbatim; a name the report never
gives whole ends with «…», so no name stops mid-sentence without saying so (`completar_nombre`).

Derivation of the blank weights (cut 2024-1, every product anual, so f = 0 and MA = m[2023];
TID = MA / MF with LB 0; gap of an objective = Σ w·(min(PAA, 1) − TID), SPEC §5):

- Objectives 1–6: the products off trajectory all have weights in the text, so the published gaps
  hold whatever the blank weights: 1: 4·(0,15 − 0,10) = +0,20; 2: 0; 3: 3·(0,4125 − 1) +
  5·(0 − 0,4) = −3,7625; 4: 2·(0,08 − 0,10) = −0,04; 5: 4·(0 − 0,1) + 4·(0 − 0,5) = −2,40
  (5.1.3 has no 2023 target: trajectory 0, adds nothing); 6: 2·(0 − 1) + 3·(0,055 − 0,25) =
  −2,585 (6.1.4 and 6.1.7 start in 2024: trajectory 0).
- Objective 7 (+2,03) depends on blank weights: 7.1.4 and 7.1.6 give 2·0,25 + 2·0,7 = 1,90;
  7.1.1 gives w·(0,31341 − 0,14737) = 0,16604·w; 7.1.2 and 7.1.3 give −0,1 each per point. With
  the 12 points left, w(7.1.1) = 2 and w(7.1.2) = w(7.1.3) = 1 give 1,90 + 0,332 − 0,2 = +2,032,
  the only split in whole points that reproduces +2,03 (7.1.5 and 7.1.7, on trajectory, take 4 each).
- The remaining blank weights do not move any gap; they were chosen (in half points, as close to
  an equal split as possible) so that the policy's trajectory is the published 50,48 % (50,477)
  and its avance the published 43,9 % (43,921): gap −6,556 ≈ −6,56.
"""

import csv
import re
from dataclasses import dataclass
from decimal import Decimal

from indicadores.models import ENFOQUES_INICIALES, Enfoque, Indicador
from indicadores.demo import (
    Cuentas, cargar_cortes, guardar, guardar_metas, guardar_reporte, leer_seed, parrafos, ruta_seed,
)
from politicas.models import Dependencia, Entidad, Nivel, Plan
from seguimiento.numeros import parse_numero

CODIGO = "bogota-conpes-29"
ANIO_INICIO, ANIO_FIN = 2022, 2032
ARCHIVO_TEXTO = "003_934a5158d1e97ce1.txt"
ARCHIVO_OBJETIVOS = "bogota_conpes29_objetivos.tsv"
ARCHIVO_ANEXO = "bogota_conpes29_anexo1_inferido.tsv"
FUENTE_TEXTO = "peso y valores en el texto"

# The report does not name the objectives; these names summarise their products.
OBJETIVOS = {
    "1": "Reducir la brecha digital: conectividad, acceso, uso y apropiación de las TIC",
    "2": "Tecnologías emergentes e innovación en el sector productivo (4 R.I.)",
    "3": "Seguridad digital y protección de datos",
    "4": "Innovación pública",
    "5": "Gobernanza e institucionalidad de Bogotá como territorio inteligente",
    "6": "Datos e información para la gestión de ciudad",
    "7": "Talento y capacidades ciudadanas para el territorio inteligente",
}

# Weights the report does not give (see the module docstring for the derivation).
PESOS_INFERIDOS = {
    "1.1.1": "3", "1.1.2": "2.5", "1.1.3": "2.5", "1.1.4": "3",
    "2.1.1": "4.5", "2.1.2": "4", "2.1.3": "4.5",
    "4.1.1": "2.5", "4.1.3": "2.5", "4.1.4": "2.5", "4.1.5": "2.5",
    "5.1.1": "2.5", "5.1.3": "2.5", "5.1.5": "3",
    "6.1.3": "1", "6.1.4": "2.5", "6.1.5": "1.5", "6.1.6": "2.5", "6.1.7": "2.5", "6.1.8": "3",
    "7.1.1": "2", "7.1.2": "1", "7.1.3": "1", "7.1.5": "4", "7.1.7": "4",
}

# Sectors named in section 6 («Productos por sector responsable»).
GESTION_PUBLICA = "Gestión Pública"
DESARROLLO_ECONOMICO = "Desarrollo Económico"
EDUCACION = "Educación"
HABITAT = "Hábitat"
MOVILIDAD = "Movilidad"
HACIENDA = "Hacienda"
GOBIERNO = "Gobierno"
SECTORES = [GESTION_PUBLICA, DESARROLLO_ECONOMICO, EDUCACION, HABITAT, MOVILIDAD, HACIENDA, GOBIERNO]

# Sector per product, and whether the text supports it. Section 6: Educación has 4 products
# (2 bajo, 2 sobre ejecución), Gestión Pública 6 bajo and 3 sobre, Desarrollo Económico and Gobierno
# one sobre each; Hábitat, Movilidad and Hacienda execute correctly. The narratives name the
# Consejería TIC (Gestión Pública: 1.1.5, 5.1.4, 6.1.1, 6.1.2), the SDDE (2.1.2), Atenea and the
# SED (Educación: 7.1.1–7.1.3); with those, 3.1.1, 3.1.3 and 5.1.2 are the remaining bajo products
# of Gestión Pública, and 6.1.8 (transport fare collection) is Movilidad's. Of the three remaining
# sobre ejecución products, 7.1.4 (Atenea's support) is given to Educación, 7.1.6 (alcaldías
# locales) to Gobierno and 4.1.4 to Gestión Pública: plausible, not stated. Alto products other
# than 6.1.8 are assigned by subject and marked illustrative.
SECTOR_POR_PRODUCTO: dict[str, tuple[str, bool]] = {
    "1.1.5": (GESTION_PUBLICA, True), "5.1.4": (GESTION_PUBLICA, True), "6.1.1": (GESTION_PUBLICA, True),
    "6.1.2": (GESTION_PUBLICA, True), "3.1.1": (GESTION_PUBLICA, True), "3.1.3": (GESTION_PUBLICA, True),
    "5.1.2": (GESTION_PUBLICA, True), "6.1.5": (GESTION_PUBLICA, True),
    "2.1.2": (DESARROLLO_ECONOMICO, True),
    "7.1.1": (EDUCACION, True), "7.1.2": (EDUCACION, True), "7.1.3": (EDUCACION, True),
    "6.1.8": (MOVILIDAD, True),
    "7.1.4": (EDUCACION, False), "7.1.6": (GOBIERNO, False), "4.1.4": (GESTION_PUBLICA, False),
    "1.1.2": (HABITAT, False), "1.1.3": (HABITAT, False),
    "6.1.6": (HACIENDA, False), "6.1.7": (HACIENDA, False),  # IDECA: Catastro, sector Hacienda
    "2.1.1": (DESARROLLO_ECONOMICO, False), "2.1.3": (DESARROLLO_ECONOMICO, False),
    "7.1.7": (GOBIERNO, False),
}
SECTOR_POR_DEFECTO = (GESTION_PUBLICA, False)  # the Consejería TIC leads the policy

# Section 8 («Implementación de los enfoques»), and 1.1.5 from its own name.
ENFOQUES = {
    "1.1.3": ["derechos-humanos", "territorial"],
    "1.1.4": ["ambiental"],
    "2.1.2": ["territorial"],
    "1.1.5": ["diferencial", "poblacional", "genero"],
}

# Section 9 («Acciones para mejorar»): where, in each product's narrative, the recovery plan (bajo)
# or the justification (sobre ejecución) starts and ends; the rest is the observaciones.
PLAN_DE_CHOQUE: dict[str, tuple[str, str | None]] = {
    "3.1.1": ("Dado lo anterior, para poder subsanar", None),
    "3.1.3": ("Dado lo anterior, este es el instrumento", None),
    "5.1.2": ("El rezago se presenta", None),
    "5.1.4": ("Para avanzar en este tema y poder subsanar", None),
    "6.1.1": ("Esto conlleva a realizar ajustes", None),
    "6.1.2": ("Se solicitará un cambio", "Ahora bien, se han presentado"),
    "7.1.2": ("Se han adelantado acciones", None),
    "7.1.3": ("Para subsanar este rezago", None),
    "1.1.5": ("Durante la vigencia 2023 se tenían programadas", None),
    "2.1.2": ("La meta se sobre ejecutó", "Y se han desarrollado"),
    "4.1.4": ("La meta se sobre ejecutó", "Durante el segundo trimestre"),
    "6.1.5": ("La meta se sobre ejecutó", "Para el periodo de reporte"),
    "7.1.1": ("para el año 2023 se tenía una meta", None),
    "7.1.4": ("Para la vigencia 2023, según", "Durante el I semestre"),
    "7.1.6": ("En la vigencia del segundo trimestre", None),
}


# Names cut by the extraction that the rule of `parece_cortado` cannot see (they stop on a noun),
# found by reading the Anexo; the report never writes them whole.
CORTADOS = {
    ("6.1.6", "producto"),  # «…bajo la iniciativa de Dato Abierto a nivel»
    ("7.1.7", "producto"),  # «…en el marco de los presupuestos»
    ("3.1.2", "indicador"),  # «…patrones y datos en materia»
    ("5.1.2", "indicador"),  # «…las Comunicaciones en torno al desarrollo»
}
# Words a Spanish name does not end on: a name ending on one of them was cut.
PALABRAS_DE_ENLACE = {
    "a", "al", "con", "como", "de", "del", "desde", "e", "el", "en", "entre", "hacia", "la", "las", "lo", "los",
    "o", "para", "por", "que", "sin", "sobre", "su", "sus", "u", "un", "una", "y",
}
PUNTOS_SUSPENSIVOS = "…"


@dataclass
class Producto:
    codigo: str
    producto: str
    indicador: str
    tipo: str
    periodicidad: str
    peso: Decimal
    peso_inferido: bool
    metas: dict[int, Decimal]
    meta_final: Decimal
    avance_2023: Decimal | None
    avance_2024: Decimal | None
    en_texto: bool

    @property
    def objetivo(self) -> str:
        return self.codigo.split(".")[0]


def _numero(texto: str) -> Decimal | None:
    return parse_numero(texto) if texto.strip() else None


def repartir_metas(
    *, tipo: str, meta_2023: Decimal | None, meta_2024: Decimal | None, meta_final: Decimal
) -> dict[int, Decimal]:
    """Yearly targets 2023–2032 from the Anexo's 2023 and 2024 targets and the final target.

    As the seeds README says: a `suma` product repeats its 2024 target each year until the sum
    reaches the final target (what is left goes to the last year it fits, 2032 at the latest);
    the other types rise in equal steps from the 2024 target to the final target in 2032. A
    product with no 2024 target has finished.
    """
    metas: dict[int, Decimal] = {}
    if meta_2023 is not None:
        metas[2023] = meta_2023
    if meta_2024 is None:
        return metas
    if tipo == "suma":
        anio, acumulado = 2024, sum(metas.values(), Decimal(0))
        while acumulado < meta_final and anio <= ANIO_FIN:
            valor = min(meta_2024, meta_final - acumulado)
            if anio == ANIO_FIN:
                valor = meta_final - acumulado
            metas[anio] = valor
            acumulado += valor
            anio += 1
        return metas
    paso = (meta_final - meta_2024) / (ANIO_FIN - 2024)
    for anio in range(2024, ANIO_FIN + 1):
        metas[anio] = (meta_2024 + paso * (anio - 2024)).quantize(Decimal("0.000001"))
    metas[ANIO_FIN] = meta_final
    return metas


def parece_cortado(nombre: str) -> bool:
    """A name that ends on a comma or on a linking word («…prevención en») stops mid-sentence."""
    palabras = nombre.rstrip().split()
    return bool(palabras) and (nombre.rstrip().endswith(",") or palabras[-1].lower() in PALABRAS_DE_ENLACE)


def nombres_en_el_texto() -> dict[str, str]:
    """Product names the report writes whole, by code: section 9's headings and section 8's bold names."""
    texto = leer_seed(ARCHIVO_TEXTO)
    nombres: dict[str, str] = {}
    inicio = texto.index("8. IMPLEMENTACIÓN DE LOS ENFOQUES")
    fin = texto.index("9. ACCIONES PARA MEJORAR", inicio)
    for codigo, nombre in re.findall(r"\*\*(\d+\.\d+\.\d+)\.? ([^*]+)\*\*", texto[inicio:fin]):
        nombres[codigo] = nombre.strip()
    fin_9 = texto.index("Para el caso de los productos con cumplimiento por debajo", fin)
    for linea in texto[fin:fin_9].splitlines():
        codigo = _codigo_encabezado(linea.strip())
        if codigo:
            nombres[codigo] = linea.strip().split(" ", 1)[1].strip()
    return nombres


def completar_nombre(nombre: str, *, completo: str | None, cortado: bool = False) -> str:
    """The whole name when the report gives one that continues `nombre`; else `nombre`, ending with
    «…» when it was cut (`cortado`, or it ends on a linking word)."""
    base = nombre.rstrip(" ,")
    if completo and len(completo) > len(base) and completo.startswith(base):
        return completo
    if (cortado or parece_cortado(nombre)) and not nombre.endswith(PUNTOS_SUSPENSIVOS):
        return base + PUNTOS_SUSPENSIVOS
    return nombre


def leer_productos() -> list[Producto]:
    """The 36 products of the Anexo 1 TSV, with every blank weight filled in and names completed."""
    productos = []
    completos = nombres_en_el_texto()
    with ruta_seed(ARCHIVO_ANEXO).open(encoding="utf-8", newline="") as archivo:
        for fila in csv.DictReader(archivo, delimiter="\t"):
            codigo = fila["codigo"]
            peso = _numero(fila["peso_pct"])
            meta_final = parse_numero(fila["meta_final"])
            productos.append(
                Producto(
                    codigo=codigo,
                    producto=completar_nombre(
                        fila["producto"].strip(), completo=completos.get(codigo), cortado=(codigo, "producto") in CORTADOS
                    ),
                    # The report never writes an indicator's name apart from the Anexo's cut cells.
                    indicador=completar_nombre(
                        fila["indicador"].strip(), completo=None, cortado=(codigo, "indicador") in CORTADOS
                    ),
                    tipo=fila["tipo_anualizacion"].strip().lower(),
                    periodicidad=fila["periodicidad"].strip().lower(),
                    peso=peso if peso is not None else Decimal(PESOS_INFERIDOS[codigo]),
                    peso_inferido=peso is None,
                    metas=repartir_metas(
                        tipo=fila["tipo_anualizacion"].strip().lower(),
                        meta_2023=_numero(fila["meta_2023"]),
                        meta_2024=_numero(fila["meta_2024"]),
                        meta_final=meta_final,
                    ),
                    meta_final=meta_final,
                    avance_2023=_numero(fila["avance_2023"]),
                    avance_2024=_numero(fila["avance_2024_s1"]),
                    en_texto=fila["fuente"].strip() == FUENTE_TEXTO,
                )
            )
    return productos


def leer_objetivos() -> dict[str, Decimal]:
    with ruta_seed(ARCHIVO_OBJETIVOS).open(encoding="utf-8", newline="") as archivo:
        return {fila["objetivo"]: parse_numero(fila["peso_pct"]) for fila in csv.DictReader(archivo, delimiter="\t")}


def leer_narrativas() -> dict[str, tuple[str, str]]:
    """(observaciones, plan de choque) per product, from section 9 of the report."""
    texto = leer_seed(ARCHIVO_TEXTO)
    inicio = texto.index("9. ACCIONES PARA MEJORAR")
    fin = texto.index("Para el caso de los productos con cumplimiento por debajo", inicio)
    lineas: dict[str, list[str]] = {}
    actual = None
    for linea in texto[inicio:fin].splitlines():
        limpia = linea.strip()
        encabezado = _codigo_encabezado(limpia)
        if encabezado:
            actual = encabezado
            lineas[actual] = []
        elif limpia.startswith("- **"):  # «Productos con cumplimiento bajo (22% - 8 productos)»
            actual = None
        elif actual:
            lineas[actual].append(linea)
    narrativas = {}
    for codigo, (desde, hasta) in PLAN_DE_CHOQUE.items():
        completo = "\n\n".join(parrafos("\n".join(lineas[codigo])))
        i = completo.index(desde)
        j = completo.index(hasta, i) if hasta else len(completo)
        observaciones = (completo[:i].strip().rstrip(",") + "\n\n" + completo[j:]).strip()
        plan = completo[i:j].strip()
        narrativas[codigo] = (observaciones, plan[:1].upper() + plan[1:])
    return narrativas


def _codigo_encabezado(linea: str) -> str | None:
    partes = linea.split(" ", 1)
    codigo = partes[0].rstrip(".")
    if len(partes) == 2 and codigo.count(".") == 2 and codigo.replace(".", "").isdigit():
        return codigo
    return None


def _fuente(p: Producto, sector_en_texto: bool) -> str:
    inferido = []
    if not p.en_texto:
        inferido.append("metas y avances deducidos de los % del Anexo 1")
    if any(anio > 2024 for anio in p.metas):
        inferido.append("metas 2025–2032 repartidas")
    if p.peso_inferido:
        inferido.append("ponderación")
    if not sector_en_texto:
        inferido.append("sector")
    base = "Informe de seguimiento CONPES D.C. 29, corte 2024-1"
    return f"{base}. Ilustrativo: {', '.join(inferido)}." if inferido else f"{base}."


# The report's cuts: 2023-2 was published (closed); 2024-1 is the one the report follows up.
CORTES = ((2023, 2, True), (2024, 1, False))


def cargar(cuentas: Cuentas) -> dict[str, int]:
    """Load the policy; returns counts for the command's summary."""
    entidad = guardar(Entidad, buscar={"nombre": "Alcaldía Mayor de Bogotá"}, valores={"sigla": "AMB"})
    sectores = {
        nombre: guardar(
            Dependencia, buscar={"entidad": entidad, "nombre": nombre}, valores={"tipo": Dependencia.Tipo.SECTOR}
        )
        for nombre in SECTORES
    }
    plan = guardar(
        Plan,
        buscar={"codigo": CODIGO},
        valores={
            "nombre": "Política Pública Distrital Bogotá Territorio Inteligente",
            "tipo": Plan.Tipo.POLITICA_PUBLICA,
            "documento": "CONPES D.C. 29 de 2023",
            "entidad": entidad,
            "anio_inicio": ANIO_INICIO,
            "anio_fin": ANIO_FIN,
            "dependencia_lider": sectores[GESTION_PUBLICA],
            "objetivo": (
                "Consolidar a Bogotá como un territorio inteligente impulsando el uso y aprovechamiento de los "
                "datos, la tecnología y la innovación para la solución de problemáticas y la generación de "
                "oportunidades que mejoren la calidad de vida de las personas."
            ),
            "nombres_niveles": "Objetivo, Producto",
            "publicado": True,
        },
    )
    objetivos = {
        codigo: guardar(
            Nivel,
            buscar={"plan": plan, "codigo": codigo},
            valores={"padre": None, "nombre": OBJETIVOS[codigo], "peso": peso, "orden": int(codigo)},
        )
        for codigo, peso in leer_objetivos().items()
    }
    for codigo, nombre in ENFOQUES_INICIALES:
        Enfoque.objects.get_or_create(codigo=codigo, defaults={"nombre": nombre})
    enfoques = {e.codigo: e for e in Enfoque.objects.all()}
    narrativas = leer_narrativas()
    productos = leer_productos()
    reportes = conservados = 0
    for orden, p in enumerate(productos, start=1):
        sector, sector_en_texto = SECTOR_POR_PRODUCTO.get(p.codigo, SECTOR_POR_DEFECTO)
        indicador = guardar(
            Indicador,
            buscar={"plan": plan, "codigo": p.codigo},
            valores={
                "nivel": objetivos[p.objetivo],
                "nombre": p.indicador,
                "producto": p.producto,
                "unidad": "porcentaje" if p.indicador.lower().startswith("porcentaje") else "numero",
                "tipo_anualizacion": p.tipo,
                "periodicidad": p.periodicidad,
                "linea_base": Decimal(0),  # SPEC §6: the plan gives none
                "anio_linea_base": None,
                "meta_final": p.meta_final,
                "peso": p.peso,
                "dependencia": sectores[sector],
                "orden": orden,
                "ilustrativo": True,  # every product has at least its 2025–2032 targets inferred
                "fuente": _fuente(p, sector_en_texto),
            },
        )
        codigos_enfoque = {enfoques[c].pk for c in ENFOQUES.get(p.codigo, [])}
        if set(indicador.enfoques.values_list("pk", flat=True)) != codigos_enfoque:
            indicador.enfoques.set(codigos_enfoque)
        guardar_metas(indicador, p.metas, cuentas=cuentas)
        observaciones, plan_de_choque = narrativas.get(p.codigo, ("", ""))
        # The narrative goes with the latest report: 2024-S1 where there is one, else 2023.
        ultimo = 2024 if p.avance_2024 is not None else 2023
        for anio, valor in ((2023, p.avance_2023), (2024, p.avance_2024)):
            if valor is None:
                continue
            cargado = guardar_reporte(
                indicador,
                anio=anio,
                valor=valor,
                observaciones=observaciones if anio == ultimo else "",
                plan_de_choque=plan_de_choque if anio == ultimo else "",
                ilustrativo=not p.en_texto,
                cuentas=cuentas,
            )
            reportes += 1
            conservados += not cargado
    # After the reports and targets: closing 2023-2 stores the figures they give.
    cargar_cortes(plan, CORTES, cuentas=cuentas)
    return {
        "objetivos": len(objetivos), "indicadores": len(productos), "reportes": reportes, "conservados": conservados,
    }

