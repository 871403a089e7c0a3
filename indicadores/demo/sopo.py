"""`sopo-generacion-ingresos`: Sopó's income-generation policy and its 2021-2 management report
(seed 004, the qualitative format of SPEC §7).

The report's texts are read from the seed by their headings. Its scores are stated: 83 % of the
programmed activities carried out, qualitative impact 46 %, turismo «aproximadamente el 20 %».
The seed gives no activity counts per component; the counts below are derived to match those
shares and what the text says:
- the four components are the four lines of the policy's objective («fomento del empleo, la
  potenciación de ideas de negocios, el fortalecimiento del campo y posicionamiento del turismo»);
- agro: «se formularon alrededor de 13 actividades», and the text singles out the «gran labor» of
  the Dirección de Agropecuario: 13 programmed, 13 carried out;
- turismo: 1 of 5 = 20 %;
- empleo 6 of 6 and emprendimiento 5 of 6 complete the total: 25 of 30 = 83,3 % («83 %»).
Every count is therefore stored with `ilustrativo=True` and printed with the «Valores
ilustrativos» label; only the shares (83 %, ≈ 20 %) and «alrededor de 13» are the seed's.
The seed does not give the policy's years either: 2021–2031 (ten years from the reported year)
is illustrative.
"""

import re

from indicadores.demo import guardar, leer_seed, parrafos
from politicas.models import ActividadCualitativa, Dependencia, Entidad, InformeCualitativo, Nivel, Plan

CODIGO = "sopo-generacion-ingresos"
ARCHIVO = "004_da842d575c4fa18d.txt"
SECRETARIA = "Secretaría de Desarrollo Económico"
OBJETIVO = (
    "Promover el mejoramiento de la calidad de vida de las soposeñas y los soposeños mediante el desarrollo "
    "de acciones orientadas al fomento del empleo, la potenciación de ideas de negocios, el fortalecimiento "
    "del campo y posicionamiento del turismo como fuente generadora de ingresos, que aporte en la "
    "transformación de la desigualdad e inequidad social y económica."
)

# (code, component, programmed, carried out, what the seed says about it)
COMPONENTES = [
    ("1", "Empleo", 6, 6,
     "Oficina de Empleo: visibilización, enrutamiento de personas desempleadas o cesantes, feria de empleo."),
    ("2", "Emprendimiento e ideas de negocio", 6, 5,
     "Fomento y emprendimiento para pequeñas y medianas microempresas; redes empresariales y comercialización."),
    ("3", "Fortalecimiento del campo", 13, 13,
     "Dirección de Agropecuario: alrededor de 13 actividades de exploraciones agrarias, pecuarias, forestales "
     "y pesqueras; buenas prácticas con apoyo de la Secretaría de Salud."),
    ("4", "Turismo", 5, 1,
     "Dirección de Turismo: capacitaciones, talleres y documentos estratégicos; cumplimiento aproximado del 20 %."),
]
IMPACTO_CUALITATIVO = 46

# Section headings of the seed, in order: each text runs from its heading to the next one.
SECCIONES = [
    ("actividades", "**REALIZADAS**"),
    ("estrategias", "**UTILIZADAS**"),
    ("logros", "### LOGROS OBTENIDOS"),
    ("dificultades", "# DIFICULTADES PRESENTADAS"),
    ("oportunidades", "## OPORTUNIDADES DE CRECIMIENTO"),
    ("evidencias", "EVIDENCIAS DE LA ACTIVIDADES"),
]
_RUIDO = re.compile(r"^(#+\s*)?(\*\*)?(EQUIPO DE POLÍTICAS PÚBLICAS|ESTRATEGIAS)(\*\*)?$")


def leer_informe(texto: str | None = None) -> dict[str, str]:
    """The six texts of the report, with the page headers of the PDF removed."""
    texto = leer_seed(ARCHIVO) if texto is None else texto
    posiciones = []
    for campo, titulo in SECCIONES:
        if titulo not in texto:
            raise ValueError(f"La semilla de Sopó no tiene la sección «{titulo}».")
        posiciones.append((texto.index(titulo), campo, titulo))
    textos = {}
    for n, (inicio, campo, titulo) in enumerate(posiciones):
        fin = posiciones[n + 1][0] if n + 1 < len(posiciones) else len(texto)
        lineas = [linea for linea in texto[inicio + len(titulo):fin].splitlines() if not _RUIDO.match(linea.strip())]
        textos[campo] = "\n\n".join(parrafos("\n".join(lineas)))
    return textos


def cargar() -> dict[str, int]:
    entidad = guardar(Entidad, buscar={"nombre": "Municipio de Sopó"})
    secretaria = guardar(Dependencia, buscar={"entidad": entidad, "nombre": SECRETARIA})
    plan = guardar(
        Plan,
        buscar={"codigo": CODIGO},
        valores={
            "nombre": "Política Pública de Generación de Ingresos de Sopó",
            "tipo": Plan.Tipo.POLITICA_PUBLICA,
            "documento": "",
            "entidad": entidad,
            "anio_inicio": 2021,
            "anio_fin": 2031,
            "dependencia_lider": secretaria,
            "objetivo": OBJETIVO,
            "nombres_niveles": "Componente",
            "publicado": True,
        },
    )
    for orden, (codigo, nombre, *_resto) in enumerate(COMPONENTES, start=1):
        guardar(
            Nivel, buscar={"plan": plan, "codigo": codigo}, valores={"padre": None, "nombre": nombre, "orden": orden}
        )
    informe = guardar(
        InformeCualitativo,
        buscar={"plan": plan, "anio": 2021, "semestre": 2},
        valores={"dependencia": secretaria, "impacto_cualitativo": IMPACTO_CUALITATIVO, **leer_informe()},
    )
    for orden, (_codigo, nombre, programadas, realizadas, descripcion) in enumerate(COMPONENTES, start=1):
        guardar(
            ActividadCualitativa,
            buscar={"informe": informe, "componente": nombre},
            valores={
                "descripcion": descripcion, "programadas": programadas, "realizadas": realizadas, "orden": orden,
                "ilustrativo": True,  # derived from the seed's shares, see the module docstring
            },
        )
    nombres = [nombre for _c, nombre, *_r in COMPONENTES]
    ActividadCualitativa.objects.filter(informe=informe).exclude(componente__in=nombres).delete()
    return {"componentes": len(COMPONENTES), "informes": 1}
