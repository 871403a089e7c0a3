"""`cargar_demo`: the seed plans load completely, reproduce the seeds' figures and load twice
without duplicating anything."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import call_command

from indicadores import reglas
from indicadores.models import Corte, Indicador, Meta, Reporte
from politicas.models import Nivel, Plan
from politicas.selectors import plan_errores_pesos
from reportes.models import CifrasCorte

pytestmark = pytest.mark.django_db

BOGOTA = "bogota-conpes-29"


def _conteos() -> dict[str, int]:
    return {
        "planes": Plan.objects.count(),
        "niveles": Nivel.objects.count(),
        "indicadores": Indicador.objects.count(),
        "metas": Meta.objects.count(),
        "reportes": Reporte.objects.count(),
        "cortes": Corte.objects.count(),
        "historial_indicadores": Indicador.history.count(),
        "historial_metas": Meta.history.count(),
        "historial_reportes": Reporte.history.count(),
        "historial_cortes": Corte.history.count(),
        "cifras_de_cortes": CifrasCorte.objects.count(),
    }


def _metas(plan: str, codigo: str) -> dict[int, Decimal]:
    metas = Meta.objects.filter(indicador__plan__codigo=plan, indicador__codigo=codigo)
    return dict(metas.values_list("anio", "valor"))


def test_cargar_dos_veces_no_duplica_ni_reescribe(datos_demo):
    antes = _conteos()
    call_command("cargar_demo", verbosity=0)
    assert _conteos() == antes


def test_bogota_tiene_7_objetivos_y_36_productos_con_pesos_que_cuadran(datos_demo):
    plan = Plan.objects.get(codigo=BOGOTA)
    objetivos = Nivel.objects.filter(plan=plan).order_by("orden")
    assert [(n.codigo, n.peso, n.profundidad) for n in objetivos] == [
        (str(i), Decimal(p), 0) for i, p in enumerate([15, 13, 10, 12, 16, 18, 16], start=1)
    ]
    indicadores = Indicador.objects.filter(plan=plan)
    assert indicadores.count() == 36
    assert indicadores.filter(nivel__codigo="6").count() == 8
    assert {"1.1.1", "3.1.3", "7.1.7"} <= set(indicadores.values_list("codigo", flat=True))
    assert plan_errores_pesos(plan=plan) == []
    assert plan.publicado and plan.documento == "CONPES D.C. 29 de 2023"


def test_bogota_pesos_de_los_ejemplos_del_spec(datos_demo):
    pesos = dict(Indicador.objects.filter(plan__codigo=BOGOTA).values_list("codigo", "peso"))
    esperado = {"1.1.5": 4, "3.1.1": 3, "3.1.2": 2, "3.1.3": 5, "4.1.2": 2, "7.1.4": 2, "7.1.6": 2}
    assert {c: pesos[c] for c in esperado} == {c: Decimal(p) for c, p in esperado.items()}


def test_bogota_metas_repartidas_como_dice_el_readme(datos_demo):
    # suma: 7.000 in 2023, then the 2024 target (4.500) every year until the final 47.500.
    assert _metas(BOGOTA, "7.1.1") == {2023: Decimal(7000), **{a: Decimal(4500) for a in range(2024, 2033)}}
    assert Indicador.objects.get(plan__codigo=BOGOTA, codigo="7.1.1").meta_final == Decimal(47500)
    # suma that reaches its final target early: 10 a year 2023–2026.
    assert _metas(BOGOTA, "7.1.4") == {a: Decimal(10) for a in range(2023, 2027)}
    # creciente: equal steps from the 2024 target (0,4) to the final target (1) in 2032.
    metas = _metas(BOGOTA, "7.1.6")
    assert metas[2023] == Decimal("0.3") and metas[2024] == Decimal("0.4") and metas[2025] == Decimal("0.475")
    assert metas[2032] == Decimal(1)
    # constante: the same target every year; a finished product keeps only its 2023 target.
    assert set(_metas(BOGOTA, "3.1.1").values()) == {Decimal("0.8")}
    assert _metas(BOGOTA, "1.1.2") == {2023: Decimal(1)}


def test_bogota_reportes_y_narrativas(datos_demo):
    reportes = {
        (r.indicador.codigo, r.anio): r
        for r in Reporte.objects.filter(indicador__plan__codigo=BOGOTA).select_related("indicador")
    }
    assert reportes[("7.1.1", 2023)].valor == Decimal(14887)
    assert reportes[("3.1.1", 2024)].valor == Decimal("0.33")
    assert ("5.1.3", 2023) not in reportes  # no target in 2023, no report: "sin información"
    assert all(r.estado == Reporte.Estado.APROBADO for r in reportes.values())
    assert not reportes[("1.1.5", 2023)].ilustrativo and reportes[("2.1.2", 2023)].ilustrativo
    # The 8 bajo and 7 sobre-ejecución products carry their section-9 narrative on the latest report.
    con_plan = {codigo for (codigo, _), r in reportes.items() if r.plan_de_choque}
    assert con_plan == {
        "3.1.1", "3.1.3", "5.1.2", "5.1.4", "6.1.1", "6.1.2", "7.1.2", "7.1.3",
        "1.1.5", "2.1.2", "4.1.4", "6.1.5", "7.1.1", "7.1.4", "7.1.6",
    }
    assert reportes[("3.1.1", 2024)].plan_de_choque.startswith("Dado lo anterior, para poder subsanar el rezago")
    assert "12 actividades" in reportes[("3.1.1", 2024)].plan_de_choque
    assert reportes[("3.1.1", 2023)].plan_de_choque == ""
    assert "Tigo" in reportes[("1.1.5", 2023)].observaciones


def test_bogota_sectores_enfoques_e_ilustrativos(datos_demo):
    indicadores = {i.codigo: i for i in Indicador.objects.filter(plan__codigo=BOGOTA).select_related("dependencia")}
    assert indicadores["2.1.2"].dependencia.nombre == "Desarrollo Económico"
    assert indicadores["7.1.2"].dependencia.nombre == "Educación"
    assert indicadores["5.1.4"].dependencia.nombre == "Gestión Pública"
    assert set(indicadores["1.1.3"].enfoques.values_list("codigo", flat=True)) == {"derechos-humanos", "territorial"}
    assert set(indicadores["1.1.4"].enfoques.values_list("codigo", flat=True)) == {"ambiental"}
    assert all(i.ilustrativo and i.fuente for i in indicadores.values())
    assert "ponderación" in indicadores["7.1.1"].fuente and "ponderación" not in indicadores["1.1.5"].fuente


def test_bogota_cortes_y_el_flujo_no_se_reabre(datos_demo):
    estados = {(c.anio, c.semestre): c.estado for c in Corte.objects.filter(plan__codigo=BOGOTA)}
    assert estados == {(2023, 2): Corte.Estado.CERRADO, (2024, 1): Corte.Estado.ABIERTO}
    Corte.objects.filter(plan__codigo=BOGOTA, anio=2024).update(estado=Corte.Estado.CERRADO)
    call_command("cargar_demo", verbosity=0)
    assert Corte.objects.get(plan__codigo=BOGOTA, anio=2024, semestre=1).estado == Corte.Estado.CERRADO


@pytest.mark.parametrize("plan, clave", [(BOGOTA, (2023, 2)), ("cali-2016", (2016, 2))])
def test_el_corte_publicado_lo_cierra_la_revisora_y_guarda_sus_cifras_oficiales(datos_demo, plan, clave):
    corte = Corte.objects.select_related("cerrado_por").get(plan__codigo=plan, anio=clave[0], semestre=clave[1])
    assert corte.cerrado and corte.cerrado_por.username == "revisor" and corte.cerrado_en is not None
    cifras = CifrasCorte.objects.get(corte=corte)
    assert cifras.vigente and cifras.congelado_por.username == "revisor" and cifras.indicadores
    # Opened and closed through the workflow, as the audit trail shows.
    assert [h.estado for h in corte.history.order_by("history_date", "history_id")] == ["abierto", "cerrado"]
    assert {h.history_user.username for h in corte.history.all()} == {"revisor"}
    abiertos = CifrasCorte.objects.filter(corte__plan__codigo=plan, corte__estado=Corte.Estado.ABIERTO)
    assert not abiertos.exists()  # an open cut is computed live


def test_recargar_no_vuelve_a_cerrar_ni_a_publicar_el_corte(datos_demo):
    corte = Corte.objects.get(plan__codigo=BOGOTA, anio=2023, semestre=2)
    cerrado_en = corte.cerrado_en
    call_command("cargar_demo", verbosity=0)
    corte.refresh_from_db()
    assert corte.cerrado_en == cerrado_en
    assert CifrasCorte.objects.filter(corte=corte).count() == 1


def test_metas_y_reportes_escritos_por_los_servicios_como_el_administrador_de_la_demo(datos_demo):
    """Past years' targets are frozen for everyone but an administrator with a reason: the loader
    writes them as the demo administrator, and the reason stays in the audit trail."""
    from indicadores.demo import MOTIVO_CARGA

    meta = Meta.history.filter(indicador__plan__codigo=BOGOTA, anio=2023).select_related("history_user").first()
    assert meta.history_user.username == "admin" and meta.history_change_reason == MOTIVO_CARGA
    autores = set(Reporte.history.filter(indicador__plan__codigo=CALI).values_list("history_user__username", flat=True))
    assert autores == {"admin"}


def test_un_reporte_de_corte_cerrado_se_conserva_al_recargar(datos_demo):
    """An administrator corrected a 2023 report after 2023-2 was closed: reloading the demo does
    not write the seed's value over it (only an administrator's correction with a reason does),
    and says so."""
    from io import StringIO

    from django.contrib.auth import get_user_model

    from indicadores import services

    admin = get_user_model().objects.get(username="admin")
    reporte = Reporte.objects.get(indicador__plan__codigo=BOGOTA, indicador__codigo="7.1.1", anio=2023)
    services.reporte_registrar(
        indicador=reporte.indicador, anio=2023, periodo=1, valor=Decimal(15000), usuario=admin,
        version_esperada=reporte.version, motivo="Oficio de la SED con la cifra definitiva",
    )
    salida = StringIO()
    call_command("cargar_demo", stdout=salida)
    reporte.refresh_from_db()
    assert reporte.valor == Decimal(15000)
    assert "1 reporte(s) de cortes cerrados se conservaron como se publicaron" in salida.getvalue()


def test_bogota_reproduce_las_brechas_publicadas(datos_demo):
    from reportes.selectors import plan_resultados
    from seguimiento.metodologia.resultados import CorteRef, Semaforo

    resultado = plan_resultados(plan=Plan.objects.get(codigo=BOGOTA), corte=CorteRef.parse("2024-1"))
    # Rounded as the report rounds: half up (−2,585 is published as −2,59).
    brechas = {n.codigo: n.brecha.quantize(Decimal("0.01"), ROUND_HALF_UP) for n in resultado.niveles}
    assert brechas == {
        "1": Decimal("0.20"), "2": Decimal("0.00"), "3": Decimal("-3.76"), "4": Decimal("-0.04"),
        "5": Decimal("-2.40"), "6": Decimal("-2.59"), "7": Decimal("2.03"),
    }
    assert round(resultado.total.avance, 1) == Decimal("43.9")
    assert round(resultado.total.trayectoria, 2) == Decimal("50.48")
    bandas = [i.semaforo_pahv for i in resultado.indicadores]
    assert bandas.count(Semaforo.SOBRE_EJECUCION) == 7 and bandas.count(Semaforo.BAJO) == 8
    assert bandas.count(Semaforo.MEDIO) == 0


def test_todos_los_indicadores_pasan_las_reglas(datos_demo):
    for indicador in Indicador.objects.prefetch_related("metas"):
        indicador.full_clean()
        metas = {m.anio: m.valor for m in indicador.metas.all()}
        assert reglas.errores_metas(
            tipo=indicador.tipo_anualizacion, linea_base=indicador.linea_base,
            meta_final=indicador.meta_final, metas=metas,
        ) == {}, indicador.codigo


CALI = "cali-2016"


def test_cali_tiene_los_20_indicadores_bajo_eje_componente_y_programa(datos_demo):
    plan = Plan.objects.get(codigo=CALI)
    assert plan.publicado and plan.niveles_nombres == ["Eje", "Componente", "Programa"]
    indicadores = Indicador.objects.filter(plan=plan).select_related("nivel__padre__padre", "dependencia")
    assert indicadores.count() == 20
    for indicador in indicadores:
        programa = indicador.nivel
        assert len(indicador.codigo) == 11 and indicador.codigo.isdigit()
        assert (programa.profundidad, programa.padre.profundidad, programa.padre.padre.profundidad) == (2, 1, 0)
        assert programa.codigo.startswith(programa.padre.codigo + ".")
        assert indicador.dependencia.nombre == "Secretaría de Desarrollo Económico"
    bankomunales = indicadores.get(codigo="44010030007")
    assert (bankomunales.nivel.codigo, bankomunales.nivel.padre.codigo, bankomunales.nivel.padre.padre.codigo) == (
        "4.1.3", "4.1", "4",
    )
    assert bankomunales.nivel.padre.padre.nombre == "Cali emprendedora y pujante"
    assert Nivel.objects.filter(plan=plan, profundidad=0).count() == 3  # ejes 1, 3 and 4
    assert plan_errores_pesos(plan=plan) == []


def test_cali_valores_como_en_la_semilla(datos_demo):
    bankomunales = Indicador.objects.get(plan__codigo=CALI, codigo="44010030007")
    assert bankomunales.linea_base == Decimal(60) and bankomunales.anio_linea_base == 2015
    assert _metas(CALI, "44010030007") == {2016: Decimal(110), 2017: Decimal(160)}
    reportes = {r.anio: r for r in bankomunales.reportes.all()}
    assert {a: r.valor for a, r in reportes.items()} == {2016: Decimal(116), 2017: Decimal(160)}
    assert "44 nuevos Bankomunales" in reportes[2017].observaciones and reportes[2016].observaciones == ""
    assert not bankomunales.ilustrativo
    # «7.480», «15.367»: Colombian thousands; «100%» a percentage target.
    personas = Indicador.objects.get(plan__codigo=CALI, codigo="44010010002")
    assert personas.linea_base == Decimal(7480) and _metas(CALI, "44010010002")[2016] == Decimal(15367)
    assert _metas(CALI, "44030020006")[2017] == Decimal(100)
    # Line 271 of the seed has no trailing tabs: its línea base is still read.
    assert Indicador.objects.get(plan__codigo=CALI, codigo="44020010003").linea_base == Decimal(0)


def test_cali_incremento_2017_guardado_como_nivel_ilustrativo(datos_demo):
    personas = Indicador.objects.get(plan__codigo=CALI, codigo="44010010002")
    assert personas.tipo_anualizacion == "creciente" and personas.ilustrativo
    assert "11.967 + 2.556" in personas.fuente
    reporte = personas.reportes.get(anio=2017)
    assert reporte.valor == Decimal(14523) and reporte.ilustrativo
    assert reporte.plan_de_choque.startswith("Para el mes de octubre se tiene planeado")
    # A «0» target in 2016 above a LB of 4 means nothing was programmed that year.
    assert _metas(CALI, "44020010007") == {2017: Decimal(6)}
    assert Indicador.objects.get(plan__codigo=CALI, codigo="44030020007").tipo_anualizacion == "suma"


def test_cali_cortes(datos_demo):
    estados = {(c.anio, c.semestre): c.estado for c in Corte.objects.filter(plan__codigo=CALI)}
    assert estados == {(2016, 2): Corte.Estado.CERRADO, (2017, 2): Corte.Estado.ABIERTO}


def test_cali_semilla_incompleta_se_rechaza_con_el_codigo():
    from indicadores.demo.cali import SeedInvalida, leer_seed_cali

    texto = (
        "Eje 4: Cali emprendedora y pujante\n\nComponente 4.1: Fomento al emprendimiento\n\n"
        "Programa 4.1.3: Mecanismos de apoyo al emprendimiento\n\n"
        "Indicador 44010030007 Bankomunales conformados\n\nAño\tMeta\tEjecución / Avance\n"
        "2016\t110\t116\n2017\t160\t160\n\nObservaciones:\n\n- Se crearon 44.\n"
    )
    with pytest.raises(SeedInvalida, match="44010030007.*línea base"):
        leer_seed_cali(texto)


SOPO = "sopo-generacion-ingresos"


def test_sopo_informe_cualitativo_2021_2(datos_demo):
    from politicas.cualitativo import porcentaje
    from politicas.models import InformeCualitativo

    informe = InformeCualitativo.objects.select_related("plan", "dependencia").get(plan__codigo=SOPO)
    assert (informe.anio, informe.semestre) == (2021, 2) and informe.plan.publicado
    assert informe.dependencia.nombre == "Secretaría de Desarrollo Económico"
    assert informe.impacto_cualitativo == Decimal(46)
    actividades = {a.componente: a for a in informe.actividades_detalle.all()}
    realizadas = sum(a.realizadas for a in actividades.values())
    total = porcentaje(realizadas, sum(a.programadas for a in actividades.values()))
    assert round(total) == 83
    assert porcentaje(actividades["Turismo"].realizadas, actividades["Turismo"].programadas) == Decimal(20)
    assert informe.actividades.startswith("Durante el segundo semestre de la vigencia 2021")
    assert "turismo registra un cumplimiento de aproximadamente el 20%" in informe.dificultades
    assert "EQUIPO DE POLÍTICAS" not in informe.logros + informe.oportunidades
    assert "es de resaltar la gran labor realizada" in informe.logros  # sentence cut by a page break, mended
    assert informe.evidencias.startswith("Se encuentran consignadas una a una en el Google Drive")


def test_sopo_conteos_de_actividades_son_ilustrativos_y_la_recarga_los_restaura(datos_demo):
    """The seed gives only shares (83 %, ≈ 20 %) and «alrededor de 13»: every count is inferred."""
    from politicas.models import ActividadCualitativa

    actividades = ActividadCualitativa.objects.filter(informe__plan__codigo=SOPO)
    assert actividades.count() == 4 and all(a.ilustrativo for a in actividades)
    actividades.update(ilustrativo=False)
    call_command("cargar_demo", verbosity=0)
    assert all(a.ilustrativo for a in ActividadCualitativa.objects.filter(informe__plan__codigo=SOPO))


def test_usuarios_de_demostracion_por_rol(datos_demo):
    from django.contrib.auth import get_user_model

    from indicadores import permisos

    usuarios = {u.username: u for u in get_user_model().objects.prefetch_related("groups", "dependencias")}
    roles = {nombre: [g.name for g in u.groups.all()] for nombre, u in usuarios.items()}
    assert roles == {
        "planeador": ["Planeador"], "planeador2": ["Planeador"], "funcionario": ["Funcionario"],
        "auditor": ["Auditor"], "revisor": ["Revisor"], "admin": [],
    }
    assert usuarios["admin"].is_superuser and all(u.is_staff for u in usuarios.values())
    assert usuarios["planeador"].check_password("demo-planeador-2024")
    assert {d.nombre for d in usuarios["planeador"].dependencias.all()} == {
        "Gestión Pública", "Secretaría de Desarrollo Económico",
    }
    # Scoping: each planner edits their own dependencias' indicators only.
    editables = permisos.indicadores_editables(usuarios["planeador"])
    assert editables.filter(plan__codigo=CALI).count() == 20
    assert not editables.filter(plan__codigo=BOGOTA, codigo="7.1.2").exists()
    assert set(permisos.indicadores_editables(usuarios["planeador2"]).values_list("codigo", flat=True)) == {
        "7.1.1", "7.1.2", "7.1.3", "7.1.4",
    }


def test_usuarios_recuperan_su_contrasena_al_recargar(datos_demo):
    from django.contrib.auth import get_user_model

    auditor = get_user_model().objects.get(username="auditor")
    auditor.set_password("otra-clave-123")
    auditor.save()
    call_command("cargar_demo", verbosity=0)
    auditor.refresh_from_db()
    assert auditor.check_password("demo-auditor-2024")


def test_resumen_impreso_con_conteos_y_contrasenas(db):
    from io import StringIO

    salida = StringIO()
    call_command("cargar_demo", stdout=salida)
    texto = salida.getvalue()
    assert "bogota-conpes-29: 7 objetivos, 36 productos" in texto
    assert "cali-2016" in texto and "20 indicadores" in texto and SOPO in texto
    assert "planeador2" in texto and "demo-revisor-2024" in texto


def test_todo_o_nada_si_una_parte_falla(db, monkeypatch):
    from indicadores.demo import sopo

    def falla():
        raise RuntimeError("semilla dañada")

    monkeypatch.setattr(sopo, "cargar", falla)
    with pytest.raises(RuntimeError):
        call_command("cargar_demo", verbosity=0)
    assert Plan.objects.count() == 0 and Indicador.objects.count() == 0


def test_bogota_nombres_completos_o_con_puntos_suspensivos(datos_demo):
    """The Anexo's cells were cut by the PDF extraction: names are completed from the report's
    headings, and a name the report never gives whole says so with «…»."""
    indicadores = Indicador.objects.filter(plan__codigo=BOGOTA)
    producto = indicadores.get(codigo="3.1.1").producto
    assert producto.startswith("Modelo de operación que integre procesos públicos y privados")
    assert producto.endswith("dirigida a la ciudadanía, entidades públicas y privadas")
    assert indicadores.get(codigo="2.1.2").producto.endswith("relacionadas con innovación, tecnologías emergentes y de 4 R.I.")
    assert indicadores.get(codigo="3.1.1").nombre.endswith("prevención en…")
    enlaces = (" en", " a la", " a", " de", " del", " el", " la", " los", " las", " y", " con", " que", " su", ",")
    for codigo, nombre, prod in indicadores.values_list("codigo", "nombre", "producto"):
        for texto in (nombre, prod):
            assert not texto.endswith(enlaces), (codigo, texto[-40:])


def test_bogota_recarga_actualiza_nombres_sin_duplicar(datos_demo):
    indicador = Indicador.objects.get(plan__codigo=BOGOTA, codigo="3.1.1")
    Indicador.objects.filter(pk=indicador.pk).update(producto="Modelo de operación … dirigida a la", nombre="x")
    call_command("cargar_demo", verbosity=0)
    recargado = Indicador.objects.get(plan__codigo=BOGOTA, codigo="3.1.1")
    assert recargado.pk == indicador.pk
    assert (recargado.producto, recargado.nombre) == (indicador.producto, indicador.nombre)
    assert Indicador.objects.filter(plan__codigo=BOGOTA).count() == 36
