"""The forms of the indicadores admin: the indicator page's form and its two inline formsets
(targets, reports), the report page's form, the review's comment and the evidence upload.

Each runs the services' checks while the page is validated (`services.reporte_verificar`,
`meta_verificar`, `reporte_verificar_envio`), so a refusal comes back as a form error instead of a
half-saved page; the admins in `indicadores.admin` and `reportes.admin_reportes` then save
through the services. Numbers are typed with `seguimiento.admin_base.NumeroField`.
"""

from decimal import Decimal

from django import forms
from django.contrib.admin.widgets import AdminFileWidget
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.urls import reverse

from indicadores import reglas, services
from indicadores.models import Evidencia, Indicador, Reporte
from seguimiento.admin_base import mensajes_error
from seguimiento.limites import MAX_MOTIVO, MAX_TEXTO, con_mensaje_de_largo


class TextoNormalizadoField(forms.CharField):
    """A narrative (observaciones, plan de choque) read as it is stored: LF line breaks, no
    surrounding blanks (`reglas.normalizar_texto`).

    A browser sends a textarea's line breaks as CRLF; compared as typed, an untouched box would
    count as changed, and the admin would write it (a phantom correction of an approved report).

    Its maximum is the model field's (`seguimiento.limites`): the browser's `maxlength` stops
    typing there, and a longer text sent anyway is refused with both figures.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        con_mensaje_de_largo(self)

    def to_python(self, value):
        return reglas.normalizar_texto(super().to_python(value))

    def has_changed(self, initial, data) -> bool:
        if self.disabled:
            return False
        return reglas.normalizar_texto(initial) != self.to_python(data)


# The narratives are compared and cleaned as they are stored (CRLF → LF, no surrounding blanks).
CAMPOS_TEXTO_NORMALIZADO = {"observaciones": TextoNormalizadoField, "plan_de_choque": TextoNormalizadoField}
MENSAJE_SIN_VERSION = (
    "La página no traía la versión del reporte que usted abrió, así que no se puede saber si otra persona "
    "lo cambió entretanto. Recargue la página y vuelva a escribir su corrección."
)


# --- The administrator's reason ------------------------------------------------------------


class MotivoForm(forms.ModelForm):
    """Adds «motivo del cambio»: required from an administrator who changes a closed cut's
    report or a past year's target; it is recorded in the audit trail."""

    motivo_cambio = TextoNormalizadoField(
        label="motivo del cambio",
        required=False,
        max_length=MAX_MOTIVO,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Solo administradores: obligatorio para corregir un corte cerrado o una meta de una vigencia "
        "pasada. Queda en el historial; no se guarda con los cambios que no lo necesitan.",
    )

    @classmethod
    def motivo_enviado(cls, request) -> str:
        """The reason posted with the page, cleaned as this form's field cleans it.

        The page's inline rows are checked with it: the admin builds them beside the page's form,
        not from it, so they get the value itself (`IndicadorAdmin.get_formset_kwargs`). Only an
        administrator's reason counts (the field is shown to them alone)."""
        if request.method != "POST" or not request.user.is_superuser:
            return ""
        campo = cls.base_fields["motivo_cambio"]
        try:
            return campo.clean(request.POST.get("motivo_cambio"))
        except ValidationError:
            # Too long: the page's field says so, and each row's check refuses it with the figures.
            return campo.to_python(request.POST.get("motivo_cambio"))


def motivo_de_administrador(datos: dict, usuario) -> str:
    """The reason in a validated form's data; only an administrator's counts."""
    return datos.get("motivo_cambio", "") if usuario.is_superuser else ""


# --- The indicator page --------------------------------------------------------------------


class IndicadorForm(MotivoForm):
    class Meta:
        # A name or product typed on several lines reads the same whichever browser sent it.
        field_classes = {"nombre": TextoNormalizadoField, "producto": TextoNormalizadoField}


class FilasDelIndicador(BaseInlineFormSet):
    """An inline of the indicator page, checked as the user who posted it and with the page's
    reason (both handed over by `IndicadorAdmin.get_formset_kwargs`)."""

    def __init__(self, *args, usuario=None, motivo: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.usuario = usuario
        self.motivo = motivo


class MetasFormSet(FilasDelIndicador):
    """The yearly targets of one indicator, checked together against its final target and LB."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        metas = self._metas_por_anio()
        self._verificar_vigencias()
        if any(self.errors):
            return
        indicador = self.instance
        errores = reglas.errores_metas(
            tipo=indicador.tipo_anualizacion,
            linea_base=indicador.linea_base,
            meta_final=indicador.meta_final,
            metas=metas,
        )
        if errores:
            raise ValidationError(errores["metas"])

    def _metas_por_anio(self) -> dict[int, Decimal]:
        """The targets the page leaves, by year; a year typed twice is refused."""
        metas: dict[int, Decimal] = {}
        for form in self.forms:
            datos = getattr(form, "cleaned_data", None) or {}
            if not datos or datos.get("DELETE") or datos.get("anio") is None or datos.get("valor") is None:
                continue
            if datos["anio"] in metas:
                raise ValidationError(f"La vigencia {datos['anio']} tiene dos metas; deje una sola.")
            metas[datos["anio"]] = datos["valor"]
        return metas

    def _verificar_vigencias(self) -> None:
        """Each added, changed or deleted row may touch its year (and the year it had)."""
        for form in self.forms:
            datos = getattr(form, "cleaned_data", None) or {}
            borrada = bool(datos.get("DELETE"))
            if not datos or (borrada and form.instance.pk is None) or not (borrada or form.has_changed()):
                continue
            anios = {datos.get("anio"), form.initial.get("anio")} - {None}
            for anio in sorted(anios):
                try:
                    services.meta_verificar(
                        indicador=self.instance, anio=anio, usuario=self.usuario, motivo=self.motivo
                    )
                except (ValidationError, PermissionDenied) as exc:
                    form.add_error(None, mensajes_error(exc))
                    break


class ReporteInlineForm(forms.ModelForm):
    # The version the planner loaded (rendered hidden in the row): a save over someone else's
    # newer save is refused with what they changed.
    version_cargada = forms.IntegerField(widget=forms.HiddenInput, required=False)
    enviar = forms.BooleanField(label="enviar a revisión", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version_cargada"].initial = self.instance.version
            # Which period a report belongs to is fixed once written; its value is corrected.
            for campo in ("anio", "periodo"):
                if campo in self.fields:
                    self.fields[campo].disabled = True

    def validate_unique(self) -> None:
        """A new row for a period that already has a report is refused by the service's rule
        (`services.ReporteExistente`, checked in `ReportesFormSet.clean`), not by a generic one."""

    class Meta:
        model = Reporte
        fields = ("anio", "periodo", "valor", "observaciones", "plan_de_choque")
        field_classes = CAMPOS_TEXTO_NORMALIZADO
        # Two rows: the whole table fits a 1280 px screen; the box grows while it is being typed
        # in (see templates/admin/indicadores/indicador/change_form.html).
        widgets = {
            "observaciones": forms.Textarea(attrs={"rows": 2, "cols": 20}),
            "plan_de_choque": forms.Textarea(attrs={"rows": 2, "cols": 20}),
        }


class ReportesFormSet(FilasDelIndicador):
    """Reports entered on the indicator page. Saving goes through `services.reporte_registrar`
    (see `IndicadorAdmin.save_formset`); here the same checks run first so a refusal comes back
    as a form error instead of a half-saved page."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        for form in self.forms:
            if not form.has_changed() or not getattr(form, "cleaned_data", None):
                continue
            if form.cleaned_data.get("DELETE"):
                continue
            try:
                self._verificar(form)
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, mensajes_error(exc))

    def _verificar(self, form) -> None:
        datos = form.cleaned_data
        anio, periodo = datos["anio"], datos["periodo"]
        services.reporte_verificar(
            indicador=self.instance, anio=anio, periodo=periodo, usuario=self.usuario, motivo=self.motivo
        )
        _verificar_version(
            form.instance, datos.get("version_cargada"), indicador=self.instance, anio=anio, periodo=periodo
        )
        if datos.get("enviar"):
            _verificar_envio(self.instance, form)


def _verificar_envio(indicador: Indicador, form) -> None:
    """Sending from the indicator page: `services.reporte_verificar_envio` before writing."""
    datos = form.cleaned_data
    borrador = Reporte(
        indicador=indicador, anio=datos["anio"], periodo=datos["periodo"], valor=datos["valor"],
        plan_de_choque=datos.get("plan_de_choque", ""), estado=form.instance.estado,
    )
    borrador.pk = form.instance.pk
    se_corrige = not form.instance.pk or set(form.changed_data) - {"enviar"}
    services.reporte_verificar_envio(borrador, se_corrige=bool(se_corrige))


def _verificar_version(
    reporte: Reporte, version_cargada: int | None, *, indicador: Indicador, anio: int, periodo: int
) -> None:
    """The checks `services.reporte_registrar` makes, before writing: a correction names the
    version it was typed over (`ConflictoEdicion` when someone saved since); a new report is for
    a period nobody has reported yet (`ReporteExistente`)."""
    if reporte.pk is None:
        existente = Reporte.objects.select_related("indicador").filter(
            indicador=indicador, anio=anio, periodo=periodo
        ).first()
        if existente is not None:
            raise services.ReporteExistente(existente)
        return
    if version_cargada is None:
        raise ValidationError(MENSAJE_SIN_VERSION, code="sin_version")
    if version_cargada != reporte.version:
        raise services.ConflictoEdicion(
            reporte=reporte,
            version_esperada=version_cargada,
            cambios=services.reporte_cambios_desde(reporte, version_cargada),
        )


# --- The report page -----------------------------------------------------------------------


class ReporteAdminForm(MotivoForm):
    usuario = None  # set per request by ReporteAdmin.get_form
    version_cargada = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Reporte
        fields = "__all__"
        field_classes = CAMPOS_TEXTO_NORMALIZADO

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version_cargada"].initial = self.instance.version

    def validate_unique(self) -> None:
        """A report for a period that already has one is refused by the service's rule
        (`services.ReporteExistente`, in `clean`), which says whose it is."""

    def clean(self):
        datos = super().clean()
        indicador = datos.get("indicador") or getattr(self.instance, "indicador", None)
        anio = datos.get("anio", self.instance.anio)
        periodo = datos.get("periodo", self.instance.periodo)
        if indicador is not None and anio is not None and periodo is not None:
            try:
                services.reporte_verificar(
                    indicador=indicador, anio=anio, periodo=periodo, usuario=self.usuario,
                    motivo=motivo_de_administrador(datos, self.usuario),
                )
                _verificar_version(
                    self.instance, datos.get("version_cargada"), indicador=indicador, anio=anio, periodo=periodo
                )
            except (ValidationError, PermissionDenied) as exc:
                raise ValidationError(mensajes_error(exc)) from exc
        return datos


class ComentarioDevolucionForm(forms.Form):
    comentario = TextoNormalizadoField(
        label="comentario para el planeador", max_length=MAX_TEXTO,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text="Qué debe corregir. Lo verá en su reporte devuelto.",
    )


# --- Evidence --------------------------------------------------------------------------------


class ArchivoEvidenciaWidget(AdminFileWidget):
    """The admin's file input, whose «currently» link goes through the checked download view
    (uploads are never served from MEDIA_ROOT)."""

    url_descarga = ""

    def get_context(self, name, value, attrs):
        contexto = super().get_context(name, value, attrs)
        if contexto["widget"]["is_initial"]:
            # The stock template links `value.url`: hand it the download view's address.
            contexto["widget"]["value"] = ArchivoConDescarga(str(value), self.url_descarga)
        return contexto


class ArchivoConDescarga(str):
    """A stored file's name whose `url` is the checked download view."""

    def __new__(cls, nombre: str, url: str):
        objeto = super().__new__(cls, nombre)
        objeto.url = url
        return objeto


class EvidenciaForm(forms.ModelForm):
    enlace = forms.URLField(
        label="enlace", required=False, max_length=500, assume_scheme="https", widget=forms.URLInput(attrs={"size": 40})
    )

    class Meta:
        model = Evidencia
        fields = ("descripcion", "archivo", "enlace")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "archivo" in self.fields:
            widget = ArchivoEvidenciaWidget()
            if self.instance.pk:
                widget.url_descarga = reverse("evidencia_descargar", args=[self.instance.pk])
            self.fields["archivo"].widget = widget

    def clean_archivo(self):
        archivo = self.cleaned_data.get("archivo")
        if archivo and archivo is not getattr(self.instance, "archivo", None):
            errores = services.evidencia_errores_archivo(archivo)
            if errores:
                raise ValidationError(errores)
        return archivo
