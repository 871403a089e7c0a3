"""The follow-up workbook of a plan at a cut, for auditors (issue 5): five sheets, one writer.

`ExportadorSeguimiento` builds each sheet as a `seguimiento.xlsx.Hoja` whose rows are an iterator,
and the writer streams them into the file, so memory does not grow with the number of rows (see
benchmarks/RESULTADOS_EXCEL.md). Tests read every workbook back with openpyxl.

What the cells promise:
- numbers are numeric cells with Colombian display formats (`#,##0`, `#,##0.00`), percentages are
  real fractions (0.4125) shown as `0.0%`, with the band's fill (`RELLENOS`) and the band's name
  beside them;
- years and periods are whole numbers shown as `0` (2023, never «2.023» with a thousands point),
  and a report's period is also written by its name («2023», «2023 · semestre 1», «2023 · junio»);
- choices (tipo, periodicidad, unidad, estado) show the labels users know («Constante», «Anual»),
  which the import reads back as well as the stored codes;
- text is always an inline string with `quotePrefix` when it starts with = + - @, so no
  spreadsheet ever runs a cell as a formula (not even after the user edits it).

The sheets "Plan", "Niveles", "Indicadores" and "Reportes" are also the import format: their
columns are the import's own declarations (`reportes.excel.columnas`), so exporting a plan and
importing the workbook into an empty database reproduces it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import IO

from django.utils import timezone

from indicadores import permisos, reglas
from indicadores.models import Enfoque, Reporte
from politicas import arbol
from reportes import filtros as modulo_filtros
from reportes import visibilidad
from reportes.excel.acerca import Exportacion, hoja_acerca
from reportes.excel.columnas import (
    CAMPOS_PLAN,
    COLUMNA_INDICADOR,
    COLUMNA_REPORTE,
    COLUMNAS_INDICADOR,
    COLUMNAS_NIVELES,
    COLUMNAS_REPORTES,
    HOJA_INDICADORES,
    HOJA_NIVELES,
    HOJA_PLAN,
    HOJA_REPORTES,
    dibujo,
    titulo_avance,
    titulo_meta,
)
from reportes.excel.datos_plan import AvancesPorAnio, datos_plan
from reportes.selectors import plan_resultados
from seguimiento.metodologia.calculos import reporte_cuenta
from seguimiento.metodologia.resultados import ESTADOS_OFICIALES, CorteRef, ResultadoIndicador, ResultadoPlan, Semaforo
from seguimiento.xlsx import Columna, Entero, Hoja, Num, Porcentaje, Relleno, Texto, escribir_libro

# Fills per band; the colour names are the Semaforo's (SPEC §4), the shades light enough to read.
RELLENOS = {
    Semaforo.SOBRE_EJECUCION: "FFF4B183",  # naranja
    Semaforo.ALTO: "FFA9D08E",  # verde
    Semaforo.MEDIO: "FFFFE699",  # amarillo
    Semaforo.BAJO: "FFF8A3A3",  # rojo
    Semaforo.SIN_INFORMACION: "FFD9D9D9",  # gris
}


def porcentaje(valor: Decimal | None, banda: Semaforo | None = None) -> Porcentaje:
    """A percentage in percent units (41.25) on its band's fill (none for a trajectory)."""
    return Porcentaje(valor, RELLENOS[banda] if banda else None)


def nombre_banda(banda: Semaforo) -> Relleno:
    """A band's name, on the band's fill."""
    return Relleno(banda.etiqueta, RELLENOS[banda])


# Computed columns the export writes after the import's own (the import ignores them).
COLUMNAS_NIVELES_RESULTADO = [
    Columna("Ponderación efectiva", 13), Columna("Avance (puntos)", 13), Columna("Trayectoria (puntos)", 13),
    Columna("Brecha (puntos)", 13),
]
COLUMNAS_RESULTADO = [
    Columna("PAV", 9), Columna("Semáforo PAV", 20), Columna("PAHV", 9), Columna("Semáforo PAHV", 20),
    Columna("PAA", 9), Columna("Semáforo PAA", 20), Columna("Trayectoria ideal", 11), Columna("Sin información", 18),
]
# What the exported Reportes sheet adds to the import format, after its columns (so a row copied
# into the template keeps its place; the import reads columns by title and ignores these):
# the period by its name («2023 · semestre 1»), the official value the figures count, and
# whether that approved value is being corrected (the correction is not official yet).
COLUMNAS_REPORTES_EXPORTADOS = dibujo(COLUMNAS_REPORTES) + [
    Columna("Periodo (nombre)", 22), Columna("Avance oficial", 13), Columna("En corrección", 12),
]
# The labels of the choices the sheets show, from the same declarations the import reads.
_UNIDAD, _TIPO, _PERIODICIDAD = (COLUMNA_INDICADOR[c] for c in ("unidad", "tipo_anualizacion", "periodicidad"))
_ESTADO = COLUMNA_REPORTE["estado"]


class ExportadorSeguimiento:
    """The follow-up workbook of a plan at a cut, for the indicators a user may read.

    `params` are the dashboard's GET filters (banda, dependencia, nivel, tipo, enfoque, orden); they
    select the rows of the Indicadores and Reportes sheets. Levels are the whole plan (only the top level and
    the levels above their own indicators for a planner reading an unpublished plan).
    """

    def __init__(self, *, plan, corte: CorteRef, usuario, params: Mapping[str, str] | None = None):
        self.plan = plan
        self.corte = corte
        self.usuario = usuario
        self.params = dict(params or {})

    # -- data ---------------------------------------------------------------------------------
    def preparar(self) -> None:
        self.datos = datos_plan(plan=self.plan, corte=self.corte, usuario=self.usuario)
        self.resultado: ResultadoPlan = plan_resultados(plan=self.plan, corte=self.corte)
        self.por_indicador: dict[int, ResultadoIndicador] = {r.indicador_id: r for r in self.resultado.indicadores}
        self.filtros = modulo_filtros.FiltrosAnexo.desde_get(self.params)
        # The one visibility rule of dashboards, API and printed reports (datos.indicadores is
        # already scoped by the same permission; this keeps both doors in step).
        self.restringido = not visibilidad.ve_todo_el_plan(self.plan, self.usuario)
        legibles = {r.indicador_id for r in visibilidad.resultados_visibles(self.resultado, self.usuario, self.plan)}
        visibles = [self.por_indicador[i["id"]] for i in self.datos.indicadores if i["id"] in legibles]
        self.visibles = visibles
        seleccion = modulo_filtros.filtrar(
            visibles,
            self.filtros,
            enfoques_por_indicador=self.datos.enfoque_ids,
            niveles_bajo=arbol.descendientes((n["id"], n["padre_id"]) for n in self.datos.niveles),
        )
        if self.params.get("orden"):
            seleccion = modulo_filtros.ordenar(seleccion, self.filtros)
        por_id = {i["id"]: i for i in self.datos.indicadores}
        self.seleccion = [por_id[r.indicador_id] for r in seleccion]
        self.niveles_por_id = {n["id"]: n for n in self.datos.niveles}
        self.profundidad = max((n["profundidad"] for n in self.datos.niveles), default=-1) + 1
        self.anios = list(range(self.plan.anio_inicio, self.plan.anio_fin + 1))

    def descripcion_filtros(self) -> str:
        """The active filters in words, as the dashboard shows them."""
        f = self.filtros
        partes = []
        if f.banda:
            partes.append(f"semáforo: {f.banda.etiqueta}")
        if f.dependencia:
            nombre = next(
                (i["dependencia__nombre"] for i in self.datos.indicadores if i["dependencia_id"] == f.dependencia),
                str(f.dependencia),
            )
            partes.append(f"dependencia: {nombre}")
        if f.nivel:
            nivel = self.niveles_por_id.get(f.nivel)
            partes.append(f"nivel: {nivel['codigo']} {nivel['nombre']}" if nivel else f"nivel: {f.nivel}")
        if f.tipo:
            partes.append(f"tipo: {_TIPO.etiqueta(f.tipo)}")
        if f.enfoque:
            enfoque = Enfoque.objects.filter(pk=f.enfoque).first()
            partes.append(f"enfoque: {enfoque.nombre if enfoque else f.enfoque}")
        if self.params.get("orden"):
            partes.append(f"orden: {f.orden}{' (descendente)' if f.descendente else ''}")
        return "; ".join(partes) or "Ninguno: todos los indicadores que el usuario puede ver."

    # -- sheets --------------------------------------------------------------------------------
    def hoja_indicadores(self) -> Hoja:
        jerarquia = []
        for d in range(self.profundidad):
            nombre = self.plan.nombre_nivel(d)
            jerarquia += [Columna(f"Código {nombre.lower()}", 10), Columna(nombre, 40)]
        anuales = []
        for anio in self.anios:
            anuales += [Columna(titulo_meta(anio), 12), Columna(titulo_avance(anio), 12)]
        columnas = jerarquia + dibujo(COLUMNAS_INDICADOR) + anuales + COLUMNAS_RESULTADO
        return Hoja(
            HOJA_INDICADORES, columnas, self._filas_indicadores(), congelar_columnas=len(jerarquia) + 2, posicion=1
        )

    def _filas_indicadores(self) -> Iterator[list]:
        cadenas: dict[int, list] = {}
        for ind in self.seleccion:
            r = self.por_indicador[ind["id"]]
            if ind["nivel_id"] not in cadenas:
                celdas: list = []
                for nivel in arbol.ruta(self.niveles_por_id, ind["nivel_id"]):
                    celdas += [nivel["codigo"], nivel["nombre"]]
                cadenas[ind["nivel_id"]] = celdas + [None] * (2 * self.profundidad - len(celdas))
            metas = self.datos.metas.get(ind["id"], {})
            avances = self.datos.avances.get(ind["id"], {})
            if self.resultado.oficial_congelado:
                # A period still running at a closed cut may have received a later value: the
                # cut's year shows the A[Y] it published, beside the PAV computed from it.
                avances = {**avances, self.corte.anio: r.avance_anio}
            anuales: list = []
            for anio in self.anios:
                anuales += [metas.get(anio), avances.get(anio)]
            nivel = self.niveles_por_id.get(ind["nivel_id"])
            yield cadenas[ind["nivel_id"]] + [
                ind["codigo"], ind["nombre"], nivel["codigo"] if nivel else None, ind["producto"],
                _UNIDAD.etiqueta(ind["unidad"]), _TIPO.etiqueta(ind["tipo_anualizacion"]),
                _PERIODICIDAD.etiqueta(ind["periodicidad"]), ind["dependencia__nombre"], ind["peso"],
                ind["linea_base"], Entero(ind["anio_linea_base"]), ind["meta_final"],
                ", ".join(self.datos.enfoques.get(ind["id"], [])), ind["ilustrativo"], ind["fuente"],
            ] + anuales + [
                porcentaje(r.pav, r.semaforo_pav), nombre_banda(r.semaforo_pav),
                porcentaje(r.pahv, r.semaforo_pahv), nombre_banda(r.semaforo_pahv),
                porcentaje(r.paa, r.semaforo_paa), nombre_banda(r.semaforo_paa),
                porcentaje(r.trayectoria), r.motivo_sin_informacion,
            ]

    def hoja_niveles(self) -> Hoja:
        resultados = {n.nivel_id: n for n in self.resultado.niveles}

        # A planner reading an unpublished plan gets the top level and the levels above their
        # own indicators, not the names of other dependencias' products.
        niveles = visibilidad.niveles_visibles(self.datos.niveles, self.visibles, restringido=self.restringido)

        def filas() -> Iterator[list]:
            for nivel in niveles:
                padre = self.niveles_por_id.get(nivel["padre_id"])
                r = resultados.get(nivel["id"])
                yield [
                    nivel["codigo"], padre["codigo"] if padre else None, self.plan.nombre_nivel(nivel["profundidad"]),
                    nivel["nombre"], nivel["peso"],
                ] + ([Num(r.peso), Num(r.avance), Num(r.trayectoria), Num(r.brecha)] if r else [])

        return Hoja(HOJA_NIVELES, dibujo(COLUMNAS_NIVELES) + COLUMNAS_NIVELES_RESULTADO, filas(), congelar_columnas=1, posicion=2)

    def hoja_reportes(self) -> Hoja:
        """Every report that counts at the cut and that the user may read (drafts only for their
        dependencia or readers of everything, see `permisos.reportes_visibles`), streamed.

        The same pass fills `datos.avances` (A[y] from the official values: approved reports, and
        the approved copy of one whose correction is under review), so this sheet is written
        before Indicadores, though it is shown after it.

        «Avance», «Estado» and the narratives are the report as it is now, for those who may read
        drafts: re-importing the workbook changes nothing. Whoever may not read drafts gets the
        approved copy of a report under correction, as on the public pages.
        """
        aprobado = Reporte.Estado.APROBADO
        ve_todos_los_borradores = permisos.lee_todo(self.usuario)
        dependencias_propias = set() if ve_todos_los_borradores else permisos.dependencias_ids(self.usuario)

        def filas() -> Iterator[list]:
            seleccion = {i["id"] for i in self.seleccion}
            por_id = {i["id"]: i for i in self.datos.indicadores}
            avances = AvancesPorAnio(
                tipos={i: (d["tipo_anualizacion"], d["periodicidad"]) for i, d in por_id.items()},
                corte=self.corte, destino=self.datos.avances,
            )
            consulta = (
                # Drafts, sent and returned reports (and their observaciones) only for who may
                # read them: the same rule as the API.
                permisos.reportes_visibles(
                    self.usuario, Reporte.objects.filter(indicador__in=self.datos.visibles, anio__lte=self.corte.anio)
                )
                .order_by("indicador__orden", "indicador__codigo", "anio", "periodo")
                .values_list(
                    "indicador_id", "anio", "periodo", "valor", "estado", "observaciones", "plan_de_choque", "ilustrativo",
                    "valor_oficial", "observaciones_oficiales", "plan_de_choque_oficial",
                )
                .iterator(chunk_size=5000)
            )
            corte_anio, corte_semestre = self.corte.anio, self.corte.semestre
            for (ind_id, anio, periodo, valor, estado, obs, choque, ilustrativo,
                 valor_oficial, obs_oficiales, choque_oficial) in consulta:
                ind = por_id[ind_id]
                if not reporte_cuenta(
                    periodicidad=ind["periodicidad"], anio=anio, periodo=periodo,
                    corte_anio=corte_anio, corte_semestre=corte_semestre,
                ):
                    continue
                # The official value (`Reporte.valor_publicado`): what the figures count, like the dashboards.
                en_correccion = valor_oficial is not None
                oficial = valor_oficial if en_correccion else (valor if estado in ESTADOS_OFICIALES else None)
                if oficial is not None:
                    avances.agregar(ind_id, anio, periodo, oficial)
                if ind_id not in seleccion:
                    continue
                if en_correccion and not (ve_todos_los_borradores or ind["dependencia_id"] in dependencias_propias):
                    # The correction is not public yet: the approved copy is the report.
                    valor, estado, obs, choque, en_correccion = valor_oficial, aprobado, obs_oficiales, choque_oficial, None
                yield [
                    ind["codigo"], ind["nombre"], Entero(anio), Entero(periodo), valor, _ESTADO.etiqueta(estado),
                    Texto(obs), Texto(choque), ilustrativo,
                    reglas.nombre_periodo(periodicidad=ind["periodicidad"], anio=anio, periodo=periodo),
                    oficial, en_correccion or None,
                ]
            avances.cerrar()

        return Hoja(HOJA_REPORTES, COLUMNAS_REPORTES_EXPORTADOS, filas(), congelar_columnas=1, posicion=3)

    def hoja_plan(self) -> Hoja:
        plan = self.plan
        valores = {
            "codigo": plan.codigo, "nombre": plan.nombre, "tipo": plan.get_tipo_display(), "documento": plan.documento,
            "entidad": plan.entidad.nombre, "anio_inicio": Entero(plan.anio_inicio), "anio_fin": Entero(plan.anio_fin),
            "nombres_niveles": plan.nombres_niveles,
            "dependencia_lider": plan.dependencia_lider.nombre if plan.dependencia_lider_id else "",
            "objetivo": Texto(plan.objetivo), "publicado": plan.publicado,
        }
        filas = [[campo.titulo, valores[campo.campo]] for campo in CAMPOS_PLAN]
        return Hoja(HOJA_PLAN, [Columna("Campo", 26), Columna("Valor", 80)], filas, filtro=False, posicion=4)

    # -- all ----------------------------------------------------------------------------------
    def escribir(self, destino: str | IO[bytes], *, progreso=None) -> Exportacion:
        self.preparar()
        usuario = (
            (self.usuario.get_full_name() or self.usuario.get_username())
            if getattr(self.usuario, "is_authenticated", False)
            else "Visitante anónimo"
        )
        info = Exportacion(self.plan.codigo, self.corte, self.descripcion_filtros(), usuario, timezone.now())
        info.filas = escribir_libro(
            destino,
            # Reportes first: its pass computes the yearly avances the Indicadores sheet shows.
            [self.hoja_reportes(), self.hoja_indicadores(), self.hoja_niveles(), self.hoja_plan(), hoja_acerca(info, plan=self.plan, resultado=self.resultado, exportados=len(self.seleccion))],
            autor=usuario,
            progreso=progreso,
        )
        return info


def exportar_plan(
    destino: str | IO[bytes], *, plan, corte: CorteRef, usuario, params: Mapping[str, str] | None = None, progreso=None
) -> Exportacion:
    """Write the follow-up workbook of `plan` at `corte` to `destino` (a path or a binary file)."""
    return ExportadorSeguimiento(plan=plan, corte=corte, usuario=usuario, params=params).escribir(destino, progreso=progreso)


def nombre_archivo(plan, corte: CorteRef) -> str:
    return f"seguimiento-{plan.codigo}-{corte.clave}.xlsx"
