"""Small builders for test data: each test makes only what it needs.

The small ones (`entidad`, `plan`, `nivel`, `indicador`, `usuario`...) make one row with defaults;
the two whole plans at the end (`plan_de_dos_objetivos`, `plan_cali`) are the scenes several test
files read: dashboard, public pages, printed reports, the end-to-end walk.
"""

from decimal import Decimal
from itertools import count

from django.contrib.auth import get_user_model

from indicadores.models import Corte, Enfoque, Evidencia, Indicador, Meta, Reporte
from politicas.models import Dependencia, Entidad, Nivel, Plan

_n = count(1)


def entidad(**campos) -> Entidad:
    campos.setdefault("nombre", f"Entidad {next(_n)}")
    return Entidad.objects.create(**campos)


def dependencia(**campos) -> Dependencia:
    campos.setdefault("entidad", campos.get("entidad") or entidad())
    campos.setdefault("nombre", f"Dependencia {next(_n)}")
    return Dependencia.objects.create(**campos)


def plan(**campos) -> Plan:
    campos.setdefault("codigo", f"plan-{next(_n)}")
    campos.setdefault("nombre", "Plan de prueba")
    campos.setdefault("tipo", Plan.Tipo.POLITICA_PUBLICA)
    campos.setdefault("entidad", campos.get("entidad") or entidad())
    campos.setdefault("anio_inicio", 2022)
    campos.setdefault("anio_fin", 2032)
    campos.setdefault("nombres_niveles", "Objetivo, Producto")
    return Plan.objects.create(**campos)


def nivel(**campos) -> Nivel:
    campos.setdefault("plan", campos.get("plan") or plan())
    campos.setdefault("codigo", str(next(_n)))
    campos.setdefault("nombre", "Nivel de prueba")
    return Nivel.objects.create(**campos)


def indicador(*, metas: dict[int, str] | None = None, reportes: dict | None = None, **campos) -> Indicador:
    """An indicator with its targets ({2023: "2"}) and reports ({(2023, 1): "3"} or {2023: "3"})."""
    if "nivel" not in campos:
        campos["nivel"] = nivel(plan=campos.get("plan") or plan())
    campos.setdefault("plan", campos["nivel"].plan)
    campos.setdefault("dependencia", campos.get("dependencia") or dependencia(entidad=campos["plan"].entidad))
    campos.setdefault("codigo", f"IND-{next(_n)}")
    campos.setdefault("nombre", "Indicador de prueba")
    creado = Indicador.objects.create(**campos)
    for anio, valor in (metas or {}).items():
        Meta.objects.create(indicador=creado, anio=anio, valor=Decimal(valor))
    for clave, valor in (reportes or {}).items():
        anio, periodo = clave if isinstance(clave, tuple) else (clave, 1)
        Reporte.objects.create(
            indicador=creado, anio=anio, periodo=periodo, valor=Decimal(valor), estado=Reporte.Estado.APROBADO
        )
    return creado


def usuario(username: str | None = None, *, grupos: tuple[str, ...] = (), dependencias=(), **campos):
    User = get_user_model()
    creado = User.objects.create_user(username=username or f"u{next(_n)}", password="clave-de-prueba-123", **campos)
    for nombre in grupos:
        from django.contrib.auth.models import Group

        creado.groups.add(Group.objects.get_or_create(name=nombre)[0])
    for dep in dependencias:
        dep.usuarios.add(creado)
    return creado


def plan_de_dos_objetivos(n_por_objetivo: int, *, publicado: bool = True) -> Plan:
    """A plan with a 2024-1 cut and two objectives with `n_por_objetivo` products each (one
    indicator per product, weighted 50 / n); in each objective the indicators alternate sobre
    ejecución and bajo at 2024-1.

    Every indicator is `suma`, anual, target 2 a year 2023–2032, with an approved 2023 report that
    has a narrative and a plan de choque: a report of 3 is 150 % PAHV (sobre ejecución, Sector
    Educación, enfoque de género), a report of 0,5 is 25 % (bajo, Sector Hacienda). The second
    product of each objective is ilustrativo.
    """
    nuevo = plan(publicado=publicado)
    Corte.objects.create(plan=nuevo, anio=2024, semestre=1)
    genero = Enfoque.objects.get_or_create(codigo="genero", defaults={"nombre": "Género"})[0]
    dep_a = dependencia(entidad=nuevo.entidad, nombre="Sector Educación")
    dep_b = dependencia(entidad=nuevo.entidad, nombre="Sector Hacienda")
    for o in (1, 2):
        objetivo = nivel(plan=nuevo, codigo=str(o), nombre=f"Objetivo {o}")
        for k in range(1, n_por_objetivo + 1):
            producto = Nivel.objects.create(
                plan=nuevo, padre=objetivo, codigo=f"{o}.1.{k}", nombre=f"Producto {o}.1.{k}"
            )
            sobre = k % 2 == 1
            ind = Indicador.objects.create(
                plan=nuevo, nivel=producto, codigo=f"{o}.1.{k}", nombre=f"Indicador {o}.1.{k}",
                dependencia=dep_a if sobre else dep_b, peso=Decimal(50) / n_por_objetivo, ilustrativo=(k == 2),
            )
            if sobre:
                ind.enfoques.add(genero)
            Meta.objects.bulk_create(Meta(indicador=ind, anio=a, valor=Decimal(2)) for a in range(2023, 2033))
            Reporte.objects.create(
                indicador=ind, anio=2023, periodo=1, valor=Decimal(3) if sobre else Decimal("0.5"),
                estado=Reporte.Estado.APROBADO, observaciones=f"Narrativa {o}.1.{k}", plan_de_choque="Acciones",
            )
    return nuevo


def plan_cali(n_extra: int = 0) -> tuple[Plan, Indicador]:
    """Cali's published development plan 2016–2019 (seed 002) with a 2017-2 cut, and its indicator
    44010030007 under Eje 4 → Componente 4.1 → Programa 4.1.3: creciente, línea base 60 (2015),
    approved reports for 2016 and 2017, the 2017 one with a plan de choque and a linked evidence.

    `n_extra` more indicators of the same programa, each with a 2016 report, let a test prove that
    a page does not read the plan's indicators one by one.
    """
    cali = plan(
        codigo="cali", nombre="Plan de Desarrollo de Cali", tipo=Plan.Tipo.PLAN_DESARROLLO, anio_inicio=2016,
        anio_fin=2019, nombres_niveles="Eje, Componente, Programa", publicado=True,
    )
    Corte.objects.create(plan=cali, anio=2017, semestre=2)
    eje = Nivel.objects.create(plan=cali, codigo="4", nombre="Cali emprendedora y pujante")
    comp = Nivel.objects.create(plan=cali, padre=eje, codigo="4.1", nombre="Fomento al emprendimiento")
    prog = Nivel.objects.create(plan=cali, padre=comp, codigo="4.1.3", nombre="Mecanismos de apoyo al emprendimiento")
    dep = dependencia(entidad=cali.entidad, nombre="Secretaría de Desarrollo Económico")
    ind = indicador(
        plan=cali, nivel=prog, dependencia=dep, codigo="44010030007",
        nombre="Bankomunales conformados para la autogestión de comunidades vulnerables",
        tipo_anualizacion="creciente", linea_base=Decimal(60), anio_linea_base=2015,
        metas={2016: "110", 2017: "160", 2018: "210", 2019: "260"},
    )
    Reporte.objects.create(
        indicador=ind, anio=2016, valor=Decimal(116), estado="aprobado", observaciones="Creación de bankomunales 2016."
    )
    reporte = Reporte.objects.create(
        indicador=ind, anio=2017, valor=Decimal(160), estado="aprobado",
        observaciones="Se realizó un convenio de asociación con CEDECUR.", plan_de_choque="Seguimiento mensual.",
    )
    Evidencia.objects.create(reporte=reporte, descripcion="Acta del convenio", enlace="https://example.org/acta.pdf")
    for k in range(n_extra):  # other indicators of the plan: the page must not read them one by one
        otro = indicador(plan=cali, nivel=prog, dependencia=dep, codigo=f"4402{k:07d}", metas={2016: "1", 2017: "2"})
        Reporte.objects.create(indicador=otro, anio=2016, valor=Decimal(1), estado="aprobado")
    return cali, ind
