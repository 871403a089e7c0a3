"""Importing a whole plan: the sheets Plan, Niveles, Indicadores and (optionally) Reportes.

Levels, indicators, yearly targets («Meta 2024» columns) and reports are created or updated by
code, never deleted (an empty «Meta AAAA» cell removes that year's target). `ImportadorPlan`
reads every cell by its declared column (`reportes.excel.columnas`), checks it with the model's
rules (`indicadores.reglas`) against the file and the database merged (levels' parents,
siblings' weights, frozen past targets, review states) and records what it read of the database
(`anotar`) for the confirmation to compare. Its parts: this module (the plan's fields, levels,
reports and weights), `importar_plan_indicadores` (the indicators and their targets) and
`importar_plan_escritura` (the writes, once nothing failed).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils.text import slugify

from indicadores import permisos, reglas
from indicadores.models import Enfoque, Indicador, Meta, Reporte
from politicas.models import Nivel, Plan
from politicas.selectors import PESO_TOTAL
from reportes.excel.columnas import (
    CAMPOS_PLAN,
    COLUMNA_NIVEL,
    COLUMNA_REPORTE,
    COLUMNAS_NIVELES,
    COLUMNAS_REPORTES,
    HOJA_INDICADORES,
    HOJA_NIVELES,
    HOJA_PLAN,
    HOJA_REPORTES,
    ColumnaImportacion,
    requeridas,
)
from reportes.excel.importador import ReporteArchivo, autor, diferencias, huella, mostrar, ultimo
from reportes.excel.importar_plan_escritura import EscrituraPlan
from reportes.excel.importar_plan_indicadores import ChequeoIndicadores
from reportes.excel.lector import Error, FilaLeida, Lector, duplicados, mensajes_de, normalizar

ESTADOS = dict(Reporte.Estado.choices)
_VALOR = "Valor"  # the «Plan» sheet's column of values, beside «Campo»
_R = COLUMNA_REPORTE


def puede_importar_plan(usuario) -> bool:
    """Whole plans are loaded by the planning office (Revisor) or an administrator."""
    return permisos.es_revisor(usuario)


def puede_publicar_planes(usuario, *, nuevo: bool) -> bool:
    """Whether the admin lets this user publish (or unpublish) a plan: whoever may add or change
    plans there. The planning office's role (Revisor) may not, unless it is given that permission."""
    return usuario.has_perm("politicas.add_plan" if nuevo else "politicas.change_plan")


@dataclass
class _NivelArchivo:
    """One level row as read: its code, its parent's code (empty at the top), name and weight."""

    fila: FilaLeida
    codigo: str
    padre: str
    nombre: str
    peso: Decimal | None


class ImportadorPlan(ChequeoIndicadores, EscrituraPlan):
    """A whole plan: `validar` here and in `ChequeoIndicadores`, `aplicar` in `EscrituraPlan`."""

    tipo = "plan"

    # -- checking ---------------------------------------------------------------------------
    def validar(self) -> None:
        if not puede_importar_plan(self.usuario):
            self.errores.append(
                Error(HOJA_PLAN, None, None, "Solo la oficina de planeación (rol Revisor) o un administrador puede "
                      "importar un plan completo. Para cargar avances use la plantilla de avance del semestre.")
            )
            return
        hojas = [self.hoja(HOJA_PLAN), self.hoja(HOJA_NIVELES), self.hoja(HOJA_INDICADORES)]
        if None in hojas:
            return
        self._validar_plan()
        if self.plan_datos is None:
            return
        self._cargar_existentes()
        self._validar_publicacion()
        self._anotar_plan()
        self._validar_niveles()
        self._validar_indicadores()
        self._validar_reportes()
        if not self.errores:
            self._validar_pesos()

    def _validar_plan(self) -> None:
        campos = self.leer_campos_plan()
        self.campos_plan = campos
        self.plan_datos = None

        def leer(campo: ColumnaImportacion):
            if campo.campo not in campos:
                if campo.requerido:
                    self.errores.append(Error(HOJA_PLAN, None, "Campo", f"Falta la fila «{campo.titulo}»."))
                return campo.defecto
            fila, lector = campos[campo.campo]
            return lector.valor(fila, campo, en=_VALOR)

        n = len(self.errores)
        datos = {campo.campo: leer(campo) for campo in CAMPOS_PLAN}
        codigo = datos["codigo"]
        if codigo and (slugify(codigo) != codigo or len(codigo) > 60):
            fila, _ = campos["codigo"]
            self.errores.append(Error(HOJA_PLAN, fila.numero, _VALOR, f"El código «{codigo}» solo puede tener "
                                      "minúsculas sin tildes, números y guiones (por ejemplo «cali-2016»)."))
        inicio, fin = datos["anio_inicio"], datos["anio_fin"]
        if inicio is not None and fin is not None:
            if not (1990 <= inicio <= 2100 and 1990 <= fin <= 2100):
                self.errores.append(Error(HOJA_PLAN, self._fila_plan("anio_inicio"), _VALOR,
                                          "Los años del plan deben estar entre 1990 y 2100."))
            elif fin < inicio:
                self.errores.append(Error(HOJA_PLAN, self._fila_plan("anio_fin"), _VALOR,
                                          "El año de fin no puede ser anterior al año de inicio."))
        if len(self.errores) == n:
            self.plan_datos = datos
            # An unsaved plan answers `vigente_en` for the rules before anything is written.
            self.plan_reglas = Plan(anio_inicio=inicio, anio_fin=fin)

    def _fila_plan(self, campo: str) -> int | None:
        return self.campos_plan[campo][0].numero if campo in self.campos_plan else None

    def _cargar_existentes(self) -> None:
        """The plan as it is in the database (nothing when it is new): a few queries."""
        self.plan = (
            Plan.objects.filter(codigo=self.plan_datos["codigo"]).select_related("entidad", "dependencia_lider").first()
        )
        self.niveles_bd: dict[str, Nivel] = {}
        self.indicadores_bd: dict[str, Indicador] = {}
        self.metas_bd: dict[str, dict[int, Decimal]] = defaultdict(dict)
        self.enfoques_bd: dict[int, set[str]] = defaultdict(set)
        if self.plan:
            self.niveles_bd = {n.codigo: n for n in Nivel.objects.filter(plan=self.plan).select_related("padre")}
            self.indicadores_bd = {
                i.codigo: i for i in Indicador.objects.filter(plan=self.plan).select_related("nivel", "dependencia")
            }
            for codigo, anio, valor in Meta.objects.filter(indicador__plan=self.plan).values_list(
                "indicador__codigo", "anio", "valor"
            ):
                self.metas_bd[codigo][anio] = valor
            for indicador_id, codigo in Indicador.enfoques.through.objects.filter(
                indicador__plan=self.plan
            ).values_list("indicador_id", "enfoque__codigo"):
                self.enfoques_bd[indicador_id].add(codigo)
        self.enfoques = {}
        for enfoque in Enfoque.objects.all():
            self.enfoques[normalizar(enfoque.codigo)] = enfoque
            self.enfoques[normalizar(enfoque.nombre)] = enfoque

    def _validar_publicacion(self) -> None:
        """Publishing a plan (or withdrawing it) is what the admin lets change plans do; the
        planning office loads and corrects plans but, by default, does not publish them."""
        quiere = self.plan_datos["publicado"]
        actual = bool(self.plan and self.plan.publicado)
        if quiere is None or quiere == actual or puede_publicar_planes(self.usuario, nuevo=self.plan is None):
            return
        accion = "publicar" if quiere else "retirar la publicación de"
        self.errores.append(
            Error(HOJA_PLAN, self._fila_plan("publicado"), _VALOR,
                  f"Su usuario no puede {accion} el plan «{self.plan_datos['codigo']}»: en la administración solo "
                  f"lo hace quien puede modificar planes (un administrador). Escriba «{mostrar(actual)}» en esta "
                  "celda (o déjela vacía) y pida la publicación a un administrador.")
        )

    def _valores_plan(self, plan: Plan | None) -> dict[str, str] | str:
        if plan is None:
            return ""
        return {
            campo: huella(getattr(plan, campo)) for campo in self.plan_datos if campo != "codigo"
        }

    def _anotar_plan(self) -> None:
        plan = self.plan
        titulos = {c.campo: c.titulo for c in CAMPOS_PLAN}

        def describir(antes, ahora):
            if antes == "" or ahora == "":
                quien = autor(ultimo(Plan.history.filter(codigo=self.plan_datos["codigo"])))
                que = "creó" if antes == "" else "eliminó"
                return f"otra persona {que} el plan «{self.plan_datos['codigo']}»{quien}"
            lineas, primero = diferencias(antes, ahora, lambda c: titulos.get(c, c).lower())
            # On the row of the first field that changed.
            return f"el plan «{plan.codigo}»: {'; '.join(lineas)}{autor(ultimo(plan.history))}", self._fila_plan(primero), None

        self.anotar("plan", self._valores_plan(plan), (HOJA_PLAN, self._fila_plan("codigo"), _VALOR), describir)

    def _validar_niveles(self) -> None:
        hoja = self.hoja(HOJA_NIVELES)
        lector = Lector(hoja, self.errores)
        self.niveles: list[_NivelArchivo] = []
        if not lector.columnas_obligatorias(requeridas(COLUMNAS_NIVELES)):
            return
        columna = COLUMNA_NIVEL
        for fila in hoja.filas:
            peso = lector.valor(fila, columna["peso"])
            if peso is not None and peso < 0:
                lector.error(fila, columna["peso"].titulo, "La ponderación no puede ser negativa.")
            nivel = _NivelArchivo(
                fila, lector.valor(fila, columna["codigo"]), lector.valor(fila, columna["padre"]),
                lector.valor(fila, columna["nombre"]), peso,
            )
            self.niveles.append(nivel)
            self._anotar_nivel(nivel)
        duplicados(
            lector, [(n.fila, n.codigo, n.codigo) for n in self.niveles if n.codigo], columna["codigo"].titulo,
            "El código de nivel",
        )
        codigos = {n.codigo for n in self.niveles} | set(self.niveles_bd)
        padres = {codigo: nivel.padre.codigo if nivel.padre_id else "" for codigo, nivel in self.niveles_bd.items()}
        padres.update({n.codigo: n.padre for n in self.niveles})
        for nivel in self.niveles:
            if nivel.padre and nivel.padre not in codigos:
                lector.error(nivel.fila, columna["padre"].titulo, f"El nivel padre «{nivel.padre}» no existe en la hoja ni en el plan.")
                continue
            vistos, actual = {nivel.codigo}, nivel.padre
            while actual:
                if actual in vistos:
                    lector.error(nivel.fila, columna["padre"].titulo, f"El nivel «{nivel.codigo}» quedaría como su propio ancestro.")
                    break
                vistos.add(actual)
                actual = padres.get(actual, "")
        self.padres = padres

    def _anotar_nivel(self, nivel: _NivelArchivo) -> None:
        existente = self.niveles_bd.get(nivel.codigo)
        valores = "" if existente is None else {
            "Código del padre": existente.padre.codigo if existente.padre_id else "",
            "Nombre": huella(existente.nombre), "Ponderación": huella(existente.peso),
        }

        def describir(antes, ahora) -> str:
            if antes == "":
                return f"otra persona creó el nivel {nivel.codigo}"
            lineas, _ = diferencias(antes, ahora, str.lower)
            return f"el nivel {nivel.codigo}: {'; '.join(lineas)}{autor(ultimo(existente.history))}"

        self.anotar(f"nivel {nivel.codigo}", valores, (HOJA_NIVELES, nivel.fila.numero, "Nombre"), describir)

    def _validar_reportes(self) -> None:
        self.reportes: list[ReporteArchivo] = []
        hoja = self.hoja(HOJA_REPORTES, obligatoria=False)
        if hoja is None:
            return
        lector = Lector(hoja, self.errores)
        if not lector.columnas_obligatorias(requeridas(COLUMNAS_REPORTES)):
            return
        indicadores = {i.campos["codigo"]: i.campos for i in self.indicadores}
        for codigo, ind in self.indicadores_bd.items():
            indicadores.setdefault(codigo, {"unidad": ind.unidad, "periodicidad": ind.periodicidad})
        self.reportes_bd = {
            (r.indicador_id, r.anio, r.periodo): r
            for r in Reporte.objects.filter(indicador__plan=self.plan).select_related("indicador")
        } if self.plan else {}
        claves = []
        for n, fila in enumerate(hoja.filas, start=1):
            self.avisar("Reportes revisados", n, len(hoja.filas))
            codigo = lector.valor(fila, _R["codigo"])
            anio = lector.valor(fila, _R["anio"])
            periodo = lector.valor(fila, _R["periodo"])
            valor = lector.valor(fila, _R["valor"])
            estado = lector.valor(fila, _R["estado"])
            indicador = indicadores.get(codigo)
            if codigo and indicador is None:
                lector.error(fila, _R["codigo"].titulo, f"El indicador «{codigo}» no está en la hoja Indicadores ni en el plan.")
            if indicador and anio is not None:
                for campo, mensajes in reglas.errores_valor_en_plan(
                    plan=self.plan_reglas, unidad=indicador["unidad"], anio=anio, valor=valor, que="El reporte"
                ).items():
                    for mensaje in mensajes:
                        lector.error(fila, _R["anio" if campo == "anio" else "valor"].titulo, mensaje)
            if indicador and periodo is not None and indicador.get("periodicidad"):
                for mensaje in mensajes_de(reglas.errores_periodo(periodicidad=indicador["periodicidad"], periodo=periodo)):
                    lector.error(fila, _R["periodo"].titulo, mensaje)
            if None in (anio, periodo, valor) or not codigo or indicador is None:
                continue
            existente = self.indicadores_bd.get(codigo)
            r = ReporteArchivo(
                fila, codigo, anio, periodo, valor, lector.valor(fila, _R["observaciones"]),
                lector.valor(fila, _R["plan_de_choque"]), estado=estado, ilustrativo=lector.valor(fila, _R["ilustrativo"]),
                actual=self.reportes_bd.get((existente.pk, anio, periodo)) if existente is not None else None,
                nombre=f"{codigo} {reglas.nombre_periodo(periodicidad=indicador['periodicidad'], anio=anio, periodo=periodo)}",
            )
            claves.append((fila, (codigo, anio, periodo), r.nombre))
            self.anotar_reporte(r, (hoja.nombre, fila.numero, _R["valor"].titulo))
            self._validar_estado(lector, r)
            self.reportes.append(r)
        duplicados(lector, claves, _R["periodo"].titulo, "El reporte")

    def _validar_estado(self, lector: Lector, r: ReporteArchivo) -> None:
        """The import never changes a report's review state: a report is sent, approved or returned
        in the review (with its plan-de-choque and version checks), not by a spreadsheet cell."""
        actual = r.actual
        if actual is None:
            if r.estado == Reporte.Estado.DEVUELTO:
                lector.error(r.fila, _R["estado"].titulo, f"El reporte {r.nombre} es nuevo: no puede entrar devuelto (la "
                             "devolución la hace la oficina de planeación al revisarlo, con su comentario). Escriba "
                             "«Borrador», «Enviado» o, si es una cifra ya publicada, «Aprobado».")
            if r.ilustrativo and r.estado != Reporte.Estado.APROBADO:
                lector.error(r.fila, _R["ilustrativo"].titulo, f"El reporte {r.nombre} es nuevo: solo una cifra ya publicada "
                             "(estado «Aprobado») se carga como valor ilustrativo.")
            return
        if r.es_copia_oficial:
            return
        if r.estado and r.estado != actual.estado:
            lector.error(
                r.fila, _R["estado"].titulo,
                f"El reporte {r.nombre} está «{actual.get_estado_display()}» y el archivo dice «{ESTADOS[r.estado]}»: "
                "la importación no cambia el estado de revisión. Los reportes se envían, aprueban o devuelven en la "
                "revisión, que controla el plan de choque y la versión. Escriba "
                f"«{actual.get_estado_display()}» en esta celda o déjela vacía.",
            )
        if r.ilustrativo is not None and r.ilustrativo != actual.ilustrativo:
            lector.error(
                r.fila, _R["ilustrativo"].titulo,
                f"El reporte {r.nombre} tiene «Ilustrativo» en «{mostrar(actual.ilustrativo)}»: esa marca no se cambia "
                f"al importar. Escriba «{mostrar(actual.ilustrativo)}» en esta celda o déjela vacía.",
            )

    def _validar_pesos(self) -> None:
        """Siblings' weights add up to their parent's (100 for the top level), file and database merged."""
        pesos_niveles = {codigo: nivel.peso for codigo, nivel in self.niveles_bd.items()}
        nombres = {codigo: nivel.codigo for codigo, nivel in self.niveles_bd.items()}
        filas_niveles = {}
        for nivel in self.niveles:
            pesos_niveles[nivel.codigo] = nivel.peso
            filas_niveles[nivel.codigo] = nivel.fila.numero
            nombres[nivel.codigo] = nivel.codigo
        hijos: dict[str, list[tuple[str, Decimal | None]]] = defaultdict(list)
        for codigo in pesos_niveles:
            hijos[self.padres.get(codigo, "")].append((codigo, pesos_niveles[codigo]))
        en_archivo = {i.campos["codigo"] for i in self.indicadores}
        codigo_nivel = {nivel.pk: codigo for codigo, nivel in self.niveles_bd.items()}
        for codigo, ind in self.indicadores_bd.items():
            if codigo not in en_archivo:
                hijos[codigo_nivel.get(ind.nivel_id, "")].append((codigo, ind.peso))
        hoja_hijos = {}
        for ind in self.indicadores:
            hijos[ind.nivel].append((ind.campos["codigo"], ind.campos["peso"]))
            hoja_hijos[ind.nivel] = HOJA_INDICADORES
        for mensaje in reglas.errores_pesos(padre=f"el plan «{self.plan_datos['codigo']}»", peso_padre=PESO_TOTAL, hijos=hijos[""]):
            self.errores.append(Error(HOJA_NIVELES, None, "Ponderación", mensaje))
        for codigo, peso in pesos_niveles.items():
            for mensaje in reglas.errores_pesos(padre=f"el nivel {codigo}", peso_padre=peso, hijos=hijos.get(codigo, [])):
                self.errores.append(Error(hoja_hijos.get(codigo, HOJA_NIVELES), filas_niveles.get(codigo), "Ponderación", mensaje))
