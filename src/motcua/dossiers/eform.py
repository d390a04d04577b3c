"""E-form data checked against the procedure case's JSON Schema, errors per field.

Messages are in the active language (Vietnamese first) and name the field; the keys
of the returned dict are field paths (``applicant.full_name``) so pages and the API
can tie each message to its input.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError


def _message(error: SchemaError) -> str:
    v, value = error.validator, error.validator_value
    if v == "maxLength":
        return _("Use at most %(n)s characters.") % {"n": value}
    if v == "minLength":
        return (
            _("This field is required.")
            if value == 1
            else (_("Use at least %(n)s characters.") % {"n": value})
        )
    if v == "pattern":
        return _("This value does not have the expected format.")
    if v in {"enum", "const", "oneOf", "anyOf"}:
        return _("Choose one of the listed values.")
    if v == "format" and value == "date":
        return _("Enter a valid date (YYYY-MM-DD).")
    if v == "format" and value == "email":
        return _("Enter a valid e-mail address.")
    if v == "type":
        return _("This value has the wrong type.")
    if v == "minimum":
        return _("The value must be at least %(n)s.") % {"n": value}
    if v == "maximum":
        return _("The value must be at most %(n)s.") % {"n": value}
    if v == "additionalProperties":
        return _("This field is not part of the form.")
    return _("This value is not valid.")


def form_errors(schema: dict[str, Any], data: Any) -> dict[str, list[str]]:
    """Every problem of ``data`` as {field path: [messages]}; empty when valid."""
    if not isinstance(data, dict):
        return {"form_data": [_("The form data must be an object of fields.")]}
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors: dict[str, list[str]] = {}
    for error in validator.iter_errors(data):
        path = ".".join(str(p) for p in error.absolute_path)
        if error.validator == "required":
            instance = error.instance if isinstance(error.instance, dict) else {}
            # jsonschema reports one error per missing name, each carrying the whole list.
            for name in error.validator_value:
                if name not in instance:
                    key = f"{path}.{name}" if path else name
                    messages = errors.setdefault(key, [])
                    if _("This field is required.") not in messages:
                        messages.append(_("This field is required."))
            continue
        if error.validator == "additionalProperties":
            allowed = set(error.schema.get("properties", {}))
            instance = error.instance if isinstance(error.instance, dict) else {}
            for name in instance:
                if name not in allowed:
                    key = f"{path}.{name}" if path else name
                    errors.setdefault(key, []).append(_message(error))
            continue
        errors.setdefault(path or "form_data", []).append(_message(error))
    return errors
