"""Writing a checked plan: plan, levels, indicators, targets and reports, in one transaction.

`EscrituraPlan.aplicar` runs only after `ImportadorPlan.validar` found no error, on the state it
left (`plan_datos`, `niveles`, `indicadores`, `reportes` and what the database held). Each save
notes its change, before → after, for the preview; targets and reports go through
`indicadores.services`, so past years' locks, closed cuts and versions hold as in the admin.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from indicadores import permisos, reglas, services
from indicadores.models import Indicador, Meta, Reporte
from politicas.models import Dependencia, Entidad, Nivel, Plan
from reportes.excel.columnas import HOJA_INDICADORES, HOJA_NIVELES, HOJA_PLAN, HOJA_REPORTES
from reportes.excel.importador import (
    Abortar,
    Importador,
    ReporteArchivo,
    mismo_texto,
    mostrar,
    usuario_guardado,
)
from reportes.excel.importar_plan_indicadores import IndicadorArchivo
from reportes.excel.lector import Error, Lector


class EscrituraPlan(Importador):
    """The writing half of `ImportadorPlan` (see the module docstring for what it relies on)."""

    def aplicar(self) -> None:
        datos = self.plan_datos
        entidad = Entidad.objects.filter(nombre=datos["entidad"]).first()
        if entidad is None:
            entidad = Entidad.objects.create(nombre=datos["entidad"])
            self.cambio("crear", "entidad", entidad.nombre)
        dependencias = {d.nombre: d for d in Dependencia.objects.filter(entidad=entidad)}

        def dependencia(nombre: str) -> Dependencia:
            if nombre not in dependencias:
                dependencias[nombre] = Dependencia.objects.create(entidad=entidad, nombre=nombre)
                self.cambio("crear", "dependencia", nombre)
            return dependencias[nombre]

        plan = self.plan or Plan(codigo=datos["codigo"])
        valores = {k: v for k, v in datos.items() if k not in ("codigo", "entidad", "dependencia_lider", "publicado")}
        if datos["publicado"] is not None:
            valores["publicado"] = datos["publicado"]
        valores["entidad"] = entidad
        valores["dependencia_lider"] = dependencia(datos["dependencia_lider"]) if datos["dependencia_lider"] else None
        self._guardar(plan, valores, "plan", plan.codigo)
        self._aplicar_niveles(plan)
        indicadores = self._aplicar_indicadores(plan, dependencia)
        self._aplicar_reportes(indicadores)
        self.resultado.plan_codigo = plan.codigo

    def _guardar(self, objeto, valores: dict[str, Any], que: str, clave: str) -> bool:
        """Create or update `objeto` with `valores`, noting each change before → after; False when
        nothing changed (texts compared as stored, so CRLF or a trailing blank is no change)."""
        nuevo = objeto.pk is None
        cambiados = [] if nuevo else [c for c, v in valores.items() if not _mismo_valor(objeto, c, v)]
        if not nuevo and not cambiados:
            return False
        antes = {c: _mostrar_campo(objeto, c, getattr(objeto, c)) for c in cambiados}
        for campo, valor in valores.items():
            setattr(objeto, campo, valor)
        self._verificar_largos(objeto, que, clave)
        self._con_historial(objeto).save()
        # The preview names the changed fields as the admin does («tipo de anualización»).
        campos = [(_nombre_campo(objeto, c), antes[c], _mostrar_campo(objeto, c, valores[c])) for c in cambiados]
        self.cambio("crear" if nuevo else "modificar", que, clave, ", ".join(n for n, _, _ in campos), campos)
        return True

    def _verificar_largos(self, objeto, que: str, clave: str) -> None:
        """The services' length check (`reglas.errores_largos`) before a plan, level or indicator
        is saved: the check of each cell caught it already, this keeps any other text out too.
        An error stops the import and rolls it all back (`Abortar`)."""
        errores = reglas.errores_largos(objeto)
        if not errores:
            return
        hoja = {"plan": HOJA_PLAN, "nivel": HOJA_NIVELES}.get(que, HOJA_INDICADORES)
        for campo, mensajes in errores.items():
            for mensaje in mensajes:
                self.errores.append(Error(hoja, None, _nombre_campo(objeto, campo), f"{que} {clave}: {mensaje}"))
        raise Abortar

    def _con_historial(self, objeto):
        """Attribute the history record of the next save or delete to the importing user
        (django-simple-history reads the attribute). A plan, level or indicator needs no reason:
        the import's `--motivo` is recorded only by the services, on frozen targets and reports."""
        objeto._history_user = usuario_guardado(self.usuario)
        return objeto

    def _aplicar_niveles(self, plan: Plan) -> None:
        por_codigo = dict(self.niveles_bd)
        pendientes = {n.codigo: n for n in self.niveles}
        orden = {n.codigo: i for i, n in enumerate(self.niveles, start=1)}

        def guardar(codigo: str) -> Nivel:
            fila = pendientes.pop(codigo)
            padre = None
            if fila.padre:
                padre = guardar(fila.padre) if fila.padre in pendientes else por_codigo[fila.padre]
            nivel = por_codigo.get(codigo) or Nivel(plan=plan, codigo=codigo, orden=orden[codigo])
            self._guardar(nivel, {"padre": padre, "nombre": fila.nombre, "peso": fila.peso}, "nivel", codigo)
            por_codigo[codigo] = nivel
            return nivel

        while pendientes:  # parents first, whatever the rows' order
            guardar(next(iter(pendientes)))
        self.niveles_guardados = por_codigo

    def _aplicar_indicadores(self, plan: Plan, dependencia) -> dict[str, Indicador]:
        por_codigo = dict(self.indicadores_bd)
        enfoques = {e.codigo: e for e in self.enfoques.values()}
        lector = Lector(self.hoja(HOJA_INDICADORES), self.errores)
        total = len(self.indicadores)
        for n, fila in enumerate(self.indicadores, start=1):
            self.avisar("Indicadores escritos", n, total)
            codigo = fila.campos["codigo"]
            # New rows keep the sheet's order; existing ones keep theirs (a re-import is no reorder).
            indicador = por_codigo.get(codigo) or Indicador(plan=plan, codigo=codigo, orden=n)
            valores = dict(fila.campos)
            del valores["codigo"]
            valores["nivel"] = self.niveles_guardados[fila.nivel]
            valores["dependencia"] = dependencia(fila.dependencia)
            cambio = self._guardar(indicador, valores, "indicador", codigo)
            por_codigo[codigo] = indicador
            antes = self.enfoques_bd.get(indicador.pk, set())
            if set(fila.enfoques) != antes:
                indicador.enfoques.set([enfoques[c] for c in fila.enfoques])
                if not cambio:
                    self.cambio("modificar", "indicador", codigo, "enfoques", [
                        ("enfoques", mostrar(", ".join(sorted(antes))), mostrar(", ".join(sorted(fila.enfoques))))
                    ])
            self._aplicar_metas(lector, indicador, fila)
        return por_codigo

    def _aplicar_metas(self, lector: Lector, indicador: Indicador, fila: IndicadorArchivo) -> None:
        """Targets go through the target services (one saved at a time, each with its history
        record, the importing user and the reason); past years' locks were checked by `validar`."""
        existentes = self.metas_bd.get(indicador.codigo, {})
        for anio, valor in sorted(fila.metas.items()):
            if existentes.get(anio) == valor:
                continue
            try:
                self._meta_escribir(indicador, anio, valor, cargada=fila.campos["codigo"] not in self.indicadores_bd)
            except (PermissionDenied, ValidationError) as exc:
                mensajes = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                for mensaje in mensajes:
                    lector.error(fila.fila, self.anios_meta[anio], mensaje)
                continue
            clave = f"{indicador.codigo} {anio}"
            if anio not in existentes:
                self.cambio("crear", "meta", clave, mostrar(valor))
            else:
                self.cambio("modificar", "meta", clave, f"{mostrar(existentes[anio])} → {mostrar(valor)}",
                            [("meta", mostrar(existentes[anio]), mostrar(valor))])
        borrar = sorted(fila.metas_vacias & set(existentes))
        if borrar:
            for meta in Meta.objects.filter(indicador=indicador, anio__in=borrar).order_by("anio"):
                services.meta_eliminar(meta=meta, usuario=self.usuario, motivo=self.motivo)
                self.cambio("eliminar", "meta", f"{indicador.codigo} {meta.anio}", mostrar(existentes[meta.anio]),
                            [("meta", mostrar(existentes[meta.anio]), mostrar(None))])

    def _meta_escribir(self, indicador: Indicador, anio: int, valor: Decimal, *, cargada: bool) -> None:
        """`services.meta_registrar` for who may program the indicator's targets; the planning
        office writes any indicator's targets of the plan (`services.meta_cargar`). A new
        indicator's targets (`cargada`) are its plan being loaded: past years too."""
        if not cargada and permisos.puede_editar_indicador(self.usuario, indicador):
            services.meta_registrar(indicador=indicador, anio=anio, valor=valor, usuario=self.usuario, motivo=self.motivo)
            return
        services.meta_cargar(
            indicador=indicador, anio=anio, valor=valor, usuario=self.usuario, motivo=self.motivo, indicador_nuevo=cargada
        )

    def _aplicar_reportes(self, indicadores: dict[str, Indicador]) -> None:
        if not self.reportes:
            return
        lector = Lector(self.hoja(HOJA_REPORTES), self.errores)
        total = len(self.reportes)
        for n, r in enumerate(self.reportes, start=1):
            self.avisar("Reportes escritos", n, total)
            if not r.sin_cambios:
                self.escribir_reporte(lector, indicadores[r.codigo], r)

    def crear_reporte(self, indicador: Indicador, r: ReporteArchivo) -> Reporte:
        """A new period's report, in the state the workbook gives, through the services:
        - «Aprobado»: a figure already reviewed and published (`reporte_publicado_cargar`, as the demo
          loader), loaded by the planning office; closed cuts hold. It was reviewed where it was
          published, so the plan-de-choque rule of sending does not apply (a historical 0 % is
          loaded as published);
        - «Enviado»: written as a draft and sent (`reporte_enviar`: the plan-de-choque check);
        - «Borrador» or nothing: a draft (`reporte_registrar`).
        Drafts and sent reports are the dependencia's planners' (or an administrator's) work."""
        if r.estado == Reporte.Estado.APROBADO:
            return self._cargar_publicado(indicador, r)
        reporte = super().crear_reporte(indicador, r)
        if r.estado == Reporte.Estado.ENVIADO:
            try:
                reporte = services.reporte_enviar(reporte=reporte, usuario=self.usuario, motivo=self.motivo)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    raise
                raise ValidationError({"estado": exc.messages}) from exc
        return reporte

    def _cargar_publicado(self, indicador: Indicador, r: ReporteArchivo) -> Reporte:
        if not permisos.es_revisor(self.usuario):
            raise PermissionDenied(f"Solo la oficina de planeación carga cifras ya aprobadas ({r.nombre}).")
        services.corte_verificar_abierto(
            indicador=indicador, anio=r.anio, periodo=r.periodo, usuario=self.usuario, motivo=self.motivo
        )
        # Only new periods: someone's report created after the check is refused, never overwritten.
        return services.reporte_publicado_cargar(
            indicador=indicador, anio=r.anio, periodo=r.periodo, valor=r.valor, observaciones=r.observaciones,
            plan_de_choque=r.plan_de_choque, ilustrativo=bool(r.ilustrativo), usuario=usuario_guardado(self.usuario),
            motivo=self.motivo, solo_crear=True,
        )


def _mismo_valor(objeto, campo: str, valor) -> bool:
    """Whether `objeto.campo` already holds `valor`: relations by id (no query), texts as stored."""
    modelo_campo = objeto._meta.get_field(campo)
    if modelo_campo.is_relation:
        return getattr(objeto, modelo_campo.attname) == (valor.pk if valor is not None else None)
    actual = getattr(objeto, campo, None)
    if isinstance(actual, str) or isinstance(valor, str):
        return mismo_texto(actual, valor)
    return actual == valor


def _mostrar_campo(objeto, campo: str, valor) -> str:
    """A field's value in words: a choice's label, a level by its code, a dependencia by name."""
    modelo_campo = objeto._meta.get_field(campo)
    if modelo_campo.is_relation:
        return "(vacío)" if valor is None else f"«{getattr(valor, 'codigo', None) or valor}»"
    if modelo_campo.choices:
        return str(dict(modelo_campo.flatchoices).get(valor, valor))
    return mostrar(valor)


def _nombre_campo(objeto, campo: str) -> str:
    try:
        return str(objeto._meta.get_field(campo).verbose_name)
    except Exception:  # FieldDoesNotExist: not a model field, show it as written
        return campo
