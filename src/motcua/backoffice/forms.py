"""Forms of the back office: queue filters, one small form per lifecycle action, counter
reception (applicant, e-form fields from the case's JSON Schema, components), register."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import ProcedureCase
from motcua.core.clock import VIETNAM, local_now
from motcua.dossiers.models import ApplicantKind, ReceivedAs, Status
from motcua.dossiers.services import RETURN_METHODS
from motcua.units.models import Unit


def _unit_label(unit: Unit) -> str:
    return f"{unit.name} ({unit.code})"


# --- queues ---------------------------------------------------------------------------------
class QueueFilterForm(forms.Form):
    procedure = forms.CharField(
        label=_("Procedure code"),
        max_length=40,
        required=False,
        help_text=_("e.g. 1.001193"),
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args: Any, units: Iterable[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_choices: list[tuple[Any, Any]] = [("", _("All my units"))]
        unit_choices += [(u.pk, _unit_label(u)) for u in units]
        self.fields["unit"].choices = unit_choices  # type: ignore[attr-defined]
        status_choices: list[tuple[Any, Any]] = [("", _("All statuses")), *Status.choices]
        self.fields["status"].choices = status_choices  # type: ignore[attr-defined]


# --- lifecycle actions ------------------------------------------------------------------------
class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The law requires the specific reason; it is printed on the notice."),
    )

    def params(self) -> dict[str, Any]:
        return {"reason": self.cleaned_data["reason"]}


class OptionalReasonForm(ReasonForm):
    reason = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def params(self) -> dict[str, Any]:
        return {"note": self.cleaned_data["note"]}


class EmptyForm(forms.Form):
    def params(self) -> dict[str, Any]:
        return {}


class SupplementRequestForm(ReasonForm):
    items = forms.CharField(
        label=_("Items to complete (one per line)"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "A supplement may be requested only once: list everything missing, one item per line."
        ),
    )
    field_order = ["items", "reason"]

    def params(self) -> dict[str, Any]:
        items = [line.strip() for line in self.cleaned_data["items"].splitlines()]
        return {"items": [i for i in items if i], "reason": self.cleaned_data["reason"]}


class UnitChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return _unit_label(obj)


class ForwardForm(NoteForm):
    to_unit = UnitChoiceField(
        label=_("Hand over to another unit (inter-agency)"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("— the next step in this unit —"),
    )
    field_order = ["to_unit", "note"]

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["to_unit"].queryset = units  # type: ignore[attr-defined]

    def params(self) -> dict[str, Any]:
        return {"to_unit": self.cleaned_data["to_unit"], "note": self.cleaned_data["note"]}


class SendBackForm(ReasonForm):
    to_unit = UnitChoiceField(
        label=_("Send back to unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("— the previous step in this unit —"),
    )

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["to_unit"].queryset = units  # type: ignore[attr-defined]

    def params(self) -> dict[str, Any]:
        return {"reason": self.cleaned_data["reason"], "to_unit": self.cleaned_data["to_unit"]}


class PaymentRequestForm(NoteForm):
    amount = forms.IntegerField(label=_("Amount due (VND)"), min_value=1, max_value=10**12)
    field_order = ["amount", "note"]

    def params(self) -> dict[str, Any]:
        return {"amount": self.cleaned_data["amount"], "note": self.cleaned_data["note"]}


class PaymentConfirmForm(forms.Form):
    receipt = forms.CharField(label=_("Receipt number"), max_length=100, required=False)

    def params(self) -> dict[str, Any]:
        return {"receipt": self.cleaned_data["receipt"]}


RETURN_METHOD_LABELS = {
    "counter": _("at the counter"),
    "post": _("by public postal service"),
    "warehouse": _("into the applicant's data warehouse"),
    "email": _("by e-mail"),
}


class ReturnForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Return method"),
        choices=[(m, RETURN_METHOD_LABELS[m]) for m in RETURN_METHODS],
        initial="counter",
    )

    def params(self) -> dict[str, Any]:
        return {"method": self.cleaned_data["method"]}


class ExtendForm(ReasonForm):
    new_due = forms.DateTimeField(
        label=_("New promised time"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Legal time (Vietnam); within office hours of a working day."),
    )
    field_order = ["new_due", "reason"]

    def clean_new_due(self) -> datetime:
        value: datetime = self.cleaned_data["new_due"]
        # The form is read in legal time whatever the server's zone.
        return value.replace(tzinfo=VIETNAM) if value.tzinfo is None else value.astimezone(VIETNAM)

    def params(self) -> dict[str, Any]:
        return {"new_due": self.cleaned_data["new_due"], "reason": self.cleaned_data["reason"]}


ACTION_FORMS: dict[str, type[forms.Form]] = {
    "receive": EmptyForm,
    "refuse": ReasonForm,
    "request_supplement": SupplementRequestForm,
    "supplement": NoteForm,
    "forward": ForwardForm,
    "send_back": SendBackForm,
    "approve": NoteForm,
    "mark_result_ready": EmptyForm,
    "request_payment": PaymentRequestForm,
    "confirm_payment": PaymentConfirmForm,
    "return_result": ReturnForm,
    "withdraw": OptionalReasonForm,
    "stop": ReasonForm,
    "apologise_extend": ExtendForm,
}


def action_form(action: str, data: Any = None, *, units: Any = None) -> forms.Form:
    form_class = ACTION_FORMS[action]
    kwargs: dict[str, Any] = {"prefix": action}
    if form_class in (ForwardForm, SendBackForm):
        kwargs["units"] = units
    if form_class is ExtendForm and data is None:
        tomorrow = (local_now() + timedelta(days=7)).replace(hour=16, minute=0, second=0)
        kwargs["initial"] = {"new_due": tomorrow.replace(tzinfo=None, microsecond=0)}
    return form_class(data, **kwargs)


# --- counter reception ------------------------------------------------------------------------
class CaseSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Procedure"),
        max_length=200,
        required=False,
        help_text=_("Name or code, with or without diacritics."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


RECEIVED_CHOICES = [
    ("", _("not received")),
    (ReceivedAs.ORIGINAL, _("original")),
    (ReceivedAs.CERTIFIED_COPY, _("certified copy")),
    (ReceivedAs.PHOTOCOPY, _("photocopy")),
]


def _schema_field(
    name: str, spec: dict[str, Any], required: bool, english: dict[str, str]
) -> forms.Field:
    label = english.get(name) if english else None
    label = label or spec.get("title") or name
    kind = spec.get("type")
    if "enum" in spec:
        return forms.ChoiceField(
            label=label,
            required=required,
            choices=[("", "—")] + [(str(v), str(v)) for v in spec["enum"]],
        )
    if kind == "integer":
        return forms.IntegerField(
            label=label,
            required=required,
            min_value=spec.get("minimum"),
            max_value=spec.get("maximum"),
        )
    if kind == "number":
        return forms.FloatField(label=label, required=required)
    if kind == "boolean":
        return forms.BooleanField(label=label, required=False)
    if spec.get("format") == "date":
        return forms.DateField(
            label=label, required=required, widget=forms.DateInput(attrs={"type": "date"})
        )
    max_length = spec.get("maxLength")
    widget = forms.Textarea(attrs={"rows": 2}) if (max_length or 0) > 200 else forms.TextInput()
    return forms.CharField(label=label, required=required, max_length=max_length, widget=widget)


class CounterForm(forms.Form):
    """Applicant, e-form data and received components for one procedure case.

    Field names: ``applicant_*``; e-form fields ``f_<name>`` (top-level properties of
    the case's JSON Schema — the service validates the whole schema again); components
    ``c_<code>_as`` and ``c_<code>_count``.
    """

    receiving_unit = UnitChoiceField(label=_("Receiving unit"), queryset=Unit.objects.none())
    applicant_commune = UnitChoiceField(
        label=_("Applicant's commune (competent committee)"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("— the committee of this one-stop section —"),
        help_text=_("For commune-level procedures: the dossier goes to this commune's committee."),
    )
    applicant_kind = forms.ChoiceField(
        label=_("Applicant"), choices=ApplicantKind.choices, initial=ApplicantKind.CITIZEN
    )
    applicant_name = forms.CharField(label=_("Full name or organisation name"), max_length=200)
    applicant_id_number = forms.CharField(
        label=_("Personal ID number or tax code"),
        max_length=14,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    applicant_birth_date = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Needed only to look the applicant up in the population database."),
    )
    applicant_address = forms.CharField(label=_("Address"), max_length=300, required=False)
    applicant_phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    applicant_email = forms.EmailField(label=_("E-mail"), required=False)
    representative_name = forms.CharField(
        label=_("Authorised representative"), max_length=200, required=False
    )
    representative_id_number = forms.CharField(
        label=_("Representative's ID number"), max_length=12, required=False
    )
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(
        self,
        *args: Any,
        case: ProcedureCase,
        receiving_units: Any,
        communes: Any,
        english: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["receiving_unit"].queryset = receiving_units  # type: ignore[attr-defined]
        self.fields["applicant_commune"].queryset = communes  # type: ignore[attr-defined]
        schema = case.form_schema or {}
        required = set(schema.get("required", []))
        labels_en = (case.form_ui or {}).get("labels_en", {}) if english else {}
        self.form_field_names: list[str] = []
        for name, spec in (schema.get("properties") or {}).items():
            if not isinstance(spec, dict) or spec.get("type") in {"object", "array"}:
                continue
            self.fields[f"f_{name}"] = _schema_field(name, spec, name in required, labels_en)
            self.form_field_names.append(name)
        self.component_rows: list[tuple[Any, str, str]] = []
        for component in case.components.all():
            if component.registry:
                self.component_rows.append((component, "", ""))
                continue
            as_name, count_name = f"c_{component.code}_as", f"c_{component.code}_count"
            self.fields[as_name] = forms.ChoiceField(
                label=_("Received as"),
                choices=RECEIVED_CHOICES,
                required=False,
                initial=ReceivedAs.ORIGINAL if component.required else "",
            )
            self.fields[count_name] = forms.IntegerField(
                label=_("Count"), min_value=1, max_value=99, initial=1, required=False
            )
            self.component_rows.append((component, as_name, count_name))

    def prefill_field_names(self, values: dict[str, str]) -> dict[str, str]:
        """E-form fields filled from look-up values, by the case's prefill map."""
        prefill = (self.case.form_ui or {}).get("prefill", {}) or {}
        return {
            f"f_{name}": values[source]
            for name, source in prefill.items()
            if name in self.form_field_names and source in values
        }

    def form_fields(self) -> list[forms.BoundField]:
        return [self[f"f_{name}"] for name in self.form_field_names]

    def applicant_fields(self) -> list[forms.BoundField]:
        return [
            self[n]
            for n in (
                "applicant_kind",
                "applicant_name",
                "applicant_id_number",
                "applicant_birth_date",
                "applicant_address",
                "applicant_phone",
                "applicant_email",
                "representative_name",
                "representative_id_number",
            )
        ]

    def components(self) -> list[tuple[Any, forms.BoundField | None, forms.BoundField | None]]:
        return [
            (c, self[a] if a else None, self[n] if n else None) for c, a, n in self.component_rows
        ]

    def form_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name in self.form_field_names:
            value = self.cleaned_data.get(f"f_{name}")
            if value in (None, ""):
                continue
            data[name] = value.isoformat() if hasattr(value, "isoformat") else value
        return data

    def component_inputs(self) -> list[tuple[str, str, int]]:
        out = []
        for component, as_name, count_name in self.component_rows:
            if not as_name:
                continue
            received_as = self.cleaned_data.get(as_name) or ""
            if received_as:
                out.append((component.code, received_as, self.cleaned_data.get(count_name) or 1))
        return out


class RegisterForm(forms.Form):
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("xlsx", "Excel (.xlsx)"), ("pdf", "PDF")],
        initial="xlsx",
        required=False,
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["format"] = data.get("format") or "xlsx"
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end date must not be before the start date."))
            elif (end - start).days > 366:
                self.add_error("end", _("Export at most one year at a time."))
        return data
