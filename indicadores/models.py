"""Indicators, their yearly targets, period reports and the follow-up cuts (SPEC §1–3)."""

import copy
import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from indicadores import reglas
from politicas.models import Dependencia, Nivel, Plan, historial, texto_limitado
from seguimiento.limites import MAX_MOTIVO, MAX_NOMBRE
from seguimiento.metodologia.resultados import CorteRef
from seguimiento.numeros import formato_numero

VALOR = {"max_digits": 20, "decimal_places": 6}


class TipoAnualizacion(models.TextChoices):
    SUMA = "suma", "Suma"
    CRECIENTE = "creciente", "Creciente"
    CONSTANTE = "constante", "Constante"
    DECRECIENTE = "decreciente", "Decreciente"


class Periodicidad(models.TextChoices):
    ANUAL = "anual", "Anual"
    SEMESTRAL = "semestral", "Semestral"
    TRIMESTRAL = "trimestral", "Trimestral"
    MENSUAL = "mensual", "Mensual"


# How many measurement periods a year has: one definition, in the rules module (no database).
PERIODOS_POR_ANIO = reglas.PERIODOS


class Unidad(models.TextChoices):
    NUMERO = "numero", "Número"
    PORCENTAJE = "porcentaje", "Porcentaje"
    PESOS = "pesos", "Pesos"


# The cross-cutting approaches every installation starts with (migration 0002 creates them; the
# demo loader makes sure they are there, since a test database flush removes migration data).
ENFOQUES_INICIALES = (
    ("derechos-humanos", "Derechos humanos"),
    ("genero", "Género"),
    ("diferencial", "Diferencial"),
    ("poblacional", "Poblacional"),
    ("territorial", "Territorial"),
    ("ambiental", "Ambiental"),
)


class Enfoque(models.Model):
    """A cross-cutting approach tagged on indicators: género, territorial, ambiental..."""

    codigo = models.SlugField("código", max_length=40, unique=True)
    nombre = models.CharField("nombre", max_length=100)

    class Meta:
        verbose_name = "enfoque"
        verbose_name_plural = "enfoques"
        ordering = ["nombre"]

    def __str__(self) -> str:
        return self.nombre


class Indicador(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicadores")
    nivel = models.ForeignKey(Nivel, on_delete=models.CASCADE, related_name="indicadores", verbose_name="nivel")
    codigo = models.CharField("código", max_length=40, help_text="Como lo escribe el plan: «44010030007», «1.1.5».")
    nombre = models.TextField("nombre", **texto_limitado(MAX_NOMBRE))
    producto = models.TextField(
        "producto",
        **texto_limitado(MAX_NOMBRE, blank=True, help_text="En políticas públicas, el producto que mide el indicador."),
    )
    unidad = models.CharField("unidad", max_length=20, choices=Unidad.choices, default=Unidad.NUMERO)
    tipo_anualizacion = models.CharField(
        "tipo de anualización", max_length=20, choices=TipoAnualizacion.choices, default=TipoAnualizacion.SUMA
    )
    periodicidad = models.CharField("periodicidad", max_length=20, choices=Periodicidad.choices, default=Periodicidad.ANUAL)
    linea_base = models.DecimalField("línea base", **VALOR, null=True, blank=True)
    anio_linea_base = models.PositiveSmallIntegerField("año de la línea base", null=True, blank=True)
    meta_final = models.DecimalField(
        "meta final", **VALOR, null=True, blank=True, help_text="Meta al final del plan, como la declara el documento."
    )
    peso = models.DecimalField(
        "ponderación", max_digits=9, decimal_places=4, null=True, blank=True,
        help_text="Puntos porcentuales del plan. Vacío: pesa igual que sus hermanos.",
    )
    dependencia = models.ForeignKey(
        Dependencia, on_delete=models.PROTECT, related_name="indicadores", verbose_name="dependencia responsable"
    )
    enfoques = models.ManyToManyField(Enfoque, related_name="indicadores", blank=True, verbose_name="enfoques")
    orden = models.PositiveIntegerField("orden", default=0)
    ilustrativo = models.BooleanField(
        "valores ilustrativos", default=False,
        help_text="Marcado cuando el documento fuente no da estos valores y fueron inferidos.",
    )
    fuente = models.CharField("fuente", max_length=200, blank=True)
    history = historial()

    class Meta:
        verbose_name = "indicador"
        verbose_name_plural = "indicadores"
        ordering = ["plan", "orden", "codigo"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "codigo"], name="indicador_codigo_unico_por_plan")
        ]
        indexes = [models.Index(fields=["plan", "dependencia"])]

    def __str__(self) -> str:
        return f"{self.codigo} {self.nombre[:80]}"

    def clean(self) -> None:
        errores = reglas.errores_indicador(
            tipo=self.tipo_anualizacion, linea_base=self.linea_base, unidad=self.unidad,
        )
        if self.nivel_id and self.plan_id and self.nivel.plan_id != self.plan_id:
            errores.setdefault("nivel", []).append("El nivel pertenece a otro plan.")
        if errores:
            raise ValidationError(errores)

    @property
    def periodos_por_anio(self) -> int:
        return PERIODOS_POR_ANIO[self.periodicidad]


class Meta(models.Model):
    """The target programmed for one year (meta de la vigencia)."""

    indicador = models.ForeignKey(Indicador, on_delete=models.CASCADE, related_name="metas")
    anio = models.PositiveSmallIntegerField("vigencia")
    valor = models.DecimalField("meta", **VALOR)
    history = historial()

    class Meta:
        verbose_name = "meta"
        verbose_name_plural = "metas"
        ordering = ["indicador", "anio"]
        constraints = [models.UniqueConstraint(fields=["indicador", "anio"], name="meta_unica_por_anio")]

    def __str__(self) -> str:
        # The inline's row title: «2023: 0,8», never Python's «0.800000».
        return f"{self.anio}: {formato_numero(self.valor, 6)}"

    def clean(self) -> None:
        if self.indicador_id and self.anio is not None:
            errores = reglas.errores_valor_en_plan(
                plan=self.indicador.plan, unidad=self.indicador.unidad, anio=self.anio, valor=self.valor,
                que="La meta",
            )
            if errores:
                raise ValidationError(errores)


class Corte(models.Model):
    """A follow-up cut of a plan: a semester with its deadline, opened and closed by planning."""

    class Estado(models.TextChoices):
        ABIERTO = "abierto", "Abierto"
        CERRADO = "cerrado", "Cerrado"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="cortes")
    anio = models.PositiveSmallIntegerField("año")
    semestre = models.PositiveSmallIntegerField("semestre", choices=[(1, "1 (30 de junio)"), (2, "2 (31 de diciembre)")])
    fecha_limite = models.DateField("fecha límite de reporte", null=True, blank=True)
    estado = models.CharField("estado", max_length=10, choices=Estado.choices, default=Estado.ABIERTO)
    cerrado_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cerrado_en = models.DateTimeField("cerrado en", null=True, blank=True)
    # The last administrator's correction or reopening of the cut's official figures, and why.
    corregido_en = models.DateTimeField("corregido en", null=True, blank=True)
    motivo_correccion = models.TextField("motivo de la corrección", **texto_limitado(MAX_MOTIVO, blank=True))
    history = historial()

    class Meta:
        verbose_name = "corte"
        verbose_name_plural = "cortes"
        ordering = ["plan", "-anio", "-semestre"]
        constraints = [models.UniqueConstraint(fields=["plan", "anio", "semestre"], name="corte_unico_por_plan")]

    def __str__(self) -> str:
        return f"{self.anio}-{self.semestre}"

    @property
    def clave(self) -> str:
        """How cuts are written everywhere: «2024-1»."""
        return f"{self.anio}-{self.semestre}"

    @property
    def ref(self) -> CorteRef:
        return CorteRef(self.anio, self.semestre)

    @property
    def fecha_corte(self) -> datetime.date:
        return self.ref.fecha

    @property
    def cerrado(self) -> bool:
        return self.estado == self.Estado.CERRADO


class ReporteQuerySet(models.QuerySet):
    def oficiales(self) -> "ReporteQuerySet":
        """Reports with an official value: approved ones, and approved ones whose correction is
        under review (their approved copy still counts)."""
        return self.filter(Q(estado=Reporte.Estado.APROBADO) | Q(valor_oficial__isnull=False))


class Reporte(models.Model):
    """A reported value for one period of one year, with its narrative and review state.

    `valor`, `observaciones` and `plan_de_choque` are the planner's latest text, in the state
    `estado`. While a correction of an approved report is under review, the approved copy sits in
    the `*_oficial*` fields and is what every figure counts (`valor_publicado`...); approving the
    correction clears them, returning it leaves them in place. They are empty otherwise.
    """

    class Estado(models.TextChoices):
        BORRADOR = "borrador", "Borrador"
        ENVIADO = "enviado", "Enviado"
        APROBADO = "aprobado", "Aprobado"
        DEVUELTO = "devuelto", "Devuelto"

    indicador = models.ForeignKey(Indicador, on_delete=models.CASCADE, related_name="reportes")
    anio = models.PositiveSmallIntegerField("año")
    periodo = models.PositiveSmallIntegerField(
        "periodo", default=1, help_text="1 para anual; 1–2 semestral; 1–4 trimestral; 1–12 mensual."
    )
    valor = models.DecimalField("avance", **VALOR)
    observaciones = models.TextField("observaciones", **texto_limitado(blank=True))
    plan_de_choque = models.TextField(
        "plan de choque",
        **texto_limitado(
            blank=True, help_text="Plan de recuperación si va atrasado, o justificación si sobre ejecuta."
        ),
    )
    estado = models.CharField("estado", max_length=10, choices=Estado.choices, default=Estado.BORRADOR)
    comentario_revision = models.TextField("comentario de revisión", **texto_limitado(blank=True))
    version = models.PositiveIntegerField("versión", default=1, editable=False)
    valor_oficial = models.DecimalField("avance aprobado", **VALOR, null=True, blank=True, editable=False)
    observaciones_oficiales = models.TextField(
        "observaciones aprobadas", **texto_limitado(blank=True, editable=False)
    )
    plan_de_choque_oficial = models.TextField(
        "plan de choque aprobado", **texto_limitado(blank=True, editable=False)
    )
    ilustrativo = models.BooleanField("valor ilustrativo", default=False)
    creado_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actualizado_en = models.DateTimeField("actualizado en", auto_now=True)
    history = historial()

    objects = ReporteQuerySet.as_manager()

    class Meta:
        verbose_name = "reporte"
        verbose_name_plural = "reportes"
        ordering = ["indicador", "anio", "periodo"]
        constraints = [
            models.UniqueConstraint(fields=["indicador", "anio", "periodo"], name="reporte_unico_por_periodo")
        ]
        indexes = [models.Index(fields=["anio", "estado"])]

    def __str__(self) -> str:
        return f"{self.indicador.codigo} {self.nombre_periodo}"

    @property
    def nombre_periodo(self) -> str:
        """«2023», «2023 · semestre 1», «2023 · junio»."""
        return reglas.nombre_periodo(periodicidad=self.indicador.periodicidad, anio=self.anio, periodo=self.periodo)

    @property
    def en_correccion(self) -> bool:
        """An approved report whose correction is being written or reviewed."""
        return self.valor_oficial is not None

    @property
    def es_oficial(self) -> bool:
        return self.estado == self.Estado.APROBADO or self.en_correccion

    @property
    def valor_publicado(self) -> Decimal | None:
        """The approved value the figures count (None when the report was never approved)."""
        if self.en_correccion:
            return self.valor_oficial
        return self.valor if self.estado == self.Estado.APROBADO else None

    @property
    def observaciones_publicadas(self) -> str:
        if self.en_correccion:
            return self.observaciones_oficiales
        return self.observaciones if self.estado == self.Estado.APROBADO else ""

    def como_publicado(self) -> "Reporte":
        """This report as the figures and the public read it: while a correction is reviewed, an
        unsaved copy carrying the approved value and narratives. Only for display and reading."""
        if not self.en_correccion:
            return self
        copia = copy.copy(self)
        copia.valor, copia.observaciones, copia.plan_de_choque = (
            self.valor_oficial, self.observaciones_oficiales, self.plan_de_choque_oficial,
        )
        copia.estado = self.Estado.APROBADO
        copia.valor_oficial, copia.observaciones_oficiales, copia.plan_de_choque_oficial = None, "", ""
        return copia

    @property
    def plan_de_choque_publicado(self) -> str:
        if self.en_correccion:
            return self.plan_de_choque_oficial
        return self.plan_de_choque if self.estado == self.Estado.APROBADO else ""

    def clean(self) -> None:
        if not self.indicador_id or self.anio is None:
            return
        errores = reglas.errores_valor_en_plan(
            plan=self.indicador.plan, unidad=self.indicador.unidad, anio=self.anio, valor=self.valor,
            que="El reporte",
        )
        errores.update(reglas.errores_periodo(periodicidad=self.indicador.periodicidad, periodo=self.periodo))
        if errores:
            raise ValidationError(errores)


def _ruta_evidencia(instance: "Evidencia", filename: str) -> str:
    return f"evidencias/{instance.reporte.indicador.plan_id}/{instance.reporte_id}/{filename}"


class Evidencia(models.Model):
    """A file or a link that supports a report."""

    reporte = models.ForeignKey(Reporte, on_delete=models.CASCADE, related_name="evidencias")
    descripcion = models.CharField("descripción", max_length=300, blank=True)
    archivo = models.FileField("archivo", upload_to=_ruta_evidencia, blank=True)
    enlace = models.URLField("enlace", max_length=500, blank=True)
    creado_en = models.DateTimeField("creado en", auto_now_add=True)
    history = historial()

    class Meta:
        verbose_name = "evidencia"
        verbose_name_plural = "evidencias"
        ordering = ["reporte", "creado_en"]

    def __str__(self) -> str:
        return self.descripcion or self.enlace or self.archivo.name

    def clean(self) -> None:
        if not self.archivo and not self.enlace:
            raise ValidationError("Adjunte un archivo o escriba un enlace.")


class RecordatorioEnviado(models.Model):
    """A reminder digest already sent (issue 14): one row per recipient, kind, cut and day.

    `indicadores.recordatorios` inserts the rows in the transaction that sends the e-mail, before
    sending it: a second run of `manage.py recordatorios` the same day, or one running at the same
    time, finds them (or collides with them on the unique constraints) and sends nothing; a failed
    sending rolls them back, so a later run retries. A reviewer's daily digest has no cut.
    """

    class Tipo(models.TextChoices):
        PLANEADOR = "planeador", "Reportes pendientes (planeador)"
        REVISOR = "revisor", "Reportes por revisar (revisor)"

    usuario = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="destinatario"
    )
    tipo = models.CharField("tipo", max_length=10, choices=Tipo.choices)
    corte = models.ForeignKey(
        Corte, on_delete=models.CASCADE, null=True, blank=True, related_name="recordatorios", verbose_name="corte"
    )
    fecha = models.DateField("día del recordatorio")
    dias_antes = models.SmallIntegerField(
        "días antes de la fecha límite", null=True, blank=True, help_text="-1: el día después de la fecha límite."
    )
    enviado_en = models.DateTimeField("enviado en", auto_now_add=True)

    class Meta:
        verbose_name = "recordatorio enviado"
        verbose_name_plural = "recordatorios enviados"
        ordering = ["-fecha", "usuario", "tipo"]
        constraints = [
            # Two partial constraints: in SQL two NULL cuts never collide, so the reviewer's
            # digest (no cut) needs its own.
            models.UniqueConstraint(
                fields=["usuario", "tipo", "corte", "fecha"], condition=Q(corte__isnull=False),
                name="recordatorio_unico_por_corte_y_dia",
            ),
            models.UniqueConstraint(
                fields=["usuario", "tipo", "fecha"], condition=Q(corte__isnull=True),
                name="recordatorio_unico_sin_corte_por_dia",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_tipo_display()} · {self.fecha:%Y-%m-%d}"
