"""A procedure case's e-form (JSON Schema + presentation hints) as accessible HTML fields.

The schema (``ProcedureCase.form_schema``) says what the data is; the hints
(``form_ui``) say how to present it: ``steps`` (titled groups of fields, Vietnamese
``title`` and English ``title_en``), ``labels_en`` (English labels; the Vietnamese
label is the schema's ``title``), ``prefill`` (field → data source such as
``population.full_name``) and ``readonly``.

``EForm`` turns them into ``FormField`` objects that the templates render with a
``<label for>``, a hint and the field's errors tied to the input by
``aria-describedby``, ``aria-invalid`` and ``aria-required``. Long forms come in steps.

Prefilled values come from the server (the population database, the account). A field
is **read-only** when its source is the population database and the database gave a
value, or when the hints list it as read-only and it has a value. The browser's copy of
a read-only field is never trusted: ``EForm.parse`` refuses a value that differs from
the server's and otherwise puts the server's value in its place.

Values are parsed to the schema's types (integers, numbers, booleans); validation is
the schema's own (``motcua.dossiers.eform.form_errors``), so the API, the portal and
the counter check the same rules.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from motcua.dossiers.eform import form_errors

FIELDS_PER_GENERATED_STEP = 8
LONG_TEXT = 300  # a string longer than this gets a text area
_INTEGER = re.compile(r"^[+-]?\d{1,18}$")
_NUMBER = re.compile(r"^[+-]?(\d{1,18}([.,]\d{1,9})?|[.,]\d{1,9})$")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


@dataclass
class FormField:
    name: str
    label: str
    label_lang: str  # "" when in the page's language; "vi" when it falls back to Vietnamese
    hint: str
    widget: str  # text, textarea, date, email, tel, number, select, radio, checkbox
    required: bool
    readonly: bool
    value: Any = None
    options: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    maxlength: int | None = None
    minimum: Any = None
    maximum: Any = None
    inputmode: str = ""
    autocomplete: str = ""
    source: str = ""

    @property
    def id(self) -> str:
        return f"f-{self.name}"

    @property
    def hint_id(self) -> str:
        return f"f-{self.name}-hint"

    @property
    def error_id(self) -> str:
        return f"f-{self.name}-error"

    @property
    def describedby(self) -> str:
        ids = []
        if self.hint or self.readonly:
            ids.append(self.hint_id)
        if self.errors:
            ids.append(self.error_id)
        return " ".join(ids)

    @property
    def display_value(self) -> str:
        if self.value is None:
            return ""
        if isinstance(self.value, bool):
            return "on" if self.value else ""
        return str(self.value)

    @property
    def option_label(self) -> str:
        """The label of the chosen option (for the review page)."""
        if isinstance(self.value, bool):
            return _("Yes") if self.value else _("No")
        if self.widget == "date" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", self.display_value):
            year, month, day = self.display_value.split("-")
            return f"{day}/{month}/{year}"
        for value, label in self.options:
            if value == self.display_value:
                return label
        return self.display_value


@dataclass
class FormStep:
    index: int
    title: str
    fields: list[FormField]

    @property
    def number(self) -> int:
        return self.index + 1

    @property
    def has_errors(self) -> bool:
        return any(f.errors for f in self.fields)


@dataclass
class Parsed:
    data: dict[str, Any]
    errors: dict[str, list[str]]
    tampered: bool = False


_AUTOCOMPLETE = {
    "email": "email",
    "phone": "tel",
    "full_name": "name",
}


class EForm:
    def __init__(
        self,
        schema: Mapping[str, Any],
        ui: Mapping[str, Any] | None,
        *,
        language: str,
        prefill: Mapping[str, str] | None = None,
    ) -> None:
        self.schema = schema or {}
        self.ui = ui or {}
        self.language = language
        self.prefill = dict(prefill or {})
        self.properties: dict[str, dict[str, Any]] = {
            name: spec
            for name, spec in (self.schema.get("properties") or {}).items()
            if isinstance(spec, dict) and spec.get("type") not in {"object", "array"}
        }
        self.required = set(self.schema.get("required") or [])

    # --- prefill and read-only -----------------------------------------------------------
    def source(self, name: str) -> str:
        return str((self.ui.get("prefill") or {}).get(name, ""))

    def server_value(self, name: str) -> Any:
        """The value the server holds for a prefilled field (coerced to the schema)."""
        source = self.source(name)
        if not source or source not in self.prefill:
            return None
        raw = self.prefill.get(source)
        if raw in (None, ""):
            return None
        return self._coerce_choice(name, str(raw))

    def is_readonly(self, name: str) -> bool:
        if self.server_value(name) is None:
            return False
        return self.source(name).startswith("population.") or name in set(
            self.ui.get("readonly") or []
        )

    @property
    def readonly_names(self) -> list[str]:
        return [name for name in self.properties if self.is_readonly(name)]

    def initial(self) -> dict[str, Any]:
        """Every prefilled value (read-only or only suggested)."""
        values = {}
        for name in self.properties:
            value = self.server_value(name)
            if value is not None:
                values[name] = value
        return values

    def enforce_readonly(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """``data`` with every read-only field set to the server's value (re-derived)."""
        result = dict(data)
        for name in self.readonly_names:
            result[name] = self.server_value(name)
        return result

    # --- choices ---------------------------------------------------------------------------
    def _choices(self, spec: Mapping[str, Any]) -> list[tuple[str, str]]:
        if isinstance(spec.get("enum"), list):
            return [(str(v), str(v)) for v in spec["enum"]]
        for key in ("oneOf", "anyOf"):
            if isinstance(spec.get(key), list) and all(
                isinstance(o, dict) and "const" in o for o in spec[key]
            ):
                return [(str(o["const"]), str(o.get("title", o["const"]))) for o in spec[key]]
        return []

    def _coerce_choice(self, name: str, raw: str) -> Any:
        spec = self.properties.get(name, {})
        choices = self._choices(spec)
        if choices and raw not in {value for value, _label in choices}:
            wanted = _fold(raw)
            for value, label in choices:
                if wanted in {_fold(value), _fold(label)}:
                    return value
        return self._typed(spec, raw)

    @staticmethod
    def _typed(spec: Mapping[str, Any], raw: str) -> Any:
        kind = spec.get("type")
        text = raw.strip()
        if kind == "integer" and _INTEGER.match(text):
            return int(text)
        if kind == "number" and _NUMBER.match(text):
            number = float(text.replace(",", "."))
            return int(number) if number.is_integer() else number
        if kind == "boolean":
            return text.lower() in {"on", "true", "1", "yes"}
        return text

    # --- presentation ------------------------------------------------------------------------
    def label(self, name: str) -> tuple[str, str]:
        spec = self.properties[name]
        vietnamese = str(spec.get("title") or name)
        if self.language == "vi":
            return vietnamese, ""
        english = (self.ui.get("labels_en") or {}).get(name)
        return (str(english), "") if english else (vietnamese, "vi")

    def _widget(self, name: str, spec: Mapping[str, Any]) -> str:
        kind = spec.get("type")
        choices = self._choices(spec)
        if kind == "boolean":
            return "checkbox"
        if choices:
            return "radio" if len(choices) <= 4 else "select"
        if kind in {"integer", "number"}:
            return "number"
        fmt = spec.get("format")
        if fmt == "date":
            return "date"
        if fmt == "email":
            return "email"
        if "phone" in name:
            return "tel"
        if int(spec.get("maxLength") or 0) > LONG_TEXT:
            return "textarea"
        return "text"

    def field(
        self, name: str, data: Mapping[str, Any], errors: Mapping[str, list[str]]
    ) -> FormField:
        spec = self.properties[name]
        label, label_lang = self.label(name)
        widget = self._widget(name, spec)
        readonly = self.is_readonly(name)
        value = self.server_value(name) if readonly else data.get(name)
        hint = str(spec.get("description") or "")
        autocomplete = next((v for k, v in _AUTOCOMPLETE.items() if name.endswith(k)), "")
        return FormField(
            name=name,
            label=label,
            label_lang=label_lang,
            hint=hint,
            widget=widget,
            required=name in self.required,
            readonly=readonly,
            value=value,
            options=self._choices(spec),
            errors=list(errors.get(name, [])),
            maxlength=spec.get("maxLength"),
            minimum=spec.get("minimum"),
            maximum=spec.get("maximum"),
            inputmode=(
                "numeric"
                if widget == "number" and spec.get("type") == "integer"
                else ("decimal" if widget == "number" else "")
            ),
            autocomplete="off" if readonly else autocomplete,
            source=self.source(name),
        )

    def step_names(self) -> list[tuple[str, list[str]]]:
        """(title, field names) per step; every field appears in exactly one step."""
        english = self.language != "vi"
        placed: set[str] = set()
        steps: list[tuple[str, list[str]]] = []
        for raw in self.ui.get("steps") or []:
            names = [n for n in raw.get("fields", []) if n in self.properties and n not in placed]
            if not names:
                continue
            placed.update(names)
            title = (raw.get("title_en") if english else None) or raw.get("title") or ""
            steps.append((str(title), names))
        rest = [n for n in self.properties if n not in placed]
        if rest and steps:
            steps.append((_("Other information"), rest))
        elif rest:
            for start in range(0, len(rest), FIELDS_PER_GENERATED_STEP):
                chunk = rest[start : start + FIELDS_PER_GENERATED_STEP]
                number = start // FIELDS_PER_GENERATED_STEP + 1
                steps.append((_("Part %(n)s") % {"n": number}, chunk))
        return steps

    def steps(
        self, data: Mapping[str, Any], errors: Mapping[str, list[str]] | None = None
    ) -> list[FormStep]:
        errors = errors or {}
        return [
            FormStep(index=i, title=title, fields=[self.field(n, data, errors) for n in names])
            for i, (title, names) in enumerate(self.step_names())
        ]

    # --- input -------------------------------------------------------------------------------
    def parse(self, post: Mapping[str, Any], names: list[str]) -> Parsed:
        """The submitted values of ``names``, typed; read-only fields re-derived.

        ``tampered``: the browser sent a read-only field with another value than the
        server's; the caller refuses the whole request.
        """
        data: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}
        tampered = False
        for name in names:
            spec = self.properties.get(name)
            if spec is None:
                continue
            raw = post.get(name)
            if self.is_readonly(name):
                server = self.server_value(name)
                if raw is not None and str(raw).strip() != "" and str(raw).strip() != str(server):
                    tampered = True
                    errors[name] = [
                        _(
                            "This value comes from the national population database and "
                            "cannot be changed here."
                        )
                    ]
                data[name] = server
                continue
            if spec.get("type") == "boolean":
                data[name] = raw is not None and str(raw) != ""
                continue
            if raw is None:
                continue
            text = unicodedata.normalize("NFC", str(raw)).strip()
            if "\x00" in text:
                errors[name] = [_("Text may not contain the NUL character.")]
                continue
            if text == "":
                continue
            kind = spec.get("type")
            if kind == "integer" and not _INTEGER.match(text):
                errors[name] = [_("Enter a whole number.")]
                continue
            if kind == "number" and not _NUMBER.match(text):
                errors[name] = [_("Enter a number.")]
                continue
            data[name] = self._coerce_choice(name, text)
        return Parsed(data=data, errors=errors, tampered=tampered)

    def validate(self, data: Mapping[str, Any], names: list[str] | None = None) -> dict[str, Any]:
        """Schema errors for the whole form, or only for ``names`` (one step)."""
        # Each message once per field (``form_errors`` may repeat "required" per missing key).
        errors = {
            k: list(dict.fromkeys(v)) for k, v in form_errors(dict(self.schema), dict(data)).items()
        }
        if names is None:
            return errors
        wanted = set(names)
        return {k: v for k, v in errors.items() if k.split(".", 1)[0] in wanted}
