"""Importing a whole plan: the checks of the «Indicadores» sheet and its «Meta AAAA» columns.

`ChequeoIndicadores` is the part of `ImportadorPlan` that reads each indicator row by its declared
columns (`reportes.excel.columnas.COLUMNAS_INDICADOR`), checks its fields, level, dependencia,
enfoques and yearly targets with the model's rules, and records what the database held for the
confirmation. It relies on what `ImportadorPlan` read before: `plan_reglas`, `niveles`,
`niveles_bd`, `indicadores_bd`, `metas_bd`, `enfoques_bd` and `enfoques`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from indicadores import reglas, services
from indicadores.models import Meta
from reportes.excel.columnas import CAMPOS_INDICADOR, COLUMNA_INDICADOR, COLUMNAS_INDICADOR, HOJA_INDICADORES, requeridas
from reportes.excel.importador import Importador, autor, diferencias, huella, mismo_texto, ultimo
from reportes.excel.lector import FilaLeida, Lector, duplicados, mensajes_de, normalizar

_META = re.compile(r"^meta (\d{4})$")
# The «Indicadores» column of each field, for messages about a field.
COLUMNA_DEL_CAMPO = {c.campo: c.titulo for c in COLUMNAS_INDICADOR}


def puede_mover_indicadores(usuario) -> bool:
    """Who reports an indicator (its dependencia) is part of the plan's structure: in the admin
    only an administrator changes it (`IndicadorAdmin.CAMPOS_ESTRUCTURA`)."""
    return bool(usuario.is_superuser)


@dataclass
class IndicadorArchivo:
    """One indicator row as read: its model fields, level and dependencia, enfoques and targets."""

    fila: FilaLeida
    campos: dict[str, Any]
    nivel: str
    dependencia: str
    enfoques: list[str]
    metas: dict[int, Decimal]
    metas_vacias: set[int]


class ChequeoIndicadores(Importador):
    """The checks of the «Indicadores» sheet (see the module docstring)."""

    def _validar_indicadores(self) -> None:
        hoja = self.hoja(HOJA_INDICADORES)
        lector = Lector(hoja, self.errores)
        self.indicadores: list[IndicadorArchivo] = []
        if not lector.columnas_obligatorias(requeridas(COLUMNAS_INDICADOR)):
            return
        anios_meta = {}
        for clave, titulo in hoja.titulos.items():
            coincide = _META.match(clave)
            if coincide:
                anios_meta[int(coincide.group(1))] = titulo
        self.anios_meta = anios_meta
        niveles = {n.codigo for n in self.niveles} | set(self.niveles_bd)
        for n, fila in enumerate(hoja.filas, start=1):
            self.avisar("Indicadores revisados", n, len(hoja.filas))
            campos = {c.campo: lector.valor(fila, c) for c in CAMPOS_INDICADOR}
            nivel = lector.valor(fila, COLUMNA_INDICADOR["nivel"])
            if nivel and nivel not in niveles:
                lector.error(fila, COLUMNA_DEL_CAMPO["nivel"], f"El nivel «{nivel}» no existe en la hoja Niveles ni en el plan.")
            dependencia = lector.valor(fila, COLUMNA_INDICADOR["dependencia"])
            self._validar_dependencia(lector, fila, campos["codigo"], dependencia)
            enfoques = []
            for nombre in filter(None, (t.strip() for t in lector.valor(fila, COLUMNA_INDICADOR["enfoques"]).split(","))):
                enfoque = self.enfoques.get(normalizar(nombre))
                if enfoque is None:
                    opciones = ", ".join(sorted({e.codigo for e in self.enfoques.values()}))
                    lector.error(fila, COLUMNA_DEL_CAMPO["enfoques"], f"El enfoque «{nombre}» no existe; use: {opciones}.")
                else:
                    enfoques.append(enfoque.codigo)
            metas, vacias = {}, set()
            for anio, titulo in sorted(anios_meta.items()):
                valor = lector.numero(fila, titulo)
                if valor is None:
                    if normalizar(titulo) not in fila.celdas:
                        vacias.add(anio)
                    continue
                metas[anio] = valor
                for mensaje in mensajes_de(
                    reglas.errores_valor_en_plan(plan=self.plan_reglas, unidad=campos["unidad"], anio=anio, valor=valor, que="La meta")
                ):
                    lector.error(fila, titulo, mensaje)
            if campos["peso"] is not None and campos["peso"] < 0:
                lector.error(fila, COLUMNA_DEL_CAMPO["peso"], "La ponderación no puede ser negativa.")
            for campo, mensajes in reglas.errores_indicador(
                tipo=campos["tipo_anualizacion"], linea_base=campos["linea_base"], unidad=campos["unidad"]
            ).items():
                columna = COLUMNA_DEL_CAMPO["linea_base" if campo == "linea_base" else "tipo_anualizacion"]
                for mensaje in mensajes:
                    lector.error(fila, columna, mensaje)
            # The targets the indicator will have: the file's years, the database's for the others.
            finales = {a: v for a, v in self.metas_bd.get(campos["codigo"], {}).items() if a not in anios_meta}
            finales.update(metas)
            for mensaje in mensajes_de(
                reglas.errores_metas(
                    tipo=campos["tipo_anualizacion"], linea_base=campos["linea_base"], meta_final=campos["meta_final"],
                    metas=finales,
                )
            ):
                lector.error(fila, COLUMNA_DEL_CAMPO["meta_final"], mensaje)
            self._validar_metas_pasadas(lector, fila, campos["codigo"], metas, vacias, anios_meta)
            leido = IndicadorArchivo(fila, campos, nivel, dependencia, enfoques, metas, vacias)
            self.indicadores.append(leido)
            if campos["codigo"]:
                self._anotar_indicador(leido)
        duplicados(
            lector, [(i.fila, i.campos["codigo"], i.campos["codigo"]) for i in self.indicadores if i.campos["codigo"]],
            COLUMNA_DEL_CAMPO["codigo"], "El código de indicador",
        )

    def _validar_dependencia(self, lector: Lector, fila: FilaLeida, codigo: str, dependencia: str) -> None:
        """Moving an indicator to another dependencia (who reports it) is an administrator's
        change in the admin; the import allows it to the same people."""
        existente = self.indicadores_bd.get(codigo)
        if existente is None or not dependencia or mismo_texto(existente.dependencia.nombre, dependencia):
            return
        if puede_mover_indicadores(self.usuario):
            return
        lector.error(
            fila, COLUMNA_DEL_CAMPO["dependencia"],
            f"El indicador {codigo} lo reporta «{existente.dependencia.nombre}»: pasarlo a «{dependencia}» cambia "
            "quién lo reporta y, como en la administración, solo lo hace un administrador. Escriba "
            f"«{existente.dependencia.nombre}» en esta celda.",
        )

    def _anotar_indicador(self, leido: IndicadorArchivo) -> None:
        """An indicator is read as its fields, its dependencia, level and enfoques, and its targets."""
        codigo = leido.campos["codigo"]
        existente = self.indicadores_bd.get(codigo)
        valores: dict[str, str] | str = ""
        if existente is not None:
            valores = {campo: huella(getattr(existente, campo)) for campo in leido.campos if campo != "codigo"}
            valores["nivel"] = existente.nivel.codigo
            valores["dependencia"] = huella(existente.dependencia.nombre)
            valores["enfoques"] = ", ".join(sorted(self.enfoques_bd.get(existente.pk, ())))

        def describir(antes, ahora):
            if antes == "" or ahora == "":
                return f"otra persona {'creó' if antes == '' else 'eliminó'} el indicador {codigo}"
            lineas, primero = diferencias(antes, ahora, lambda c: COLUMNA_DEL_CAMPO.get(c, c).lower())
            texto = f"el indicador {codigo}: {'; '.join(lineas)}{autor(ultimo(existente.history))}"
            return texto, None, COLUMNA_DEL_CAMPO.get(primero)

        self.anotar(f"indicador {codigo}", valores, (HOJA_INDICADORES, leido.fila.numero, COLUMNA_DEL_CAMPO["codigo"]), describir)
        metas = {str(anio): huella(valor) for anio, valor in sorted(self.metas_bd.get(codigo, {}).items())}

        def describir_metas(antes, ahora):
            lineas, primero = diferencias(antes, ahora, lambda anio: f"meta {anio}")
            anios = [int(a) for a in {*antes, *ahora} if antes.get(a) != ahora.get(a)]
            registro = ultimo(Meta.history.filter(indicador_id=existente.pk if existente else None, anio__in=anios))
            texto = f"las metas del indicador {codigo}: {'; '.join(lineas)}{autor(registro)}"
            return texto, None, self.anios_meta.get(int(primero)) if primero else None

        self.anotar(f"metas {codigo}", metas, (HOJA_INDICADORES, leido.fila.numero, COLUMNA_DEL_CAMPO["meta_final"]), describir_metas)

    def _validar_metas_pasadas(self, lector, fila, codigo, metas, vacias, anios_meta) -> None:
        """Targets of past years of an existing indicator are frozen (as in the admin): changed,
        added or removed only by an administrator with a reason. A new indicator's targets are
        its plan being loaded, whatever their years."""
        if codigo not in self.indicadores_bd:
            return
        existentes = self.metas_bd.get(codigo, {})
        for anio in sorted(set(existentes) | set(metas)):
            cambia = (anio in metas and metas[anio] != existentes.get(anio)) or (anio in vacias and anio in existentes)
            if cambia:
                try:
                    services.meta_verificar_vigencia(anio=anio, usuario=self.usuario, motivo=self.motivo)
                except ValidationError as exc:
                    for mensaje in exc.messages:
                        lector.error(fila, anios_meta[anio], mensaje)
