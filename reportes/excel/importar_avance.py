"""Importing a semester's progress: the «Reportes» sheet of `plantilla_avance`, one row per period.

Each report goes through `indicadores.services.reporte_registrar` (`Importador.escribir_reporte`),
so a planner writes only the indicators of their dependencias, closed cuts hold and a correction
of an approved value stays under review. Rows left without a value are a template's blank rows.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from indicadores import permisos, reglas, services
from indicadores.models import Indicador, Reporte
from reportes.excel.columnas import CAMPO_PLAN, COLUMNA_REPORTE, COLUMNAS_REPORTES, HOJA_PLAN, HOJA_REPORTES, requeridas
from reportes.excel.importador import Importador, ReporteArchivo, error_de_servicio
from reportes.excel.lector import Error, FilaLeida, Lector, duplicados, normalizar

_CODIGO, _ANIO, _PERIODO, _AVANCE, _OBSERVACIONES, _PLAN_DE_CHOQUE = (
    COLUMNA_REPORTE[c] for c in ("codigo", "anio", "periodo", "valor", "observaciones", "plan_de_choque")
)


class ImportadorAvance(Importador):
    """Each report goes through `indicadores.services.reporte_registrar`, so a planner writes only
    the indicators of their dependencias, closed cuts hold and a correction of an approved value
    stays under review."""

    tipo = "avance"

    def validar(self) -> None:
        campos = self.leer_campos_plan()
        hoja = self.hoja(HOJA_REPORTES)
        if hoja is None or self.errores:
            return
        if "codigo" not in campos:
            self.errores.append(Error(HOJA_PLAN, None, "Campo", "Falta la fila «Código» con el código del plan."))
            return
        fila_plan, lector_plan = campos["codigo"]
        codigo = lector_plan.valor(fila_plan, CAMPO_PLAN["codigo"], en="Valor")
        self.plan = permisos.planes_visibles(self.usuario).filter(codigo=codigo).first() if codigo else None
        if codigo and self.plan is None:
            lector_plan.error(fila_plan, "Valor", f"No existe el plan «{codigo}» o su usuario no puede verlo.")
        lector = Lector(hoja, self.errores)
        if not lector.columnas_obligatorias(requeridas(COLUMNAS_REPORTES)) or self.plan is None:
            return
        self.resultado.plan_codigo = self.plan.codigo
        self.indicadores = {i.codigo: i for i in Indicador.objects.filter(plan=self.plan).select_related("plan")}
        por_id = {i.pk: i for i in self.indicadores.values()}
        existentes = {}
        for reporte in Reporte.objects.filter(indicador__plan=self.plan):
            reporte.indicador = por_id[reporte.indicador_id]
            existentes[(reporte.indicador_id, reporte.anio, reporte.periodo)] = reporte
        self.filas: list[ReporteArchivo] = []
        claves = []
        for n, fila in enumerate(hoja.filas, start=1):
            self.avisar("Filas revisadas", n, len(hoja.filas))
            r = self._leer_fila(lector, fila, existentes)
            if r is None:
                continue
            claves.append((fila, (r.codigo, r.anio, r.periodo), r.nombre))
            self.anotar_reporte(r, (hoja.nombre, fila.numero, _AVANCE.titulo))
            try:  # who may write it and whether its period is frozen: the same rule as the admin and the API
                services.reporte_verificar(
                    indicador=self.indicadores[r.codigo], anio=r.anio, periodo=r.periodo, usuario=self.usuario,
                    motivo=self.motivo,
                )
            except PermissionDenied as exc:  # even for an unchanged row: another dependencia's report is not theirs
                error_de_servicio(lector, fila, exc)
                continue
            except ValidationError as exc:
                if not r.sin_cambios:  # an unchanged row of a frozen period writes nothing: no error
                    error_de_servicio(lector, fila, exc, columna=_PERIODO.titulo)
                continue
            if not r.sin_cambios:  # the template's own copy of an existing report: nothing to write
                self.filas.append(r)
        duplicados(lector, claves, _PERIODO.titulo, "El reporte")

    def _leer_fila(self, lector: Lector, fila: FilaLeida, existentes: dict) -> ReporteArchivo | None:
        observaciones = lector.valor(fila, _OBSERVACIONES)
        plan_de_choque = lector.valor(fila, _PLAN_DE_CHOQUE)
        if normalizar(_AVANCE.titulo) not in fila.celdas and not observaciones and not plan_de_choque:
            return None  # a template row the planner left blank: nothing to report
        codigo_ind = lector.valor(fila, _CODIGO)
        anio = lector.valor(fila, _ANIO)
        periodo = lector.valor(fila, _PERIODO)
        valor = lector.valor(fila, _AVANCE)
        indicador = self.indicadores.get(codigo_ind)
        if codigo_ind and indicador is None:
            lector.error(fila, _CODIGO.titulo, f"El indicador «{codigo_ind}» no existe en el plan «{self.plan.codigo}».")
            return None
        if indicador is None or None in (anio, periodo, valor):
            return None
        errores = reglas.errores_valor_en_plan(plan=self.plan, unidad=indicador.unidad, anio=anio, valor=valor, que="El reporte")
        errores.update(reglas.errores_periodo(periodicidad=indicador.periodicidad, periodo=periodo))
        for campo, mensajes in errores.items():
            for mensaje in mensajes:
                lector.error(fila, {"anio": _ANIO, "periodo": _PERIODO}.get(campo, _AVANCE).titulo, mensaje)
        if errores:
            return None
        return ReporteArchivo(
            fila, indicador.codigo, anio, periodo, valor, observaciones, plan_de_choque,
            actual=existentes.get((indicador.pk, anio, periodo)),
            nombre=f"{indicador.codigo} {reglas.nombre_periodo(periodicidad=indicador.periodicidad, anio=anio, periodo=periodo)}",
        )

    def aplicar(self) -> None:
        lector = Lector(self.hoja(HOJA_REPORTES), self.errores)
        total = len(self.filas)
        for n, r in enumerate(self.filas, start=1):
            self.avisar("Reportes escritos", n, total)
            self.escribir_reporte(lector, self.indicadores[r.codigo], r)

