"""The REST API's request-body parser (issue 11): bounded JSON with Spanish messages.

`JSONAcotadoParser` reads a request body as UTF-8 JSON no deeper than
`limites.MAX_PROFUNDIDAD_JSON`, without NaN or Infinity, numbers with a fraction as `Decimal`
(exact: 0.33 is Decimal('0.33'), a 20-digit figure keeps its 20 digits) and no lone surrogate
(which no database can store). Every refusal is a 400 (`ParseError`) that says why.
`REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]` names it.

It lives apart from `seguimiento.api_entradas` because DRF resolves its parser setting while
`rest_framework.views` is imported, which that module imports.
"""

import json
import re
from decimal import Decimal

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, get_encoding

from seguimiento.limites import MAX_PROFUNDIDAD_JSON
from seguimiento.numeros import formato_numero

_SUSTITUTO = re.compile("[\ud800-\udfff]")

# json's messages, in the words a script's author reads here.
_ERRORES_JSON = {
    "Expecting value": "se esperaba un valor",
    "Expecting property name enclosed in double quotes": "se esperaba el nombre de un campo entre comillas dobles",
    "Expecting ',' delimiter": "falta una coma",
    "Expecting ':' delimiter": "faltan los dos puntos después del nombre de un campo",
    "Extra data": "sobra texto después del JSON",
    "Unterminated string starting at": "una cadena de texto sin cerrar",
    "Invalid control character at": "un carácter de control sin escapar dentro de una cadena",
    "Invalid \\escape": "un escape con \\ que no es válido",
    "Invalid \\uXXXX escape": "un escape \\uXXXX que no es válido",
}


class _Rechazo(ValueError):
    """A value the JSON reader refuses, with the Spanish reason."""


def _constante(nombre: str):
    raise _Rechazo(f"«{nombre}» no es un número JSON (NaN e Infinity no se admiten)")


def _entero(texto: str) -> int:
    if len(texto.lstrip("-")) > 100:
        raise _Rechazo(f"un número entero de {formato_numero(len(texto.lstrip('-')), 0)} cifras")
    return int(texto)


def _profundidad_y_sustituto(datos) -> tuple[int, str | None]:
    """(nesting depth of objects and arrays, where the first lone surrogate is, or None).
    Iterative: the structure came from json, already bounded by the interpreter's recursion limit."""
    maxima, sustituto = 0, None
    pendientes = [(datos, 0, "")]
    while pendientes:
        valor, nivel, ruta = pendientes.pop()
        if isinstance(valor, str):
            if sustituto is None and _SUSTITUTO.search(valor):
                sustituto = ruta or "el cuerpo"
        elif isinstance(valor, dict):
            maxima = max(maxima, nivel + 1)
            for clave, hijo in valor.items():
                if sustituto is None and _SUSTITUTO.search(clave):
                    sustituto = "el nombre de un campo"
                pendientes.append((hijo, nivel + 1, f"{ruta}.{clave}" if ruta else clave))
        elif isinstance(valor, list):
            maxima = max(maxima, nivel + 1)
            pendientes.extend((hijo, nivel + 1, f"{ruta}[{i}]") for i, hijo in enumerate(valor))
    return maxima, sustituto


def _cita(texto: str, largo: int = 60) -> str:
    return texto if len(texto) <= largo else texto[:largo] + "…"


class JSONAcotadoParser(JSONParser):
    """DRF's JSON parser with bounds, and Spanish messages for every refusal (400).

    The body is already bounded by `DATA_UPLOAD_MAX_MEMORY_SIZE` (DRF reads it through
    `request.body`). A body nested thousands of levels deep makes `json` raise RecursionError,
    a 500 with DRF's parser; here it is a 400, and so is any depth over `MAX_PROFUNDIDAD_JSON`.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        try:
            codificacion = get_encoding(parser_context)
        except ParseError as error:
            raise ParseError(
                f"El juego de caracteres «{_cita(str(parser_context.get('encoding')))}» no se admite; envíe el JSON "
                "en UTF-8."
            ) from error
        crudo = stream.read()
        if re.sub(r"[-_]", "", codificacion.lower()) == "utf8":
            codificacion = "utf-8-sig"  # a byte order mark at the start is not an error
        try:
            texto = crudo.decode(codificacion)
        except UnicodeDecodeError as error:
            raise ParseError(
                f"El cuerpo no es texto {codificacion.removesuffix('-sig').upper()} válido: el byte "
                f"0x{crudo[error.start]:02x} en la posición {formato_numero(error.start, 0)} no se puede leer."
            ) from error
        try:
            datos = json.loads(texto, parse_constant=_constante, parse_float=Decimal, parse_int=_entero)
        except RecursionError as error:
            raise ParseError(self._mensaje_profundidad(None)) from error
        except json.JSONDecodeError as error:
            motivo = _ERRORES_JSON.get(error.msg, error.msg)
            raise ParseError(
                f"El cuerpo no es JSON válido: {motivo} (línea {error.lineno}, columna {error.colno})."
            ) from error
        except ValueError as error:  # _Rechazo, or a number Python will not convert
            raise ParseError(f"El cuerpo no es JSON válido: {error}.") from error
        profundidad, sustituto = _profundidad_y_sustituto(datos)
        if profundidad > MAX_PROFUNDIDAD_JSON:
            raise ParseError(self._mensaje_profundidad(profundidad))
        if sustituto is not None:
            raise ParseError(
                f"El texto de «{_cita(sustituto)}» tiene un escape \\ud800–\\udfff suelto, que no es un carácter "
                "Unicode: envíe el carácter completo (su par de sustitutos) o quítelo."
            )
        return datos

    @staticmethod
    def _mensaje_profundidad(profundidad: int | None) -> str:
        cuantos = "cientos de niveles o más" if profundidad is None else f"{profundidad} niveles"
        return f"El JSON anida {cuantos} de objetos o listas; el máximo es {MAX_PROFUNDIDAD_JSON}."
