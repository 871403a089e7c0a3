"""Who owns a plan and how it is organised: entidades, dependencias, plans and their levels."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from seguimiento.limites import MAX_NOMBRE, MAX_TEXTO, LargoMaximo


def historial() -> HistoricalRecords:
    """The audit trail of a model: django-simple-history, with the change reason in a text column
    (its default holds 100 characters; an administrator's reason is kept whole, up to
    `limites.MAX_MOTIVO`, which the services check before writing)."""
    return HistoricalRecords(history_change_reason_field=models.TextField(null=True))


def texto_limitado(maximo: int = MAX_TEXTO, **opciones) -> dict:
    """The options of a bounded TextField: `max_length` (the admin's form and DRF read it) and
    the validator that makes `full_clean` refuse too (a TextField's max_length is not checked)."""
    return {"max_length": maximo, "validators": [LargoMaximo(maximo)], **opciones}


class Entidad(models.Model):
    """The government that owns plans: Alcaldía de Santiago de Cali, Municipio de Sopó."""

    nombre = models.CharField("nombre", max_length=200, unique=True)
    sigla = models.CharField("sigla", max_length=30, blank=True)

    class Meta:
        verbose_name = "entidad"
        verbose_name_plural = "entidades"
        ordering = ["nombre"]

    def __str__(self) -> str:
        return self.nombre


class Dependencia(models.Model):
    """The office or sector responsible for indicators; planners belong to one or more."""

    class Tipo(models.TextChoices):
        DEPENDENCIA = "dependencia", "Dependencia"
        SECTOR = "sector", "Sector"

    entidad = models.ForeignKey(Entidad, on_delete=models.PROTECT, related_name="dependencias")
    nombre = models.CharField("nombre", max_length=200)
    sigla = models.CharField("sigla", max_length=30, blank=True)
    tipo = models.CharField("tipo", max_length=20, choices=Tipo.choices, default=Tipo.DEPENDENCIA)
    usuarios = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="dependencias",
        blank=True,
        verbose_name="usuarios",
        help_text="Planeadores que reportan los indicadores de esta dependencia.",
    )

    class Meta:
        verbose_name = "dependencia"
        verbose_name_plural = "dependencias"
        ordering = ["entidad__nombre", "nombre"]
        constraints = [
            models.UniqueConstraint(fields=["entidad", "nombre"], name="dependencia_unica_por_entidad")
        ]

    def __str__(self) -> str:
        return self.nombre


class Plan(models.Model):
    """A development plan or a public policy, with the names of its hierarchy's levels."""

    class Tipo(models.TextChoices):
        PLAN_DESARROLLO = "plan_desarrollo", "Plan de desarrollo"
        POLITICA_PUBLICA = "politica_publica", "Política pública"

    codigo = models.SlugField("código", max_length=60, unique=True)
    nombre = models.CharField("nombre", max_length=300)
    tipo = models.CharField("tipo", max_length=20, choices=Tipo.choices)
    documento = models.CharField(
        "documento", max_length=200, blank=True, help_text="Por ejemplo «CONPES D.C. 29 de 2023»."
    )
    entidad = models.ForeignKey(Entidad, on_delete=models.PROTECT, related_name="planes")
    anio_inicio = models.PositiveSmallIntegerField(
        "año de inicio", validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    anio_fin = models.PositiveSmallIntegerField(
        "año de fin", validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    dependencia_lider = models.ForeignKey(
        Dependencia,
        on_delete=models.PROTECT,
        related_name="planes_liderados",
        null=True,
        blank=True,
        verbose_name="dependencia líder",
    )
    objetivo = models.TextField("objetivo", **texto_limitado(blank=True))
    nombres_niveles = models.CharField(
        "nombres de los niveles",
        max_length=200,
        default="Eje, Componente, Programa",
        help_text="Del más general al más específico, separados por comas: «Objetivo, Producto».",
    )
    publicado = models.BooleanField(
        "publicado", default=False, help_text="Los planes publicados se pueden consultar sin iniciar sesión."
    )
    history = historial()

    class Meta:
        verbose_name = "plan"
        verbose_name_plural = "planes"
        ordering = ["nombre"]

    def __str__(self) -> str:
        return self.nombre

    def clean(self) -> None:
        if self.anio_inicio and self.anio_fin and self.anio_fin < self.anio_inicio:
            raise ValidationError({"anio_fin": "El año de fin no puede ser anterior al año de inicio."})

    @property
    def niveles_nombres(self) -> list[str]:
        return [nombre.strip() for nombre in self.nombres_niveles.split(",") if nombre.strip()]

    def nombre_nivel(self, profundidad: int) -> str:
        """The name the plan gives to a depth (0 = the most general level)."""
        nombres = self.niveles_nombres
        return nombres[profundidad] if profundidad < len(nombres) else f"Nivel {profundidad + 1}"

    def vigente_en(self, anio: int) -> bool:
        return self.anio_inicio <= anio <= self.anio_fin


class Nivel(models.Model):
    """A node of a plan's hierarchy: an Eje, Componente, Programa, Objetivo...

    `profundidad` is stored (0 for the root) so that a whole plan is read in one query and
    rebuilt in memory, whatever its depth.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="niveles")
    padre = models.ForeignKey(
        "self", on_delete=models.CASCADE, related_name="hijos", null=True, blank=True, verbose_name="nivel padre"
    )
    profundidad = models.PositiveSmallIntegerField("profundidad", default=0, editable=False)
    codigo = models.CharField("código", max_length=40, help_text="Como lo escribe el documento: «4.1.3».")
    nombre = models.TextField("nombre", **texto_limitado(MAX_NOMBRE))
    peso = models.DecimalField(
        "ponderación",
        max_digits=9,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Puntos porcentuales del plan. Vacío: los hermanos pesan igual.",
    )
    orden = models.PositiveIntegerField("orden", default=0)
    history = historial()

    class Meta:
        verbose_name = "nivel"
        verbose_name_plural = "niveles"
        ordering = ["plan", "orden", "codigo"]
        constraints = [models.UniqueConstraint(fields=["plan", "codigo"], name="nivel_codigo_unico_por_plan")]
        indexes = [models.Index(fields=["plan", "profundidad"])]

    def __str__(self) -> str:
        return f"{self.nombre_tipo} {self.codigo}: {self.nombre[:80]}"

    @property
    def nombre_tipo(self) -> str:
        return self.plan.nombre_nivel(self.profundidad)

    def clean(self) -> None:
        if self.padre_id and self.padre.plan_id != self.plan_id:
            raise ValidationError({"padre": "El nivel padre pertenece a otro plan."})
        if self.padre_id and self.pk and self._es_ancestro_de_si_mismo():
            raise ValidationError({"padre": "Un nivel no puede ser su propio ancestro."})

    def _es_ancestro_de_si_mismo(self) -> bool:
        nodo = self.padre
        while nodo is not None:
            if nodo.pk == self.pk:
                return True
            nodo = nodo.padre
        return False

    def save(self, *args, **kwargs) -> None:
        self.profundidad = self.padre.profundidad + 1 if self.padre_id else 0
        super().save(*args, **kwargs)


class InformeCualitativo(models.Model):
    """The semester management report of a policy (SPEC §7, the Sopó format)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="informes_cualitativos")
    anio = models.PositiveSmallIntegerField("año")
    semestre = models.PositiveSmallIntegerField("semestre", choices=[(1, "Primer semestre"), (2, "Segundo semestre")])
    dependencia = models.ForeignKey(
        Dependencia, on_delete=models.PROTECT, related_name="informes_cualitativos", verbose_name="responsable"
    )
    actividades = models.TextField("actividades realizadas", **texto_limitado(blank=True))
    estrategias = models.TextField("estrategias utilizadas", **texto_limitado(blank=True))
    logros = models.TextField("logros obtenidos", **texto_limitado(blank=True))
    dificultades = models.TextField("dificultades presentadas", **texto_limitado(blank=True))
    oportunidades = models.TextField("oportunidades de crecimiento", **texto_limitado(blank=True))
    evidencias = models.TextField(
        "evidencias", **texto_limitado(blank=True, help_text="Enlaces o descripción de dónde están.")
    )
    impacto_cualitativo = models.DecimalField(
        "impacto cualitativo (%)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="Calificación del revisor, de 0 a 100.",
    )
    history = historial()

    class Meta:
        verbose_name = "informe cualitativo"
        verbose_name_plural = "informes cualitativos"
        ordering = ["plan", "-anio", "-semestre"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "anio", "semestre"], name="informe_cualitativo_unico")
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.anio}-{self.semestre}"


class ActividadCualitativa(models.Model):
    """A line of the qualitative report: a component's programmed and carried-out activities."""

    informe = models.ForeignKey(InformeCualitativo, on_delete=models.CASCADE, related_name="actividades_detalle")
    componente = models.CharField("componente", max_length=200)
    descripcion = models.TextField("descripción", **texto_limitado(blank=True))
    programadas = models.PositiveIntegerField("actividades programadas")
    realizadas = models.PositiveIntegerField("actividades realizadas")
    orden = models.PositiveIntegerField("orden", default=0)
    ilustrativo = models.BooleanField(
        "valores ilustrativos", default=False,
        help_text="Marcado cuando el documento fuente no da estas cantidades y fueron inferidas.",
    )

    class Meta:
        verbose_name = "actividad"
        verbose_name_plural = "actividades"
        ordering = ["informe", "orden", "componente"]

    def __str__(self) -> str:
        return self.componente
